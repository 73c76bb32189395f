#!/usr/bin/env bash
# backup-service loses its database (issue 15: a chunked source's index lives there). The ~1.1 GiB ChromaDB-like
# directory (../shared/bench-data/gen_chroma.py) is backed up with `storage: chunks`; then backup-service is killed,
# its database dropped, and backup-service started on an empty one (Flyway builds the schema) with the source declared
# again, as an operator would after losing it. Its next backup rebuilds the chunk index from the bucket's newest backup
# of the source (ChunkIndexRecovery). Reported: each backup's time (request -> Completed), what it uploaded, and
# whether its read-back verification passed; the first backup is what every backup after a lost index uploaded before.
# Writes bench/results/lost-index-<date>.md.
#   bash bench/lost-index-bench.sh            # ~3 min after the data exists
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_up
bench_data

SRC="lost-index-$(date -u +%H%M%S)"
SRC_DIR="$WORK/lost-index-src"
rm -rf "$SRC_DIR"; mkdir -p "$SRC_DIR"; cp -a "$CHROMA" "$SRC_DIR/chroma_db"
ROWS_OUT=()

put_source() {
  curl_json -X PUT "$BACKUP/sources/$SRC" -d "{\"kind\":\"directory\",\"path\":\"$SRC_DIR/chroma_db\",\"storage\":\"chunks\",\"schedule\":\"0 0 1 1 *\",\"retention\":{\"keepLast\":5}}" >/dev/null
}

backup() { # LABEL: one backup of the source, its row added to the report
  local s e id body
  sync; s=$(now); id=$(curl_json -X POST "$BACKUP/backups" -d "{\"source\":\"$SRC\"}" | json_id)
  body=$(await_final "$BACKUP/backups/$id"); e=$(now)
  [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body" >&2; exit 1; }
  await_verification "$BACKUP/backups/$id" > /dev/null; body=$(curl_json "$BACKUP/backups/$id")
  ROWS_OUT+=("| $1 | $(secs "$s" "$e") | $(python3 -c "print(f'{$(echo "$body" | jget "['uploadedBytes']") / 1048576:.1f}')") | $(echo "$body" | jget "['verification']['ok']") |")
}

put_source
backup "first backup, empty chunk store"
backup "unchanged, the index intact"

# the database goes: backup-service killed, its database dropped, backup-service started on an empty one
kill "$(pgrep -f backup-service/target/quarkus-app)"
while pgrep -f backup-service/target/quarkus-app > /dev/null; do sleep 0.2; done
$PSQL -d postgres -c "DROP DATABASE lifeboat_backup"
bench_up
put_source
backup "unchanged, on an empty database (index rebuilt from the bucket)"
backup "unchanged, the rebuilt index"
REBUILT=$(grep -h "chunk index held nothing of $SRC" "$LIFEBOAT_HOME"/logs/backup-service*.log 2>/dev/null | tail -1 | sed 's/.*ChunkIndexRecovery\] ([^)]*) //')

OUT="$REPO/bench/results/lost-index-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## A chunked source after backup-service lost its database — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
  echo
  echo "Directory $((DIRSIZE / 1048576)) MiB ($(find "$CHROMA" -type f | wc -l) files), \`storage: chunks\`, nothing changed between backups."
  echo
  echo "| backup | s | uploaded MiB | verified |"
  echo "|---|---|---|---|"
  printf '%s\n' "${ROWS_OUT[@]}"
  echo
  echo "backup-service's log: ${REBUILT:-(no rebuild logged)}"
} > "$OUT"
cat "$OUT"
echo "written: $OUT"
