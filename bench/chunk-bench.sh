#!/usr/bin/env bash
# Chunked vector-store backups (issue 15) against restic, on the same S3Proxy and the same ~1.1 GiB ChromaDB-like
# directory (../shared/bench-data/gen_chroma.py):
#   first backup      Lifeboat `storage: chunks` into an empty chunk store vs restic 0.14 into a new repository
#   unchanged backup  right after the first, nothing changed (a 15-minute schedule over an idle store), both
#   second backup     after one "day" of changes (bench/tools/change_chroma.py: 2,000 documents added to
#                     chroma.sqlite3, their vectors written into one segment: about 1 % of the bytes), both
#   stored bytes      after 10 such backups: Lifeboat's chunk store vs restic's repository vs 10 full tar backups
#   restore           the newest snapshot into a new folder: Lifeboat (request -> Completed) vs `restic restore`;
#                     round 1's is restore-service's first since it started (its JVM compiles the restore path
#                     during it), reported on its own line; later rounds' are the steady-state line
# Rounds interleave Lifeboat and restic (Lifeboat first in odd rounds, restic in even ones); the first/second backup
# and restore lines are medians of RUNS rounds (each round on a fresh copy, a fresh chunk store and a fresh
# repository); the 10-backup series runs in round 1.
# Lifeboat's times are request -> Completed; its read-back verification after each backup is reported apart.
# Writes bench/results/chunks-<date>.md.
#   bash bench/chunk-bench.sh                 # ~1.1 GiB, 4 rounds (~12 min)
#   N_SEG=2 RUNS=1 SERIES=3 bash bench/chunk-bench.sh   # small smoke run
set -euo pipefail
RUNS="${RUNS:-4}" # round 1 restores on a fresh restore-service; the steady-state restore line is the median of the others
source "$(dirname "$0")/lib.sh"
SERIES="${SERIES:-10}"
# a fresh stack: round 1's restore is then restore-service's first since it started (and its first backup
# backup-service's), whatever ran before this bench
"$REPO/lifeboat" down > /dev/null 2>&1 || true

source "$(dirname "$0")/chunk-peers.sh" chunk-src
run() { local name=$1; shift; local s e; cpu_begin; s=$(now); "$@"; e=$(now); cpu_end "$name"; add "$name" "$(secs "$s" "$e")"; }
r() { ratio "$(m "$1")" "$(m "$2")"; }

warm() { cat "$SRC_DIR"/chroma_db/*.sqlite3 "$SRC_DIR"/chroma_db/*/* > /dev/null; }
same_tree() { # the restored folder holds the source's files (chroma.sqlite3 compared as a database)
  diff -r --exclude='chroma.sqlite3*' "$SRC_DIR/chroma_db" "$1" > /dev/null &&
  python3 -c "import sqlite3,sys; a,b=(sqlite3.connect(f) for f in sys.argv[1:]); sys.exit(0 if b.execute('PRAGMA integrity_check').fetchone()[0]=='ok' and a.execute('SELECT count(*) FROM embeddings').fetchone()==b.execute('SELECT count(*) FROM embeddings').fetchone() else 1)" \
    "$SRC_DIR/chroma_db/chroma.sqlite3" "$1/chroma.sqlite3"
}

