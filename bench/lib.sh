# Shared by the benchmark scripts: a bench stack on its own ports and data folder, the generated data, helpers.
# Data: ROWS/USAGE rows in bench_analytics (../shared/bench-data/gen_chatbot_analytics.sql) and a ChromaDB-like
# folder of N_SEG segments (gen_chroma.py). Defaults give ~1 GiB each.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$REPO/../shared/bench-data}"
ROWS="${ROWS:-730000}"; USAGE="${USAGE:-1500000}"; N_SEG="${N_SEG:-20}"; RUNS="${RUNS:-3}"
export LIFEBOAT_HOME="${BENCH_HOME:-/tmp/lifeboat-bench}"
export LIFEBOAT_KAFKA_PORT=23092 LIFEBOAT_KAFKA_CONTROLLER_PORT=23093 LIFEBOAT_PG_PORT=23432 LIFEBOAT_S3_PORT=23000
export LIFEBOAT_BACKUP_PORT=23081 LIFEBOAT_RESTORE_PORT=23082 LIFEBOAT_DRILL_PORT=23083 LIFEBOAT_INCIDENT_PORT=23084
export LIFEBOAT_PROTECTED_PG_PORT=23433
export PGPASSWORD="${LIFEBOAT_PG_PASSWORD:-lifeboat}"
command -v zstd >/dev/null || apt-get install -y -qq zstd >/dev/null
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PSQL="$PGBIN/psql -h 127.0.0.1 -p $LIFEBOAT_PG_PORT -U lifeboat -v ON_ERROR_STOP=1 -q"
PGCONN="-h 127.0.0.1 -p $LIFEBOAT_PG_PORT -U lifeboat"
# the protected system's own cluster (continuous sources stream its WAL)
PSQLP="$PGBIN/psql -h 127.0.0.1 -p $LIFEBOAT_PROTECTED_PG_PORT -U lifeboat -v ON_ERROR_STOP=1 -q"
PGCONNP="-h 127.0.0.1 -p $LIFEBOAT_PROTECTED_PG_PORT -U lifeboat"
WORK="$LIFEBOAT_HOME/bench-work"; mkdir -p "$WORK"
CHROMA="$WORK/chroma_db"
BACKUP=http://127.0.0.1:$LIFEBOAT_BACKUP_PORT
RESTORE=http://127.0.0.1:$LIFEBOAT_RESTORE_PORT
INCIDENT=http://127.0.0.1:$LIFEBOAT_INCIDENT_PORT

bench_up() {
  "$REPO/lifeboat" up > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; exit 1; }
  TOKEN=$("$REPO/lifeboat" token admin)
}

bench_data() {
  if ! $PSQL -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bench_analytics'" | grep -q 1; then
    echo "generating bench_analytics ($ROWS chat rows, $USAGE usage rows) ..."
    $PSQL -d postgres -c "CREATE DATABASE bench_analytics"
    $PSQL -d bench_analytics -v nrows="$ROWS" -v nusage="$USAGE" -f "$SHARED/gen_chatbot_analytics.sql" > "$WORK/gen.log" 2>&1
  fi
  if [ ! -d "$CHROMA" ]; then
    echo "generating chroma_db (N_SEG=$N_SEG) ..."
    N_SEG=$N_SEG python3 "$SHARED/gen_chroma.py" "$CHROMA" > "$WORK/gen-chroma.log"
  fi
  DBSIZE=$($PSQL -d bench_analytics -tAc "SELECT pg_database_size('bench_analytics')")
  DIRSIZE=$(du -sb "$CHROMA" | cut -f1)
}

