-- Where restores go. A source's home target is where it is backed up from; production targets need an
-- admin and an explicit confirmation before a replace.
CREATE TABLE target (
    name          text        PRIMARY KEY,
    kind          text        NOT NULL,
    source        text,
    host          text,
    port          integer,
    db_user       text,
    password_ref  text,
    path          text,
    production    boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX target_home_of_source ON target (source) WHERE source IS NOT NULL;

-- A cache of completed backups learnt from lifeboat.backup events; restores also work from the bucket alone.
CREATE TABLE catalog_entry (
    backup_id          text        PRIMARY KEY,
    source             text        NOT NULL,
    kind               text        NOT NULL,
    recovery_point_at  timestamptz NOT NULL,
    completed_at       timestamptz NOT NULL,
    stored_bytes       bigint      NOT NULL,
    sha256             text        NOT NULL,
    object_key         text        NOT NULL,
    manifest_key       text        NOT NULL,
    expired_at         timestamptz
);
CREATE INDEX catalog_entry_source_point ON catalog_entry (source, recovery_point_at DESC);
