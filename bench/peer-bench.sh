#!/usr/bin/env bash
# Peer benchmark (issue 14): Lifeboat against what a user would pick instead, on the same S3Proxy, the same data,
# rounds interleaved (each section's tools in turn: a different one goes first in each round), medians quoted:
#   script   `pg_dump -Fc -Z0 | zstd -T2 -3 | aws s3 cp -` (awscli 2.9) and `tar | zstd | aws s3 cp -`, and back
#   restic   0.14, a new S3 repository per round (no dedup head start), --compression auto
#   rclone   1.60, the directory file by file, no compression (checks MD5 on upload and download)
#   pgbackrest 2.45, full physical backup of the cluster holding the database (posix repo: its S3 driver needs TLS)
# Lifeboat's times are request -> Completed; the read-back verification that follows a backup is its own line.
# Writes bench/results/peers-<date>.md.
#   bash bench/peer-bench.sh                                      # ~1 GiB database and directory, 3 rounds
#   ROWS=73000 USAGE=150000 N_SEG=2 RUNS=1 bash bench/peer-bench.sh   # small smoke run
set -euo pipefail
source "$(dirname "$0")/lib.sh"
for tool in restic rclone pgbackrest; do command -v "$tool" >/dev/null || apt-get install -y -qq "$tool" >/dev/null; done
bench_up
bench_data
peers_on_s3 peer-bench
export RCLONE_CONFIG_PEER_TYPE=s3 RCLONE_CONFIG_PEER_PROVIDER=Other RCLONE_CONFIG_PEER_ENDPOINT="$S3" \
  RCLONE_CONFIG_PEER_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_PEER_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
  RCLONE_CONFIG_PEER_REGION=us-east-1 RCLONE_CONFIG_PEER_FORCE_PATH_STYLE=true
RCLONE="env -u AWS_CA_BUNDLE rclone"

# pgBackRest backs up the whole cluster that holds bench_analytics, as the postgres user that owns it
PGDATA_DIR=$($PSQL -d postgres -tAc "SHOW data_directory")
PGSOCKET=$($PSQL -d postgres -tAc "SHOW unix_socket_directories" | cut -d, -f1)
mkdir -p "$WORK/pgbackrest-repo" "$WORK/pgbackrest-log"; chown -R postgres:postgres "$WORK/pgbackrest-repo" "$WORK/pgbackrest-log"
cat > "$WORK/pgbackrest.conf" <<EOF
[global]
repo1-path=$WORK/pgbackrest-repo
compress-type=zst
process-max=2
archive-check=n
start-fast=y
log-path=$WORK/pgbackrest-log
log-level-console=warn
lock-path=$WORK/pgbackrest-log

[bench]
pg1-path=$PGDATA_DIR
pg1-port=$LIFEBOAT_PG_PORT
pg1-socket-path=$PGSOCKET
pg1-user=lifeboat
EOF
chmod 644 "$WORK/pgbackrest.conf"
PGBR="runuser -u postgres -- env PGPASSWORD=$PGPASSWORD pgbackrest --config=$WORK/pgbackrest.conf --stanza=bench"
$PGBR stanza-create >/dev/null 2>&1 || $PGBR stanza-upgrade >/dev/null

curl_json -X PUT "$BACKUP/sources/bench-db" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PG_PORT,\"database\":\"bench_analytics\",\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_SECRET_SAMPLE_PG\",\"retention\":{\"keepLast\":2}}" >/dev/null
curl_json -X PUT "$BACKUP/sources/bench-dir" -d "{\"kind\":\"directory\",\"path\":\"$CHROMA\",\"retention\":{\"keepLast\":2}}" >/dev/null
curl_json -X PUT "$RESTORE/targets/bench-peer-pg" -d "{\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$LIFEBOAT_PG_PORT,\"database\":\"bench_peer_home\",\"user\":\"lifeboat\",\"passwordRef\":\"env:LIFEBOAT_SECRET_SAMPLE_PG\"}" >/dev/null
mkdir -p "$WORK/peer-restored"
curl_json -X PUT "$RESTORE/targets/bench-peer-dir" -d "{\"kind\":\"directory\",\"path\":\"$WORK/peer-restored/chroma_db\"}" >/dev/null
warm() { cat "$CHROMA"/*.sqlite3 "$CHROMA"/*/* > /dev/null; $PSQL -d bench_analytics -c "SELECT count(*) FROM analytics" >/dev/null; }

