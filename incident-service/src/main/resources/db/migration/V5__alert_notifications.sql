-- Alertmanager repeats a notification until the alert resolves: one row per (fingerprint, status, startsAt) makes
-- every repeat land on the incident once. An alert that names no Lifeboat scenario is recorded without one.
CREATE TABLE alert_notification (
    fingerprint  text        NOT NULL,
    status       text        NOT NULL,
    starts_at    timestamptz NOT NULL,
    incident_id  text,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (fingerprint, status, starts_at)
);
ALTER TABLE proj_alert ALTER COLUMN incident_id DROP NOT NULL;
ALTER TABLE proj_alert ADD COLUMN ends_at timestamptz;
