#!/usr/bin/env bash
# Restore benchmark: Lifeboat restores from S3 against raw pg_restore from a local file of the same dump and the
# runbook's gunzip | psql, and against zstd -dc | tar xf for the directory. Runs are interleaved (RUNS each,
# default 5) and medians quoted. Writes bench/results/restore-<date>.md.
#   bash bench/restore-bench.sh                      # ~1 GiB database and directory
#   ROWS=73000 USAGE=150000 N_SEG=2 RUNS=3 bash bench/restore-bench.sh   # small smoke run
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-5}"
bench_up
bench_data

curl_json -X PUT "$BACKUP/sources/bench-db" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PG_PORT,\"database\":\"bench_analytics\",\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_SECRET_SAMPLE_PG\",\"retention\":{\"keepLast\":2}}" >/dev/null
curl_json -X PUT "$BACKUP/sources/bench-dir" -d "{\"kind\":\"directory\",\"path\":\"$CHROMA\",\"retention\":{\"keepLast\":2}}" >/dev/null
curl_json -X PUT "$RESTORE/targets/bench-pg" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PG_PORT,\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_SECRET_SAMPLE_PG\"}" >/dev/null
mkdir -p "$WORK/restored"
curl_json -X PUT "$RESTORE/targets/bench-dir" -d "{\"kind\":\"directory\",\"path\":\"$WORK/restored/chroma_db\"}" >/dev/null

echo "taking the backups to restore ..."
for s in bench-db bench-dir; do
  id=$(curl_json -X POST "$BACKUP/backups" -d "{\"source\":\"$s\"}" | json_id)
  await_final "$BACKUP/backups/$id" > /dev/null
  until curl_json "$BACKUP/backups/$id" | grep -q '"verification"'; do sleep 0.2; done
done
DB_STORED=$(curl_json "$RESTORE/catalog/bench-db/latest" | jget "['storedBytes']")
DIR_STORED=$(curl_json "$RESTORE/catalog/bench-dir/latest" | jget "['storedBytes']")

echo "baseline inputs: local custom-format dump, plain .sql.gz, tar.zst ..."
$PGBIN/pg_dump $PGCONN -d bench_analytics -Fc -Z0 -f "$WORK/local.dump"
$PGBIN/pg_dump $PGCONN -d bench_analytics -Fp | gzip > "$WORK/plain.sql.gz"
tar cf - -C "$WORK" chroma_db | zstd -q -T2 -3 > "$WORK/dir.tar.zst"

fresh_db() { $PSQL -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; $PSQL -d postgres -c "CREATE DATABASE $1"; }

for i in $(seq 1 "$RUNS"); do
  echo "round $i/$RUNS"
  fresh_db bench_raw1; s=$(now); $PGBIN/pg_restore $PGCONN --jobs=1 --exit-on-error -d bench_raw1 "$WORK/local.dump"; add raw1 "$(secs "$s" "$(now)")"
  $PSQL -d postgres -c "DROP DATABASE bench_raw1 WITH (FORCE)"
  fresh_db bench_raw2; s=$(now); $PGBIN/pg_restore $PGCONN --jobs=2 --exit-on-error -d bench_raw2 "$WORK/local.dump"; add raw2 "$(secs "$s" "$(now)")"
  $PSQL -d postgres -c "DROP DATABASE bench_raw2 WITH (FORCE)"
  fresh_db bench_gz; s=$(now); gunzip < "$WORK/plain.sql.gz" | $PGBIN/psql $PGCONN -q -d bench_gz > /dev/null; add gunzip_psql "$(secs "$s" "$(now)")"
  $PSQL -d postgres -c "DROP DATABASE bench_gz WITH (FORCE)"
  s=$(now)
  rid=$(curl_json -X POST "$RESTORE/restores" -d "{\"source\":\"bench-db\",\"target\":\"bench-pg\",\"mode\":\"new\",\"restoreAs\":\"bench_lifeboat_$i\"}" | json_id)
  body=$(await_final "$RESTORE/restores/$rid"); add lifeboat_db "$(secs "$s" "$(now)")"
  [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body"; exit 1; }
  STEPS_DB=$(echo "$body" | python3 -c "import sys,json; print(', '.join(f\"{s['name']} {s['durationSeconds']:.1f}s\" for s in json.load(sys.stdin)['steps']))")
  $PSQL -d postgres -c "DROP DATABASE bench_lifeboat_$i WITH (FORCE)"

  rm -rf "$WORK/x"; mkdir -p "$WORK/x"; s=$(now); zstd -dc "$WORK/dir.tar.zst" | tar xf - -C "$WORK/x"; add untar "$(secs "$s" "$(now)")"
  rm -rf "$WORK/x"
  s=$(now)
  rid=$(curl_json -X POST "$RESTORE/restores" -d "{\"source\":\"bench-dir\",\"target\":\"bench-dir\",\"mode\":\"new\",\"restoreAs\":\"dir_$i\"}" | json_id)
  body=$(await_final "$RESTORE/restores/$rid"); add lifeboat_dir "$(secs "$s" "$(now)")"
  [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body"; exit 1; }
  rm -rf "$WORK/restored/dir_$i"
done

mib() { python3 -c "print(f'{$1/1048576/$2:.1f}')"; }
OUT="$REPO/bench/results/restore-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## Restore benchmark $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, interleaved, medians of $RUNS runs"
  echo
  echo "Database bench_analytics: $((DBSIZE / 1048576)) MiB; backup stored $((DB_STORED / 1048576)) MiB. Directory $((DIRSIZE / 1048576)) MiB; backup stored $((DIR_STORED / 1048576)) MiB."
  echo
  echo "| operation | wall s (median) | runs |"
  echo "|---|---|---|"
  echo "| \`pg_restore --jobs=1\` from a local custom-format file (baseline) | $(m raw1) |${T[raw1]} |"
  echo "| \`pg_restore --jobs=2\` from a local file | $(m raw2) |${T[raw2]} |"
  echo "| the runbook's \`gunzip < plain.sql.gz \\| psql\` | $(m gunzip_psql) |${T[gunzip_psql]} |"
  echo "| **Lifeboat database restore from S3** (download, sha256, zstd streamed into pg_restore, checks) | **$(m lifeboat_db)** |${T[lifeboat_db]} |"
  echo "| \`zstd -dc \\| tar xf\` (baseline) | $(m untar) |${T[untar]} |"
  echo "| **Lifeboat directory restore from S3** (download, sha256, zstd, untar, checks, rename) | **$(m lifeboat_dir)** |${T[lifeboat_dir]} |"
  echo
  echo "Ratios: database restore / pg_restore --jobs=1 = **$(ratio "$(m lifeboat_db)" "$(m raw1)")** (goal ≤ 1.3);"
  echo "gunzip|psql / Lifeboat = **$(ratio "$(m gunzip_psql)" "$(m lifeboat_db)")** (goal > 1);"
  echo "directory restore / (zstd -dc | tar xf) = **$(ratio "$(m lifeboat_dir)" "$(m untar)")** (goal ≤ 1.5)."
  echo "Restore throughput (stored backup bytes / restore wall time): database $(mib "$DB_STORED" "$(m lifeboat_db)") MiB/s, directory $(mib "$DIR_STORED" "$(m lifeboat_dir)") MiB/s."
  echo "Last database restore's steps: $STEPS_DB."
} | tee "$OUT"
rm -f "$WORK/local.dump" "$WORK/plain.sql.gz" "$WORK/dir.tar.zst"
[ -n "${KEEP_STACK:-}" ] || "$REPO/lifeboat" down >/dev/null
