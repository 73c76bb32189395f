#!/usr/bin/env bash
# Script test of the two commands a newcomer runs: `./lifeboat up`, `status`, `down`, on their own ports and
# data folder. Also proves a state change in backup-service reaches incident-service's event log through the
# real broker, and that tokens are enforced. Prints "N passed, N failed".
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LIFEBOAT_HOME="$(mktemp -d /tmp/lifeboat-stack-test.XXXXXX)"
chmod 755 "$LIFEBOAT_HOME"
export LIFEBOAT_KAFKA_PORT=21092 LIFEBOAT_KAFKA_CONTROLLER_PORT=21093 LIFEBOAT_PG_PORT=21432 LIFEBOAT_S3_PORT=21000
export LIFEBOAT_PROTECTED_PG_PORT=21433
export LIFEBOAT_BACKUP_PORT=21081 LIFEBOAT_RESTORE_PORT=21082 LIFEBOAT_DRILL_PORT=21083 LIFEBOAT_INCIDENT_PORT=21084
LB="$REPO/lifeboat"
BACKUP=http://127.0.0.1:$LIFEBOAT_BACKUP_PORT
INCIDENT=http://127.0.0.1:$LIFEBOAT_INCIDENT_PORT

passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }
check() { local name="$1"; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

cleanup() {
  "$LB" down >/dev/null 2>&1 || true
  rm -rf "$LIFEBOAT_HOME"
}
trap cleanup EXIT

echo "stack test (data folder $LIFEBOAT_HOME)"

start=$(date +%s%N)
if "$LB" up > "$LIFEBOAT_HOME/up1.out" 2>&1; then ok "./lifeboat up (cold) in $(( ($(date +%s%N) - start) / 1000000 )) ms"
else fail "./lifeboat up (cold)"; cat "$LIFEBOAT_HOME/up1.out"; tail -n 40 "$LIFEBOAT_HOME"/logs/*.log; exit 1; fi
check "up prints every service URL and its Swagger UI" \
  bash -c "grep -c 'Swagger UI' '$LIFEBOAT_HOME/up1.out' | grep -qx 4"

status_out=$("$LB" status); status_rc=$?
echo "$status_out" | sed 's/^/    /'
check "status exits 0 when everything is UP" test "$status_rc" -eq 0
check "status shows 4 servers (two PostgreSQL clusters) and 4 services UP" bash -c "[ \$(echo '$status_out' | grep -c ' UP ') -eq 8 ]"

OPERATOR=$("$LB" token operator); VIEWER=$("$LB" token viewer)
# the CLI never mints a token of its own, even with the local stack's signing key on disk
out=$(env -u LIFEBOAT_TOKEN "$LB" backups 2>&1); rc=$?
refused_with_one_line() { [ "$1" -ne 0 ] && printf '%s\n' "$2" | grep -q LIFEBOAT_TOKEN && [ "$(printf '%s\n' "$2" | wc -l)" -eq 1 ]; }
check "the CLI without a token exits non-zero ($rc) and says how to get one" refused_with_one_line "$rc" "$out"
out=$(LIFEBOAT_TOKEN="$VIEWER" "$LB" backups --limit 1 2>&1); rc=$?
check "the CLI with a viewer token lists backups" test "$rc" -eq 0
code=$(curl -s -o /dev/null -w '%{http_code}' "$BACKUP/sources")
check "401 without a token" test "$code" = 401
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $VIEWER" -H 'Content-Type: application/json' \
  -d '{"kind":"directory","path":"/tmp/x"}' "$BACKUP/sources/stack-test")
check "403 for a viewer on a mutating endpoint" test "$code" = 403

code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' \
  -d "{\"kind\":\"directory\",\"path\":\"$LIFEBOAT_HOME/protected/chroma_db\"}" "$BACKUP/sources/stack-test")
check "backup-service accepts a source (state change + event in one transaction)" test "$code" = 201
seen=""
for _ in $(seq 1 60); do
  if curl -s -H "Authorization: Bearer $VIEWER" "$INCIDENT/events?subject=stack-test" | grep -q 'lifeboat.backup.source.updated.v1'; then
    seen=1; break; fi
  sleep 1
done
check "the event reached incident-service's event log through the broker" test -n "$seen"

check "up registered the sample sources and took a first backup of each" \
  bash -c "grep -q 'first backup of analytics-db: .* Completed' '$LIFEBOAT_HOME/up1.out' && grep -q 'first backup of vector-store: .* Completed' '$LIFEBOAT_HOME/up1.out'"
seen=""
for _ in $(seq 1 60); do
  body=$(curl -s -H "Authorization: Bearer $VIEWER" "$INCIDENT/events?type=lifeboat.backup.completed.v1")
  if echo "$body" | grep -q '"subject":"analytics-db"' && echo "$body" | grep -q '"subject":"vector-store"'; then seen=1; break; fi
  sleep 1
done
check "backup.completed.v1 of both sources reached incident-service's event log" test -n "$seen"

pids_before=$(cat "$LIFEBOAT_HOME"/run/*.pid | sort | tr '\n' ' ')
"$LB" up > "$LIFEBOAT_HOME/up2.out" 2>&1
pids_after=$(cat "$LIFEBOAT_HOME"/run/*.pid | sort | tr '\n' ' ')
check "a second up starts nothing twice" test "$pids_before" = "$pids_after"

"$LB" down > "$LIFEBOAT_HOME/down.out" 2>&1
sleep 1
alive=""
for pid in $pids_before; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
check "down leaves none of our processes running" test -z "$alive"
check "down leaves nothing listening on our ports" bash -c \
  "! (exec 3<>/dev/tcp/127.0.0.1/$LIFEBOAT_BACKUP_PORT) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/$LIFEBOAT_KAFKA_PORT) 2>/dev/null \
   && ! (exec 3<>/dev/tcp/127.0.0.1/$LIFEBOAT_PROTECTED_PG_PORT) 2>/dev/null"

start=$(date +%s%N)
if "$LB" up > "$LIFEBOAT_HOME/up3.out" 2>&1; then ok "./lifeboat up (warm) in $(( ($(date +%s%N) - start) / 1000000 )) ms"
else fail "./lifeboat up (warm)"; cat "$LIFEBOAT_HOME/up3.out"; fi
body=$(curl -s -H "Authorization: Bearer $VIEWER" "$BACKUP/sources/stack-test")
check "up after down keeps the platform's history" bash -c "echo '$body' | grep -q '\"name\":\"stack-test\"'"
"$LB" status >/dev/null; check "status after a warm up is all UP" test $? -eq 0

echo "stack test: ${passed} passed, ${failed} failed"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
