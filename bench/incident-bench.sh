#!/usr/bin/env bash
# incident-service benchmark: rebuild the projections from EVENTS generated events (default 1,000,000: backup
# started/completed/verified of SOURCES sources), then load /rpo and /incidents/{id}/timeline with wrk at 200+
# requests/s on loopback; ROUNDS times (default 3), reporting every round and the spread.
# Writes bench/results/incident-<date>.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
EVENTS="${EVENTS:-1000000}"; SOURCES="${SOURCES:-20}"; DURATION="${DURATION:-30s}"; ROUNDS="${ROUNDS:-3}"
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
echo "event log holds $TOTAL events"

INC=$(curl_json -X POST "$INCIDENT/incidents" -d '{"title": "bench", "severity": "SEV2", "scenario": "database-loss", "sources": ["bench-src-1"]}' | json_id)
cat > "$WORK/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
-- 12 connections each waiting 0-100 ms (50 on average) between requests: 200+ requests/s in all. The wait is
-- random so that the connections do not fire in lock-step bursts of 12 every 50 ms (a fixed delay does that)
function delay() return math.random(0, 100) end
LUA
# prints: req/s p50-ms p99-ms failed (non-2xx answers and socket errors)
load() { wrk -t2 -c12 -d"$DURATION" --latency -s "$WORK/auth.lua" "$1" > "$WORK/wrk.txt" 2>&1; cat "$WORK/wrk.txt" >&2
  python3 - "$WORK/wrk.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
p50 = ms(re.search(r"50%\s+([\d.]+\w+)", t).group(1))
p99 = ms(re.search(r"99%\s+([\d.]+\w+)", t).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
sock = re.search(r"Socket errors: (.*)", t)
failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, re.findall(r"\d+", sock.group(1)))) if sock else 0)
print(f"{rps:.1f} {p50:.2f} {p99:.2f} {failed}")
PY
}
: > "$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round: rebuilding the projections from $TOTAL events ..."
  REBUILD=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$INCIDENT/admin/projections/rebuild")
  echo "$REBUILD"
  RATE=$(echo "$REBUILD" | jget "['eventsPerSecond']")
  SECS=$(echo "$REBUILD" | jget "['seconds']")
  RPO=$(load "$INCIDENT/rpo")
  TIMELINE=$(load "$INCIDENT/incidents/$INC/timeline")
  echo "$round $RATE $SECS $RPO $TIMELINE" | tee -a "$WORK/rounds.txt"
done
OUT="$REPO/bench/results/incident-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## incident-service benchmark $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, $ROUNDS rounds"
  echo
  echo "Each round rebuilds the projections from the $TOTAL-event log ($SOURCES sources), then loads \`GET /rpo\` and"
  echo "\`GET /incidents/$INC/timeline\` with wrk for $DURATION each (12 connections, each waiting 0–100 ms at random between requests: 200+ req/s)."
  echo
  python3 - "$WORK/rounds.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("| round | rebuild events/s | rebuild s | /rpo req/s | /rpo p50 ms | /rpo p99 ms | /rpo failed | timeline req/s | timeline p50 ms | timeline p99 ms | timeline failed |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {float(r[1]):,.0f} | {float(r[2]):.1f} | {' | '.join(r[3:7])} | {' | '.join(r[7:11])} |")
def spread(i):
    v = sorted(float(r[i]) for r in rows)
    return v[0], v[len(v) // 2], v[-1]
lo, med, hi = spread(1)
print()
print(f"- rebuild: {lo:,.0f} / {med:,.0f} / {hi:,.0f} events/s (min / median / max). Goal ≥ 30,000 in every round: "
      f"{'met' if lo >= 30000 else 'missed'}.")
for name, rate, p99, err in (("/rpo", 3, 5, 6), ("timeline", 7, 9, 10)):
    lo, med, hi = spread(p99)
    rlo = spread(rate)[0]
    errors = sum(int(r[err]) for r in rows)
    print(f"- `{name}` p99: {lo:.1f} / {med:.1f} / {hi:.1f} ms at ≥ {rlo:.0f} req/s, {errors} errors. Goal p99 < 50 ms at "
          f"200 req/s in every round: {'met' if hi < 50 and rlo >= 200 and errors == 0 else 'missed'}.")
PY
} | tee "$OUT"
[ -n "${KEEP_STACK:-}" ] || "$REPO/lifeboat" down >/dev/null
