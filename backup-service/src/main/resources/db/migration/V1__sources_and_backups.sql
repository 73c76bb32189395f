-- A source is a named thing to protect; a backup is one run against it (a long operation with a phase).
CREATE TABLE source (
    name                text        PRIMARY KEY,
    kind                text        NOT NULL,
    host                text,
    port                integer,
    database_name       text,
    db_user             text,
    password_ref        text,
    path                text,
    schedule            text        NOT NULL,
    rpo_target_seconds  bigint      NOT NULL,
    keep_last           integer,
    keep_daily          integer,
    keep_weekly         integer,
    max_age_seconds     bigint,
    pre_hook            text,
    post_hook           text,
    encryption          boolean     NOT NULL DEFAULT false,
    row_count_tables    text,
    next_run_at         timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE backup (
    id                  text        PRIMARY KEY,
    source              text        NOT NULL,
    kind                text        NOT NULL,
    phase               text        NOT NULL,
    trigger             text        NOT NULL,
    actor               text,
    created_at          timestamptz NOT NULL,
    started_at          timestamptz,
    completed_at        timestamptz,
    recovery_point_at   timestamptz,
    size_bytes          bigint,
    stored_bytes        bigint,
    progress_bytes      bigint      NOT NULL DEFAULT 0,
    estimated_bytes     bigint,
    heartbeat_at        timestamptz,
    sha256              text,
    object_key          text,
    manifest_key        text,
    upload_id           text,
    compression         text,
    encryption_key_id   text,
    failed_phase        text,
    error               text,
    owner_instance      text,
    verified_at         timestamptz,
    verified_ok         boolean,
    verify_detail       text,
    expired_at          timestamptz,
    expired_reason      text
);
-- two backups of one source never run at once, across every instance of the service
CREATE UNIQUE INDEX backup_one_active_per_source ON backup (source) WHERE phase IN ('New', 'InProgress');
CREATE INDEX backup_source_created ON backup (source, created_at DESC);
CREATE INDEX backup_created ON backup (created_at DESC, id DESC);
