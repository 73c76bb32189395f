-- Read paths of /rpo and the incident timeline stay index-only as the projections grow.
CREATE INDEX proj_backup_source_started ON proj_backup (source, started_at DESC NULLS LAST);
CREATE INDEX proj_backup_source_completed ON proj_backup (source, completed_at DESC) WHERE phase = 'Completed';
CREATE INDEX proj_backup_good ON proj_backup (source, recovery_point_at DESC) WHERE phase = 'Completed' AND verified_ok;
