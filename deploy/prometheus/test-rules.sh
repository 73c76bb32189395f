#!/usr/bin/env bash
# Checks and unit-tests the alert rules with promtool (Debian's prometheus package). Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
passed=0; failed=0
if promtool check rules lifeboat-rules.yml; then passed=$((passed+1)); else failed=$((failed+1)); fi
if promtool test rules lifeboat-rules.test.yml; then passed=$((passed+1)); else failed=$((failed+1)); fi
echo "prometheus rules: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
