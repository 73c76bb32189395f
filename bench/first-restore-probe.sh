#!/usr/bin/env bash
# The first restores after restore-service starts (bench/RESULTS.md, 2026-12-02 11:29): backs up a copy of the
# bench's ~1.1 GiB ChromaDB-like store chunked once, then STARTS times restarts restore-service alone, waits 10 s
# and restores that snapshot into a new folder three times, printing each restore's time (request -> Completed) and
# restore-service's CPU-seconds. SERVICE_JAVA_HOME runs restore-service on another JDK (the stack starts it with
# the Java that runs `./lifeboat up`).
#   bash bench/first-restore-probe.sh                                              # on the default Java
#   SERVICE_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bash bench/first-restore-probe.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_up
bench_data
SRC=probe-src; SRC_DIR="$WORK/probe-src"; RESTORED="$WORK/probe-restored"; mkdir -p "$RESTORED"
if [ ! -d "$SRC_DIR/chroma_db" ]; then
  mkdir -p "$SRC_DIR"; cp -a "$CHROMA" "$SRC_DIR/chroma_db"
  curl_json -X PUT "$BACKUP/sources/$SRC" -d "{\"kind\":\"directory\",\"path\":\"$SRC_DIR/chroma_db\",\"storage\":\"chunks\",\"schedule\":\"0 0 1 1 *\",\"retention\":{\"keepLast\":20}}" >/dev/null
  id=$(curl_json -X POST "$BACKUP/backups" -d "{\"source\":\"$SRC\"}" | json_id); await_final "$BACKUP/backups/$id" > /dev/null
  curl_json -X PUT "$RESTORE/targets/probe-dir" -d "{\"kind\":\"directory\",\"path\":\"$RESTORED/chroma_db\"}" >/dev/null
fi
service_pid() { pgrep -f "restore-service/target/quarkus-app/quarkus-run.jar"; }
for start in $(seq 1 "${STARTS:-3}"); do
  pid=$(service_pid || true); [ -z "$pid" ] || { kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; }
  PATH="${SERVICE_JAVA_HOME:+$SERVICE_JAVA_HOME/bin:}$PATH" "$REPO/lifeboat" up > "$WORK/up.log" 2>&1 # starts only what is down
  pid=$(service_pid)
  sync; sleep 10
  line="start $start ($(readlink "/proc/$pid/exe")):"
  for k in 1 2 3; do
    c0=$(awk '{print $14+$15}' "/proc/$pid/stat"); s=$(now)
    rid=$(curl_json -X POST "$RESTORE/restores" -d "{\"source\":\"$SRC\",\"target\":\"probe-dir\",\"mode\":\"new\",\"restoreAs\":\"p_$k\"}" | json_id)
    body=$(await_final "$RESTORE/restores/$rid"); e=$(now); c1=$(awk '{print $14+$15}' "/proc/$pid/stat")
    [ "$(echo "$body" | jget "['phase']")" = Completed ] || { echo "$body" >&2; exit 1; }
    line="$line $(secs "$s" "$e") s ($(python3 -c "print(($c1 - $c0) / 100)") CPU-s)"
    rm -rf "$RESTORED/p_$k"; sync; sleep 3
  done
  echo "$line"
done
