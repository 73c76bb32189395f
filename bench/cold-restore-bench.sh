#!/usr/bin/env bash
# The first restore after restore-service starts, against restic, S3Proxy warm (issue 15). chunk-bench.sh's round 1
# restores on a stack that has just started: S3Proxy, a JVM too, compiles its GET path during the first restore it
# serves, and in round 1 Lifeboat restores first, so that line mixes restore-service's cold start with S3Proxy's.
# Here each round restarts restore-service alone (its own command line), on a stack whose S3Proxy has served a restore
# by each tool before (untimed), then times in turn (bench/lib.sh in_turn) Lifeboat's first restore since that start,
# restic's restore of the same directory, and a second Lifeboat restore (restore-service warm). S3PROXY_COLD=1
# restarts S3Proxy too before each round, and skips the untimed restores: chunk-bench's round-1 case, every round.
# Writes bench/results/cold-restore-<date>.md.
#   bash bench/cold-restore-bench.sh                # ROUNDS=4 (~5 min after the data exists)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS="${ROUNDS:-4}"
S3PROXY_COLD="${S3PROXY_COLD:-0}"
source "$(dirname "$0")/chunk-peers.sh" cold-restore-src

SRC="cold-restore-$STAMP"; REPO_NAME="restic-cold-$STAMP"
RESTORED="$WORK/cold-restored"; rm -rf "$SRC_DIR" "$RESTORED"; mkdir -p "$SRC_DIR" "$RESTORED"
cp -a "$CHROMA" "$SRC_DIR/chroma_db"
curl_json -X PUT "$BACKUP/sources/$SRC" -d "{\"kind\":\"directory\",\"path\":\"$SRC_DIR/chroma_db\",\"storage\":\"chunks\",\"schedule\":\"0 0 1 1 *\"}" >/dev/null
curl_json -X PUT "$RESTORE/targets/bench-cold-dir" -d "{\"kind\":\"directory\",\"path\":\"$RESTORED/chroma_db\"}" >/dev/null
restic_ "$REPO_NAME" init --repository-version 2 > /dev/null
lifeboat_backup "$SRC"
restic_backup "$REPO_NAME"
files() { find "$1" -type f ! -name 'chroma.sqlite3-*' | wc -l; } # SQLite's -wal and -shm: Lifeboat restores the database whole
FILES=$(files "$SRC_DIR/chroma_db")

# Restarts a stack process with the command line, folder and environment it runs with now, and waits until URL answers.
restart() { # NAME URL
  local pid cwd
  pid=$(stack_pid "$1")
  mapfile -d '' cmd < "/proc/$pid/cmdline"; cwd=$(readlink "/proc/$pid/cwd"); mapfile -d '' environment < "/proc/$pid/environ"
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  cd "$cwd"
  env -i "${environment[@]}" "${cmd[@]}" >> "$LIFEBOAT_HOME/logs/$1.log" 2>&1 &
  echo $! > "$LIFEBOAT_HOME/run/$1.pid"
  cd - > /dev/null
  until curl -s -o /dev/null "$2"; do sleep 0.3; done
}
# a restored copy holds as many files as the source (chunk-bench.sh compares them byte for byte)
same_count() { [ "$(files "$1")" = "$FILES" ] || { echo "$1 holds a different number of files" >&2; exit 1; }; }

restore_no=0
lb_restore() { # NAME: times one Lifeboat restore of the newest snapshot into a new folder under NAME
  local s e rid body
  restore_no=$((restore_no + 1))
  cpu_begin restore-service; s=$(now)
  rid=$(curl_json -X POST "$RESTORE/restores" -d "{\"source\":\"$SRC\",\"target\":\"bench-cold-dir\",\"mode\":\"new\",\"restoreAs\":\"lb_$restore_no\"}" | json_id)
  body=$(await_final "$RESTORE/restores/$rid"); e=$(now); cpu_end "$1"; add "$1" "$(secs "$s" "$e")"
  [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body" >&2; exit 1; }
  same_count "$RESTORED/lb_$restore_no"; rm -rf "$RESTORED/lb_$restore_no"
}
restic_restore() { # NAME
  local s e
  rm -rf "$WORK/restic-x"; mkdir -p "$WORK/restic-x"
  cpu_begin; s=$(now); restic_ "$REPO_NAME" restore latest --target "$WORK/restic-x"; e=$(now); cpu_end "$1"; add "$1" "$(secs "$s" "$e")"
  same_count "$WORK/restic-x/chroma_db"; rm -rf "$WORK/restic-x"
}
lb_cold() { lb_restore lifeboat_first; lb_restore lifeboat_warm; }
restic_step() { restic_restore restic; }

if [ "$S3PROXY_COLD" = 0 ]; then
  echo "warming S3Proxy: one untimed restore by each tool"
  lb_restore warmup; restic_restore warmup; sync
fi
for i in $(seq 1 "$ROUNDS"); do
  echo "round $i/$ROUNDS"
  [ "$S3PROXY_COLD" = 0 ] || restart s3proxy "http://127.0.0.1:$LIFEBOAT_S3_PORT/"
  restart restore-service "$RESTORE/q/health/ready"
  in_turn "$i" lb_cold restic_step
done
$AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://$PEERS/$REPO_NAME/"
$AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://lifeboat-backups/backups/$SRC/"

OUT="$REPO/bench/results/cold-restore-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  [ "$S3PROXY_COLD" = 0 ] && s3state="S3Proxy warm (it served an untimed restore by each tool first)" \
    || s3state="S3Proxy restarted before each round too (S3PROXY_COLD=1)"
  echo "## The first restore after restore-service starts vs restic $(restic version | cut -d' ' -f2) — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, same S3Proxy"
  echo
  echo "Directory $((DIRSIZE / 1048576)) MiB ($FILES files), one snapshot; restore-service restarted before each of $ROUNDS rounds; $s3state. Tools in turn (Lifeboat first in odd rounds). Medians, s (Lifeboat ÷ restic)."
  echo
  echo "| restore into a new folder | Lifeboat | restic |"
  echo "|---|---|---|"
  echo "| restore-service's first since it started | **$(m lifeboat_first)** ($(ratio "$(m lifeboat_first)" "$(m restic)")) | $(m restic) |"
  echo "| the restore right after it (warm) | **$(m lifeboat_warm)** ($(ratio "$(m lifeboat_warm)" "$(m restic)")) | |"
  echo
  echo "Per round: Lifeboat first${T[lifeboat_first]} s, warm${T[lifeboat_warm]} s; restic${T[restic]} s."
  echo "restore-service's CPU-seconds per restore: first${T[lifeboat_first@svc]}, warm${T[lifeboat_warm@svc]}. S3Proxy's: Lifeboat first${T[lifeboat_first@s3]}, warm${T[lifeboat_warm@s3]}, restic${T[restic@s3]}."
} | tee "$OUT"
echo "written: $OUT"
