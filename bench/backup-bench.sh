#!/usr/bin/env bash
# Backup benchmark: Lifeboat's streamed backups against the raw tools, in the same run, on ~1 GiB of data shaped
# like the runbook's systems (../shared/bench-data). Writes the table to bench/results/backup-<date>.md.
#   bash bench/backup-bench.sh            # full size (1 GiB database + 1 GiB directory)
#   ROWS=73000 USAGE=150000 N_SEG=2 bash bench/backup-bench.sh   # ~100 MiB smoke run
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$REPO/../shared/bench-data}"
ROWS="${ROWS:-730000}"; USAGE="${USAGE:-1500000}"; N_SEG="${N_SEG:-20}"; RUNS="${RUNS:-3}"
export LIFEBOAT_HOME="${BENCH_HOME:-/tmp/lifeboat-bench}"
export LIFEBOAT_KAFKA_PORT=39092 LIFEBOAT_KAFKA_CONTROLLER_PORT=39093 LIFEBOAT_PG_PORT=57432 LIFEBOAT_S3_PORT=29000
export LIFEBOAT_BACKUP_PORT=28081 LIFEBOAT_RESTORE_PORT=28082 LIFEBOAT_DRILL_PORT=28083 LIFEBOAT_INCIDENT_PORT=28084
export PGPASSWORD="${LIFEBOAT_PG_PASSWORD:-lifeboat}"
command -v zstd >/dev/null || apt-get install -y -qq zstd >/dev/null
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PSQL="$PGBIN/psql -h 127.0.0.1 -p $LIFEBOAT_PG_PORT -U lifeboat -v ON_ERROR_STOP=1 -q"
WORK="$LIFEBOAT_HOME/bench-work"; mkdir -p "$WORK"
BACKUP=http://127.0.0.1:$LIFEBOAT_BACKUP_PORT

"$REPO/lifeboat" up > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; exit 1; }
TOKEN=$("$REPO/lifeboat" token operator)

if ! $PSQL -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bench_analytics'" | grep -q 1; then
  echo "generating bench_analytics ($ROWS chat rows, $USAGE usage rows) ..."
  $PSQL -d postgres -c "CREATE DATABASE bench_analytics"
  $PSQL -d bench_analytics -v nrows="$ROWS" -v nusage="$USAGE" -f "$SHARED/gen_chatbot_analytics.sql" > "$WORK/gen.log"
