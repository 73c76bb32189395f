-- Chunks are stored in packs, objects of many chunks each, so a restore fetches many chunks with one ranged GET.
-- A chunk stored before packs has no pack (it is an object of its own).
ALTER TABLE chunk ADD COLUMN pack text;
ALTER TABLE chunk ADD COLUMN pack_offset bigint;
CREATE INDEX chunk_by_pack ON chunk (source, pack);

-- The packs a source's bucket holds, recorded once a pack is stored whole.
CREATE TABLE pack (
    source        text        NOT NULL,
    id            text        NOT NULL,
    stored_bytes  bigint      NOT NULL,
    first_backup  text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, id)
);

-- Which backups' chunk lists point into which packs: retention deletes a pack once no kept backup points into it.
CREATE TABLE backup_pack (
    backup_id  text NOT NULL,
    source     text NOT NULL,
    pack       text NOT NULL,
    PRIMARY KEY (backup_id, pack)
);
CREATE INDEX backup_pack_by_pack ON backup_pack (source, pack);
