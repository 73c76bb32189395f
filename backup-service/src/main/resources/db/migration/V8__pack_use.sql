-- How many stored bytes of a pack each backup's chunk list uses. A backup copies forward (stores again, in a new pack)
-- the chunks it would reuse from a pack the backup before it used less than half of: else such a pack, mostly bytes
-- no kept backup needs, stays whole as long as any backup points into it, and retention never frees it.
-- NULL for backups from before: not known, never copied forward from.
ALTER TABLE backup_pack ADD COLUMN used_bytes bigint;
