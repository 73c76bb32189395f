#!/usr/bin/env python3
"""Writes src/main/resources/schemas/<type>.json from the record sources.

Run after changing a payload record; EventSchemaTest then proves the records and schemas agree.
Fields listed in NULLABLE may be null; every field must be present (Jackson writes nulls).
"""
import json, os, re, glob

NULLABLE = {"incidentId", "drillId", "detail", "trigger", "encryption", "toolVersions", "rowCounts", "detectedAt",
            "reasons", "rtoSeconds", "rpoSeconds", "restoreBytesPerSecond", "worked", "didNotWork", "budgetChanges",
            "author", "owner", "dueDate", "target", "backup", "retention", "schedule", "rpoTarget", "startedAt",
            "recoveryPointAt", "step", "sources", "summary", "fingerprint", "labels", "endsAt", "restorableUntil",
            "coveredUntil", "startLsn", "endLsn", "instance"}
INSTANT = {"type": "string", "format": "date-time", "pattern": "Z$"}
NESTED = {
    "Retention": {"type": "object", "additionalProperties": False,
                  "properties": {"keepLast": {"type": ["integer", "null"], "minimum": 0},
                                 "keepDaily": {"type": ["integer", "null"], "minimum": 0},
                                 "keepWeekly": {"type": ["integer", "null"], "minimum": 0},
                                 "maxAge": {"type": ["string", "null"], "pattern": "^P"}}},
    "Encryption": {"type": "object", "additionalProperties": False, "required": ["algorithm", "keyId"],
                   "properties": {"algorithm": {"type": "string"}, "keyId": {"type": "string"}}},
    "CheckResult": {"type": "object", "additionalProperties": False, "required": ["name", "passed"],
                    "properties": {"name": {"type": "string"}, "passed": {"type": "boolean"},
                                   "detail": {"type": ["string", "null"]}}},
}

def schema_of(java_type):
    t = java_type.strip()
    if t == "String": return {"type": "string"}
    if t == "Instant": return dict(INSTANT)
    if t == "Duration": return {"type": "string", "pattern": "^P"}
    if t == "LocalDate": return {"type": "string", "format": "date"}
    if t in ("long", "Long", "int", "Integer"): return {"type": "integer"}
    if t in ("double", "Double"): return {"type": "number"}
    if t == "boolean": return {"type": "boolean"}
    if t == "Map<String, String>": return {"type": "object", "additionalProperties": {"type": "string"}}
    if t == "Map<String, Long>": return {"type": "object", "additionalProperties": {"type": "integer"}}
    m = re.match(r"List<(\w+)>", t)
    if m: return {"type": "array", "items": schema_of(m.group(1))}
    if t in NESTED: return json.loads(json.dumps(NESTED[t]))
    raise SystemExit("no schema mapping for " + t)

def doc(text):
    """The record's Javadoc as one line (single- or multi-line comments)."""
    body = re.search(r"/\*\*\s*(.*?)\s*\*/", text, re.S).group(1)
    return " ".join(line.strip().lstrip("*").strip() for line in body.splitlines()).strip()

def nullable(s):
    s = dict(s)
    s["type"] = [s["type"], "null"] if isinstance(s["type"], str) else s["type"]
    return s

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "../src/main/java/io/lifeboat/events")
enum = open(os.path.join(src, "EventType.java")).read()
types = dict((cls, name) for name, cls in re.findall(r'\("([a-z.]+\.v\d+)", Topic\.\w+, (\w+)\.class\)', enum))
out = os.path.join(here, "../src/main/resources/schemas")
os.makedirs(out, exist_ok=True)
for path in glob.glob(os.path.join(src, "*/*.java")):
    cls = os.path.basename(path)[:-5]
    if cls not in types: continue
    text = open(path).read()
    comps = re.search(r"public record \w+\((.*?)\) implements", text, re.S).group(1)
    props, required = {}, []
    depth, cur, parts = 0, "", []
    for ch in comps:
        depth += ch == "<"; depth -= ch == ">"
        if ch == "," and depth == 0: parts.append(cur); cur = ""
        else: cur += ch
    parts.append(cur)
    for p in parts:
        jt, name = p.strip().rsplit(" ", 1)
        s = schema_of(jt)
        props[name] = nullable(s) if name in NULLABLE and jt not in ("long", "double", "boolean") else s
        required.append(name)
    type_name = types[cls]
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:lifeboat:" + type_name,
              "title": type_name, "description": doc(text),
              "type": "object", "additionalProperties": False, "required": required, "properties": props}
    with open(os.path.join(out, type_name + ".json"), "w") as f:
        json.dump(schema, f, indent=2); f.write("\n")
envelope = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:lifeboat:cloudevent",
            "title": "Lifeboat CloudEvent (structured mode)", "type": "object",
            "required": ["specversion", "id", "source", "type", "subject", "time", "data"],
            "properties": {"specversion": {"const": "1.0"}, "id": {"type": "string", "format": "uuid"},
                           "source": {"type": "string", "minLength": 1},
                           "type": {"type": "string", "pattern": "^lifeboat\\.[a-z.]+\\.v[0-9]+$"},
                           "subject": {"type": "string", "minLength": 1}, "time": INSTANT,
                           "datacontenttype": {"const": "application/json"},
                           "actor": {"type": "string"}, "data": {"type": "object"}}}
with open(os.path.join(out, "cloudevent.json"), "w") as f:
    json.dump(envelope, f, indent=2); f.write("\n")
print(len(types), "types")