# The peer tools' access to the stack's S3Proxy: the aws CLI (path-style addressing), restic's options, and bucket
# PEERS=$1, emptied (a rerun must not find the last run's repositories). Needs the stack up.
peers_on_s3() {
  [ -x /usr/bin/aws ] || apt-get install -y -qq awscli >/dev/null
  AWS=/usr/bin/aws # a pip aws v1 may come first on PATH
  S3="http://127.0.0.1:$LIFEBOAT_S3_PORT"
  export AWS_ACCESS_KEY_ID="${LIFEBOAT_S3_ACCESS_KEY:-lifeboat}" AWS_SECRET_ACCESS_KEY="${LIFEBOAT_S3_SECRET_KEY:-lifeboat-secret}"
  export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$WORK/aws-config"
  printf '[default]\ns3 =\n    addressing_style = path\n' > "$AWS_CONFIG_FILE"
  PEERS=$1
  $AWS --endpoint-url "$S3" s3 mb "s3://$PEERS" >/dev/null 2>&1 || true
  $AWS --endpoint-url "$S3" s3 rm --recursive --quiet "s3://$PEERS/" >/dev/null
  export RESTIC_PASSWORD=bench
  RESTIC_OPTS=(-o s3.region=us-east-1 -o s3.bucket-lookup=path --compression auto -q)
}

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
median() { python3 -c "import sys,statistics; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
jget() { python3 -c "import sys,json; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
# A bench's measurements: T[NAME] holds a step's values, one per round, space-separated; add appends one, m prints
# their median.
declare -A T
add() { T[$1]="${T[$1]:-} $2"; }
m() { median ${T[$1]}; }
# in_turn ROUND STEP...: runs the steps (function names) one after another, the list rotated by ROUND-1 (plus
# ORDER_OFFSET, default 0: ORDER_OFFSET=1 puts the peer first in round 1), so each tool goes first in some rounds:
# the first to run pays for a cold cache or a cold S3Proxy (a JVM compiling its GET path).
# Each step starts after a sync: the disk writes the step before it left in dirty pages (S3Proxy's stored objects,
# extracted files) are not charged to the next tool (a warm restore measured 4.6-7.1 s without, 3.8-4.6 s with).
in_turn() {
  local round=$1; shift
  local n=$# k
  local steps=("$@")
  for ((k = 0; k < n; k++)); do sync; "${steps[$(((round - 1 + k + ${ORDER_OFFSET:-0}) % n))]}"; done
}
# CPU accounting of a timed step, from /proc (ticks of 1/100 s): the machine's busy time (every process: the tool,
# S3Proxy, PostgreSQL, Lifeboat's services, the stack's background), S3Proxy's, and one Lifeboat service's with its
# children (pg_restore, pg_dump). On two cores a step cannot take less than busy / 2; a step whose machine was busy
# all along is bound by the CPU its work needs, and the split says whose it was. Recorded with add.
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
pid_ticks() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat" 2>/dev/null || echo 0; }
stack_pid() { cat "$LIFEBOAT_HOME/run/$1.pid" 2>/dev/null || echo 0; }
cpu_begin() { # [SERVICE]: marks the start of a timed step
  CPU0=$(busy_ticks); S3CPU0=$(pid_ticks "$(stack_pid s3proxy)"); SVC_PID=${1:+$(stack_pid "$1")}; SVCCPU0=$(pid_ticks "${SVC_PID:-0}")
}
cpu_end() { # NAME: adds the step's machine, S3Proxy and service CPU-seconds under NAME@cpu, NAME@s3, NAME@svc
  local busy s3 svc
  busy=$(busy_ticks); s3=$(pid_ticks "$(stack_pid s3proxy)"); svc=$(pid_ticks "${SVC_PID:-0}")
  add "$1@cpu" "$(secs "$CPU0/100" "$busy/100")"
  add "$1@s3" "$(secs "$S3CPU0/100" "$s3/100")"
  [ -z "${SVC_PID:-}" ] || add "$1@svc" "$(secs "$SVCCPU0/100" "$svc/100")"
  # and the service's peak resident memory since it started (VmHWM), MiB: flat across lines and rounds, or not
  [ -z "${SVC_PID:-}" ] || add "$1@rss" "$(awk '/^VmHWM/{print int($2 / 1024)}' "/proc/$SVC_PID/status" 2>/dev/null)"
}

# Waits for a backup's read-back verification (it follows Completed) and prints how long it took by the service's own
# clock (verification.verifiedAt - completedAt); timing it from here would time this polling, not the verification.
await_verification() { # BACKUP-URL
  local body
  until body=$(curl_json "$1") && [[ $body == *'"verification"'* ]]; do sleep 0.1; done
  echo "$body" | python3 -c "import sys,json; from datetime import datetime as D
b=json.load(sys.stdin); t=lambda s: D.fromisoformat(s.replace('Z', '+00:00'))
print(f\"{(t(b['verification']['verifiedAt']) - t(b['completedAt'])).total_seconds():.2f}\")"
}
curl_json() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

# The id of the resource a POST returned (no Python: a timed line measures Lifeboat, not an interpreter's start)
json_id() { grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4; }

# Waits for a Lifeboat resource to be Completed or Failed; prints its JSON. Backups and restores answer a GET with
# waitSeconds the moment they are final (one request). For the others one curl process polls 20 times a second over one
# kept-alive connection (a URL glob, --rate) and is stopped by the first final answer (--fail-early ends it when grep
# has gone); it is started again only after an error. A new curl process for each poll cost 10-30 ms of CPU, and 20
# GETs a second cost restore-service ~0.5 CPU-s of a 4 s restore (JWT checks, reads, JSON), taken from the two cores
# the measured operation runs on; the peers' times carry no such load.
await_final() {
  local url=$1 sep='?' body
  [[ $url == *\?* ]] && sep='&'
  while :; do
    body=$( { curl -sfN --fail-early --rate 20/s -w '\n' -H "Authorization: Bearer $TOKEN" "$url${sep}waitSeconds=60&poll=[1-1000000]" || true; } \
      | grep -m1 -E '"phase":"(Completed|Failed)"') && { echo "$body"; return; }
    sleep 0.05
  done
}
