#!/usr/bin/env bash
# Retention over a vector store that keeps changing (issue 15): what each tool still stores when it keeps only the
# last KEEP snapshots. Lifeboat: a `storage: chunks` source with `retention.keepLast` KEEP (retention and the chunk
# mark and sweep run after each verified backup); restic 0.14: `forget --keep-last KEEP --prune` after each backup
# (prune repacks packs with unused data beyond its default 5 %). Same S3Proxy, same ~1.1 GiB ChromaDB-like directory,
# changed before each backup as in chunk-bench.sh (bench/tools/change_chroma.py: ~1 % of the bytes). Stored bytes are
# what S3Proxy holds under each store. Lifeboat does not repack (a pack stays whole while any kept snapshot points
# into it); a backup copies forward the chunks it reuses from a pack the backup before it used less than half of, once
# the backup that stored that pack has expired, so such packs are swept. This bench shows what stays stored.
# Writes bench/results/retention-<date>.md.
#   bash bench/retention-bench.sh                 # KEEP=3, SERIES=20 (~6 min)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
KEEP="${KEEP:-3}"
SERIES="${SERIES:-20}"
source "$(dirname "$0")/chunk-peers.sh" retention-src

SRC="retention-$STAMP"; REPO_NAME="restic-retention-$STAMP"
LB_STORE="$BLOBS/lifeboat-backups/backups/$SRC"; RESTIC_STORE="$BLOBS/$PEERS/$REPO_NAME"
rm -rf "$SRC_DIR"; mkdir -p "$SRC_DIR"; cp -a "$CHROMA" "$SRC_DIR/chroma_db"
curl_json -X PUT "$BACKUP/sources/$SRC" -d "{\"kind\":\"directory\",\"path\":\"$SRC_DIR/chroma_db\",\"storage\":\"chunks\",\"schedule\":\"0 0 1 1 *\",\"retention\":{\"keepLast\":$KEEP}}" >/dev/null
restic_ "$REPO_NAME" init --repository-version 2 > /dev/null

stored() { du -sb "$1" | cut -f1; }
# backup-service applies retention, then sweeps, after the verification lifeboat_backup waited for: wait until only
# the kept backups are left, then until the store's size holds still (the sweep deletes after expiring)
settle() { # backups made so far
  local kept=$(( $1 < KEEP ? $1 : KEEP )) a b
  until [ "$(curl_json "$BACKUP/backups?source=$SRC&limit=200" | python3 -c "import sys,json
print(sum(1 for b in json.load(sys.stdin)['items'] if b['phase'] == 'Completed' and not b.get('expiredAt')))")" = "$kept" ]; do
    sleep 0.2
  done
  a=$(stored "$LB_STORE"); sleep 1; b=$(stored "$LB_STORE")
  until [ "$a" = "$b" ]; do a=$b; sleep 1; b=$(stored "$LB_STORE"); done
}
ROWS=()
backup_both() { # n: the n-th backup of each
  lifeboat_backup "$SRC"; local lt=$TIME up; up=$(echo "$BODY" | jget "['uploadedBytes']")
  settle "$1"
  restic_backup "$REPO_NAME"; local rt=$TIME s pt
  s=$(now); restic_ "$REPO_NAME" forget --keep-last "$KEEP" --prune > /dev/null; pt=$(secs "$s" "$(now)")
  local lb rs; lb=$(stored "$LB_STORE"); rs=$(stored "$RESTIC_STORE")
  add lifeboat_stored "$lb"; add restic_stored "$rs"
  ROWS+=("| $1 | $lt | $(mib "$up") | $(mib "$lb") | $rt + $pt | $(mib "$rs") | $(ratio "$lb" "$rs") |")
}
backup_both 1
for k in $(seq 1 "$SERIES"); do
  python3 "$REPO/bench/tools/change_chroma.py" "$SRC_DIR/chroma_db" "$k"
  backup_both $((k + 1))
  echo "backup $((k + 1))/$((SERIES + 1))"
done
LAST_LB=$(stored "$LB_STORE"); LAST_RS=$(stored "$RESTIC_STORE")
# the floor: the newest snapshot alone, stored by a first backup of the changed directory into an empty store
curl_json -X PUT "$BACKUP/sources/alone-$SRC" -d "{\"kind\":\"directory\",\"path\":\"$SRC_DIR/chroma_db\",\"storage\":\"chunks\",\"schedule\":\"0 0 1 1 *\",\"retention\":{\"keepLast\":1}}" >/dev/null
lifeboat_backup "alone-$SRC"; ALONE=$(stored "$BLOBS/lifeboat-backups/backups/alone-$SRC")

OUT="$REPO/bench/results/retention-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## Retention, keep the last $KEEP, vs restic $(restic version | cut -d' ' -f2) forget --prune — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, same S3Proxy"
  echo
  echo "Directory $((DIRSIZE / 1048576)) MiB, changed before each backup after the first (bench/tools/change_chroma.py)."
  echo "After $((SERIES + 1)) backups: Lifeboat stores **$(mib "$LAST_LB") MiB**, restic $(mib "$LAST_RS") MiB ($(ratio "$LAST_LB" "$LAST_RS")); the newest snapshot alone, in an empty Lifeboat store: $(mib "$ALONE") MiB."
  echo
  echo "| backup | Lifeboat s | uploaded MiB | Lifeboat stored MiB | restic s (backup + forget --prune) | restic stored MiB | stored ratio |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
} | tee "$OUT"
echo "written: $OUT"
# the stores go (the disk holds one bench at a time); the sources are not used again
$AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://$PEERS/$REPO_NAME/"
$AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://lifeboat-backups/backups/$SRC/"
$AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://lifeboat-backups/backups/alone-$SRC/"
