#!/usr/bin/env bash
# Continuous protection benchmark (issue 13), on the protected cluster of the bench stack:
#  1. RPO exposure under `pgbench -c 4` for 60 s on the ~1 GiB database: now - restorableUntil sampled every
#     second (median, p99, max), next to the seed's 24 h; WAL generation rate vs the rate WAL reaches the bucket;
#     backup-service RSS while streaming (min / max).
#  2. Point-in-time restore of the database to a chosen second, end to end (request -> Completed, into a new
#     database), next to the same by hand from local files: extract a local pg_basebackup tar, recover with a local
#     WAL folder to the same instant, promote (RUNS rounds, interleaved, medians).
# Writes bench/results/wal-<date>.md.
#   bash bench/wal-bench.sh                                   # ~1 GiB, 60 s of pgbench, 3 restore rounds
#   ROWS=73000 USAGE=150000 DURATION=20 RUNS=1 bash bench/wal-bench.sh   # small smoke run
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-60}"
bench_up

if ! $PSQLP -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bench_analytics'" | grep -q 1; then
  echo "generating bench_analytics on the protected cluster ($ROWS chat rows, $USAGE usage rows) ..."
  $PSQLP -d postgres -c "CREATE DATABASE bench_analytics"
  $PSQLP -d bench_analytics -v nrows="$ROWS" -v nusage="$USAGE" -f "$SHARED/gen_chatbot_analytics.sql" > "$WORK/gen.log" 2>&1
  $PGBIN/pgbench $PGCONNP -i -s 10 -q bench_analytics > "$WORK/pgbench-init.log" 2>&1
fi
DBSIZE=$($PSQLP -d bench_analytics -tAc "SELECT pg_database_size('bench_analytics')")

curl_json -X PUT "$BACKUP/sources/bench-wal" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PROTECTED_PG_PORT,\"database\":\"bench_analytics\",\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_SECRET_SAMPLE_PG\",\"continuous\":true,\"rpoTarget\":\"PT1M\",\"retention\":{\"keepLast\":2}}" >/dev/null
curl_json -X PUT "$RESTORE/targets/bench-pitr" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PROTECTED_PG_PORT,\"database\":\"bench_pitr_home\",\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_SECRET_SAMPLE_PG\"}" >/dev/null

echo "base backup of the continuous source ..."
s=$(now); id=$(curl_json -X POST "$BACKUP/backups" -d '{"source":"bench-wal"}' | json_id)
body=$(await_final "$BACKUP/backups/$id"); BASE_S=$(secs "$s" "$(now)")
BASE_STORED=$(echo "$body" | jget "['storedBytes']")
until curl_json "$BACKUP/sources/bench-wal/wal" | grep -q restorableUntil; do sleep 0.5; done

# the baseline's own copy: a local base backup and a local WAL folder fed by pg_receivewal over a slot of its own
rm -rf "$WORK/local-wal" "$WORK/local-base.tar"; mkdir -p "$WORK/local-wal"
$PSQLP -d postgres -c "SELECT pg_create_physical_replication_slot('bench_local', true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'bench_local')" >/dev/null
$PGBIN/pg_receivewal $PGCONNP -D "$WORK/local-wal" --slot=bench_local --synchronous > "$WORK/receivewal.log" 2>&1 &
RECEIVER=$!
$PGBIN/pg_basebackup $PGCONNP -D - -Ft -X none -c fast > "$WORK/local-base.tar"