fi
DBSIZE=$($PSQL -d bench_analytics -tAc "SELECT pg_database_size('bench_analytics')")
CHROMA="$WORK/chroma_db"
if [ ! -d "$CHROMA" ]; then echo "generating chroma_db (N_SEG=$N_SEG) ..."; N_SEG=$N_SEG python3 "$SHARED/gen_chroma.py" "$CHROMA" > "$WORK/gen-chroma.log"; fi
DIRSIZE=$(du -sb "$CHROMA" | cut -f1)

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
median() { python3 -c "import sys,statistics; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
warm() { cat "$CHROMA"/*.sqlite3 "$CHROMA"/*/* > /dev/null; $PSQL -d bench_analytics -c "SELECT count(*) FROM analytics" >/dev/null; }

curl_json() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
curl_json -X PUT "$BACKUP/sources/bench-db" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PG_PORT,\"database\":\"bench_analytics\",\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_PG_PASSWORD\",\"retention\":{\"keepLast\":2}}" >/dev/null
curl_json -X PUT "$BACKUP/sources/bench-dir" -d "{\"kind\":\"directory\",\"path\":\"$CHROMA\",\"retention\":{\"keepLast\":2}}" >/dev/null
curl_json -X PUT "$BACKUP/sources/bench-dir-enc" -d "{\"kind\":\"directory\",\"path\":\"$CHROMA\",\"encryption\":true,\"retention\":{\"keepLast\":2}}" >/dev/null
BPID=$(cat "$LIFEBOAT_HOME/run/backup-service.pid")

# Runs one Lifeboat backup; prints "<wall seconds> <peak RSS MiB> <stored bytes>"
lifeboat_backup() {
  local id start peak=0 rss phase body
  start=$(now)
  id=$(curl_json -X POST "$BACKUP/backups" -d "{\"source\":\"$1\"}" | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
  while :; do
    rss=$(awk '/VmRSS/{print int($2/1024)}' /proc/$BPID/status); [ "$rss" -gt "$peak" ] && peak=$rss
    body=$(curl_json "$BACKUP/backups/$id")
    phase=$(echo "$body" | python3 -c 'import sys,json;print(json.load(sys.stdin)["phase"])')
    case "$phase" in Completed|Failed) break;; esac
    sleep 0.1
  done
  [ "$phase" = Completed ] || { echo "backup $id $phase: $body" >&2; exit 1; }
  echo "$(secs "$start" "$(now)") $peak $(echo "$body" | python3 -c 'import sys,json;print(json.load(sys.stdin)["storedBytes"])')"
}

declare -A T
run() { # name, command...
  local name=$1; shift; local s; s=$(now); "$@"; T[$name]="${T[$name]:-} $(secs "$s" "$(now)")"
}
PGD="$PGBIN/pg_dump -h 127.0.0.1 -p $LIFEBOAT_PG_PORT -U lifeboat -d bench_analytics"
declare -A RSS STORED
for i in $(seq 1 "$RUNS"); do
  echo "round $i/$RUNS"
  warm
  run pgdump_z0_zstd bash -c "$PGD -Fc -Z0 | zstd -q -T2 -3 > '$WORK/db.dump.zst'"
  run pgdump_fc bash -c "$PGD -Fc > '$WORK/db.dump'"
  run pgdump_gzip bash -c "$PGD -Fp | gzip > '$WORK/db.sql.gz'"
  read -r t r s < <(lifeboat_backup bench-db); T[lifeboat_db]="${T[lifeboat_db]:-} $t"; RSS[db]="${RSS[db]:-} $r"; STORED[db]=$s
  run tar_zstd bash -c "tar cf - -C '$WORK' chroma_db | zstd -q -T2 -3 > '$WORK/dir.tar.zst'"
  run tar_gz bash -c "tar czf '$WORK/dir.tar.gz' -C '$WORK' chroma_db"
  read -r t r s < <(lifeboat_backup bench-dir); T[lifeboat_dir]="${T[lifeboat_dir]:-} $t"; RSS[dir]="${RSS[dir]:-} $r"; STORED[dir]=$s
  read -r t r s < <(lifeboat_backup bench-dir-enc); T[lifeboat_dir_enc]="${T[lifeboat_dir_enc]:-} $t"; RSS[enc]="${RSS[enc]:-} $r"
done

m() { median ${T[$1]}; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
OUT="$REPO/bench/results/backup-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## Backup benchmark $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, medians of $RUNS runs"
  echo
  echo "Database bench_analytics: $((DBSIZE / 1048576)) MiB (pg_database_size, $ROWS + $USAGE rows). Directory: $((DIRSIZE / 1048576)) MiB (gen_chroma.py, N_SEG=$N_SEG)."
  echo
  echo "| operation | wall s (median) | runs | notes |"
  echo "|---|---|---|---|"
  echo "| \`pg_dump -Fc -Z0 \| zstd -T2 -3 > file\` (baseline) | $(m pgdump_z0_zstd) |${T[pgdump_z0_zstd]} | $(stat -c %s "$WORK/db.dump.zst") bytes |"
  echo "| \`pg_dump -Fc\` (default zlib) | $(m pgdump_fc) |${T[pgdump_fc]} | |"
  echo "| \`pg_dump -Fp \| gzip\` (the runbook's .sql.gz) | $(m pgdump_gzip) |${T[pgdump_gzip]} | |"
  echo "| **Lifeboat database backup into S3** (snapshot, pg_dump -Z0, zstd -3 x2 workers, sha256, multipart upload) | **$(m lifeboat_db)** |${T[lifeboat_db]} | ${STORED[db]} bytes stored; peak RSS of backup-service MiB:${RSS[db]} |"
  echo "| \`tar cf - \| zstd -T2 -3 > file\` (baseline) | $(m tar_zstd) |${T[tar_zstd]} | $(stat -c %s "$WORK/dir.tar.zst") bytes |"
  echo "| \`tar czf\` | $(m tar_gz) |${T[tar_gz]} | |"
  echo "| **Lifeboat directory backup into S3** | **$(m lifeboat_dir)** |${T[lifeboat_dir]} | ${STORED[dir]} bytes stored; peak RSS MiB:${RSS[dir]} |"
  echo "| **Lifeboat directory backup, encrypted (Tink AES-256-GCM-HKDF)** | **$(m lifeboat_dir_enc)** |${T[lifeboat_dir_enc]} | peak RSS MiB:${RSS[enc]} |"
  echo
  echo "Ratios: database backup / (pg_dump -Z0 | zstd) = **$(ratio "$(m lifeboat_db)" "$(m pgdump_z0_zstd)")** (goal ≤ 1.5);"
  echo "pg_dump|gzip / Lifeboat = **$(ratio "$(m pgdump_gzip)" "$(m lifeboat_db)")x faster** (goal ≥ 3);"
  echo "directory backup / (tar | zstd) = **$(ratio "$(m lifeboat_dir)" "$(m tar_zstd)")** (goal ≤ 1.5);"
  echo "tar czf / Lifeboat = **$(ratio "$(m tar_gz)" "$(m lifeboat_dir)")x faster**."
  echo "Lifeboat times are request → Completed (includes the manifest write and the commit), measured from outside the service."
} | tee "$OUT"
rm -f "$WORK"/db.dump* "$WORK"/db.sql.gz "$WORK"/dir.tar.*
[ -n "${KEEP_STACK:-}" ] || "$REPO/lifeboat" down >/dev/null
