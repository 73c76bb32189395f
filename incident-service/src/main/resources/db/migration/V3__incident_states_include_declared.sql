-- The state timeline starts at declaration, not at the first status change.
CREATE OR REPLACE VIEW grafana_incident_states AS
    SELECT declared_at AS time, incident_id AS metric, 'Declared'::text AS value FROM proj_incident WHERE declared_at IS NOT NULL
    UNION ALL
    SELECT changed_at, incident_id, status FROM proj_incident_status;
