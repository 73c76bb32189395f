#!/usr/bin/env bash
# Counts how many byte copies of a live WAL-mode SQLite database fail PRAGMA integrity_check or lose rows
# (COPIES copies per write rate and wal_autocheckpoint setting). The evidence for copying SQLite files with the online backup API.
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES="${COPIES:-200}"
VERSION=$(sed -n 's:.*<sqlite-jdbc.version>\(.*\)</sqlite-jdbc.version>.*:\1:p' pom.xml)
JAR="$HOME/.m2/repository/org/xerial/sqlite-jdbc/$VERSION/sqlite-jdbc-$VERSION.jar"
[ -f "$JAR" ] || ./mvnw -q -B dependency:get -Dartifact="org.xerial:sqlite-jdbc:$VERSION"
for rate in 1 10; do          # rows committed between 1 ms pauses
  for checkpoint in 50 1000; do  # wal_autocheckpoint (1000 is SQLite's default)
    java -cp "$JAR" bench/tools/SqliteByteCopyRace.java "$COPIES" "$checkpoint" "$rate"
  done
done
