-- A continuous postgres source: physical base backups on its schedule, and its WAL streamed to the bucket.
ALTER TABLE source ADD COLUMN continuous boolean NOT NULL DEFAULT false;
-- a base backup (pg_basebackup) of a continuous source, rather than a pg_dump
ALTER TABLE backup ADD COLUMN physical boolean NOT NULL DEFAULT false;

-- The WAL stream of a continuous source: which instance holds it (a lease on the database's clock, so exactly
-- one instance streams a source and another takes over when it dies), and how far the bucket has it.
CREATE TABLE wal_stream (
    source              text        PRIMARY KEY,
    owner_instance      text,
    lease_until         timestamptz,
    state               text        NOT NULL DEFAULT 'stopped',
    detail              text,
    system_id           text,
    timeline            integer,
    stored_lsn          text,
    segment             text,
    covered_until       timestamptz,
    -- a verified base backup and a gap-free chain reach covered_until: it is the source's recovery point
    restorable          boolean     NOT NULL DEFAULT false,
    last_event_at       timestamptz,
    updated_at          timestamptz NOT NULL
);
