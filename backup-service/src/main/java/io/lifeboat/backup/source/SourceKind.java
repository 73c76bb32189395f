package io.lifeboat.backup.source;

/** What a source is: a PostgreSQL database (pg_dump) or a directory (tar + zstd). */
public enum SourceKind {
    postgres, directory
}
