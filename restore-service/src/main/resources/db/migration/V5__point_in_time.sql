-- A point-in-time restore of a continuous source: what recovery replays to ('time' at recovery_target_at, 'latest'
-- for the newest stored WAL, 'immediate' for a base backup's own consistency point); null for a restore of a dump.
ALTER TABLE restore ADD COLUMN recovery_target text;
ALTER TABLE restore ADD COLUMN recovery_target_at timestamptz;
