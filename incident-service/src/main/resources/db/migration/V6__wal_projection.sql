-- The WAL of continuous sources, from lifeboat.backup.wal.* events: how far the bucket has it, whether that is
-- restorable (then it is the source's recovery point), the newest gap and the stream's state.
CREATE TABLE proj_wal (
    source              text        PRIMARY KEY,
    timeline            integer,
    segment             text,
    stored_lsn          text,
    covered_until       timestamptz,
    restorable_until    timestamptz,
    archived_at         timestamptz,
    last_gap_segment    text,
    last_gap_detail     text,
    last_gap_at         timestamptz,
    stream_state        text,
    stream_detail       text,
    stream_changed_at   timestamptz
);