RESTORED="$WORK/chunk-restored"; mkdir -p "$RESTORED"
# each round's pairs run in turn (bench/lib.sh in_turn): Lifeboat first in odd rounds, restic first in even ones
lb_first() { lifeboat_backup "$SRC" lifeboat_first; add lifeboat_first "$TIME"; add lifeboat_first_verify "$VERIFY"; first_up=$(echo "$BODY" | jget "['uploadedBytes']"); }
restic_first() { cpu_begin; restic_backup "$REPO_NAME"; cpu_end restic_first; add restic_first "$TIME"; restic_first_added=$ADDED; }
lb_unchanged() { lifeboat_backup "$SRC"; add lifeboat_unchanged "$TIME"; }
restic_unchanged() { restic_backup "$REPO_NAME"; add restic_unchanged "$TIME"; }
lb_next() { lifeboat_backup "$SRC"; lt=$TIME; up=$(echo "$BODY" | jget "['uploadedBytes']"); add lifeboat_next_verify "$VERIFY"; }
restic_next() { restic_backup "$REPO_NAME"; rt=$TIME; }
lb_restore() {
  local s e rid body
  cpu_begin restore-service; s=$(now); rid=$(curl_json -X POST "$RESTORE/restores" -d "{\"source\":\"$SRC\",\"target\":\"bench-chunk-dir\",\"mode\":\"new\",\"restoreAs\":\"lb_$i\"}" | json_id)
  body=$(await_final "$RESTORE/restores/$rid"); e=$(now); cpu_end lifeboat_restore; add lifeboat_restore "$(secs "$s" "$e")"
  [ "$i" = 1 ] || add lifeboat_restore_later "$(secs "$s" "$e")"
  [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body" >&2; exit 1; }
  same_tree "$RESTORED/lb_$i" || { echo "Lifeboat's restore differs from the source" >&2; exit 1; }
  rm -rf "$RESTORED/lb_$i"
}
restic_restore_step() {
  rm -rf "$WORK/restic-x"; mkdir -p "$WORK/restic-x"
  run restic_restore restic_ "$REPO_NAME" restore latest --target "$WORK/restic-x"
  [ "$i" = 1 ] || add restic_restore_later "$(echo ${T[restic_restore]} | awk '{print $NF}')"
  same_tree "$WORK/restic-x/chroma_db" || { echo "restic's restore differs from the source" >&2; exit 1; }
  rm -rf "$WORK/restic-x"
}
curl_json -X PUT "$RESTORE/targets/bench-chunk-dir" -d "{\"kind\":\"directory\",\"path\":\"$RESTORED/chroma_db\"}" >/dev/null
SERIES_ROWS=()
for i in $(seq 1 "$RUNS"); do
  echo "round $i/$RUNS"
  rm -rf "$SRC_DIR"; mkdir -p "$SRC_DIR"; cp -a "$CHROMA" "$SRC_DIR/chroma_db"
  SRC="chunks-$STAMP-$i"; REPO_NAME="restic-$STAMP-$i"
  curl_json -X PUT "$BACKUP/sources/$SRC" -d "{\"kind\":\"directory\",\"path\":\"$SRC_DIR/chroma_db\",\"storage\":\"chunks\",\"schedule\":\"0 0 1 1 *\",\"retention\":{\"keepLast\":20}}" >/dev/null
  restic_ "$REPO_NAME" init --repository-version 2 > /dev/null
  warm
  in_turn "$i" lb_first restic_first
  warm
  in_turn "$i" lb_unchanged restic_unchanged
  steps=1; [ "$i" = 1 ] && steps=$SERIES
  for k in $(seq 1 "$steps"); do
    python3 "$REPO/bench/tools/change_chroma.py" "$SRC_DIR/chroma_db" "$k"
    warm
    in_turn "$i" lb_next restic_next
    if [ "$k" = 1 ]; then
      add lifeboat_second "$lt"; add restic_second "$rt"; add lifeboat_second_up "$up"; add restic_second_added "$ADDED"
    fi
    [ "$i" = 1 ] && SERIES_ROWS+=("| $k | $lt | $(mib "$up") | $rt | $(mib "$ADDED") |")
  done
  if [ "$i" = 1 ]; then
    LB_STORED=$(du -sb "$BLOBS/lifeboat-backups/backups/$SRC" | cut -f1)
    RESTIC_STORED=$(du -sb "$BLOBS/$PEERS/$REPO_NAME" | cut -f1)
    # today's full backups: one tar.zst of the same (changed) directory, stored again by every backup
    curl_json -X PUT "$BACKUP/sources/archive-$SRC" -d "{\"kind\":\"directory\",\"path\":\"$SRC_DIR/chroma_db\",\"schedule\":\"0 0 1 1 *\",\"retention\":{\"keepLast\":1}}" >/dev/null
    lifeboat_backup "archive-$SRC"; ARCHIVE_ONE=$(echo "$BODY" | jget "['storedBytes']")
    FIRST_UP=$first_up; RESTIC_FIRST_ADDED=$restic_first_added
  fi
  # restore the newest snapshot into a new folder
  in_turn "$i" lb_restore restic_restore_step
  # this round's stores go (the disk holds one round at a time); the source is not used again
  $AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://$PEERS/$REPO_NAME/"
  $AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://lifeboat-backups/backups/$SRC/"
  $AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://lifeboat-backups/backups/archive-$SRC/" || true
done

OUT="$REPO/bench/results/chunks-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## Chunked vector-store backups vs restic $(restic version | cut -d' ' -f2) — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, same S3Proxy"
  echo
  echo "Directory $((DIRSIZE / 1048576)) MiB ($(find "$CHROMA" -type f | wc -l) files). A change: 2,000 documents into chroma.sqlite3 and their vectors into one segment (bench/tools/change_chroma.py). Times: median s of $RUNS rounds (Lifeboat ÷ restic)."
  echo
  echo "| operation | Lifeboat (chunks) | restic (--compression auto) |"
  echo "|---|---|---|"
  echo "| first backup, empty store | **$(m lifeboat_first)** ($(r lifeboat_first restic_first)) | $(m restic_first) |"
  echo "| backup of the unchanged store (idle, every 15 min) | **$(m lifeboat_unchanged)** ($(r lifeboat_unchanged restic_unchanged)) | $(m restic_unchanged) |"
  echo "| second backup, after a change | **$(m lifeboat_second)** ($(r lifeboat_second restic_second)) | $(m restic_second) |"
  echo "| uploaded by the second backup, MiB | $(mib "$(median ${T[lifeboat_second_up]})") | $(mib "$(median ${T[restic_second_added]})") (data added) |"
  lb_cold=$(echo ${T[lifeboat_restore]} | awk '{print $1}'); restic_cold=$(echo ${T[restic_restore]} | awk '{print $1}')
  echo "| restore of the newest snapshot, new folder: restore-service's first since it started (round 1) | **$lb_cold** ($(ratio "$lb_cold" "$restic_cold")) | $restic_cold |"
  if [ "$RUNS" -gt 1 ]; then
    echo "| restore of the newest snapshot, new folder: later rounds (median of $((RUNS - 1))) | **$(m lifeboat_restore_later)** ($(r lifeboat_restore_later restic_restore_later)) | $(m restic_restore_later) |"
  fi
  echo "| stored after 1 + $SERIES backups, MiB | $(mib "$LB_STORED") | $(mib "$RESTIC_STORED") |"
  echo
  echo "Today's full backups (storage archive) would store $(mib "$ARCHIVE_ONE") MiB per backup: $(mib "$((ARCHIVE_ONE * (SERIES + 1)))") MiB for 1 + $SERIES (one measured, times $((SERIES + 1)))."
  echo "First backup uploaded: Lifeboat $(mib "$FIRST_UP") MiB, restic $(mib "$RESTIC_FIRST_ADDED") MiB (data added)."
  echo "Lifeboat's read-back verification after each backup (not in the times above): first backup $(m lifeboat_first_verify) s, later backups $(m lifeboat_next_verify) s (median)."
  echo "CPU-seconds (per round; from /proc, bench/lib.sh cpu_end): the machine's / S3Proxy's / Lifeboat's service's. First backup: Lifeboat${T[lifeboat_first@cpu]} / ${T[lifeboat_first@s3]} / ${T[lifeboat_first@svc]}, restic${T[restic_first@cpu]} / ${T[restic_first@s3]}. Restore: Lifeboat${T[lifeboat_restore@cpu]} / ${T[lifeboat_restore@s3]} / ${T[lifeboat_restore@svc]}, restic${T[restic_restore@cpu]} / ${T[restic_restore@s3]}."
  echo "Per round (rounds 1, 2, 3...): first backup Lifeboat${T[lifeboat_first]} s, restic${T[restic_first]} s; restore Lifeboat${T[lifeboat_restore]} s, restic${T[restic_restore]} s."
  echo
  echo "The series (round 1): each backup after one more change."
  echo
  echo "| change | Lifeboat s | Lifeboat uploaded MiB | restic s | restic added MiB |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${SERIES_ROWS[@]}"
} | tee "$OUT"
echo "written: $OUT"
