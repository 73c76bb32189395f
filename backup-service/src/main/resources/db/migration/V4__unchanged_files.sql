-- The large files a chunked backup stored and their chunks, with what identified them (size, mtime, ctime,
-- inode): the next backup of the source takes an unchanged file's chunks from here without reading it.
CREATE TABLE backup_file (
    backup_id   text   NOT NULL,
    path        text   NOT NULL,
    size        bigint NOT NULL,
    mtime_ns    bigint NOT NULL,
    ctime_ns    bigint NOT NULL,
    inode       text   NOT NULL,
    chunk_ids   text[] NOT NULL,
    PRIMARY KEY (backup_id, path)
);
