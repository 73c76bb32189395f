#!/usr/bin/env bash
# Drill benchmark: every built-in drill on the sample system, then a database-loss drill of the ~1 GiB benchmark
# database end to end (fresh test backup, restore into *_drill_*, row counts and newest timestamps, cleanup),
# next to the same work done by hand in the same run: pg_dump | zstd to a file, pg_restore into a new database,
# count the rows, drop it. Writes bench/results/drill-<date>.md.
#   bash bench/drill-bench.sh                                   # ~1 GiB database
#   ROWS=73000 USAGE=150000 RUNS=1 bash bench/drill-bench.sh    # small smoke run
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-3}"
DRILL=http://127.0.0.1:$LIFEBOAT_DRILL_PORT
bench_up
bench_data

# Runs a drill; prints its final JSON.
run_drill() {
  local id
  id=$(curl_json -X POST "$DRILL/drills" -d "{\"scenario\":\"$1\"}" | json_id)
  await_final "$DRILL/drills/$id"
}

# One markdown row: scenario, request-to-verdict seconds, verdict, drill RTO, steps (actual / budget).
row() {
  python3 -c '
import json, sys
name, wall = sys.argv[1], sys.argv[2]
d = json.load(sys.stdin)
steps = "; ".join("%s %.2f / %d%s" % (s["name"], s["durationSeconds"], s["budgetSeconds"],
                  " (skipped)" if s["status"] == "skipped" else "") for s in d["steps"] if s.get("durationSeconds") is not None)
rto = d.get("rtoSeconds")
verdict = d["verdict"] if d["verdict"] == "passed" else d["verdict"] + " (" + "; ".join(d.get("reasons") or []) + ")"
print("| `%s` | %s s | %s | %s | %s |" % (name, wall, verdict, "%.2f s" % rto if rto is not None else "-", steps))
' "$1" "$2"
}

OUT="$REPO/bench/results/drill-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Drill benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
  echo
  echo "## Built-in drills on the sample system (manual steps skipped)"
  echo
  echo "| scenario | request → verdict | verdict | drill RTO | steps (actual s / budget s) |"
  echo "|---|---|---|---|---|"
} > "$OUT"
for scenario in database-loss vector-store-corruption infrastructure-loss combined; do
  echo "drill $scenario ..."
  s=$(now); json=$(run_drill "$scenario"); wall=$(secs "$s" "$(now)")
  echo "$json" | row "$scenario" "$wall" >> "$OUT"
done

curl_json -X PUT "$BACKUP/sources/bench-db" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PG_PORT,\"database\":\"bench_analytics\",\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_SECRET_SAMPLE_PG\",\"rowCountTables\":[\"analytics\",\"usage_tracking\"],\"retention\":{\"keepLast\":2}}" >/dev/null
curl_json -X PUT "$DRILL/scenarios/bench-database-loss" -d '{"title": "Scenario 1 on the benchmark database", "sources": ["bench-db"], "steps": [
  {"name": "identify-latest-backup", "kind": "automated", "budgetSeconds": 300},
  {"name": "download", "kind": "automated", "budgetSeconds": 600},
  {"name": "restore", "kind": "automated", "budgetSeconds": 7200},
  {"name": "verify", "kind": "automated", "budgetSeconds": 900},
  {"name": "smoke-tests", "kind": "automated", "budgetSeconds": 600}]}' >/dev/null

declare -a LB MANUAL
LAST=""
for i in $(seq 1 "$RUNS"); do
  echo "round $i/$RUNS: drill of bench_analytics ($((DBSIZE / 1048576)) MiB) ..."
  s=$(now); json=$(run_drill bench-database-loss); LB+=("$(secs "$s" "$(now)")")
  LAST=$(echo "$json" | row bench-database-loss "${LB[-1]}")
  [ "$(echo "$json" | jget "['verdict']")" = passed ] || { echo "the drill failed: $json"; exit 1; }
  echo "round $i/$RUNS: the same by hand (pg_dump | zstd, pg_restore, count, drop) ..."
  s=$(now)
  $PGBIN/pg_dump $PGCONN -d bench_analytics -Fc -Z0 | zstd -q -T2 -3 > "$WORK/manual.dump.zst"
  $PSQL -d postgres -c "CREATE DATABASE bench_manual"
  zstd -dc "$WORK/manual.dump.zst" | $PGBIN/pg_restore $PGCONN --exit-on-error -d bench_manual
  $PSQL -d bench_manual -tAc "SELECT count(*), max(\"timestamp\") FROM analytics" >/dev/null
  $PSQL -d bench_manual -tAc "SELECT count(*), max(\"timestamp\") FROM usage_tracking" >/dev/null
  $PSQL -d postgres -c "DROP DATABASE bench_manual WITH (FORCE)"
  MANUAL+=("$(secs "$s" "$(now)")")
  rm -f "$WORK/manual.dump.zst"
done
LEFT=$($PSQL -d postgres -tAc "SELECT count(*) FROM pg_database WHERE datname LIKE '%\_drill\_%'")
{
  echo "$LAST"
  echo
  echo "## database-loss drill of bench_analytics ($((DBSIZE / 1048576)) MiB), $RUNS rounds, interleaved"
  echo
  echo "| | median | runs |"
  echo "|---|---|---|"
  echo "| Lifeboat drill, request → verdict (test backup to S3, restore into \`*_drill_*\`, verify, cleanup) | $(median "${LB[@]}") s | ${LB[*]} |"
  echo "| by hand: \`pg_dump -Fc -Z0 \| zstd\` to a local file, \`pg_restore\`, counts, drop | $(median "${MANUAL[@]}") s | ${MANUAL[*]} |"
  echo "| ratio Lifeboat / by hand | $(ratio "$(median "${LB[@]}")" "$(median "${MANUAL[@]}")") | |"
  echo
  echo "Goal: under 60 s end to end; the runbook budgets 2-4 h. Drill databases left behind: $LEFT."
} >> "$OUT"
cat "$OUT"
