#!/usr/bin/python3
"""Holds knutpunkt's published contracts (schemas/) to the code.

1. case-event.v1.schema.json is a valid 2020-12 schema, every event the real to_json emits
   validates, and events that break the rules (float amounts, a missing event_id, ...) are rejected.
2. openapi.yaml is OpenAPI 3.1, every $ref resolves, every example validates against its schema,
   and its CaseEvent is the case-event schema file itself (not a copy that can drift).
3. config.schema.json agrees with the gateway's own parser (parse_config) on a set of configs,
   and accepts config/demo.json when that file exists.

Any failure exits 1. A missing jsonschema or yaml module is a failure, not a skip: a contract
that cannot be checked must not look checked.
"""
import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import jsonschema
    import yaml
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError as e:  # pragma: no cover - the point is to fail loudly
    print(f"FAIL: {e}. Install Debian packages python3-jsonschema and python3-yaml.", file=sys.stderr)
    sys.exit(1)

BASE = "https://knutpunkt.example/schemas/"
OPENAPI_URI = BASE + "openapi.yaml"
CASE_EVENT_FILE = "case-event.v1.schema.json"
CONFIG_FILE = "config.schema.json"

failures = []
passes = 0


def check(condition, what):
    global passes
    if condition:
        passes += 1
    else:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def no_float(text):
    raise ValueError(f"non-integer number {text!r}: amounts are integer öre and facts hold no floats")


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def strip_json_comments(text):
    """The gateway reads its config with comments allowed (nlohmann ignore_comments); JSON tools do not."""
    out, i, n, in_string = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def make_resolver(openapi_doc, case_event):
    """Resolves openapi.yaml's refs, including the relative one to the case-event schema file."""
    store = {OPENAPI_URI: openapi_doc, case_event["$id"]: case_event, BASE + CASE_EVENT_FILE: case_event}
    return jsonschema.RefResolver(base_uri=OPENAPI_URI, referrer=openapi_doc, store=store)


def openapi_validator(pointer, resolver):
    return Draft202012Validator({"$ref": OPENAPI_URI + "#" + pointer}, resolver=resolver,
                                format_checker=FormatChecker())


def is_valid(validator, instance):
    return not list(validator.iter_errors(instance))


def first_error(validator, instance):
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return f"{list(errors[0].absolute_path)}: {errors[0].message}" if errors else "valid"


