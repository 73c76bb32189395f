-- A restore is a long operation: New -> InProgress -> Verifying -> Completed | Failed, every step timed.
CREATE TABLE restore (
    id                 text        PRIMARY KEY,
    source             text        NOT NULL,
    backup_id          text,
    recovery_point_at  timestamptz,
    target             text        NOT NULL,
    target_kind        text        NOT NULL,
    mode               text        NOT NULL,
    reason             text        NOT NULL,
    incident_id        text,
    drill_id           text,
    actor              text,
    phase              text        NOT NULL,
    requested_at       timestamptz NOT NULL,
    started_at         timestamptz,
    completed_at       timestamptz,
    bytes_done         bigint      NOT NULL DEFAULT 0,
    bytes_total        bigint,
    restored_as        text,
    moved_aside_as     text,
    swap_state         text,
    steps              jsonb       NOT NULL DEFAULT '[]',
    checks             jsonb       NOT NULL DEFAULT '[]',
    requested_checks   jsonb       NOT NULL DEFAULT '[]',
    failed_step        text,
    error              text,
    owner_instance     text,
    heartbeat_at       timestamptz,
    backup_selector    text        NOT NULL
);
CREATE INDEX restore_requested ON restore (requested_at DESC, id DESC);
-- one restore at a time into a target
CREATE UNIQUE INDEX restore_one_active_per_target ON restore (target) WHERE phase IN ('New', 'InProgress', 'Verifying');
