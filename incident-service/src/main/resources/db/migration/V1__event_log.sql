-- Every event consumed from every topic, once (unique on the CloudEvent id). Append-only: projections are
-- rebuilt from it, so nothing may change or remove a row.
CREATE TABLE event_log (
    seq            bigserial   PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    type           text        NOT NULL,
    source         text        NOT NULL,
    subject        text        NOT NULL,
    actor          text,
    event_time     timestamptz NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    topic          text        NOT NULL,
    kafka_partition integer,
    kafka_offset   bigint,
    data           jsonb,
    envelope       jsonb       NOT NULL
);
CREATE INDEX event_log_time ON event_log (event_time DESC, seq DESC);
CREATE INDEX event_log_type_time ON event_log (type, event_time DESC, seq DESC);
CREATE INDEX event_log_subject_time ON event_log (subject, event_time DESC, seq DESC);

CREATE FUNCTION event_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event_log is append-only: % is not allowed', TG_OP;
END $$;
CREATE TRIGGER event_log_append_only BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION event_log_append_only();