# ---------------------------------------------------------------------------------------------
# 1. Case events
# ---------------------------------------------------------------------------------------------
def check_case_events(case_event, emitter):
    Draft202012Validator.check_schema(case_event)
    check(case_event.get("$schema") == "https://json-schema.org/draft/2020-12/schema",
          "case-event schema declares draft 2020-12")
    required = set(case_event["required"])
    check(required == set(case_event["properties"]), "case-event: every property is required (to_json writes all)")
    check(case_event.get("additionalProperties") is False, "case-event: additionalProperties false at top level")

    validator = Draft202012Validator(case_event, format_checker=FormatChecker())
    for example in case_event.get("examples", []):
        check(is_valid(validator, example), f"case-event schema's own example validates: {first_error(validator, example)}")

    run = subprocess.run([emitter], capture_output=True, text=True, check=False)
    check(run.returncode == 0, f"emit_sample_events exits 0 (stderr: {run.stderr.strip()})")
    try:
        events = json.loads(run.stdout, parse_float=no_float)
    except ValueError as e:
        check(False, f"emitted events parse as JSON without floats: {e}")
        return None
    check(isinstance(events, list) and len(events) >= 3, "emitter prints an array of at least 3 events")

    # The samples must cover what this test claims to check, or a weaker emitter would pass silently.
    def walk(value, key=None):
        yield key, value
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v, key)

    all_facts = [kv for e in events for kv in walk(e.get("facts"))]
    check(any(isinstance(v, list) and any(isinstance(x, (list, dict)) for x in v) for _, v in all_facts),
          "samples include facts with nested arrays")
    check(any(isinstance(k, str) and k.endswith("_ore") for k, v in all_facts if isinstance(v, int)),
          "samples include öre amounts")
    check(any(e.get("protected_identity") is True for e in events), "samples include a protected identity")
    check(any(e.get("subject", {}).get("id_kind") == "samordningsnummer" for e in events),
          "samples include a samordningsnummer")

    for i, event in enumerate(events):
        check(set(event) == required, f"event {i}: to_json writes exactly the schema's properties "
                                      f"(extra {sorted(set(event) - required)}, missing {sorted(required - set(event))})")
        check(is_valid(validator, event), f"event {i} ({event.get('type')}) validates: {first_error(validator, event)}")

    # Each broken event must be rejected; otherwise the schema does not say what it claims.
    base = next(e for e in events if isinstance(e.get("facts", {}).get("payments"), list))

    def broken(description, mutate):
        event = copy.deepcopy(base)
        mutate(event)
        check(not is_valid(validator, event), f"rejected: {description}")

    broken("a float amount in facts", lambda e: e["facts"].update(recovered_ore=-250.5))
    broken("a float amount nested in an array of objects", lambda e: e["facts"]["payments"][0].update(amount_ore=1847.5))
    broken("a float anywhere in facts, even under a non-amount key", lambda e: e["facts"].update(ratio=0.5))
    broken("a float deep in nested arrays", lambda e: e["facts"].update(matrix=[[1, [2, 3.25]]]))
    broken("an öre amount given as a string", lambda e: e["facts"].update(recovered_ore="250"))
    broken("an öre amount given as null", lambda e: e["facts"]["payments"][1].update(amount_ore=None))
    broken("a missing event_id", lambda e: e.pop("event_id"))
    broken("an event_id that is not a UUID", lambda e: e.update(event_id="e1"))
    broken("a missing facts object", lambda e: e.pop("facts"))
    broken("facts that are an array", lambda e: e.update(facts=[1, 2]))
    broken("schema_version 2", lambda e: e.update(schema_version=2))
    broken("an unknown top-level field", lambda e: e.update(tenant="malmo"))
    broken("an upper-case type", lambda e: e.update(type="Partner.Lookup.Completed"))
    broken("a type without a dot", lambda e: e.update(type="lookup"))
    broken("a 10-digit person id", lambda e: e["subject"].update(person_id="1212121212"))
    broken("an unknown id kind", lambda e: e["subject"].update(id_kind="reservnummer"))
    broken("an extra subject field", lambda e: e["subject"].update(name="Tolvan"))
    broken("received_at not in UTC", lambda e: e.update(received_at="2026-11-24T14:05:09.007+01:00"))
    broken("occurred_at that is not a date", lambda e: e.update(occurred_at="25/10/2026"))
    broken("protected_identity as a string", lambda e: e.update(protected_identity="false"))
    broken("an empty case_id", lambda e: e.update(case_id=""))
    broken("an empty causation_id", lambda e: e.update(causation_id=""))
    broken("a source_partner with an upper-case adapter name", lambda e: e.update(source_partner="SSBTEK/FK"))

    ok = copy.deepcopy(base)
    ok["occurred_at"] = "2026-10-25T09:00:00+02:00"
    check(is_valid(validator, ok), "accepted: occurred_at as a date-time with an offset")
    return events


# ---------------------------------------------------------------------------------------------
# 2. OpenAPI
# ---------------------------------------------------------------------------------------------
JSON_TYPES = (dict, list, str, int, float, bool, type(None))


