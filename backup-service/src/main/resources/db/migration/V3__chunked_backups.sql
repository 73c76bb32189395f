-- Chunked backups of directory sources: the archive is cut into content-defined chunks, each stored once.
ALTER TABLE source ADD COLUMN storage text NOT NULL DEFAULT 'archive';
-- what a chunked backup had to upload (the rest of its chunks were stored already)
ALTER TABLE backup ADD COLUMN uploaded_bytes bigint;

-- The chunks a source's bucket holds, so a backup uploads only the new ones without asking S3 for each. The
-- bucket stays the truth for restores; a lost index only makes the next backup upload its chunks again.
CREATE TABLE chunk (
    source        text        NOT NULL,
    id            text        NOT NULL,
    size          integer     NOT NULL,
    stored_size   integer     NOT NULL,
    codec         text        NOT NULL,
    first_backup  text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, id)
);
CREATE INDEX chunk_first_backup ON chunk (first_backup);

-- Which backups reference which chunks: retention sweeps a chunk once no kept backup references it.
CREATE TABLE backup_chunk (
    backup_id  text NOT NULL,
    source     text NOT NULL,
    chunk_id   text NOT NULL,
    PRIMARY KEY (backup_id, chunk_id)
);
CREATE INDEX backup_chunk_by_chunk ON backup_chunk (source, chunk_id);

-- Files of a directory source copied with SQLite's online backup API (glob patterns relative to its path; none:
-- files named *.sqlite3, *.sqlite or *.db)
ALTER TABLE source ADD COLUMN sqlite_files text;
