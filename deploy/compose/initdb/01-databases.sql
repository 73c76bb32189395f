-- One database per service (lifeboat_backup is created by POSTGRES_DB).
CREATE DATABASE lifeboat_restore;
CREATE DATABASE lifeboat_drill;
CREATE DATABASE lifeboat_incident;