def walk_refs(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield path, v
            yield from walk_refs(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk_refs(v, f"{path}/{i}")


def non_json_values(node, path=""):
    if not isinstance(node, JSON_TYPES):
        yield path, type(node).__name__
    if isinstance(node, dict):
        for k, v in node.items():
            if not isinstance(k, str):
                yield f"{path}/{k}", "non-string key"
            yield from non_json_values(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from non_json_values(v, f"{path}/{i}")


def escape(token):
    return token.replace("~", "~0").replace("/", "~1")


def check_openapi(openapi_doc, case_event, schemas_dir):
    bad = list(non_json_values(openapi_doc))
    check(not bad, f"openapi.yaml holds only JSON values (quote dates): {bad[:5]}")
    check(str(openapi_doc.get("openapi", "")).startswith("3.1."), "openapi.yaml is OpenAPI 3.1")
    for key in ("info", "paths", "components"):
        check(key in openapi_doc, f"openapi.yaml has {key}")
    info = openapi_doc.get("info", {})
    check(all(isinstance(info.get(k), str) for k in ("title", "version")), "info has title and version (OAS 3.1)")
    if "license" in info:
        check(("identifier" in info["license"]) != ("url" in info["license"]),
              "info.license has exactly one of identifier and url (OAS 3.1)")

    resolver = make_resolver(openapi_doc, case_event)
    for where, ref in walk_refs(openapi_doc):
        try:
            resolver.resolve(ref)  # relative to openapi.yaml, as a tool reading the file would
            resolved = True
        except jsonschema.RefResolutionError as e:
            resolved = False
            print(f"  {e}", file=sys.stderr)
        check(resolved, f"$ref {ref} at {where} resolves")
        if not ref.startswith("#"):
            check(os.path.exists(os.path.join(schemas_dir, ref.split("#")[0])), f"$ref {ref} names a file in schemas/")

    components = openapi_doc["components"]["schemas"]
    for name, schema in components.items():
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            check(False, f"components.schemas.{name} is a valid schema: {e.message}")

    # CaseEvent must BE the published file, so the two contracts cannot drift apart.
    check(components.get("CaseEvent", {}).get("$ref") == CASE_EVENT_FILE,
          f"openapi CaseEvent $refs {CASE_EVENT_FILE}")
    answered = components.get("SourceAnswered", {})
    check(answered.get("properties", {}).get("events", {}).get("items", {}).get("$ref") == "#/components/schemas/CaseEvent",
          "a source's events are CaseEvents")

    op_ids = set()
    for path, item in openapi_doc["paths"].items():
        template_params = set(re.findall(r"{([^}]+)}", path))
        for method, op in item.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            check(op.get("operationId") not in op_ids, f"{where}: unique operationId")
            op_ids.add(op.get("operationId"))
            check(bool(op.get("responses")), f"{where}: has responses")
            check("504" not in op.get("responses", {}), f"{where}: 504 is not used (slow sources are per-source timeouts)")
            path_params = [p for p in item.get("parameters", []) + op.get("parameters", []) if p.get("in") == "path"]
            check({p["name"] for p in path_params} == template_params,
                  f"{where}: path parameters {sorted(template_params)} are declared")
            check(all(p.get("required") is True for p in path_params), f"{where}: path parameters are required (OAS 3.1)")
            for status, response in op.get("responses", {}).items():
                check(isinstance(response.get("description"), str), f"{where} {status}: has a description (OAS 3.1)")
            for status, response in op.get("responses", {}).items():
                if path.startswith("/v1/") and int(status) >= 400:
                    content = response.get("content", {})
                    check(list(content) == ["application/problem+json"] and
                          content["application/problem+json"]["schema"].get("$ref") == "#/components/schemas/Problem",
                          f"{where} {status}: application/problem+json with the Problem schema")

    lookups = openapi_doc["paths"].get("/v1/lookups/{adapter}", {}).get("post", {})
    check("401" in lookups.get("responses", {}) and
          "WWW-Authenticate" in lookups["responses"]["401"].get("headers", {}),
          "401 sends WWW-Authenticate: Bearer")
    for status in ("400", "401", "403", "404", "405", "413", "415", "503"):
        check(status in lookups.get("responses", {}), f"POST /v1/lookups/{{adapter}} documents {status}")
    for status in ("400", "401", "403", "413"):
        description = lookups.get("responses", {}).get(status, {}).get("description", "")
        check("audited" in description.lower(), f"the {status} response says the refusal is audited")

    # Every example must validate against the schema it illustrates.
    examples_checked = 0

    def check_media(pointer, media, where):
        nonlocal examples_checked
        if "schema" not in media:
            return
        validator = openapi_validator(pointer + "/schema", resolver)
        samples = []
        if "example" in media:
            samples.append(("example", media["example"]))
        for name, ex in media.get("examples", {}).items():
            samples.append((f"examples/{name}", ex.get("value")))
        for name, sample in samples:
            examples_checked += 1
            check(is_valid(validator, sample), f"{where} {name} validates: {first_error(validator, sample)}")
            if isinstance(sample, dict) and "code" in sample and "type" in sample:
                check(sample["type"] == f"https://knutpunkt.example/problems/{sample['code']}",
                      f"{where} {name}: problem type ends in its code")
            if isinstance(sample, dict) and "status" in sample and isinstance(sample["status"], int) and "code" in sample:
                check(str(sample["status"]) == where.split()[-1], f"{where} {name}: problem status matches the response")

    for path, item in openapi_doc["paths"].items():
        p_path = "/paths/" + escape(path)
        for i, param in enumerate(item.get("parameters", [])):
            if "example" in param:
                v = openapi_validator(f"{p_path}/parameters/{i}/schema", resolver)
                check(is_valid(v, param["example"]), f"{path} parameter {param['name']} example validates")
        for method, op in item.items():
            if method == "parameters":
                continue
            p_op = f"{p_path}/{method}"
            for mt, media in op.get("requestBody", {}).get("content", {}).items():
                check_media(f"{p_op}/requestBody/content/{escape(mt)}", media, f"{method.upper()} {path} request")
            for status, response in op.get("responses", {}).items():
                for mt, media in response.get("content", {}).items():
                    check_media(f"{p_op}/responses/{status}/content/{escape(mt)}", media,
                                f"{method.upper()} {path} {status}")
    check(examples_checked >= 10, f"openapi.yaml has examples to check (found {examples_checked})")

    # The request and response schemas must refuse what the gateway refuses.
    request_example = lookups["requestBody"]["content"]["application/json"]["examples"]["ekonomiskt_bistand"]["value"]
    request = openapi_validator("/components/schemas/LookupRequest", resolver)

    def refused(description, mutate):
        sample = copy.deepcopy(request_example)
        mutate(sample)
        check(not is_valid(request, sample), f"LookupRequest rejects {description}")

    for field in ("person", "case_id", "purpose", "legal_basis", "period", "sources", "caseworker"):
        refused(f"a missing {field}", lambda s, f=field: s.pop(f))
    refused("a missing caseworker.id", lambda s: s["caseworker"].pop("id"))
    refused("empty sources", lambda s: s.update(sources=[]))
    refused("duplicate sources", lambda s: s.update(sources=["AF", "AF"]))
    refused("a lower-case source code", lambda s: s.update(sources=["af"]))
    refused("an 11-digit person", lambda s: s.update(person="19121212121"))
    refused("a person with letters", lambda s: s.update(person="19121212-12AB"))
    refused("a period date that is not ISO", lambda s: s["period"].update({"from": "2026-9-1"}))
    refused("an empty case_id", lambda s: s.update(case_id=""))
    for person in ("191212121212", "19121212-1212", "1212121212", "121212-1212", "121212+1212"):
        sample = copy.deepcopy(request_example)
        sample["person"] = person
        check(is_valid(request, sample), f"LookupRequest accepts person {person}")

    response_example = lookups["responses"]["200"]["content"]["application/json"]["examples"]["partial"]["value"]
    response = openapi_validator("/components/schemas/LookupResponse", resolver)
    sample = copy.deepcopy(response_example)
    next(s for s in sample["sources"].values() if s["status"] == "ok")["events"][0]["facts"]["amount_ore"] = 1.5
    check(not is_valid(response, sample), "LookupResponse rejects a float amount inside an event (the $ref reaches the case-event schema)")
    sample = copy.deepcopy(response_example)
    next(s for s in sample["sources"].values() if s["status"] == "ok")["events"][0].pop("event_id")
    check(not is_valid(response, sample), "LookupResponse rejects an event without event_id")
    sample = copy.deepcopy(response_example)
    sample["sources"]["FK"]["status"] = "slow"
    check(not is_valid(response, sample), "LookupResponse rejects an unknown source status")
    sample = copy.deepcopy(response_example)
    sample["audit"]["hash"] = "ABC"
    check(not is_valid(response, sample), "LookupResponse rejects an audit hash that is not 64 hex digits")
    return resolver


def check_emitted_events_in_response(resolver, events):
    """A lookup answer built around the real emitted events validates as a LookupResponse."""
    if not events:
        return
    response = openapi_validator("/components/schemas/LookupResponse", resolver)
    answer = {
        "lookup_id": "0b7e3f0c-5d2a-4f4b-9c1e-2a6d8e9f0a12",
        "status": "complete",
        "case_id": "EB-2026-000123",
        "period": {"from": "2026-09-01", "to": "2026-10-31"},
        "person": {"id": "191212121212", "kind": "personnummer", "protected_identity": False},
        "sources": {"FK": {"status": "ok", "latency_ms": 3, "events": events}},
        "audit": {"seq": 1, "hash": "0" * 64},
    }
    check(is_valid(response, answer), f"a LookupResponse carrying the emitted events validates: {first_error(response, answer)}")


# ---------------------------------------------------------------------------------------------
# 3. Config
# ---------------------------------------------------------------------------------------------
def base_config():
    return {
        "server": {},
        "store": {"kind": "sqlite", "path": "audit.db"},
        "purposes": {"ekonomiskt_bistand": {"description": "Handläggning av ekonomiskt bistånd enligt 4 kap. SoL"}},
        "clients": [{"id": "case-system", "token_sha256": "a" * 64, "purposes": ["ekonomiskt_bistand"]}],
        "adapters": [{"name": "ssbtek", "kind": "schema_test", "config": {}}],
    }


def config_cases():
    """(description, mutate, expected verdict) — expected is 'both' (schema and parser agree on
    accept/reject as given) or 'parser-only' (a rule JSON Schema cannot state: schema accepts, parser rejects)."""
    def set_(path, value):
        def mutate(c):
            node = c
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        return mutate

    def drop(path):
        def mutate(c):
            node = c
            for key in path[:-1]:
                node = node[key]
            node.pop(path[-1])
        return mutate

    accept, reject, gap = "accept", "reject", "parser-only"
    return [
        ("the minimal config", lambda c: None, accept),
        ("a full config", lambda c: c.update({
            "$schema": "../schemas/config.schema.json", "comment": "demo",
            "server": {"host": "0.0.0.0", "port": 0, "threads": 64, "max_body_bytes": 16777216, "request_timeout_ms": 600000},
            "log": {"level": "debug", "file": ""}, "lookup": {"deadline_ms": 120000}}), accept),
        ("lower bounds", set_(["server"], {"port": 0, "threads": 1, "max_body_bytes": 1024, "request_timeout_ms": 100}), accept),
        ("lookup deadline lower bound", set_(["lookup"], {"deadline_ms": 100}), accept),
        ("a client comment", set_(["clients", 0, "comment"], "kept in the config for people"), accept),
        ("a client with no purposes", set_(["clients", 0, "purposes"], []), accept),
        ("no clients and no adapters", lambda c: c.update(clients=[], adapters=[]), accept),
        ("an adapter config that is not an object", set_(["adapters", 0, "config"], None), accept),
        ("a 32-character adapter name", set_(["adapters", 0, "name"], "a" + "b" * 31), accept),
        ("a log file path", set_(["log"], {"file": "knutpunkt.log"}), accept),
        ("a missing server", drop(["server"]), reject),
        ("a missing store", drop(["store"]), reject),
        ("missing purposes", drop(["purposes"]), reject),
        ("missing clients", drop(["clients"]), reject),
        ("missing adapters", drop(["adapters"]), reject),
        ("an unknown top-level field", set_(["listen"], 8080), reject),
        ("the config being an array", lambda c: [], reject),
        ("a server that is not an object", set_(["server"], []), reject),
        ("an unknown server field", set_(["server", "tls"], True), reject),
        ("an empty host", set_(["server", "host"], ""), reject),
        ("port 65536", set_(["server", "port"], 65536), reject),
        ("port -1", set_(["server", "port"], -1), reject),
        ("port as a string", set_(["server", "port"], "8080"), reject),
        ("port as a boolean", set_(["server", "port"], True), reject),
        ("0 threads", set_(["server", "threads"], 0), reject),
        ("65 threads", set_(["server", "threads"], 65), reject),
        ("max_body_bytes 1023", set_(["server", "max_body_bytes"], 1023), reject),
        ("max_body_bytes over 16 MiB", set_(["server", "max_body_bytes"], 16777217), reject),
        ("request_timeout_ms 99", set_(["server", "request_timeout_ms"], 99), reject),
        ("store kind postgres", set_(["store", "kind"], "postgres"), reject),
        ("a store without kind", drop(["store", "kind"]), reject),
        ("a store without path", drop(["store", "path"]), reject),
        ("an empty store path", set_(["store", "path"], ""), reject),
        ("log level trace", set_(["log"], {"level": "trace"}), reject),
        ("an unknown log field", set_(["log"], {"format": "json"}), reject),
        ("lookup deadline 99", set_(["lookup"], {"deadline_ms": 99}), reject),
        ("lookup deadline 120001", set_(["lookup"], {"deadline_ms": 120001}), reject),
        ("an unknown lookup field", set_(["lookup"], {"retries": 2}), reject),
        ("empty purposes", set_(["purposes"], {}), reject),
        ("a purpose without description", set_(["purposes", "ekonomiskt_bistand"], {}), reject),
        ("a purpose with an empty description", set_(["purposes", "ekonomiskt_bistand"], {"description": ""}), reject),
        ("a purpose that is a string", set_(["purposes", "ekonomiskt_bistand"], "x"), reject),
        ("clients that are an object", set_(["clients"], {}), reject),
        ("a client without id", drop(["clients", 0, "id"]), reject),
        ("a client with an empty id", set_(["clients", 0, "id"], ""), reject),
        ("a token hash in upper case", set_(["clients", 0, "token_sha256"], "A" * 64), reject),
        ("a token hash of 63 digits", set_(["clients", 0, "token_sha256"], "a" * 63), reject),
        ("a client without purposes", drop(["clients", 0, "purposes"]), reject),
        ("client purposes as a string", set_(["clients", 0, "purposes"], "ekonomiskt_bistand"), reject),
        ("a client purpose that is a number", set_(["clients", 0, "purposes"], [1]), reject),
        ("an unknown client field", set_(["clients", 0, "token"], "secret"), reject),
        ("adapters that are an object", set_(["adapters"], {}), reject),
        ("an upper-case adapter name", set_(["adapters", 0, "name"], "SSBTEK"), reject),
        ("a 33-character adapter name", set_(["adapters", 0, "name"], "a" + "b" * 32), reject),
        ("an adapter without config", drop(["adapters", 0, "config"]), reject),
        ("an adapter without kind", drop(["adapters", 0, "kind"]), reject),
        ("an unknown adapter field", set_(["adapters", 0, "enabled"], True), reject),
        # What JSON Schema cannot say; the schema's descriptions state these rules instead.
        ("duplicate client ids", lambda c: c["clients"].append(copy.deepcopy(c["clients"][0])), gap),
        ("a client purpose not listed under /purposes", set_(["clients", 0, "purposes"], ["forskning"]), gap),
        ("duplicate adapter names", lambda c: c["adapters"].append(copy.deepcopy(c["adapters"][0])), gap),
        ("an adapter kind not built in", set_(["adapters", 0, "kind"], "no_such_kind"), gap),
        ("port written 8080.0 (JSON Schema counts it an integer)", set_(["server", "port"], 8080.0), gap),
    ]


def run_parser(config_verdicts, docs):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(docs, f, ensure_ascii=False)
        name = f.name
    try:
        run = subprocess.run([config_verdicts, name], capture_output=True, text=True, check=False)
    finally:
        os.unlink(name)
    check(run.returncode == 0, f"config_verdicts exits 0 (stderr: {run.stderr.strip()})")
    verdicts = json.loads(run.stdout) if run.returncode == 0 else []
    check(len(verdicts) == len(docs), "config_verdicts answers every config")
    return verdicts


def check_config(config_schema, config_verdicts, demo_path):
    Draft202012Validator.check_schema(config_schema)
    validator = Draft202012Validator(config_schema, format_checker=FormatChecker())

    cases = []
    for description, mutate, expected in config_cases():
        doc = base_config()
        replaced = mutate(doc)  # a mutation may return a whole new document
        if replaced is not None:
            doc = replaced
        cases.append((description, doc, expected))
    verdicts = run_parser(config_verdicts, [doc for _, doc, _ in cases])
    for (description, doc, expected), verdict in zip(cases, verdicts):
        schema_ok = is_valid(validator, doc)
        parser_ok = verdict.get("ok") is True
        said = f"(schema: {first_error(validator, doc)}; parser: {verdict.get('field', '')} {verdict.get('message', 'ok')})"
        if expected == "parser-only":
            check(schema_ok and not parser_ok, f"config {description}: schema accepts, parser refuses {said}")
        else:
            want = expected == "accept"
            check(schema_ok == want, f"config schema {expected}s {description} {said}")
            check(parser_ok == want, f"parse_config {expected}s {description} {said}")

    if os.path.exists(demo_path):
        with open(demo_path, encoding="utf-8") as f:
            demo = json.loads(strip_json_comments(f.read()))
        check(is_valid(validator, demo), f"config/demo.json validates against config.schema.json: {first_error(validator, demo)}")
        verdict = run_parser(config_verdicts, [demo])
        if verdict and verdict[0].get("message") == "no adapter of this kind is built in":
            # This test binary registers stand-in kinds only; the kind check is parse_config's, not the schema's.
            stand_in = copy.deepcopy(demo)
            for adapter in stand_in.get("adapters", []):
                adapter["kind"] = "schema_test"
            verdict = run_parser(config_verdicts, [stand_in])
        if verdict:
            check(verdict[0].get("ok") is True, f"parse_config accepts config/demo.json: {verdict[0]}")
    else:
        print(f"note: {demo_path} does not exist yet; demo config not checked")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schemas", required=True)
    parser.add_argument("--emitter", required=True)
    parser.add_argument("--config-verdicts", required=True)
    parser.add_argument("--demo-config", required=True)
    args = parser.parse_args()

    case_event = load_json(os.path.join(args.schemas, CASE_EVENT_FILE))
    config_schema = load_json(os.path.join(args.schemas, CONFIG_FILE))
    with open(os.path.join(args.schemas, "openapi.yaml"), encoding="utf-8") as f:
        openapi_doc = yaml.safe_load(f)

    events = check_case_events(case_event, args.emitter)
    resolver = check_openapi(openapi_doc, case_event, args.schemas)
    check_emitted_events_in_response(resolver, events)
    check_config(config_schema, args.config_verdicts, args.demo_config)

    print(f"{passes} checks passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
