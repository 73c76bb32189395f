-- The sample protected system of `./lifeboat up`: the runbook's chatbot_analytics database at a small size,
-- same shape as ../shared/bench-data/gen_chatbot_analytics.sql.
CREATE TABLE IF NOT EXISTS analytics (
  id bigserial PRIMARY KEY, "timestamp" timestamptz, user_id text, language text,
  question text, answer text, latency_ms int, meta jsonb);
CREATE TABLE IF NOT EXISTS usage_tracking (
  id bigserial PRIMARY KEY, "timestamp" timestamptz, user_id text, tokens int, cost numeric(10,4));
CREATE INDEX IF NOT EXISTS analytics_timestamp_idx ON analytics ("timestamp");
CREATE INDEX IF NOT EXISTS usage_tracking_timestamp_idx ON usage_tracking ("timestamp");
INSERT INTO analytics ("timestamp", user_id, language, question, answer, latency_ms, meta)
SELECT now() - (4000 - g) * interval '30 seconds',
  'user_' || (g % 97),
  (ARRAY['en','de','fr','es','it','nl','pt','pl'])[1 + g % 8],
  'What is ' || md5(g::text) || '?',
  repeat(md5((g * 7)::text) || ' ', 1 + g % 5),
  150 + (g * 37) % 3000,
  jsonb_build_object('model', (ARRAY['gpt-4o-mini','claude-3-haiku','llama-3-70b'])[1 + g % 3], 'tokens_out', 50 + g % 800)
FROM generate_series(1, 4000) g
WHERE NOT EXISTS (SELECT 1 FROM analytics);
INSERT INTO usage_tracking ("timestamp", user_id, tokens, cost)
SELECT now() - (6000 - g) * interval '20 seconds', 'user_' || (g % 97), 50 + g % 2000, round(((50 + g % 2000) * 0.00002)::numeric, 4)
FROM generate_series(1, 6000) g
WHERE NOT EXISTS (SELECT 1 FROM usage_tracking);
