-- Scenarios are the runbook as data: ordered steps with time budgets (the seed plan's minutes).
CREATE TABLE scenario (
    name                text        PRIMARY KEY,
    title               text        NOT NULL,
    sources             text        NOT NULL,
    rto_target_seconds  bigint      NOT NULL,
    rpo_target_seconds  bigint      NOT NULL,
    steps               jsonb       NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE drill (
    id              text        PRIMARY KEY,
    scenario        text        NOT NULL REFERENCES scenario (name),
    phase           text        NOT NULL,
    scheduled_for   timestamptz,
    announced_at    timestamptz,
    started_at      timestamptz,
    completed_at    timestamptz,
    trigger         text        NOT NULL,
    created_at      timestamptz NOT NULL
);
-- the calendar creates a quarter's drill once, whatever the number of drill-service instances
CREATE UNIQUE INDEX drill_calendar_slot ON drill (scenario, scheduled_for) WHERE trigger = 'calendar';

INSERT INTO scenario (name, title, sources, rto_target_seconds, rpo_target_seconds, steps, updated_at) VALUES
('database-loss', 'Scenario 1: complete database loss', 'analytics-db', 14400, 86400, '[
  {"name": "assess", "kind": "manual", "budgetSeconds": 900},
  {"name": "identify-latest-backup", "kind": "automated", "budgetSeconds": 300},
  {"name": "download", "kind": "automated", "budgetSeconds": 600},
  {"name": "stop-services", "kind": "manual", "budgetSeconds": 120},
  {"name": "restore", "kind": "automated", "budgetSeconds": 7200},
  {"name": "verify", "kind": "automated", "budgetSeconds": 900},
  {"name": "restart-services", "kind": "manual", "budgetSeconds": 300},
  {"name": "smoke-tests", "kind": "automated", "budgetSeconds": 600}]', now()),
('vector-store-corruption', 'Scenario 2: vector database (ChromaDB) corruption', 'vector-store', 14400, 86400, '[
  {"name": "stop-services", "kind": "manual", "budgetSeconds": 120},
  {"name": "identify-latest-backup", "kind": "automated", "budgetSeconds": 300},
  {"name": "move-aside-corrupted", "kind": "automated", "budgetSeconds": 120},
  {"name": "restore", "kind": "automated", "budgetSeconds": 1800},
  {"name": "restart-services", "kind": "manual", "budgetSeconds": 300},
  {"name": "verify", "kind": "automated", "budgetSeconds": 600}]', now()),
('infrastructure-loss', 'Scenario 3: complete infrastructure loss', 'analytics-db,vector-store', 14400, 86400, '[
  {"name": "provision-infrastructure", "kind": "manual", "budgetSeconds": 1800},
  {"name": "install-dependencies", "kind": "manual", "budgetSeconds": 900},
  {"name": "restore-environment", "kind": "manual", "budgetSeconds": 600},
  {"name": "download-from-bucket", "kind": "automated", "budgetSeconds": 900},
  {"name": "restore", "kind": "automated", "budgetSeconds": 7200},
  {"name": "deploy-services", "kind": "manual", "budgetSeconds": 600},
  {"name": "verify", "kind": "automated", "budgetSeconds": 1800}]', now()),
('combined', 'Q4: combined scenario (database loss and vector store corruption)', 'analytics-db,vector-store', 14400, 86400, '[
  {"name": "assess", "kind": "manual", "budgetSeconds": 900},
  {"name": "identify-latest-backup", "kind": "automated", "budgetSeconds": 300},
  {"name": "download", "kind": "automated", "budgetSeconds": 600},
  {"name": "restore", "kind": "automated", "budgetSeconds": 7200},
  {"name": "verify", "kind": "automated", "budgetSeconds": 900},
  {"name": "smoke-tests", "kind": "automated", "budgetSeconds": 600}]', now());