run() { local name=$1; shift; local s e; cpu_begin; s=$(now); "$@"; e=$(now); cpu_end "$name"; add "$name" "$(secs "$s" "$e")"; }
drop_db() { $PSQL -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
# Every database restore line starts from no database: creating it is in the time, as it is in Lifeboat's
createdb_() { echo "$PSQL -d postgres -c 'CREATE DATABASE $1'"; }
PGD="$PGBIN/pg_dump $PGCONN -d bench_analytics"

# One Lifeboat backup: adds its request -> Completed time, then waits out the read-back verification and adds its time
lifeboat_backup() { # name source
  local s id body c
  cpu_begin backup-service; s=$(now); id=$(curl_json -X POST "$BACKUP/backups" -d "{\"source\":\"$2\"}" | json_id)
  body=$(await_final "$BACKUP/backups/$id"); c=$(now); cpu_end "$1"; add "$1" "$(secs "$s" "$c")"
  [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body" >&2; exit 1; }
  add "$1_verify" "$(await_verification "$BACKUP/backups/$id")"
}
lifeboat_restore() { # name source target restoreAs
  local s e rid body
  cpu_begin restore-service; s=$(now); rid=$(curl_json -X POST "$RESTORE/restores" -d "{\"source\":\"$2\",\"target\":\"$3\",\"mode\":\"new\",\"restoreAs\":\"$4\"}" | json_id)
  body=$(await_final "$RESTORE/restores/$rid"); e=$(now); cpu_end "$1"; add "$1" "$(secs "$s" "$e")"
  [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body" >&2; exit 1; }
}

lb_db() { lifeboat_backup lifeboat_db bench-db; }
script_db() { run script_db bash -c "$PGD -Fc -Z0 | zstd -q -T2 -3 | $AWS --endpoint-url $S3 s3 cp - s3://$PEERS/script/db-$i.dump.zst --only-show-errors"; }
restic_db() { run restic_db bash -c "restic -r s3:$S3/$PEERS/restic-db-$i ${RESTIC_OPTS[*]} init --repository-version 2 >/dev/null && $PGD -Fc -Z0 | restic -r s3:$S3/$PEERS/restic-db-$i ${RESTIC_OPTS[*]} backup --stdin --stdin-filename db.dump >/dev/null"; }
pgbackrest_db() { run pgbackrest_db bash -c "$PGBR --type=full backup"; }
lb_dir() { lifeboat_backup lifeboat_dir bench-dir; }
script_dir() { run script_dir bash -c "tar cf - -C '$WORK' chroma_db | zstd -q -T2 -3 | $AWS --endpoint-url $S3 s3 cp - s3://$PEERS/script/dir-$i.tar.zst --only-show-errors"; }
restic_dir() { run restic_dir bash -c "restic -r s3:$S3/$PEERS/restic-dir-$i ${RESTIC_OPTS[*]} init --repository-version 2 >/dev/null && cd '$WORK' && restic -r s3:$S3/$PEERS/restic-dir-$i ${RESTIC_OPTS[*]} backup chroma_db >/dev/null"; }
rclone_dir() { run rclone_dir bash -c "$RCLONE copy '$CHROMA' peer:$PEERS/rclone-$i/chroma_db --transfers 4"; }
file_db_restore() {
  drop_db bench_file_r
  run file_db_restore bash -c "$(createdb_ bench_file_r) && zstd -dc '$WORK/db.dump.zst' | $PGBIN/pg_restore $PGCONN --exit-on-error -d bench_file_r"
  drop_db bench_file_r
}
lb_db_restore() { lifeboat_restore lifeboat_db_restore bench-db bench-peer-pg "bench_lifeboat_r$i"; drop_db "bench_lifeboat_r$i"; }
script_db_restore() {
  drop_db bench_script_r
  run script_db_restore bash -c "$(createdb_ bench_script_r) && $AWS --endpoint-url $S3 s3 cp s3://$PEERS/script/db-$i.dump.zst - | zstd -dc | $PGBIN/pg_restore $PGCONN --exit-on-error -d bench_script_r"
  drop_db bench_script_r
}
restic_db_restore() {
  drop_db bench_restic_r
  run restic_db_restore bash -c "$(createdb_ bench_restic_r) && restic -r s3:$S3/$PEERS/restic-db-$i ${RESTIC_OPTS[*]} dump latest db.dump | $PGBIN/pg_restore $PGCONN --exit-on-error -d bench_restic_r"
  drop_db bench_restic_r
}
X="$WORK/peer-x"
# in_empty_x NAME COMMAND...: a timed extraction into an empty $X, removed afterwards
in_empty_x() { rm -rf "$X"; mkdir -p "$X"; run "$@"; rm -rf "$X"; }
file_dir_restore() { in_empty_x file_dir_restore bash -c "zstd -dc '$WORK/dir.tar.zst' | tar xf - -C '$X'"; }
lb_dir_restore() { lifeboat_restore lifeboat_dir_restore bench-dir bench-peer-dir "dir_$i"; rm -rf "$WORK/peer-restored/dir_$i"; }
script_dir_restore() { in_empty_x script_dir_restore bash -c "$AWS --endpoint-url $S3 s3 cp s3://$PEERS/script/dir-$i.tar.zst - | zstd -dc | tar xf - -C '$X'"; }
restic_dir_restore() { in_empty_x restic_dir_restore bash -c "restic -r s3:$S3/$PEERS/restic-dir-$i ${RESTIC_OPTS[*]} restore latest --target '$X' >/dev/null"; }
rclone_dir_restore() { in_empty_x rclone_dir_restore bash -c "$RCLONE copy peer:$PEERS/rclone-$i/chroma_db '$X/chroma_db' --transfers 4"; }

for i in $(seq 1 "$RUNS"); do
  echo "round $i/$RUNS"
  warm
  # what the stack uses while nothing is measured (WAL streaming, Kafka, the services' timers), per second
  cpu_begin; sleep 5; cpu_end idle_5s
  # to-file limits of the same work (issue 14's second bar)
  run file_db bash -c "$PGD -Fc -Z0 | zstd -q -T2 -3 > '$WORK/db.dump.zst'"
  run file_dir bash -c "tar cf - -C '$WORK' chroma_db | zstd -q -T2 -3 > '$WORK/dir.tar.zst'"
  # each section's tools run in turn (bench/lib.sh in_turn): a different one goes first in each round
  # database backup
  in_turn "$i" lb_db script_db restic_db pgbackrest_db
  # directory backup
  in_turn "$i" lb_dir script_dir restic_dir rclone_dir
  # database restore into a new database
  in_turn "$i" file_db_restore lb_db_restore script_db_restore restic_db_restore
  # directory restore
  in_turn "$i" file_dir_restore lb_dir_restore script_dir_restore restic_dir_restore rclone_dir_restore
  rm -rf "$X"
done

r() { ratio "$(m "$1")" "$(m "$2")"; }
OUT="$REPO/bench/results/peers-$(date -u +%Y%m%dT%H%M%SZ).md"; mkdir -p "$(dirname "$OUT")"
{
  echo "## Peer benchmark $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, medians of $RUNS interleaved rounds, same S3Proxy"
  echo
  echo "Database bench_analytics $((DBSIZE / 1048576)) MiB; directory $((DIRSIZE / 1048576)) MiB. Cells: median s (Lifeboat ÷ peer)."
  echo
  echo "| operation | Lifeboat | \`aws s3 cp\` + zstd script | restic $(restic version | cut -d' ' -f2) (new repo) | rclone (no compression) | pgBackRest (posix repo, whole cluster) | to a local file (limit) |"
  echo "|---|---|---|---|---|---|---|"
  echo "| database backup | **$(m lifeboat_db)** | $(m script_db) ($(r lifeboat_db script_db)) | $(m restic_db) ($(r lifeboat_db restic_db)) | — | $(m pgbackrest_db) ($(r lifeboat_db pgbackrest_db)) | $(m file_db) ($(r lifeboat_db file_db)) |"
  echo "| directory backup | **$(m lifeboat_dir)** | $(m script_dir) ($(r lifeboat_dir script_dir)) | $(m restic_dir) ($(r lifeboat_dir restic_dir)) | $(m rclone_dir) ($(r lifeboat_dir rclone_dir)) | — | $(m file_dir) ($(r lifeboat_dir file_dir)) |"
  echo "| database restore (new db) | **$(m lifeboat_db_restore)** | $(m script_db_restore) ($(r lifeboat_db_restore script_db_restore)) | $(m restic_db_restore) ($(r lifeboat_db_restore restic_db_restore)) | — | — | $(m file_db_restore) ($(r lifeboat_db_restore file_db_restore)) |"
  echo "| directory restore | **$(m lifeboat_dir_restore)** | $(m script_dir_restore) ($(r lifeboat_dir_restore script_dir_restore)) | $(m restic_dir_restore) ($(r lifeboat_dir_restore restic_dir_restore)) | $(m rclone_dir_restore) ($(r lifeboat_dir_restore rclone_dir_restore)) | — | $(m file_dir_restore) ($(r lifeboat_dir_restore file_dir_restore)) |"
  echo
  echo "Read-back verification after a Lifeboat backup (not in the lines above): database $(m lifeboat_db_verify) s, directory $(m lifeboat_dir_verify) s."
  echo
  echo "CPU-seconds in each line (medians; from /proc): the whole machine's, S3Proxy's, and Lifeboat's service's with its"
  echo "children. Busy = the machine's CPU-seconds ÷ (2 cores × the line's median time). The stack's background while"
  echo "nothing is measured: $(m idle_5s@cpu) CPU-s in 5 s."
  echo
  echo "| line | tool | s | machine CPU-s | busy | S3Proxy CPU-s | Lifeboat service CPU-s | its peak RSS, MiB (rounds) |"
  echo "|---|---|---|---|---|---|---|---|"
  cpu_row() { # LINE TOOL KEY
    [ -n "${T[$3]:-}" ] || return 0
    local svc="—" rss="—"; [ -z "${T[$3@svc]:-}" ] || { svc=$(m "$3@svc"); rss=${T[$3@rss]}; }
    echo "| $1 | $2 | $(m "$3") | $(m "$3@cpu") | $(python3 -c "print(f'{100*$(m "$3@cpu")/(2*$(m "$3")):.0f} %')") | $(m "$3@s3") | $svc |$rss |"
  }
  for line in "database backup:db" "directory backup:dir" "database restore:db_restore" "directory restore:dir_restore"; do
    for tool in lifeboat script restic rclone pgbackrest file; do cpu_row "${line%%:*}" "$tool" "${tool}_${line#*:}"; done
  done
  echo
  echo "Raw runs (s; @cpu, @s3, @svc: CPU-seconds as above):"
  for k in $(printf '%s\n' "${!T[@]}" | sort); do echo "- $k:${T[$k]}"; done
} | tee "$OUT"
rm -f "$WORK/db.dump.zst" "$WORK/dir.tar.zst"
[ -n "${KEEP_STACK:-}" ] || "$REPO/lifeboat" down >/dev/null
