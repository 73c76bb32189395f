#!/usr/bin/env bash
# Executes every fenced bash block of docs/runbook.md against a live local stack, after simulating the disaster
# each scenario is about, and checks the outcome as a user would (the end-to-end scenarios of the runbook).
# Prints each scenario's measured RTO and "N passed, N failed".
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LIFEBOAT_HOME="$(mktemp -d /tmp/lifeboat-runbook-test.XXXXXX)"
chmod 755 "$LIFEBOAT_HOME"
export LIFEBOAT_KAFKA_PORT=22092 LIFEBOAT_KAFKA_CONTROLLER_PORT=22093 LIFEBOAT_PG_PORT=22432 LIFEBOAT_S3_PORT=22000
export LIFEBOAT_PROTECTED_PG_PORT=22433
export LIFEBOAT_BACKUP_PORT=22081 LIFEBOAT_RESTORE_PORT=22082 LIFEBOAT_DRILL_PORT=22083 LIFEBOAT_INCIDENT_PORT=22084
export PGPASSWORD=lifeboat
# reports the runbook writes go to the test's own folder, removed with it
export REPORTS="$LIFEBOAT_HOME/reports"; mkdir -p "$REPORTS"
# the vault the keys are escrowed to (the runbook's "Once" section), outside what scenario 3 destroys
export KEY_ESCROW="$LIFEBOAT_HOME/key-escrow"
cd "$REPO"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# the protected system's own cluster (chatbot_analytics)
PSQL="$PGBIN/psql -h 127.0.0.1 -p $LIFEBOAT_PROTECTED_PG_PORT -U lifeboat -v ON_ERROR_STOP=1 -qtAX"
CHROMA="$LIFEBOAT_HOME/protected/chroma_db"
INCIDENT=http://127.0.0.1:$LIFEBOAT_INCIDENT_PORT
BACKUP=http://127.0.0.1:$LIFEBOAT_BACKUP_PORT
RESULTS="$LIFEBOAT_HOME/rto.txt"

passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }
check() { local name="$1"; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
cleanup() { ./lifeboat down >/dev/null 2>&1 || true; rm -rf "$LIFEBOAT_HOME"; }
trap cleanup EXIT
# a negative control: a failing command must fail its section
if bash -e <(printf 'true\nfalse\necho unreachable\n') >/dev/null 2>&1; then echo "bash -e does not stop on errors"; exit 1; fi

# the bash blocks of one section ("## Scenario 1", ...) of a page (docs/runbook.md unless given), in order; a block
# that runs this very test (./lifeboat test) is the one thing left out
blocks() {
  python3 - "${3:-$REPO/docs/runbook.md}" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sections = re.split(r"^## ", text, flags=re.M)
for s in sections:
    if s.startswith(sys.argv[2]):
        for block in re.findall(r"```bash\n(.*?)```", s, flags=re.S):
            if "./lifeboat test" not in block:
                print(block)
PY
}

# runs a section's blocks in one shell (variables such as INC carry over); stdout to a log
run_section() {
  local section="$1" log="$LIFEBOAT_HOME/$2.log"
  local script; script=$(blocks "$section" "" "${3:-}")
  [ -n "$script" ] || { echo "no bash blocks under '## $section'"; return 1; }
  # a separate `bash -e` so that any failing command fails the section (set -e is ignored inside `if`)
  printf '%s\necho "INC=${INC:-}" > "%s"\n' "$script" "$LIFEBOAT_HOME/$2.inc" > "$LIFEBOAT_HOME/$2.sh"
  bash -e "$LIFEBOAT_HOME/$2.sh" > "$log" 2>&1
  local rc=$?
  [ $rc -eq 0 ] || { echo "    section '$section' failed (exit $rc):"; tail -n 15 "$log" | sed 's/^/    | /'; }
  return $rc
}

report_json() { curl -s -H "Authorization: Bearer $LIFEBOAT_TOKEN" -H 'Accept: application/json' "$INCIDENT/incidents/$1/report"; }
field() { python3 -c "import sys,json; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }

iso_seconds() { python3 -c "import sys,re
m=re.fullmatch(r'PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?', sys.argv[1]); print(float(m.group(1) or 0)*3600+float(m.group(2) or 0)*60+float(m.group(3) or 0))" "$1"; }

echo "runbook test (data folder $LIFEBOAT_HOME)"
./lifeboat up > "$LIFEBOAT_HOME/up.log" 2>&1 || { cat "$LIFEBOAT_HOME/up.log"; exit 1; }
export LIFEBOAT_TOKEN=$(./lifeboat token admin)

check "'Before anything' commands run" run_section "Before anything" before
check "the keys are escrowed outside the platform" run_section "Once: keep the keys" escrow
# README.md's own commands, as a new user runs them
check "README's 'Try it' commands run" run_section "Try it" readme-try "$REPO/README.md"
check "README's 'Back to one second before a mistake' commands run" run_section "Back to one second" readme-pitr "$REPO/README.md"
check "the dropped table is back with its row" grep -qx "written before the mistake" "$LIFEBOAT_HOME/readme-pitr.log"
check "README's 'Only what changed' commands run (two vector-store backups, a restore of the first)" \
  run_section "Only what changed" readme-chunks "$REPO/README.md"
check "the second vector-store backup uploaded less than it stores (only the changed chunks)" bash -c "curl -s \
  -H 'Authorization: Bearer $LIFEBOAT_TOKEN' '$BACKUP/backups?source=vector-store&limit=1' | python3 -c \
  'import sys,json; b=json.load(sys.stdin)[\"items\"][0]; sys.exit(0 if b[\"format\"] == \"chunked-tar\" and b[\"uploadedBytes\"] < b[\"storedBytes\"] else 1)'"
check "the first snapshot came back whole, without the file added after it" bash -c \
  "d=\$(ls -d '$LIFEBOAT_HOME'/protected/chroma_db_restore_* | head -1); test -s \"\$d/chroma.sqlite3\" && test ! -e \"\$d/notes.txt\""
check "README's 'Using it' commands run (restore, incident restored, resolve, report, set-aside, drill)" \
  run_section "Using it" readme-using "$REPO/README.md"
INC=$(sed -n 's/^INC=//p' "$LIFEBOAT_HOME/readme-using.inc")
check "the README's incident went Restoring, Monitoring, Resolved" bash -c "curl -s -H 'Authorization: Bearer $LIFEBOAT_TOKEN' \
  $INCIDENT/incidents/$INC/timeline | python3 -c \"import sys,json; print([e['data']['to'] for e in json.load(sys.stdin) \
  if e['type'] == 'lifeboat.incident.status.changed.v1'])\" | grep -qx \"\['Restoring', 'Monitoring', 'Resolved'\]\""

# --- Scenario 1: rows written, base backup, more rows, database dropped --------------------------------------
$PSQL -d chatbot_analytics -c "INSERT INTO analytics (\"timestamp\", user_id, question) SELECT now(), 'before', 'q' FROM generate_series(1, 100)"
./lifeboat backup analytics-db > "$LIFEBOAT_HOME/s1-backup.log" 2>&1
sleep 2
# written after the newest backup: a nightly dump would lose them; the WAL stream does not
$PSQL -d chatbot_analytics -c "INSERT INTO analytics (\"timestamp\", user_id, question) SELECT now(), 'after', 'kept' FROM generate_series(1, 50)"
ROWS_BEFORE_DAMAGE=$($PSQL -d chatbot_analytics -c "SELECT count(*) FROM analytics")
sleep 1.2
export IMPACT_START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
$PSQL -d postgres -c "DROP DATABASE chatbot_analytics WITH (FORCE)"
check "scenario 1 (database loss) runbook commands succeed" run_section "Scenario 1" s1
INC=$(sed -n 's/^INC=//p' "$LIFEBOAT_HOME/s1.inc")
check "the database is back as it was before the damage ($ROWS_BEFORE_DAMAGE rows)" \
  test "$($PSQL -d chatbot_analytics -c 'SELECT count(*) FROM analytics')" = "$ROWS_BEFORE_DAMAGE"
check "the 50 rows written after the newest backup are back too (point in time, not last night's dump)" \
  test "$($PSQL -d chatbot_analytics -c "SELECT count(*) FROM analytics WHERE user_id = 'after'")" = 50
R=$(report_json "$INC")
POINT=$(echo "$R" | field "['dataLoss'][0]['recoveryPointAt']")
LOSS=$(echo "$R" | field "['dataLoss'][0]['dataLoss']")
check "report: the recovery point is the impact start ($POINT), the instant restored to" \
  python3 -c "import sys,datetime as d; p=lambda s: d.datetime.fromisoformat(s.replace('Z','+00:00')); sys.exit(0 if p(sys.argv[1]) == p(sys.argv[2]) else 1)" "$POINT" "$IMPACT_START"
check "report: data loss = impact start - recovery point = 0 ($LOSS)" test "$(iso_seconds "$LOSS")" = "0.0"
RTO=$(echo "$R" | field "['rto']['achieved']")
check "report: RTO achieved is recorded and within 4 h ($RTO)" test "$(echo "$R" | field "['rto']['met']")" = True
echo "scenario 1 (complete database loss, restored to the second before it): RTO achieved $RTO, data loss $LOSS" | tee -a "$RESULTS"

# --- Scenario 2: chroma files corrupted ------------------------------------------------------------------------
./lifeboat backup vector-store > "$LIFEBOAT_HOME/s2-backup.log" 2>&1
cp -a "$CHROMA" "$LIFEBOAT_HOME/chroma_backup_copy"
sleep 1.2
export IMPACT_START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
first=$(find "$CHROMA" -type f -name 'data_level0.bin' | head -1)
head -c 4096 /dev/urandom | dd of="$first" bs=4096 count=1 conv=notrunc status=none
echo "garbage" > "$CHROMA/chroma.sqlite3"
cp -a "$CHROMA" "$LIFEBOAT_HOME/chroma_damaged_copy"
check "scenario 2 (vector store corruption) runbook commands succeed" run_section "Scenario 2" s2
ASIDE=$(ls -d "$LIFEBOAT_HOME"/protected/chroma_db_corrupted_* | head -1)
check "the damaged folder was moved aside as chroma_db_corrupted_<date>" test -d "$ASIDE"
check "the moved-aside folder is byte-identical to the damaged one" diff -r "$LIFEBOAT_HOME/chroma_damaged_copy" "$ASIDE"
# chroma.sqlite3's -wal/-shm companions are SQLite's working files: a reader (the backup's read-only snapshot, like
# ChromaDB itself) may leave them behind, and they are folded into the snapshot, never stored
check "chroma_db holds the backed-up files again" diff -r --exclude='chroma.sqlite3*' "$LIFEBOAT_HOME/chroma_backup_copy" "$CHROMA"
# the database was stored as a consistent snapshot (SQLite's online backup API): the same database, not the same
# header bytes
check "chroma.sqlite3 holds the backed-up database again (same schema and rows, passes integrity_check)" \
  python3 -c "import sqlite3, sys
a, b = (sqlite3.connect(f) for f in sys.argv[1:])
sys.exit(0 if b.execute('PRAGMA integrity_check').fetchone()[0] == 'ok' and list(a.iterdump()) == list(b.iterdump()) else 1)" \
  "$LIFEBOAT_HOME/chroma_backup_copy/chroma.sqlite3" "$CHROMA/chroma.sqlite3"
INC=$(sed -n 's/^INC=//p' "$LIFEBOAT_HOME/s2.inc")
RTO=$(report_json "$INC" | field "['rto']['achieved']")
echo "scenario 2 (vector store corruption): RTO achieved $RTO" | tee -a "$RESULTS"

# --- Scenario 4: both at once, one incident --------------------------------------------------------------------
sleep 1.2
export IMPACT_START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
$PSQL -d postgres -c "DROP DATABASE chatbot_analytics WITH (FORCE)"
echo "garbage" > "$CHROMA/chroma.sqlite3"
check "scenario 4 (combined) runbook commands succeed" run_section "Scenario 4" s4
INC=$(sed -n 's/^INC=//p' "$LIFEBOAT_HOME/s4.inc")
R=$(report_json "$INC")
check "the combined report covers both sources" test "$(echo "$R" | python3 -c "import sys,json; print(sorted(l['source'] for l in json.load(sys.stdin)['dataLoss']))")" = "['analytics-db', 'vector-store']"
echo "scenario 4 (combined): RTO achieved $(echo "$R" | field "['rto']['achieved']")" | tee -a "$RESULTS"

# --- DR drills section -----------------------------------------------------------------------------------------
check "the DR drill commands succeed (the drill passes)" run_section "DR drills" drills

# --- Scenario 3: everything lost but the S3 data folder ---------------------------------------------------------
ROWS_BEFORE=$($PSQL -d chatbot_analytics -c 'SELECT count(*) FROM analytics')
sleep 1.2
export IMPACT_START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
./lifeboat down > /dev/null
find "$LIFEBOAT_HOME" -mindepth 1 -maxdepth 1 ! -name s3 ! -name key-escrow ! -name reports ! -name '*.log' ! -name '*.inc' \
  ! -name rto.txt ! -name 'chroma_*copy' -exec rm -rf {} +
check "the keys were lost with the machine" test ! -e "$LIFEBOAT_HOME/keys/backup-keyset.json"
start=$(date +%s%N)
check "scenario 3 (infrastructure loss) runbook commands succeed" run_section "Scenario 3" s3
ROWS_AFTER=$($PSQL -d chatbot_analytics -c 'SELECT count(*) FROM analytics')
check "the database came back from the bucket alone ($ROWS_AFTER rows, $ROWS_BEFORE before the loss)" test "$ROWS_AFTER" = "$ROWS_BEFORE"
check "up did not take a backup of the rebuilt empty system" grep -q "already has backups in the bucket" "$LIFEBOAT_HOME/s3.log"
NEW_TOKEN=$(./lifeboat token viewer)
check "the database came back from an encrypted backup (bucket + escrowed keys)" \
  bash -c "curl -s -H 'Authorization: Bearer $NEW_TOKEN' http://127.0.0.1:$LIFEBOAT_RESTORE_PORT/catalog/analytics-db/latest | grep -q '\"encryption\":{'"
echo "scenario 3 (complete infrastructure loss): fresh stack + both restores in $(( ($(date +%s%N) - start) / 1000000 )) ms" | tee -a "$RESULTS"

echo "runbook test: ${passed} passed, ${failed} failed"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
