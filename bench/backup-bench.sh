#!/usr/bin/env bash
# Backup benchmark: Lifeboat's streamed backups against the raw tools, in the same run, on ~1 GiB of data shaped
# like the runbook's systems (../shared/bench-data). Writes the table to bench/results/backup-<date>.md.
#   bash bench/backup-bench.sh            # full size (1 GiB database + 1 GiB directory)
#   ROWS=73000 USAGE=150000 N_SEG=2 bash bench/backup-bench.sh   # ~100 MiB smoke run
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_up
bench_data
warm() { cat "$CHROMA"/*.sqlite3 "$CHROMA"/*/* > /dev/null; $PSQL -d bench_analytics -c "SELECT count(*) FROM analytics" >/dev/null; }

curl_json -X PUT "$BACKUP/sources/bench-db" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PG_PORT,\"database\":\"bench_analytics\",\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_SECRET_SAMPLE_PG\",\"retention\":{\"keepLast\":2}}" >/dev/null
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
  # the service reads each new backup back to verify it; let that finish before the next measurement
  until curl_json "$BACKUP/backups/$id" | grep -q '"verification"'; do sleep 0.2; done
  echo "$(secs "$start" "$(now)") $peak $(echo "$body" | python3 -c 'import sys,json;print(json.load(sys.stdin)["storedBytes"])')"
}

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
