# What the vector-store benches (chunk-bench.sh, retention-bench.sh, cold-restore-bench.sh) share: the stack up and
# the data generated, STAMP (names this run's sources and repositories), restic and the aws CLI on the stack's
# S3Proxy (bucket $PEERS, emptied), and one timed backup by each tool of the copy in $SRC_DIR, the folder under $WORK
# named by its argument. Sourced after bench/lib.sh: source bench/chunk-peers.sh FOLDER
SRC_DIR="$WORK/$1"
bench_up
bench_data
STAMP=$(date -u +%H%M%S)
command -v restic >/dev/null || apt-get install -y -qq restic >/dev/null
BLOBS="$LIFEBOAT_HOME/s3/blobs" # S3Proxy's filesystem store: stored bytes are what is on disk under a prefix
peers_on_s3 chunk-bench
restic_() { local repo=$1; shift; restic -r "s3:$S3/$PEERS/$repo" "${RESTIC_OPTS[@]}" "$@"; }
mib() { python3 -c "print(f'{$1 / 1048576:.1f}')"; }

# One Lifeboat backup: sets TIME (request -> Completed), VERIFY (its read-back verification after) and BODY
lifeboat_backup() { # source [name: adds its CPU-seconds under name@cpu, @s3, @svc]
  local s id c
  cpu_begin backup-service; s=$(now); id=$(curl_json -X POST "$BACKUP/backups" -d "{\"source\":\"$1\"}" | json_id)
  BODY=$(await_final "$BACKUP/backups/$id"); c=$(now); [ -z "${2:-}" ] || cpu_end "$2"; TIME=$(secs "$s" "$c")
  [ "$(echo "$BODY" | jget "['phase']")" = Completed ] || { echo "$BODY" >&2; exit 1; }
  VERIFY=$(await_verification "$BACKUP/backups/$id"); BODY=$(curl_json "$BACKUP/backups/$id")
}

# One restic backup: sets TIME and ADDED (the data its summary says it added)
restic_backup() { # repo
  local s out; s=$(now)
  out=$(cd "$SRC_DIR" && restic -r "s3:$S3/$PEERS/$1" -o s3.region=us-east-1 -o s3.bucket-lookup=path --compression auto --json backup chroma_db | tail -1)
  TIME=$(secs "$s" "$(now)"); ADDED=$(echo "$out" | jget "['data_added']")
}
