#!/usr/bin/python3
"""Cross-checks the rendered production deployment (compose config and kustomize output, YAML on stdin files):
the ports Prometheus scrapes are the ports the services serve, Alertmanager posts to incident-service's port,
every folder the declared configuration names is on a mounted volume, and each image's PostgreSQL client is at
least as new as the PostgreSQL server (pg_dump refuses a newer server). Prints one line per check; exit 1 on a
failure. Usage: check-references.py COMPOSE_RENDERED K8S_RENDERED"""
import re, sys, pathlib, yaml

here = pathlib.Path(__file__).parent
compose = yaml.safe_load(open(sys.argv[1]))
k8s = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d]
prometheus = yaml.safe_load(open(here / "prometheus/prometheus.yml"))
alertmanager = yaml.safe_load(open(here / "prometheus/alertmanager.yml"))
SERVICES = ["backup-service", "restore-service", "drill-service", "incident-service"]
failures = []

def check(name, ok, detail=""):
    print(("  ok   " if ok else "  FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures.append(name)

def env_of(container):
    return {e["name"]: str(e.get("value", "")) for e in container.get("env", [])}

# the port each service listens on
compose_ports = {s: str(compose["services"][s]["environment"].get("QUARKUS_HTTP_PORT", "8080")) for s in SERVICES}
k8s_ports = {}
for d in k8s:
    if d["kind"] == "Deployment":
        c = d["spec"]["template"]["spec"]["containers"][0]
        k8s_ports[d["metadata"]["name"]] = str(c["ports"][0]["containerPort"])
service_ports = {d["metadata"]["name"]: str(d["spec"]["ports"][0]["port"]) for d in k8s if d["kind"] == "Service"}

targets = [t for job in prometheus["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]]
for t in targets:
    host, port = t.split(":")
    check(f"prometheus scrapes {t} where compose serves {host}", compose_ports.get(host) == port,
          f"compose serves {host} on {compose_ports.get(host)}")
    check(f"prometheus scrapes {t} where Kubernetes serves {host}", service_ports.get(host) == port,
          f"the {host} Service listens on {service_ports.get(host)}")
check("prometheus scrapes all four services", sorted(t.split(":")[0] for t in targets) == sorted(SERVICES), str(targets))

for receiver in alertmanager["receivers"]:
    for hook in receiver.get("webhook_configs", []):
        m = re.match(r"https?://([^:/]+):(\d+)(/.*)", hook["url"])
        check(f"alertmanager posts to {hook['url']}", m and m.group(1) == "incident-service"
              and compose_ports["incident-service"] == m.group(2) and service_ports["incident-service"] == m.group(2)
              and m.group(3) == "/alerts/alertmanager", "incident-service serves " + compose_ports["incident-service"])

def covered(path, mounts):
    return any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts)

for s in SERVICES:
    svc = compose["services"][s]
    mounts = [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in svc.get("volumes", [])]
    for name, value in svc.get("environment", {}).items():
        if name.endswith("_PATH") and str(value).startswith("/"):
            check(f"compose mounts {value} ({s} {name})", covered(str(value), mounts), f"mounts: {mounts}")
for d in k8s:
    if d["kind"] != "Deployment":
        continue
    c = d["spec"]["template"]["spec"]["containers"][0]
    mounts = [m["mountPath"] for m in c.get("volumeMounts", [])]
    for name, value in env_of(c).items():
        if name.endswith("_PATH") and value.startswith("/"):
            check(f"Kubernetes mounts {value} ({d['metadata']['name']} {name})", covered(value, mounts), f"mounts: {mounts}")
# the drill workspace and the directory sources live on the same volume in every service that touches them
for s in ["backup-service", "restore-service", "drill-service"]:
    mounts = [v.split(":")[1] if isinstance(v, str) else v["target"] for v in compose["services"][s].get("volumes", [])]
    check(f"compose mounts the protected data (/data) into {s}", covered("/data", mounts), f"mounts: {mounts}")

server = int(re.match(r"postgres:(\d+)", compose["services"]["postgres"]["image"]).group(1))
for s in ["backup-service", "restore-service"]:
    dockerfile = (here.parent / s / "src/main/docker/Dockerfile.jvm").read_text()
    m = re.search(r"postgresql:(\d+)", dockerfile)
    client = int(m.group(1)) if m else 0
    check(f"{s}'s PostgreSQL client ({client or 'distribution default'}) >= server ({server})", client >= server,
          "enable a newer postgresql module stream in the Dockerfile")
# a point-in-time restore recovers the protected cluster's base backup with a server of the same major version
dockerfile = (here.parent / "restore-service/src/main/docker/Dockerfile.jvm").read_text()
m = re.search(r"postgresql:(\d+)", dockerfile)
check(f"restore-service's recovery server ({m.group(1) if m else '?'}) is the protected server's major version ({server})",
      m is not None and int(m.group(1)) == server and "postgresql-server" in dockerfile,
      "install postgresql-server of the protected cluster's major version in restore-service's image")

sys.exit(1 if failures else 0)
