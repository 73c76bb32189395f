#!/usr/bin/env bash
# Runs bench/chunk-bench.sh (RUNS=1 unless set) with async-profiler (CPU, per thread, 5 ms) attached to restore-service
# from when it is ready until the run writes its results: the profile covers round 1, whose restore is restore-service's
# first since it started. Needs async-profiler unpacked in $AP (default /tmp/ap: ./mvnw -q dependency:get
# -Dartifact=tools.profiler:async-profiler:3.0:jar:linux-x64, then unzip it there).
#   bash bench/tools/profile-restore-round1.sh      # -> $OUT (default /tmp/prof-restore-round1.txt), collapsed stacks
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
AP="${AP:-/tmp/ap}/linux-x64/libasyncProfiler.so"
OUT="${OUT:-/tmp/prof-restore-round1.txt}"
LOG="$(mktemp)"
[ -f "$AP" ] || { echo "no async-profiler at $AP" >&2; exit 1; }
old=$(pgrep -f "restore-service/target/quarkus-app" || true)
RUNS="${RUNS:-1}" bash "$REPO/bench/chunk-bench.sh" > "$LOG" 2>&1 &
bench=$!
# the bench restarts the stack: wait for a restore-service other than the one running now, ready
while :; do
  pid=$(pgrep -f "restore-service/target/quarkus-app" | grep -vxF "${old:-none}" | head -1 || true)
  [ -n "$pid" ] && curl -sf "http://127.0.0.1:${LIFEBOAT_RESTORE_PORT:-23082}/q/health/ready" > /dev/null && break
  kill -0 "$bench" 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 1
done
jcmd "$pid" JVMTI.agent_load "$AP" '"start,event=cpu,interval=5ms,threads"' > /dev/null
while ! grep -q "^written:" "$LOG" && kill -0 "$bench" 2>/dev/null; do sleep 1; done
jcmd "$pid" JVMTI.agent_load "$AP" "\"stop,file=$OUT,collapsed\"" > /dev/null
wait "$bench" || true
grep -E "first since|Per round" "$LOG"
echo "profile: $OUT"
