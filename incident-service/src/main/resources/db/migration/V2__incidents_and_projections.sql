-- Write model: incidents with their status machine, notes, action items and alerts.
CREATE TABLE incident (
    id                   text        PRIMARY KEY,
    seq_year             integer     NOT NULL,
    seq_no               integer     NOT NULL,
    title                text        NOT NULL,
    severity             text        NOT NULL,
    scenario             text        NOT NULL,
    status               text        NOT NULL,
    impact_started_at    timestamptz NOT NULL,
    detected_at          timestamptz,
    declared_at          timestamptz NOT NULL,
    service_restored_at  timestamptz,
    resolved_at          timestamptz,
    reviewed_at          timestamptz,
    postmortem_at        timestamptz,
    sources              text        NOT NULL DEFAULT '',
    declared_by          text,
    UNIQUE (seq_year, seq_no)
);
CREATE TABLE incident_note (
    id           text        PRIMARY KEY,
    incident_id  text        NOT NULL REFERENCES incident (id),
    text         text        NOT NULL,
    author       text,
    added_at     timestamptz NOT NULL
);
CREATE TABLE incident_action (
    id           text        PRIMARY KEY,
    incident_id  text        NOT NULL REFERENCES incident (id),
    title        text        NOT NULL,
    owner        text        NOT NULL,
    due_date     date,
    added_at     timestamptz NOT NULL,
    closed_at    timestamptz
);

-- Projections: rebuilt from event_log by POST /admin/projections/rebuild; only event data, nothing else, so a
-- rebuild reproduces them exactly. Grafana reads these tables and the views below.
CREATE TABLE proj_source (
    source              text        PRIMARY KEY,
    kind                text,
    rpo_target_seconds  bigint      NOT NULL DEFAULT 86400,
    removed             boolean     NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL
);
CREATE TABLE proj_backup (
    backup_id          text        PRIMARY KEY,
    source             text        NOT NULL,
    phase              text        NOT NULL,
    started_at         timestamptz,
    completed_at       timestamptz,
    failed_at          timestamptz,
    failed_step        text,
    error              text,
    recovery_point_at  timestamptz,
    stored_bytes       bigint,
    verified_ok        boolean,
    verified_at        timestamptz,
    expired_at         timestamptz
);
CREATE INDEX proj_backup_source ON proj_backup (source, recovery_point_at DESC);
CREATE TABLE proj_verification (
    event_id          uuid        PRIMARY KEY,
    backup_id         text        NOT NULL,
    source            text        NOT NULL,
    ok                boolean     NOT NULL,
    bucket_reachable  boolean     NOT NULL,
    detail            text,
    verified_at       timestamptz NOT NULL
);
CREATE TABLE proj_restore (
    restore_id         text        PRIMARY KEY,
    source             text,
    backup_id          text,
    recovery_point_at  timestamptz,
    target             text,
    mode               text,
    reason             text,
    incident_id        text,
    drill_id           text,
    started_at         timestamptz,
    completed_at       timestamptz,
    failed_at          timestamptz,
    failed_step        text,
    error              text,
    duration_seconds   double precision,
    stored_bytes       bigint,
    checks_passed      boolean
);
CREATE INDEX proj_restore_incident ON proj_restore (incident_id);
CREATE TABLE proj_drill (
    drill_id                  text        PRIMARY KEY,
    scenario                  text,
    scheduled_for             timestamptz,
    announced_at              timestamptz,
    started_at                timestamptz,
    completed_at              timestamptz,
    phase                     text,
    verdict                   text,
    reasons                   text,
    rto_seconds               double precision,
    rpo_seconds               double precision,
    restore_bytes_per_second  double precision,
    debriefed_at              timestamptz
);
CREATE TABLE proj_incident (
    incident_id          text        PRIMARY KEY,
    title                text,
    severity             text,
    scenario             text,
    status               text,
    status_changed_at    timestamptz,
    impact_started_at    timestamptz,
    detected_at          timestamptz,
    declared_at          timestamptz,
    service_restored_at  timestamptz,
    resolved_at          timestamptz,
    postmortem_at        timestamptz,
    sources              text
);
CREATE TABLE proj_incident_status (
    event_id     uuid        PRIMARY KEY,
    incident_id  text        NOT NULL,
    status       text        NOT NULL,
    changed_at   timestamptz NOT NULL
);
CREATE TABLE proj_alert (
    event_id      uuid        PRIMARY KEY,
    incident_id   text        NOT NULL,
    alert_name    text        NOT NULL,
    status        text        NOT NULL,
    starts_at     timestamptz,
    received_at   timestamptz NOT NULL,
    summary       text
);

-- Grafana: timeline annotations (time, timeend, text, tags) of incidents, restores, drills and failed backups.
CREATE VIEW grafana_annotations AS
    SELECT impact_started_at AS time, coalesce(service_restored_at, resolved_at, now()) AS timeend,
           incident_id || ': ' || title || ' (' || severity || ', ' || status || ')' AS text,
           ARRAY['incident', scenario] AS tags
      FROM proj_incident
    UNION ALL
    SELECT started_at, coalesce(completed_at, failed_at, started_at),
           'restore ' || restore_id || ' of ' || source || CASE WHEN failed_at IS NOT NULL THEN ' failed: ' || coalesce(error, '') ELSE '' END,
           ARRAY['restore', source]
      FROM proj_restore WHERE started_at IS NOT NULL
    UNION ALL
    SELECT started_at, coalesce(completed_at, started_at), 'drill ' || drill_id || ' ' || coalesce(verdict, phase, ''),
           ARRAY['drill', scenario]
      FROM proj_drill WHERE started_at IS NOT NULL
    UNION ALL
    SELECT failed_at, failed_at, 'backup ' || backup_id || ' failed at ' || coalesce(failed_step, '?') || ': ' || coalesce(error, ''),
           ARRAY['backup-failed', source]
      FROM proj_backup WHERE failed_at IS NOT NULL;

-- Grafana: incident states over time (state timeline panel).
CREATE VIEW grafana_incident_states AS
    SELECT changed_at AS time, incident_id AS metric, status AS value FROM proj_incident_status;

-- A backup counts for RPO once it completed and verified good.
CREATE VIEW rpo_good_backup AS
    SELECT b.source, b.backup_id, b.recovery_point_at, greatest(b.completed_at, b.verified_at) AS effective_at
      FROM proj_backup b WHERE b.phase = 'Completed' AND b.verified_ok;
