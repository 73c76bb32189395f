-- A drill restores what an incident would: the newest verified backup when it starts. A fresh test backup is an
-- option, reported as such; its RPO is still measured on the newest verified backup before the drill.
ALTER TABLE drill ADD COLUMN fresh_backup boolean NOT NULL DEFAULT false;
ALTER TABLE drill DROP COLUMN use_newest;