BPID=$(cat "$LIFEBOAT_HOME/run/backup-service.pid")
LSN0=$($PSQLP -d postgres -tAc "SELECT pg_current_wal_lsn()")
STORED0=$(curl_json "$BACKUP/sources/bench-wal/wal" | jget "['storedLsn']")
echo "pgbench -c 4 -T $DURATION, sampling the exposure every second ..."
$PGBIN/pgbench $PGCONNP -c 4 -j 2 -T "$DURATION" -n bench_analytics > "$WORK/pgbench.log" 2>&1 &
PGBENCH=$!
: > "$WORK/exposure.txt"; : > "$WORK/rss.txt"
POINT=""
for i in $(seq 1 "$DURATION"); do
  sleep 1
  w=$(curl_json "$BACKUP/sources/bench-wal/wal")
  python3 -c "import sys,json,datetime as d; w=json.loads(sys.argv[1]); u=w.get('restorableUntil'); print((d.datetime.now(d.timezone.utc)-d.datetime.fromisoformat(u.replace('Z','+00:00'))).total_seconds() if u else 'none')" "$w" >> "$WORK/exposure.txt"
  ps -o rss= -p "$BPID" >> "$WORK/rss.txt"
  [ "$i" -eq $((DURATION / 2)) ] && POINT=$($PSQLP -d postgres -tAc "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
done
wait $PGBENCH
LSN1=$($PSQLP -d postgres -tAc "SELECT pg_current_wal_lsn()")
sleep 3
STORED1=$(curl_json "$BACKUP/sources/bench-wal/wal" | jget "['storedLsn']")
TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.log" | head -1)
lsnbytes() { python3 -c "import sys
def p(l): a,b=l.split('/'); return (int(a,16)<<32)|int(b,16)
print(p(sys.argv[2]) - p(sys.argv[1]))" "$1" "$2"; }
WAL_BYTES=$(lsnbytes "$LSN0" "$LSN1"); STORED_BYTES=$(lsnbytes "$STORED0" "$STORED1")
read -r EXP_MED EXP_P99 EXP_MAX < <(python3 -c "import statistics
v=[float(x) for x in open('$WORK/exposure.txt') if x.strip() not in ('', 'none')]
v.sort(); p99=v[min(len(v)-1, int(round(0.99*(len(v)-1))))]
print(f'{statistics.median(v):.2f} {p99:.2f} {max(v):.2f}')")
read -r RSS_MIN RSS_MAX < <(python3 -c "v=[int(x)//1024 for x in open('$WORK/rss.txt') if x.strip()]; print(min(v), max(v))")

echo "point-in-time restores to $POINT, Lifeboat and by hand, $RUNS round(s) ..."
sleep 2
until [ "$(curl_json "$RESTORE/catalog/bench-wal/window" | jget "['latest']" | cut -c1-19)" \> "${POINT%Z}" ]; do sleep 0.5; done
kill $RECEIVER; wait $RECEIVER 2>/dev/null || true
POINT_PG="$(echo "$POINT" | sed 's/T/ /; s/Z$/+00/')"  # recovery_target_time takes PostgreSQL's timestamp form
for f in "$WORK"/local-wal/*.partial; do [ -e "$f" ] && mv "$f" "${f%.partial}"; done
for i in $(seq 1 "$RUNS"); do
  s=$(now)
  rid=$(curl_json -X POST "$RESTORE/restores" -d "{\"source\":\"bench-wal\",\"backup\":{\"at\":\"$POINT\"},\"target\":\"bench-pitr\",\"mode\":\"new\",\"restoreAs\":\"bench_pitr_$i\"}" | json_id)
  body=$(await_final "$RESTORE/restores/$rid"); add lifeboat "$(secs "$s" "$(now)")"
  [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body"; exit 1; }
  STEPS=$(echo "$body" | python3 -c "import sys,json; print(', '.join(f\"{s['name']} {s['durationSeconds']:.1f}s\" for s in json.load(sys.stdin)['steps']))")
  $PSQLP -d postgres -c "DROP DATABASE bench_pitr_$i WITH (FORCE)"

  # by hand: the base backup's tar from a local file, the WAL from a local folder, recovery to the same second
  H="$WORK/by-hand"; rm -rf "$H"; mkdir -p "$H/data"; chmod 700 "$H/data"
  s=$(now)
  tar xf "$WORK/local-base.tar" -C "$H/data"
  touch "$H/data/recovery.signal"
  chown -R postgres:postgres "$H" "$WORK/local-wal" 2>/dev/null || true
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$H/data" -w -t 600 -l "$H/log" -o "-p 23499 -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories=$H -c restore_command='cp $WORK/local-wal/%f %p' -c recovery_target_time='$POINT_PG' \
    -c recovery_target_action=promote -c archive_mode=off -c hot_standby=off" start > /dev/null
  until $PGBIN/psql -h 127.0.0.1 -p 23499 -U lifeboat -d postgres -tAc "SELECT NOT pg_is_in_recovery()" 2>/dev/null | grep -q t; do sleep 0.2; done
  add by_hand "$(secs "$s" "$(now)")"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$H/data" -m fast stop > /dev/null
done
$PSQLP -d postgres -c "SELECT pg_drop_replication_slot('bench_local')" >/dev/null

OUT="$REPO/bench/results/wal-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## Continuous protection benchmark $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores"
  echo
  echo "Database bench_analytics on the protected cluster: $((DBSIZE / 1048576)) MiB (chat and usage rows + pgbench scale 10). Base backup: $BASE_S s, $((BASE_STORED / 1048576)) MiB stored."
  echo
  echo "| under \`pgbench -c 4 -j 2 -T $DURATION\` ($TPS tps) | value |"
  echo "|---|---|"
  echo "| RPO exposure, median (now - restorableUntil, sampled every second) | **$EXP_MED s** |"
  echo "| RPO exposure, p99 (goal ≤ 5 s) | **$EXP_P99 s** |"
  echo "| RPO exposure, max | $EXP_MAX s |"
  echo "| the seed plan's RPO (nightly pg_dump) | 86400 s |"
  echo "| WAL generated / WAL stored in the bucket over the run | $((WAL_BYTES / 1048576)) MiB / $((STORED_BYTES / 1048576)) MiB ($(python3 -c "print(f'{$WAL_BYTES/1048576/$DURATION:.1f}')") MiB/s generated) |"
  echo "| backup-service RSS while streaming, min / max | $RSS_MIN / $RSS_MAX MiB |"
  echo
  echo "| point-in-time restore to $POINT | wall s (median) | runs |"
  echo "|---|---|---|"
  echo "| by hand from local files: untar the base backup, recover with a local WAL folder, promote (baseline) | $(m by_hand) |${T[by_hand]} |"
  echo "| **Lifeboat from S3** (plan, download + sha256 of base and WAL, recover, pg_dump \\| pg_restore into a new database, row-by-row check) | **$(m lifeboat)** |${T[lifeboat]} |"
  echo
  echo "Lifeboat / by hand = **$(ratio "$(m lifeboat)" "$(m by_hand)")**; goal < 60 s end to end: $(python3 -c "print('met' if $(m lifeboat) < 60 else 'missed')")."
  echo "Last restore's steps: $STEPS."
} | tee "$OUT"
rm -rf "$WORK/local-wal" "$WORK/local-base.tar" "$WORK/by-hand"
[ -n "${KEEP_STACK:-}" ] || "$REPO/lifeboat" down >/dev/null
