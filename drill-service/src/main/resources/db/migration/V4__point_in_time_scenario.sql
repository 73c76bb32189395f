-- An accidental DROP TABLE on a continuous source: the drill writes rows, notes an instant T, writes more, drops
-- the table, and restores the database to T into an isolated target: every row committed before T must be there
-- and none after. RPO target: a minute (the WAL is streamed), RTO as the seed's.
INSERT INTO scenario (name, title, sources, rto_target_seconds, rpo_target_seconds, steps, updated_at) VALUES
('point-in-time', 'Accidental DROP TABLE: point-in-time restore of a continuous source', 'analytics-db', 14400, 60, '[
  {"name": "simulate-accident", "kind": "automated", "budgetSeconds": 300},
  {"name": "identify-latest-backup", "kind": "automated", "budgetSeconds": 300},
  {"name": "restore", "kind": "automated", "budgetSeconds": 7200},
  {"name": "verify", "kind": "automated", "budgetSeconds": 900}]', now())
ON CONFLICT (name) DO NOTHING;
