#!/usr/bin/env bash
# Validates the production deployment offline: the compose file with docker-compose config, the Kustomize
# manifests with kubectl kustomize (and that every Deployment probes /q/health). Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
passed=0; failed=0
check() { local name="$1"; shift; if "$@"; then passed=$((passed+1)); echo "  ok   $name"; else failed=$((failed+1)); echo "  FAIL $name"; fi; }
check "docker-compose config accepts deploy/compose/docker-compose.yml" env LIFEBOAT_S3_ACCESS_KEY=x LIFEBOAT_S3_SECRET_KEY=x \
  LIFEBOAT_PG_PASSWORD=x LIFEBOAT_SERVICES_TOKEN=x GRAFANA_ADMIN_PASSWORD=x docker-compose -f compose/docker-compose.yml config -q
rendered=$(kubectl kustomize k8s 2>&1); rc=$?
check "kubectl kustomize renders deploy/k8s" test $rc -eq 0
check "4 Deployments, each with liveness and readiness probes on /q/health" bash -c \
  "[ \$(echo '$rendered' | grep -c 'kind: Deployment') -eq 4 ] && [ \$(echo '$rendered' | grep -c 'path: /q/health/live') -eq 4 ] && [ \$(echo '$rendered' | grep -c 'path: /q/health/ready') -eq 4 ]"
check "no secret values in the manifests" bash -c "! echo '$rendered' | grep -q '^kind: Secret'"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
env LIFEBOAT_S3_ACCESS_KEY=x LIFEBOAT_S3_SECRET_KEY=x LIFEBOAT_PG_PASSWORD=x LIFEBOAT_SERVICES_TOKEN=x GRAFANA_ADMIN_PASSWORD=x \
  docker-compose -f compose/docker-compose.yml config > "$tmp/compose.yml" 2>/dev/null
echo "$rendered" > "$tmp/k8s.yml"
# /usr/bin/python3: Debian's, with python3-yaml (docker-compose depends on it)
check "cross-references between the deployment's parts (ports, webhook, volumes, client versions)" \
  /usr/bin/python3 check-references.py "$tmp/compose.yml" "$tmp/k8s.yml"
echo "deploy validation: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
