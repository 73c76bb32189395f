#!/usr/bin/env bash
# incident-service benchmark: rebuild the projections from EVENTS generated events (default 1,000,000: backup
# started/completed/verified of SOURCES sources), then load /rpo and /incidents/{id}/timeline with wrk at ~200
# requests/s on loopback. Writes bench/results/incident-<date>.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
EVENTS="${EVENTS:-1000000}"; SOURCES="${SOURCES:-20}"; DURATION="${DURATION:-30s}"
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
bench_up
PSQL_I="$PSQL -d lifeboat_incident"

BACKUPS=$((EVENTS / 3))
EXISTING=$($PSQL_I -tAc "SELECT count(*) FROM event_log")
if [ "$EXISTING" -ge "$EVENTS" ]; then
  echo "the event log already holds $EXISTING events (a previous run's); not generating more"
else
echo "generating $EVENTS events ($BACKUPS backups of $SOURCES sources) into the event log ..."
$PSQL_I <<SQL
INSERT INTO event_log (event_id, type, source, subject, actor, event_time, topic, data, envelope)
SELECT e.id, e.type, '/lifeboat/backup-service', e.src, 'bench', e.t, 'lifeboat.backup', e.data,
       jsonb_build_object('specversion', '1.0', 'id', e.id, 'source', '/lifeboat/backup-service', 'type', e.type,
                          'subject', e.src, 'time', to_char(e.t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                          'datacontenttype', 'application/json', 'actor', 'bench', 'data', e.data)
FROM (
  SELECT gen_random_uuid() AS id, k.type, 'bench-src-' || (b % $SOURCES) AS src,
         timestamptz '2026-01-01' + b * interval '1 minute' + k.off AS t,
         CASE k.type
           WHEN 'lifeboat.backup.started.v1' THEN jsonb_build_object('backupId', 'bk-' || b, 'source', 'bench-src-' || (b % $SOURCES),
               'kind', 'postgres', 'startedAt', to_char((timestamptz '2026-01-01' + b * interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'trigger', 'schedule')
           WHEN 'lifeboat.backup.completed.v1' THEN jsonb_build_object('backupId', 'bk-' || b, 'source', 'bench-src-' || (b % $SOURCES),
               'kind', 'postgres', 'recoveryPointAt', to_char((timestamptz '2026-01-01' + b * interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'startedAt', to_char((timestamptz '2026-01-01' + b * interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'completedAt', to_char((timestamptz '2026-01-01' + b * interval '1 minute' + interval '10 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'sizeBytes', 1000000, 'storedBytes', 400000, 'sha256', md5(b::text), 'objectKey', 'k/' || b, 'manifestKey', 'm/' || b,
               'compression', 'zstd', 'encryption', null, 'toolVersions', '{}'::jsonb, 'rowCounts', '{}'::jsonb)
           ELSE jsonb_build_object('backupId', 'bk-' || b, 'source', 'bench-src-' || (b % $SOURCES), 'ok', true, 'detail', 'ok',
               'bucketReachable', true, 'verifiedAt', to_char((timestamptz '2026-01-01' + b * interval '1 minute' + interval '20 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
         END AS data
  FROM generate_series(1, $BACKUPS) b
  CROSS JOIN (VALUES ('lifeboat.backup.started.v1', interval '0 s'), ('lifeboat.backup.completed.v1', interval '10 s'),
                     ('lifeboat.backup.verified.v1', interval '20 s')) AS k(type, off)
  ORDER BY b, k.off) e;
INSERT INTO event_log (event_id, type, source, subject, actor, event_time, topic, data, envelope)
SELECT gen_random_uuid(), 'lifeboat.backup.source.updated.v1', '/lifeboat/backup-service', 'bench-src-' || s, 'bench', now(),
       'lifeboat.backup', d, jsonb_build_object('specversion', '1.0', 'id', gen_random_uuid(), 'source', '/lifeboat/backup-service',
       'type', 'lifeboat.backup.source.updated.v1', 'subject', 'bench-src-' || s, 'time', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       'data', d)
FROM generate_series(0, $SOURCES - 1) s, LATERAL (SELECT jsonb_build_object('source', 'bench-src-' || s, 'kind', 'postgres',
       'schedule', '0 2 * * *', 'rpoTarget', 'PT24H', 'retention', null, 'encryption', false, 'removed', false) AS d) x;
SQL
fi
TOTAL=$($PSQL_I -tAc "SELECT count(*) FROM event_log")
echo "event log holds $TOTAL events; rebuilding ..."
s=$(now)
REBUILD=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$INCIDENT/admin/projections/rebuild")
WALL=$(secs "$s" "$(now)")
echo "$REBUILD"

INC=$(curl_json -X POST "$INCIDENT/incidents" -d '{"title": "bench", "severity": "SEV2", "scenario": "database-loss", "sources": ["bench-src-1"]}' | jget "['id']")
cat > "$WORK/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
-- 10 connections each waiting 50 ms between requests: about 200 requests/s in all
function delay() return 50 end
LUA
load() { wrk -t2 -c10 -d"$DURATION" --latency -s "$WORK/auth.lua" "$1" > "$WORK/wrk.txt" 2>&1; cat "$WORK/wrk.txt" >&2
  python3 - "$WORK/wrk.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
p99 = re.search(r"99%\s+([\d.]+\w+)", t).group(1)
p50 = re.search(r"50%\s+([\d.]+\w+)", t).group(1)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
sock = re.search(r"Socket errors: (.*)", t)
print(f"{rps} req/s, p50 {p50}, p99 {p99}, non-2xx {errors.group(1) if errors else 0}{', socket errors ' + sock.group(1) if sock else ''}")
PY
}
RPO=$(load "$INCIDENT/rpo")
TIMELINE=$(load "$INCIDENT/incidents/$INC/timeline")
OUT="$REPO/bench/results/incident-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## incident-service benchmark $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores"
  echo
  echo "- Projection rebuild from $TOTAL events ($SOURCES sources): $REBUILD (HTTP wall $WALL s). Goal ≥ 20,000 events/s."
  echo "- \`GET /rpo\` under wrk (10 connections, ~200 req/s, $DURATION): $RPO. Goal p99 < 50 ms, zero errors."
  echo "- \`GET /incidents/$INC/timeline\` under wrk: $TIMELINE."
} | tee "$OUT"
[ -n "${KEEP_STACK:-}" ] || "$REPO/lifeboat" down >/dev/null
