#!/usr/bin/python3
"""Holds knutpunkt's published contracts (schemas/) to the code.

1. case-event.v1.schema.json is a valid 2020-12 schema, every event the real to_json emits
   validates, and events that break the rules (float amounts, a missing event_id, ...) are rejected.
2. openapi.yaml is OpenAPI 3.1, every $ref resolves, every example validates against its schema,
   its CaseEvent is the case-event schema file itself (not a copy that can drift), it documents
   exactly the routes the gateway serves (its route table, `knutpunkt routes --json`) and every
   problem code the HTTP layer sends,
   and its webhook signature example is the documented HMAC.
3. config.schema.json agrees with the gateway's own parsers (parse_config and the built-in
   adapters' config readers) on a set of configs, and accepts config/demo.json when that file exists.
4. schemas/jobbtorg/ (Jobbtorg's wire format) accepts every fixture and rejects broken ones.

Any failure exits 1. A missing jsonschema or yaml module is a failure, not a skip: a contract
that cannot be checked must not look checked.
"""
import argparse
import copy
import glob
import hashlib
import hmac
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


def make_resolver(openapi_doc, case_event, schemas_dir):
    """Resolves openapi.yaml's refs, including the relative ones to schema files next to it."""
    store = {OPENAPI_URI: openapi_doc, case_event["$id"]: case_event, BASE + CASE_EVENT_FILE: case_event}
    # The partners' wire schemas and the SIP plan, which openapi.yaml $refs by relative path.
    for path in [p for folder in ("jobbtorg", "sip", "sip_region")
                 for p in glob.glob(os.path.join(schemas_dir, folder, "*.schema.json"))]:
        schema = load_json(path)
        store[schema["$id"]] = schema
        store[BASE + os.path.relpath(path, schemas_dir)] = schema
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

    # The facts of the types whose facts the schema pins (assessment.result, the time limits, the
    # absence flag and its withdrawal).
    for kind in ("assessment.result", "referral.not_enrolled", "referral.first_visit_overdue",
                 "referral.plan_followup_overdue", "referral.absence_flagged", "referral.absence_flag_withdrawn"):
        check(any(e.get("type") == kind for e in events), f"samples include {kind}")
    result = next((e for e in events if e.get("type") == "assessment.result"), None)
    overdue = next((e for e in events if e.get("type") == "referral.first_visit_overdue"), None)
    followup = next((e for e in events if e.get("type") == "referral.plan_followup_overdue"), None)
    withdrawn = next((e for e in events if e.get("type") == "referral.absence_flag_withdrawn"), None)

    def broken_facts(sample, description, mutate):
        if sample is None:
            return
        event = copy.deepcopy(sample)
        mutate(event["facts"])
        check(not is_valid(validator, event), f"rejected: {description}")

    broken_facts(result, "an assessment category outside the code list", lambda f: f.update(work_capacity="GANSKA"))
    broken_facts(result, "an assessment of an unknown instrument", lambda f: f.update(instrument="X"))
    broken_facts(result, "an assessment without its part", lambda f: f.pop("part"))
    broken_facts(result, "an assessment completed on a date-time", lambda f: f.update(completed_on="2026-12-10T10:00:00Z"))
    broken_facts(overdue, "a time limit without limit_days", lambda f: f.pop("limit_days"))
    broken_facts(overdue, "a time limit of 0 days", lambda f: f.update(limit_days=0))
    broken_facts(followup, "a plan follow-up without its date", lambda f: f.pop("planned_followup"))
    broken_facts(withdrawn, "a flag withdrawn without naming the flag", lambda f: f.pop("flagged_at"))
    broken_facts(withdrawn, "a flag withdrawn for a date, not a month", lambda f: f.update(month="2026-11-02"))

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


def served_routes(gateway):
    """{(METHOD, path with {} for each parameter): guard} for every API route the gateway serves,
    as `knutpunkt routes --json` lists its route table (the console's pages are not API)."""
    listed = json.loads(subprocess.run([gateway, "routes", "--json"], check=True, capture_output=True, text=True).stdout)
    return {(r["method"], re.sub(r"{[^}]+}", "{}", r["path"])): r["guard"] for r in listed if r["audience"] == "api"}


def problem_codes_sent(http_dir):
    """Every (status, code) literal a Problem is built from in gateway/http."""
    codes = set()
    for path in glob.glob(os.path.join(http_dir, "*.cpp")):
        with open(path, encoding="utf-8") as f:
            codes |= {(int(s), c) for s, c in re.findall(r'\{\s*([45][0-9][0-9]),\s*"([a-z_]+)"', f.read())}
    return codes


def check_openapi(openapi_doc, case_event, schemas_dir, gateway, http_dir):
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

    resolver = make_resolver(openapi_doc, case_event, schemas_dir)
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
            # Proxies and TLS terminators log request lines: a person is named in a body, never a URL.
            url_params = [p for p in item.get("parameters", []) + op.get("parameters", []) if p.get("in") in ("path", "query")]
            check(not any(re.search(r"person|pnr|personnummer", p["name"]) for p in url_params),
                  f"{where}: no path or query parameter names a person")
            for status, response in op.get("responses", {}).items():
                check(isinstance(response.get("description"), str), f"{where} {status}: has a description (OAS 3.1)")
            for status, response in op.get("responses", {}).items():
                if path.startswith("/v1/") and int(status) >= 400:
                    content = response.get("content", {})
                    check(list(content) == ["application/problem+json"] and
                          content["application/problem+json"]["schema"].get("$ref") == "#/components/schemas/Problem",
                          f"{where} {status}: application/problem+json with the Problem schema")

    # The document describes the route table as it is: no route missing, none invented.
    routed = served_routes(gateway)
    check(len(routed) >= 11, f"the gateway lists its routes ({len(routed)})")
    documented = {(m.upper(), re.sub(r"{[^}]+}", "{}", path))
                  for path, item in openapi_doc["paths"].items() for m in item if m != "parameters"}
    check(routed.keys() - documented == set(), f"openapi.yaml documents every route: missing {sorted(routed.keys() - documented)}")
    check(documented - routed.keys() == set(), f"openapi.yaml documents no route the router lacks: {sorted(documented - routed.keys())}")
    # Who may call is the route's guard: an operation the document calls open is open in the table,
    # and one it protects is guarded (signing in and out check their own credentials).
    for path, item in openapi_doc["paths"].items():
        for method, op in item.items():
            guard = routed.get((method.upper(), re.sub(r"{[^}]+}", "{}", path)))
            if method == "parameters" or guard is None or path == "/v1/auth/session":
                continue
            documented_open = "security" in op and not op["security"]
            check(documented_open == (guard["caller"] == "anyone"),
                  f"{method.upper()} {path}: openapi.yaml says {'open' if documented_open else 'authenticated'}, "
                  f"the route's guard says {guard['caller']}")

    # Every code a refusal can carry is documented, and documented where it is sent.
    problem = components["Problem"]
    code_doc = problem["properties"]["code"]["description"]
    sent = problem_codes_sent(http_dir)
    check(len(sent) >= 10, f"problem codes found in gateway/http ({len(sent)})")
    listed = set(re.findall(r"[a-z][a-z0-9_]+", code_doc))
    check({c for _, c in sent} <= listed, f"Problem.code lists every code sent: missing {sorted({c for _, c in sent} - listed)}")
    documented_codes = set()
    for path, item in openapi_doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, response in op.get("responses", {}).items():
                media = response.get("content", {}).get("application/problem+json", {})
                samples = [media.get("example")] + [e.get("value") for e in media.get("examples", {}).values()]
                documented_codes |= {(int(status), s["code"]) for s in samples if isinstance(s, dict) and "code" in s}
                # An open operation has no token to refuse; signing in refuses credentials instead.
                refuses_credentials = any(isinstance(x, dict) and x.get("code") == "invalid_credentials" for x in samples)
                check(not (int(status) == 401 and "security" in op and not op["security"] and not refuses_credentials),
                      f"{method.upper()} {path}: an open operation documents no 401")
                if int(status) == 401:
                    check("WWW-Authenticate" in response.get("headers", {}), f"{method.upper()} {path} 401 sends WWW-Authenticate")
            if op.get("security", openapi_doc.get("security")):
                check("401" in op.get("responses", {}), f"{method.upper()} {path}: an authenticated operation documents 401")
    check(sent - documented_codes == set(),
          f"every (status, code) the HTTP layer sends has an example: missing {sorted(sent - documented_codes)}")

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
            for i, param in enumerate(op.get("parameters", [])):
                if "example" in param:
                    v = openapi_validator(f"{p_op}/parameters/{i}/schema", resolver)
                    check(is_valid(v, param["example"]), f"{method.upper()} {path} parameter {param['name']} example validates")
            for mt, media in op.get("requestBody", {}).get("content", {}).items():
                check_media(f"{p_op}/requestBody/content/{escape(mt)}", media, f"{method.upper()} {path} request")
            for status, response in op.get("responses", {}).items():
                for mt, media in response.get("content", {}).items():
                    check_media(f"{p_op}/responses/{status}/content/{escape(mt)}", media,
                                f"{method.upper()} {path} {status}")
    for name, item in openapi_doc.get("webhooks", {}).items():
        for method, op in item.items():
            for mt, media in op.get("requestBody", {}).get("content", {}).items():
                check_media(f"/webhooks/{escape(name)}/{method}/requestBody/content/{escape(mt)}", media,
                            f"webhook {name} request")
    check(examples_checked >= 30, f"openapi.yaml has examples to check (found {examples_checked})")

    check_webhooks(openapi_doc)
    check_referral_request(openapi_doc, resolver)

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


def check_webhooks(openapi_doc):
    """The case-event push: headers as WebhookAdapter and the delivery engine send them, and a
    signature example that is what the documented formula gives (so a receiver can test against it)."""
    hook = openapi_doc.get("webhooks", {}).get("caseEvent", {}).get("post", {})
    check(bool(hook), "openapi.yaml has webhooks.caseEvent.post")
    if not hook:
        return
    headers = {p["name"]: p for p in hook.get("parameters", []) if p.get("in") == "header"}
    for name in ("Knutpunkt-Signature", "Knutpunkt-Event-Id", "Knutpunkt-Event-Type", "Idempotency-Key"):
        check(headers.get(name, {}).get("required") is True, f"webhook documents required header {name}")
    check(hook["requestBody"]["content"]["application/json"]["schema"].get("$ref") == "#/components/schemas/CaseEvent",
          "webhook body is a CaseEvent")
    ex = hook.get("x-signature-example", {})
    event = hook["requestBody"]["content"]["application/json"].get("example")
    # nlohmann::json::dump(): keys in order, no spaces, UTF-8 as is.
    body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    mac = hmac.new(ex.get("secret", "").encode(), f"{ex.get('t')}.{body}".encode(), hashlib.sha256).hexdigest()
    check(ex.get("header") == f"t={ex.get('t')},v1={mac}",
          f"webhook signature example is HMAC-SHA256(secret, \"<t>.\" + body) (expected v1={mac})")
    check(re.fullmatch(headers["Knutpunkt-Signature"]["schema"]["pattern"], ex.get("header", "")) is not None,
          "webhook signature example fits the header's pattern")
    statuses = set(hook.get("responses", {}))
    check({"2XX", "408", "429", "5XX", "4XX"} <= statuses, f"webhook documents 2XX, 408, 429, 5XX and 4XX (has {sorted(statuses)})")


def check_referral_request(openapi_doc, resolver):
    """ReferralRequest refuses what parse_referral_request refuses (gateway/http/referral_request.cpp)."""
    post = openapi_doc["paths"]["/v1/referrals"]["post"]
    examples = post["requestBody"]["content"]["application/json"]["examples"]
    full, minimal = examples["full"]["value"], examples["minimal"]["value"]
    request = openapi_validator("/components/schemas/ReferralRequest", resolver)

    def refused(description, mutate, base=full):
        sample = copy.deepcopy(base)
        mutate(sample)
        check(not is_valid(request, sample), f"ReferralRequest rejects {description}")

    def accepted(description, mutate, base=full):
        sample = copy.deepcopy(base)
        mutate(sample)
        check(is_valid(request, sample), f"ReferralRequest accepts {description}: {first_error(request, sample)}")

    required = ("case_id", "municipality", "unit", "district", "person_id", "caseworker", "purpose", "target_group",
                "forsorjningshinder", "extent_hours_per_week", "start_date", "consent_reference")
    check(set(minimal) == set(required), "the minimal referral example has exactly the required fields")
    for field in required:
        refused(f"a missing {field}", lambda s, f=field: s.pop(f))
        refused(f"{field} as null (a required null is missing)", lambda s, f=field: s.update({f: None}))
    refused("an unknown field", lambda s: s.update(priority="high"))
    refused("an unknown caseworker field", lambda s: s["caseworker"].update(email="k@example.org"))
    refused("an unknown ib_part1 field", lambda s: s["ib_part1"].update(part=1))
    refused("a missing caseworker.id", lambda s: s["caseworker"].pop("id"))
    refused("ib_part1 without completed_on", lambda s: s["ib_part1"].pop("completed_on"))
    refused("a three-digit municipality", lambda s: s.update(municipality="180"))
    refused("an empty case_id", lambda s: s.update(case_id=""))
    refused("a 65-character case_id", lambda s: s.update(case_id="x" * 65))
    refused("a 65-character district", lambda s: s.update(district="x" * 65))
    refused("a 201-character unit", lambda s: s.update(unit="x" * 201))
    refused("a 33-character phone", lambda s: s["caseworker"].update(phone="0" * 33))
    refused("a 2001-character IB summary", lambda s: s["ib_part1"].update(summary="x" * 2001))
    refused("a control character in unit", lambda s: s.update(unit="Skärholmen\nekonomiskt bistånd"))
    refused("a tab in consent_reference", lambda s: s.update(consent_reference="SAM\t1"))
    refused("an unknown target_group", lambda s: s.update(target_group="ARBETSFOR"))
    refused("a lower-case forsorjningshinder", lambda s: s.update(forsorjningshinder="ovrigt"))
    refused("extent 0", lambda s: s.update(extent_hours_per_week=0))
    refused("extent 41", lambda s: s.update(extent_hours_per_week=41))
    refused("extent 20.5", lambda s: s.update(extent_hours_per_week=20.5))
    refused("extent as a string", lambda s: s.update(extent_hours_per_week="20"))
    refused("a start_date that is not ISO", lambda s: s.update(start_date="1/12/2026"))
    refused("a 12-digit person_id with +", lambda s: s.update(person_id="19121212+1212"))
    refused("an 11-digit person_id", lambda s: s.update(person_id="19121212121"))
    refused("ib_part1 as a string", lambda s: s.update(ib_part1="done"))
    refused("an IB part 1 result outside the item list", lambda s: s["ib_part1"]["results"].update(HUMOR="INGET_HINDER"))
    refused("an IB part 1 category outside its list", lambda s: s["ib_part1"]["results"].update(BOENDE="LITE"))
    refused("empty IB part 1 results", lambda s: s["ib_part1"].update(results={}))
    for person in ("191212121212", "19121212-1212", "1212121212", "121212-1212", "121212+1212", " 191212121212 "):
        accepted(f"person_id {person!r}", lambda s, p=person: s.update(person_id=p))
    accepted("optional fields as null", lambda s: (s["caseworker"].update(name=None, phone=None), s.update(ib_part1=None)))
    accepted("an empty optional caseworker name", lambda s: s["caseworker"].update(name=""))
    accepted("extent 1", lambda s: s.update(extent_hours_per_week=1))
    accepted("extent 40", lambda s: s.update(extent_hours_per_week=40))
    accepted("ib_part1 without summary", lambda s: s["ib_part1"].pop("summary"))
    accepted("ib_part1 without results", lambda s: s["ib_part1"].pop("results"))
    accepted("ib_part1 results as null", lambda s: s["ib_part1"].update(results=None))

    accepted_schema = openapi_validator("/components/schemas/ReferralAccepted", resolver)
    answer = post["responses"]["202"]["content"]["application/json"]["example"]
    broken = copy.deepcopy(answer)
    broken["messages"] = []
    check(not is_valid(accepted_schema, broken), "ReferralAccepted rejects an accepted referral with no message")
    feed = openapi_validator("/components/schemas/EventPage", resolver)
    page = copy.deepcopy(openapi_doc["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]
                         ["examples"]["page"]["value"])
    page["events"][0]["facts"]["hours"] = 4.5
    check(not is_valid(feed, page), "EventPage rejects a float in an event (the $ref reaches the case-event schema)")
    page["events"][0]["facts"]["hours"] = "4.5"
    page["next_cursor"] = 1043
    check(not is_valid(feed, page), "EventPage rejects a cursor that is not a string")


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
        "server": {"plain_http": True},
        "store": {"kind": "sqlite", "path": "audit.db"},
        "purposes": {"ekonomiskt_bistand": {"description": "Handläggning av ekonomiskt bistånd enligt 4 kap. SoL"}},
        "organisations": [{"id": "kommun-socialtjanst", "name": "Kommunens socialtjänst", "municipality": "0180",
                           "units": ["Ekonomiskt bistånd"]}],
        "clients": [{"id": "case-system", "token_sha256": "a" * 64, "purposes": ["ekonomiskt_bistand"],
                     "operations": ["lookup:*"], "organisation": "kommun-socialtjanst"}],
        "adapters": [{"name": "ssbtek", "kind": "schema_test", "config": {}}],
    }


# Environment the parser runs with, for `secret_env` and `token_env`.
PARSER_ENV = {
    "KNUTPUNKT_SCHEMA_TEST_SECRET": "s3cret-from-the-environment",
    "KNUTPUNKT_SCHEMA_TEST_SHORT_SECRET": "too-short",
    "KNUTPUNKT_SCHEMA_TEST_TOKEN": "token-from-the-environment",
}
UNSET_ENV = "KNUTPUNKT_SCHEMA_TEST_UNSET"

SSBTEK_CONFIG = {
    "endpoint": "http://127.0.0.1:18081/ssbtek",
    "ingivare": {"organisationsnummer": "162120000142", "namn": "Stockholms stad"},
    "fk_aktorsid": "STHLM-EKB-0001",
    "schema": "../schemas/ssbtek/ssbtek-v10.xsd",
    "mappings": "../mappings/ssbtek",
}
JOBBTORG_CONFIG = {"endpoint": "http://127.0.0.1:18082/api/v1", "token": "knutpunkt-at-jobbtorg", "mappings": "mappings/jobbtorg"}
AF_CONFIG = {"endpoint": "http://127.0.0.1:18084/arbetssokande/v1", "token": "knutpunkt-at-af",
             "mappings": "../mappings/arbetsformedlingen"}
REGION_CONFIG = {"endpoint": "http://127.0.0.1:18085", "token": "knutpunkt-at-region"}
FK_CONFIG = {"endpoint": "http://127.0.0.1:18083", "aktorsid": "STHLM-EKB-0001", "token": "knutpunkt-at-fk",
             "mappings": "../mappings/forsakringskassan"}


def with_referrals(c):
    """The issue-3 sections on top of the base config: a Jobbtorg adapter, a partner and an operator
    client, a webhook for the case system, and routes to both."""
    c["clients"][0]["roles"] = ["case_system"]
    c["clients"] += [
        {"id": "jobbtorg-sodra", "token_sha256": "b" * 64, "purposes": [], "roles": ["partner"], "partner_adapter": "jobbtorg"},
        {"id": "operator", "token_sha256": "c" * 64, "purposes": [], "roles": ["operator"]},
    ]
    c["adapters"].append({"name": "jobbtorg", "kind": "jobbtorg", "config": copy.deepcopy(JOBBTORG_CONFIG)})
    c["webhooks"] = [{"name": "ekb-webhook", "client": "case-system", "url": "http://127.0.0.1:18083/webhook",
                      "secret": "0123456789abcdef"}]
    c["routes"] = [
        {"name": "Söderort to Jobbtorg", "match": {"types": ["referral.requested"], "municipalities": ["0180"],
                                                   "districts": ["skarholmen", "farsta"]}, "to": ["jobbtorg"]},
        {"name": "events to the case system", "match": {"types": ["referral.*", "delivery.failed"], "clients": ["case-system"]},
         "to": ["ekb-webhook"]},
    ]


def with_sip(c):
    """The issue-5 sections on top of the base config: a sip_region adapter (at /adapters/1) that
    the region's partner client reports through, the case system granted `sip`, and `sip` itself."""
    c["clients"][0]["operations"].append("sip")
    c["clients"].append({"id": "region-stockholm", "token_sha256": "d" * 64, "purposes": [], "roles": ["partner"],
                         "partner_adapter": "region-stockholm"})
    c["adapters"].append({"name": "region-stockholm", "kind": "sip_region", "config": copy.deepcopy(REGION_CONFIG)})
    c["sip"] = {"comment": "meetings within a week", "meeting_within_days": 7, "reminder_interval_seconds": 60,
                "participant_systems": [{"organisation": "region-stockholm/", "adapter": "region-stockholm"}]}


def config_cases():
    """(description, mutate, expected verdict). 'accept'/'reject': schema and parser agree as given.
    'parser-only': a rule JSON Schema cannot state (cross-references, the environment, comparing two
    fields): the schema accepts, the parser refuses. 'parser-lenient': the schema states the contract
    and the parser does not enforce it yet (reported; when the parser is fixed these become 'reject')."""
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

    accept, reject, gap, lenient = "accept", "reject", "parser-only", "parser-lenient"

    def referrals(*mutations):
        def mutate(c):
            with_referrals(c)
            for m in mutations:
                m(c)
        return mutate

    def ssbtek(*mutations):
        def mutate(c):
            c["adapters"][0].update(kind="ssbtek", config=copy.deepcopy(SSBTEK_CONFIG))
            for m in mutations:
                m(c)
        return mutate

    jobbtorg = ["adapters", 1, "config"]
    policy = ["adapters", 0, "policy"]
    delivery = ["adapters", 1, "delivery"]

    def lookup_adapter(kind, config):
        """The base config plus one adapter of `kind` (at /adapters/1) with `config`, then the mutations."""
        def with_mutations(*mutations):
            def mutate(c):
                c["adapters"].append({"name": kind[:2], "kind": kind, "config": copy.deepcopy(config)})
                for m in mutations:
                    m(c)
            return mutate
        return with_mutations

    def sip(*mutations):
        def mutate(c):
            with_sip(c)
            for m in mutations:
                m(c)
        return mutate

    region = ["adapters", 1, "config"]
    system = ["sip", "participant_systems", 0]
    af = lookup_adapter("arbetsformedlingen", AF_CONFIG)
    fk = lookup_adapter("forsakringskassan", FK_CONFIG)
    added = ["adapters", 1, "config"]
    af_sources = ("INSKRIVNING", "HANDLINGSPLAN", "AKTIVITETSRAPPORTER", "BESLUT")
    fk_groups = {"formansinformation": ["FK:BOB", "FK:SJP"], "ansprak": ["PM:AP"], "utbetalningar": ["FK:BOB", "PM:AP"],
                 "ovrigInformation": ["FK:GEPI"]}
    hook = ["webhooks", 0]
    every_default = {"timeout_ms": 10000, "max_in_flight": 8,
                     "retry": {"max_attempts": 20, "max_age_s": 259200, "initial_backoff_ms": 1000, "multiplier": 2.0,
                               "max_backoff_ms": 600000, "jitter": 0.2, "max_retry_after_s": 3600},
                     "breaker": {"failure_threshold": 5, "open_ms": 30000}}
    lowest = {"timeout_ms": 100, "max_in_flight": 1,
              "retry": {"max_attempts": 1, "max_age_s": 1, "initial_backoff_ms": 1, "multiplier": 1, "max_backoff_ms": 1,
                        "jitter": 0, "max_retry_after_s": 0},
              "breaker": {"failure_threshold": 1, "open_ms": 10}}
    highest = {"timeout_ms": 600000, "max_in_flight": 256,
               "retry": {"max_attempts": 1000, "max_age_s": 2592000, "initial_backoff_ms": 3600000, "multiplier": 10,
                         "max_backoff_ms": 86400000, "jitter": 1, "max_retry_after_s": 86400},
               "breaker": {"failure_threshold": 1000, "open_ms": 3600000}}
    out_of_range = [
        ("timeout_ms", 99), ("timeout_ms", 600001), ("max_in_flight", 0), ("max_in_flight", 257),
        ("retry/max_attempts", 0), ("retry/max_attempts", 1001), ("retry/max_age_s", 0), ("retry/max_age_s", 2592001),
        ("retry/initial_backoff_ms", 0), ("retry/initial_backoff_ms", 3600001), ("retry/multiplier", 0.5),
        ("retry/multiplier", 10.5), ("retry/max_backoff_ms", 86400001), ("retry/jitter", -0.1), ("retry/jitter", 1.5),
        ("retry/max_retry_after_s", -1), ("retry/max_retry_after_s", 86401), ("breaker/failure_threshold", 0),
        ("breaker/failure_threshold", 1001), ("breaker/open_ms", 9), ("breaker/open_ms", 3600001),
        ("timeout_ms", 1000.5), ("retry/multiplier", "2"), ("retry/jitter", True),
    ]

    def delivery_field(where, key, value):
        def mutate(c):
            node = c
            for k in where[:-1]:
                node = node[k]
            node = node.setdefault(where[-1], {})
            *parents, last = key.split("/")
            for k in parents:
                node = node.setdefault(k, {})
            node[last] = value
        return mutate

    def sign_in(fields):
        def mutate(c):
            c["console"] = {"static_dir": "console", "sign_in": fields}
        return mutate

    new_sections = [
        # --- console sign-in limits and session timeouts
        ("console sign-in limits and session timeouts", sign_in({"max_failures_per_user": 3, "max_failures_per_address": 30,
                                                                 "failure_window_s": 600, "max_tracked": 5000,
                                                                 "session_idle_s": 600, "session_lifetime_s": 3600}), accept),
        ("console sign-in with the defaults", sign_in({}), accept),
        ("no failures allowed per user", sign_in({"max_failures_per_user": 0}), reject),
        ("a failure window under a minute", sign_in({"failure_window_s": 59}), reject),
        ("max_tracked as a string", sign_in({"max_tracked": "1000"}), reject),
        ("an unknown sign-in field", sign_in({"lockout_s": 900}), reject),
        ("an address limit below the user limit", sign_in({"max_failures_per_user": 10, "max_failures_per_address": 5}), gap),
        ("a session lifetime below the default idle timeout", sign_in({"session_lifetime_s": 600}), gap),
        # --- roles and partners
        ("the referral sections (roles, partner, jobbtorg adapter, webhook, routes)", referrals(), accept),
        ("a client with several roles, one repeated", referrals(set_(["clients", 0, "roles"], ["operator", "case_system", "operator"])), accept),
        ("partner_adapter on a client that is no partner", referrals(set_(["clients", 0, "partner_adapter"], "jobbtorg")), accept),
        ("an unknown role", referrals(set_(["clients", 2, "roles"], ["admin"])), reject),
        ("empty roles", referrals(set_(["clients", 2, "roles"], [])), reject),
        ("roles as a string", referrals(set_(["clients", 2, "roles"], "operator")), reject),
        ("an empty role", referrals(set_(["clients", 2, "roles"], [""])), reject),
        ("a partner without partner_adapter", referrals(drop(["clients", 1, "partner_adapter"])), reject),
        ("an empty partner_adapter", referrals(set_(["clients", 1, "partner_adapter"], "")), reject),
        ("partner_adapter as a number", referrals(set_(["clients", 1, "partner_adapter"], 7)), reject),
        ("a partner_adapter that cannot be an adapter name", referrals(set_(["clients", 1, "partner_adapter"], "Jobbtorg Söder")), reject),
        # --- delivery
        ("every delivery setting at its default", referrals(set_(delivery, every_default)), accept),
        ("every delivery setting at its lower bound", referrals(set_(delivery, lowest)), accept),
        ("every delivery setting at its upper bound", referrals(set_(delivery, highest)), accept),
        ("an empty delivery object", referrals(set_(delivery, {})), accept),
        ("webhook delivery settings", referrals(set_(hook + ["delivery"], copy.deepcopy(lowest))), accept),
        ("delivery that is not an object", referrals(set_(delivery, 5)), reject),
        ("retry that is not an object", referrals(set_(delivery, {"retry": []})), reject),
        ("breaker that is not an object", referrals(set_(delivery, {"breaker": "open"})), reject),
        ("an unknown delivery field", referrals(set_(delivery, {"retries": 3})), reject),
        ("an unknown retry field", referrals(set_(delivery, {"retry": {"backoff": "exponential"}})), reject),
        ("an unknown breaker field", referrals(set_(delivery, {"breaker": {"half_open_probes": 1}})), reject),
        ("an unknown webhook delivery field", referrals(set_(hook + ["delivery"], {"timeout": 5})), reject),
        ("delivery on an ssbtek adapter (it delivers nothing)",
         ssbtek(set_(["adapters", 0, "delivery"], {"timeout_ms": 5000})), reject),
    ] + [
        (f"delivery {key} {value!r}", referrals(set_(delivery, {}), delivery_field(delivery, key, value)), reject)
        for key, value in out_of_range
    ] + [
        (f"webhook delivery {key} {value!r}", referrals(delivery_field(hook + ["delivery"], key, value)), reject)
        for key, value in out_of_range[:4]
    ] + [
        # --- webhooks
        ("a webhook secret from the environment", referrals(drop(hook + ["secret"]),
                                                            set_(hook + ["secret_env"], "KNUTPUNKT_SCHEMA_TEST_SECRET")), accept),
        ("secret_env with a short secret beside it (the environment wins)",
         referrals(set_(hook + ["secret"], "short"), set_(hook + ["secret_env"], "KNUTPUNKT_SCHEMA_TEST_SECRET")), accept),
        ("a webhook URL with a port and no path", referrals(set_(hook + ["url"], "http://hooks.example:8080")), accept),
        ("a webhook comment", referrals(set_(hook + ["comment"], "the case system's receiver")), accept),
        ("no webhooks and no routes", referrals(set_(["webhooks"], []), set_(["routes"], [])), accept),
        ("a webhook secret of 15 characters", referrals(set_(hook + ["secret"], "0123456789abcde")), reject),
        ("an empty webhook secret", referrals(set_(hook + ["secret"], "")), reject),
        ("a webhook without secret or secret_env", referrals(drop(hook + ["secret"])), reject),
        ("an empty secret_env", referrals(set_(hook + ["secret_env"], "")), reject),
        ("a webhook secret that is a number", referrals(set_(hook + ["secret"], 1234567890123456789)), reject),
        ("webhooks that are an object", referrals(set_(["webhooks"], {})), reject),
        ("a webhook without name", referrals(drop(hook + ["name"])), reject),
        ("a webhook without client", referrals(drop(hook + ["client"])), reject),
        ("a webhook without url", referrals(drop(hook + ["url"])), reject),
        ("an https webhook URL without tls", referrals(set_(hook + ["url"], "https://hooks.example/knutpunkt")), reject),
        ("an https webhook URL with tls", referrals(set_(hook + ["url"], "https://hooks.example/knutpunkt"),
                                                    set_(hook + ["tls"], {"ca_file": "ca/hooks.pem"})), accept),
        ("tls on a plain http webhook", referrals(set_(hook + ["tls"], {"ca_file": "ca/hooks.pem"})), reject),
        ("webhook tls without ca_file", referrals(set_(hook + ["url"], "https://hooks.example/knutpunkt"),
                                                  set_(hook + ["tls"], {"server_name": "hooks.example"})), reject),
        ("webhook tls with a certificate but no key", referrals(set_(hook + ["url"], "https://hooks.example/knutpunkt"),
                                                                set_(hook + ["tls"], {"ca_file": "ca/hooks.pem", "certificate": "our.pem"})), reject),
        ("an unknown webhook tls field", referrals(set_(hook + ["url"], "https://hooks.example/knutpunkt"),
                                                   set_(hook + ["tls"], {"ca_file": "ca/hooks.pem", "verify": False})), reject),
        ("a webhook URL without host", referrals(set_(hook + ["url"], "http:///webhook")), reject),
        ("a webhook URL with a bad port", referrals(set_(hook + ["url"], "http://hooks.example:80a/webhook")), reject),
        ("a webhook URL with an empty port", referrals(set_(hook + ["url"], "http://hooks.example:/webhook")), reject),
        ("an unknown webhook field", referrals(set_(hook + ["headers"], {})), reject),
        # --- routes
        ("a route without match (matches everything)", referrals(drop(["routes", 0, "match"])), accept),
        ("a route with empty match lists", referrals(set_(["routes", 0, "match"], {"types": [], "units": [], "districts": []})), accept),
        ("a route to an adapter and a webhook", referrals(set_(["routes", 1, "to"], ["ekb-webhook", "jobbtorg"])), accept),
        ("a route comment and a match on units", referrals(set_(["routes", 0, "comment"], "Söderort"),
                                                           set_(["routes", 0, "match", "units"], ["Farsta ekonomiskt bistånd"])), accept),
        ("routes that are an object", referrals(set_(["routes"], {})), reject),
        ("a route without name", referrals(drop(["routes", 0, "name"])), reject),
        ("a route without to", referrals(drop(["routes", 0, "to"])), reject),
        ("a route to nobody", referrals(set_(["routes", 0, "to"], [])), reject),
        ("a route to an empty name", referrals(set_(["routes", 0, "to"], [""])), reject),
        ("route to as a string", referrals(set_(["routes", 0, "to"], "jobbtorg")), reject),
        ("a match that is not an object", referrals(set_(["routes", 0, "match"], ["0180"])), reject),
        ("an unknown match field", referrals(set_(["routes", 0, "match", "postcodes"], ["12345"])), reject),
        ("match districts as a string", referrals(set_(["routes", 0, "match", "districts"], "skarholmen")), reject),
        ("an empty match type", referrals(set_(["routes", 0, "match", "types"], [""])), reject),
        ("an unknown route field", referrals(set_(["routes", 0, "priority"], 1)), reject),
        ("a route's referral time limits", referrals(set_(["routes", 0, "time_limits"],
                                                          {"not_enrolled_days": 7, "first_visit_days": 14,
                                                           "plan_followup": True, "comment": "Stockholm"})), accept),
        ("empty time limits (every default)", referrals(set_(["routes", 0, "time_limits"], {})), accept),
        ("time limits at their bounds", referrals(set_(["routes", 0, "time_limits"],
                                                       {"not_enrolled_days": 365, "first_visit_days": 1})), accept),
        ("a first visit limit of 0 days", referrals(set_(["routes", 0, "time_limits"], {"first_visit_days": 0})), reject),
        ("a not enrolled limit over a year", referrals(set_(["routes", 0, "time_limits"], {"not_enrolled_days": 366})), reject),
        ("plan_followup as a string", referrals(set_(["routes", 0, "time_limits"], {"plan_followup": "yes"})), reject),
        ("an unknown time limit", referrals(set_(["routes", 0, "time_limits"], {"decision_days": 30})), reject),
        ("time limits that are not an object", referrals(set_(["routes", 0, "time_limits"], 14)), reject),
        # --- jobbtorg adapter config
        ("a jobbtorg token from the environment", referrals(drop(jobbtorg + ["token"]),
                                                            set_(jobbtorg + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN")), accept),
        ("an empty jobbtorg token beside token_env", referrals(set_(jobbtorg + ["token"], ""),
                                                              set_(jobbtorg + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN")), reject),
        ("a jobbtorg config with token and token_env", referrals(set_(jobbtorg + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN")),
         reject),
        ("a jobbtorg endpoint with trailing slashes", referrals(set_(jobbtorg + ["endpoint"], "http://jobbtorg.example:8080/api//")), accept),
        ("jobbtorg max_report_bytes at its bounds", referrals(set_(jobbtorg + ["max_report_bytes"], 1024)), accept),
        ("jobbtorg max_report_bytes 16 MiB", referrals(set_(jobbtorg + ["max_report_bytes"], 16777216)), accept),
        ("a jobbtorg config missing endpoint", referrals(drop(jobbtorg + ["endpoint"])), reject),
        ("an empty jobbtorg endpoint", referrals(set_(jobbtorg + ["endpoint"], "")), reject),
        ("an https jobbtorg endpoint without tls", referrals(set_(jobbtorg + ["endpoint"], "https://jobbtorg.example/api")), reject),
        ("an https jobbtorg endpoint with tls", referrals(set_(jobbtorg + ["endpoint"], "https://jobbtorg.example/api"),
                                                          set_(jobbtorg + ["tls"], {"ca_file": "ca/jobbtorg.pem"})), accept),
        ("a jobbtorg endpoint that is only a scheme", referrals(set_(jobbtorg + ["endpoint"], "http:////")), reject),
        ("a jobbtorg config missing mappings", referrals(drop(jobbtorg + ["mappings"])), reject),
        ("empty jobbtorg mappings", referrals(set_(jobbtorg + ["mappings"], "")), reject),
        ("a jobbtorg config without token or token_env", referrals(drop(jobbtorg + ["token"])), reject),
        ("an empty jobbtorg token", referrals(set_(jobbtorg + ["token"], "")), reject),
        ("an unknown jobbtorg config field", referrals(set_(jobbtorg + ["timeout_ms"], 5000)), reject),
        ("jobbtorg max_report_bytes 1023", referrals(set_(jobbtorg + ["max_report_bytes"], 1023)), reject),
        ("jobbtorg max_report_bytes over 16 MiB", referrals(set_(jobbtorg + ["max_report_bytes"], 16777217)), reject),
        ("a jobbtorg config that is an array", referrals(set_(jobbtorg, [])), reject),
        # --- ssbtek adapter config
        ("an ssbtek config", ssbtek(), accept),
        ("an ssbtek config with every option", ssbtek(set_(["adapters", 0, "config", "source_timeout_ms"], 600000),
                                                      set_(["adapters", 0, "config", "source_timeouts_ms"],
                                                           {s: 1 for s in ("AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV")}),
                                                      set_(["adapters", 0, "config", "max_reply_bytes"], 1024)), accept),
    ] + [
        (f"an ssbtek config missing {field}", ssbtek(drop(["adapters", 0, "config", field])), reject)
        for field in ("endpoint", "ingivare", "fk_aktorsid", "schema", "mappings")
    ] + [
        ("an ssbtek ingivare without namn", ssbtek(drop(["adapters", 0, "config", "ingivare", "namn"])), reject),
        ("an empty ssbtek fk_aktorsid", ssbtek(set_(["adapters", 0, "config", "fk_aktorsid"], "")), reject),
        ("an organisationsnummer with group digit 1", ssbtek(set_(["adapters", 0, "config", "ingivare", "organisationsnummer"], "162110000142")), reject),
        ("a 10-digit organisationsnummer", ssbtek(set_(["adapters", 0, "config", "ingivare", "organisationsnummer"], "2120000142")), reject),
        ("an https ssbtek endpoint without tls", ssbtek(set_(["adapters", 0, "config", "endpoint"], "https://ssbtek.example/ws")), reject),
        ("an https ssbtek endpoint with tls", ssbtek(set_(["adapters", 0, "config", "endpoint"], "https://ssbtek.example/ws"),
                                                     set_(["adapters", 0, "config", "tls"], {"ca_file": "ca/ssbtek.pem"})), accept),
        ("ssbtek source_timeout_ms 0", ssbtek(set_(["adapters", 0, "config", "source_timeout_ms"], 0)), reject),
        ("ssbtek source_timeout_ms 600001", ssbtek(set_(["adapters", 0, "config", "source_timeout_ms"], 600001)), reject),
        ("an ssbtek timeout for an unknown source", ssbtek(set_(["adapters", 0, "config", "source_timeouts_ms"], {"XX": 100})), reject),
        ("an ssbtek source timeout of 0", ssbtek(set_(["adapters", 0, "config", "source_timeouts_ms"], {"FK": 0})), reject),
        ("ssbtek source_timeouts_ms as a list", ssbtek(set_(["adapters", 0, "config", "source_timeouts_ms"], [4000])), reject),
        ("ssbtek max_reply_bytes 1023", ssbtek(set_(["adapters", 0, "config", "max_reply_bytes"], 1023)), reject),
        ("an unknown ssbtek config field", ssbtek(set_(["adapters", 0, "config", "retries"], 2)), reject),
        ("an ssbtek config that is a string", ssbtek(set_(["adapters", 0, "config"], "ssbtek.json")), reject),
        # --- arbetsformedlingen adapter config
        ("an arbetsformedlingen config", af(), accept),
        ("an arbetsformedlingen config with every option at its upper bound",
         af(drop(added + ["token"]), set_(added + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN"),
            set_(added + ["source_timeout_ms"], 600000), set_(added + ["source_timeouts_ms"], {s: 600000 for s in af_sources}),
            set_(added + ["max_reply_bytes"], 67108864), set_(added + ["max_json_depth"], 256)), accept),
        ("an arbetsformedlingen config with every option at its lower bound",
         af(set_(added + ["source_timeout_ms"], 1), set_(added + ["source_timeouts_ms"], {s: 1 for s in af_sources}),
            set_(added + ["max_reply_bytes"], 1024), set_(added + ["max_json_depth"], 4)), accept),
        ("an arbetsformedlingen endpoint with trailing slashes", af(set_(added + ["endpoint"], "http://af.example:8080/v1//")), accept),
        ("an arbetsformedlingen endpoint without a path", af(set_(added + ["endpoint"], "http://af.example")), accept),
        ("an arbetsformedlingen config missing endpoint", af(drop(added + ["endpoint"])), reject),
        ("an empty arbetsformedlingen endpoint", af(set_(added + ["endpoint"], "")), reject),
        ("an https arbetsformedlingen endpoint without tls", af(set_(added + ["endpoint"], "https://af.example/v1")), reject),
        ("an https arbetsformedlingen endpoint with tls", af(set_(added + ["endpoint"], "https://af.example/v1"),
                                                             set_(added + ["tls"], {"ca_file": "ca/af.pem"})), accept),
        ("an arbetsformedlingen endpoint with a query", af(set_(added + ["endpoint"], "http://af.example/v1?test=1")), reject),
        ("an arbetsformedlingen endpoint with a fragment", af(set_(added + ["endpoint"], "http://af.example/v1#x")), reject),
        ("an arbetsformedlingen config missing mappings", af(drop(added + ["mappings"])), reject),
        ("an unknown arbetsformedlingen config field", af(set_(added + ["aktorsid"], "STHLM-EKB-0001")), reject),
        ("arbetsformedlingen source_timeout_ms 0", af(set_(added + ["source_timeout_ms"], 0)), reject),
        ("arbetsformedlingen source_timeout_ms 600001", af(set_(added + ["source_timeout_ms"], 600001)), reject),
        ("arbetsformedlingen source_timeout_ms 1000.5", af(set_(added + ["source_timeout_ms"], 1000.5)), reject),
        ("an arbetsformedlingen source timeout of 600001", af(set_(added + ["source_timeouts_ms"], {"BESLUT": 600001})), reject),
        ("an arbetsformedlingen timeout for an SSBTEK source", af(set_(added + ["source_timeouts_ms"], {"AF": 100})), reject),
        ("arbetsformedlingen source_timeouts_ms as a list", af(set_(added + ["source_timeouts_ms"], [100])), reject),
        ("arbetsformedlingen max_reply_bytes 1023", af(set_(added + ["max_reply_bytes"], 1023)), reject),
        ("arbetsformedlingen max_reply_bytes over 64 MiB", af(set_(added + ["max_reply_bytes"], 67108865)), reject),
        ("arbetsformedlingen max_json_depth 3", af(set_(added + ["max_json_depth"], 3)), reject),
        ("arbetsformedlingen max_json_depth 257", af(set_(added + ["max_json_depth"], 257)), reject),
        ("an arbetsformedlingen config with token and token_env",
         af(set_(added + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN")), reject),
        ("an arbetsformedlingen config without token or token_env", af(drop(added + ["token"])), reject),
        ("an empty arbetsformedlingen token", af(set_(added + ["token"], "")), reject),
        ("an empty arbetsformedlingen token_env", af(drop(added + ["token"]), set_(added + ["token_env"], "")), reject),
        ("an arbetsformedlingen token with a line break", af(set_(added + ["token"], "abc\r\nX-Injected: 1")), reject),
        ("an arbetsformedlingen config that is an array", af(set_(added, [])), reject),
        ("delivery on an arbetsformedlingen adapter (it delivers nothing)", af(set_(["adapters", 1, "delivery"], {})), reject),
        ("an arbetsformedlingen token_env that is not set", af(drop(added + ["token"]), set_(added + ["token_env"], UNSET_ENV)), gap),
        ("arbetsformedlingen max_json_depth written 8.0", af(set_(added + ["max_json_depth"], 8.0)), gap),
        # --- forsakringskassan adapter config
        ("a forsakringskassan config", fk(), accept),
        ("a forsakringskassan config with every option",
         fk(drop(added + ["token"]), set_(added + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN"),
            set_(added + ["information"], copy.deepcopy(fk_groups)), set_(added + ["source_timeout_ms"], 600000),
            set_(added + ["source_timeouts_ms"], {"FORMANER": 1, "PAGAENDE": 600000}),
            set_(added + ["max_reply_bytes"], 67108864)), accept),
        ("forsakringskassan max_reply_bytes 1024", fk(set_(added + ["max_reply_bytes"], 1024)), accept),
        ("a forsakringskassan endpoint with a path and a trailing slash", fk(set_(added + ["endpoint"], "http://fk.example:8443/api/")), accept),
        ("a 64-character forsakringskassan aktorsid", fk(set_(added + ["aktorsid"], "a-" * 32)), accept),
        ("an empty forsakringskassan information (defaults)", fk(set_(added + ["information"], {})), accept),
        ("forsakringskassan information with only ovrigInformation left",
         fk(set_(added + ["information"], {"formansinformation": [], "ansprak": [], "utbetalningar": [], "ovrigInformation": ["FK:GEPI"]})), accept),
        ("forsakringskassan information with three lists empty and the fourth by default",
         fk(set_(added + ["information"], {"formansinformation": [], "ansprak": [], "utbetalningar": []})), accept),
        ("PM codes among forsakringskassan utbetalningar and ovrigInformation",
         fk(set_(added + ["information"], {"utbetalningar": ["PM:AP", "FK:BOB"], "ovrigInformation": ["PM:ABCD"]})), accept),
    ] + [
        (f"a forsakringskassan config missing {field}", fk(drop(added + [field])), reject)
        for field in ("endpoint", "aktorsid", "mappings")
    ] + [
        ("an https forsakringskassan endpoint without tls", fk(set_(added + ["endpoint"], "https://fk.example")), reject),
        ("an https forsakringskassan endpoint with tls", fk(set_(added + ["endpoint"], "https://fk.example"),
                                                            set_(added + ["tls"], {"ca_file": "ca/fk.pem"})), accept),
        ("a forsakringskassan endpoint that is only a scheme", fk(set_(added + ["endpoint"], "http:////")), reject),
        ("an unknown forsakringskassan config field (max_json_depth is AF's)", fk(set_(added + ["max_json_depth"], 32)), reject),
        ("an empty forsakringskassan aktorsid", fk(set_(added + ["aktorsid"], "")), reject),
        ("a forsakringskassan aktorsid with a slash", fk(set_(added + ["aktorsid"], "STHLM/EKB")), reject),
        ("a forsakringskassan aktorsid with a space", fk(set_(added + ["aktorsid"], "STHLM EKB")), reject),
        ("a 65-character forsakringskassan aktorsid", fk(set_(added + ["aktorsid"], "a" * 65)), reject),
        ("a forsakringskassan aktorsid that is a number", fk(set_(added + ["aktorsid"], 1234)), reject),
        ("a forsakringskassan config with token and token_env",
         fk(set_(added + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN")), reject),
        ("a forsakringskassan config without token or token_env", fk(drop(added + ["token"])), reject),
        ("an empty forsakringskassan token", fk(set_(added + ["token"], "")), reject),
        ("forsakringskassan source_timeout_ms 0", fk(set_(added + ["source_timeout_ms"], 0)), reject),
        ("forsakringskassan source_timeout_ms 600001", fk(set_(added + ["source_timeout_ms"], 600001)), reject),
        ("a forsakringskassan timeout for an AF source", fk(set_(added + ["source_timeouts_ms"], {"BESLUT": 100})), reject),
        ("a forsakringskassan source timeout of 0", fk(set_(added + ["source_timeouts_ms"], {"PAGAENDE": 0})), reject),
        ("forsakringskassan max_reply_bytes 1023", fk(set_(added + ["max_reply_bytes"], 1023)), reject),
        ("forsakringskassan max_reply_bytes over 64 MiB", fk(set_(added + ["max_reply_bytes"], 67108865)), reject),
        ("forsakringskassan information with every list empty",
         fk(set_(added + ["information"], {k: [] for k in fk_groups})), reject),
        ("a PM code among forsakringskassan formansinformation",
         fk(set_(added + ["information"], {"formansinformation": ["PM:AP"]})), reject),
        ("an FK code among forsakringskassan ansprak", fk(set_(added + ["information"], {"ansprak": ["FK:BOB"]})), reject),
        ("another agency's code among forsakringskassan utbetalningar",
         fk(set_(added + ["information"], {"utbetalningar": ["SKV:AB"]})), reject),
        ("a lower-case forsakringskassan group code", fk(set_(added + ["information"], {"formansinformation": ["FK:bob"]})), reject),
        ("a five-letter forsakringskassan group code", fk(set_(added + ["information"], {"ovrigInformation": ["FK:GEPIX"]})), reject),
        ("a forsakringskassan group code listed twice",
         fk(set_(added + ["information"], {"utbetalningar": ["FK:BOB", "FK:BOB"]})), reject),
        ("an unknown forsakringskassan information field",
         fk(set_(added + ["information"], {"ovrig_information": ["FK:GEPI"]})), reject),
        ("forsakringskassan information as a list", fk(set_(added + ["information"], ["FK:BOB"])), reject),
        ("a forsakringskassan information list as a string",
         fk(set_(added + ["information"], {"formansinformation": "FK:BOB"})), reject),
        ("a forsakringskassan config that is a string", fk(set_(added, "fk.json")), reject),
        ("delivery on a forsakringskassan adapter (it delivers återsökningar)", fk(set_(["adapters", 1, "delivery"], {})), accept),
        ("forsakringskassan max_notification_bytes at its bounds", fk(set_(added + ["max_notification_bytes"], 1024)), accept),
        ("forsakringskassan max_notification_bytes 1 MiB", fk(set_(added + ["max_notification_bytes"], 1048576)), accept),
        ("forsakringskassan max_notification_bytes 1023", fk(set_(added + ["max_notification_bytes"], 1023)), reject),
        ("forsakringskassan max_notification_bytes over 1 MiB", fk(set_(added + ["max_notification_bytes"], 1048577)), reject),
        ("a forsakringskassan token_env that is not set", fk(drop(added + ["token"]), set_(added + ["token_env"], UNSET_ENV)), gap),
        ("forsakringskassan max_reply_bytes written 2048.0", fk(set_(added + ["max_reply_bytes"], 2048.0)), gap),
        # --- operations and exchange policy (the policy step)
        ("operations naming one adapter, referrals and återsökningar",
         set_(["clients", 0, "operations"], ["lookup:ssbtek", "referral", "atersokning"]), accept),
        ("no operations granted", set_(["clients", 0, "operations"], []), accept),
        ("a case system without operations", drop(["clients", 0, "operations"]), reject),
        ("a case system by role without operations",
         lambda c: (c["clients"][0].update(roles=["case_system"]), c["clients"][0].pop("operations")), reject),
        ("an unknown operation", set_(["clients", 0, "operations"], ["export"]), reject),
        ("a lookup operation without an adapter", set_(["clients", 0, "operations"], ["lookup"]), reject),
        ("operations as a string", set_(["clients", 0, "operations"], "lookup:*"), reject),
        ("operations granted to an operator", referrals(set_(["clients", 2, "operations"], ["referral"])), reject),
        ("case and consent grants", set_(["clients", 0, "operations"], ["lookup:*", "case:register", "consent:record"]),
         accept),
        ("a case grant spelt otherwise", set_(["clients", 0, "operations"], ["case:*"]), reject),
        # --- organisations
        ("a case system without organisation", drop(["clients", 0, "organisation"]), reject),
        ("a partner without organisation", referrals(lambda c: None), accept),
        ("an operator with an organisation", referrals(set_(["clients", 2, "organisation"], "kommun-socialtjanst")), accept),
        ("an organisation id with capitals", set_(["clients", 0, "organisation"], "Kommun"), reject),
        ("a kommunkod of 3 digits", set_(["organisations", 0, "municipality"], "180"), reject),
        ("an organisation without units", set_(["organisations", 0, "units"], []), reject),
        ("an organisation without name", drop(["organisations", 0, "name"]), reject),
        ("an unknown field in an organisation", set_(["organisations", 0, "kommun"], "0180"), reject),
        ("a client naming no configured organisation", set_(["clients", 0, "organisation"], "nowhere"), gap),
        ("a lookup operation naming no configured adapter", set_(["clients", 0, "operations"], ["lookup:nope"]), gap),
        ("a lookup operation naming an adapter that answers no lookups",
         referrals(set_(["clients", 0, "operations"], ["lookup:jobbtorg"])), gap),
        ("a full exchange policy", set_(policy, {"purposes": ["ekonomiskt_bistand"], "legal_basis": "consent",
                                                 "max_period_months": 24, "comment": "AF: samtycke"}), accept),
        ("an empty exchange policy", set_(policy, {}), accept),
        ("max_period_months at its bounds", set_(policy, {"max_period_months": 1}), accept),
        ("max_period_months 120", set_(policy, {"max_period_months": 120}), accept),
        ("max_period_months 0", set_(policy, {"max_period_months": 0}), reject),
        ("max_period_months 121", set_(policy, {"max_period_months": 121}), reject),
        ("max_period_months as text", set_(policy, {"max_period_months": "24"}), reject),
        ("an unknown legal basis", set_(policy, {"legal_basis": "samtycke"}), reject),
        ("an unknown policy field", set_(policy, {"consent_required": True}), reject),
        ("policy purposes as a string", set_(policy, {"purposes": "ekonomiskt_bistand"}), reject),
        ("a policy purpose not listed under /purposes", set_(policy, {"purposes": ["forskning"]}), gap),
        ("a policy that is not an object", set_(policy, "consent"), reject),
        # --- SIP: the sip section, operation sip, the sip_region adapter
        ("the SIP sections (sip_region adapter, region partner, operation sip, sip)", sip(), accept),
        ("an empty sip section (every default)", sip(set_(["sip"], {})), accept),
        ("sip at its lower bounds", sip(set_(["sip", "meeting_within_days"], 1), set_(["sip", "reminder_interval_seconds"], 1)), accept),
        ("sip at its upper bounds",
         sip(set_(["sip", "meeting_within_days"], 365), set_(["sip", "reminder_interval_seconds"], 86400)), accept),
        ("a participant system for one unit", sip(set_(system + ["organisation"], "region-stockholm/vardcentral-farsta")), accept),
        ("a participant system for a whole organisation without a slash", sip(set_(system + ["organisation"], "forsakringskassan")), accept),
        ("a participant system comment", sip(set_(system + ["comment"], "Region Stockholm's SIP system")), accept),
        ("no participant systems", sip(set_(["sip", "participant_systems"], [])), accept),
        ("SIP without the sip section", sip(drop(["sip"])), accept),
        ("a sip_region token from the environment",
         sip(drop(region + ["token"]), set_(region + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN")), accept),
        ("a sip_region config without token or token_env", sip(drop(region + ["token"])), accept),
        ("sip_region max_report_bytes at its lower bound", sip(set_(region + ["max_report_bytes"], 1024)), accept),
        ("sip_region max_report_bytes 16 MiB", sip(set_(region + ["max_report_bytes"], 16777216)), accept),
        ("a sip_region endpoint with a path and trailing slashes", sip(set_(region + ["endpoint"], "http://region.example:8080/api//")), accept),
        ("delivery on a sip_region adapter", sip(set_(["adapters", 1, "delivery"], copy.deepcopy(lowest))), accept),
        ("a sip section that is an array", sip(set_(["sip"], [])), reject),
        ("an unknown sip field", sip(set_(["sip", "followup_reminder_days"], 7)), reject),
        ("meeting_within_days 0", sip(set_(["sip", "meeting_within_days"], 0)), reject),
        ("meeting_within_days 366", sip(set_(["sip", "meeting_within_days"], 366)), reject),
        ("meeting_within_days as text", sip(set_(["sip", "meeting_within_days"], "14")), reject),
        ("reminder_interval_seconds 0", sip(set_(["sip", "reminder_interval_seconds"], 0)), reject),
        ("reminder_interval_seconds 86401", sip(set_(["sip", "reminder_interval_seconds"], 86401)), reject),
        ("participant_systems that are an object", sip(set_(["sip", "participant_systems"], {})), reject),
        ("a participant system that is a string", sip(set_(system, "region-stockholm/")), reject),
        ("a participant system without organisation", sip(drop(system + ["organisation"])), reject),
        ("a participant system without adapter", sip(drop(system + ["adapter"])), reject),
        ("an empty participant system adapter", sip(set_(system + ["adapter"], "")), reject),
        ("an unknown participant system field", sip(set_(system + ["unit"], "Vårdcentral Farsta")), reject),
        ("an upper-case participant organisation", sip(set_(system + ["organisation"], "Region-Stockholm/")), reject),
        ("a participant organisation with a space", sip(set_(system + ["organisation"], "region stockholm")), reject),
        ("a participant organisation five levels deep", sip(set_(system + ["organisation"], "a/b/c/d/e")), reject),
        ("a participant organisation that is only a slash", sip(set_(system + ["organisation"], "/")), reject),
        ("an empty participant organisation", sip(set_(system + ["organisation"], "")), reject),
        ("an operation sip with an adapter", sip(set_(["clients", 0, "operations"], ["sip:region-stockholm"])), reject),
        ("a sip_region config missing endpoint", sip(drop(region + ["endpoint"])), reject),
        ("an empty sip_region endpoint", sip(set_(region + ["endpoint"], "")), reject),
        ("an https sip_region endpoint without tls", sip(set_(region + ["endpoint"], "https://region.example/api")), reject),
        ("an https sip_region endpoint with tls", sip(set_(region + ["endpoint"], "https://region.example/api"),
                                                      set_(region + ["tls"], {"ca_file": "ca/region.pem"})), accept),
        ("a sip_region endpoint that is only a scheme", sip(set_(region + ["endpoint"], "http:////")), reject),
        ("a sip_region endpoint with an empty port", sip(set_(region + ["endpoint"], "http://region.example:/api")), reject),
        ("an empty sip_region token", sip(set_(region + ["token"], "")), reject),
        ("a sip_region token that is a number", sip(set_(region + ["token"], 42)), reject),
        ("a sip_region config with token and token_env", sip(set_(region + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN")), reject),
        ("an empty sip_region token_env", sip(drop(region + ["token"]), set_(region + ["token_env"], "")), reject),
        ("sip_region max_report_bytes 1023", sip(set_(region + ["max_report_bytes"], 1023)), reject),
        ("sip_region max_report_bytes over 16 MiB", sip(set_(region + ["max_report_bytes"], 16777217)), reject),
        ("an unknown sip_region config field", sip(set_(region + ["timeout_ms"], 5000)), reject),
        ("a sip_region config that is an array", sip(set_(region, [])), reject),
        ("a participant system naming no configured adapter", sip(set_(system + ["adapter"], "region-skane")), gap),
        ("a participant system naming an adapter that delivers nothing", sip(set_(system + ["adapter"], "ssbtek")), gap),
        ("a sip_region token_env that is not set", sip(drop(region + ["token"]), set_(region + ["token_env"], UNSET_ENV)), gap),
        ("meeting_within_days written 14.0", sip(set_(["sip", "meeting_within_days"], 14.0)), gap),
        ("sip_region max_report_bytes written 2048.0", sip(set_(region + ["max_report_bytes"], 2048.0)), gap),
        # --- attendance: thresholds and the summary's grace
        ("an attendance section", set_(["attendance"], {"absence_flag_threshold": 3, "summary_grace_days": 5,
                                                        "summary_interval_seconds": 300, "comment": "Jobbtorg"}), accept),
        ("an empty attendance section (every default)", set_(["attendance"], {}), accept),
        ("attendance at its lower bounds", set_(["attendance"], {"absence_flag_threshold": 1, "summary_grace_days": 0,
                                                                  "summary_interval_seconds": 1}), accept),
        ("attendance at its upper bounds", set_(["attendance"], {"absence_flag_threshold": 31, "summary_grace_days": 60,
                                                                  "summary_interval_seconds": 86400}), accept),
        ("absence_flag_threshold 0", set_(["attendance"], {"absence_flag_threshold": 0}), reject),
        ("absence_flag_threshold 32", set_(["attendance"], {"absence_flag_threshold": 32}), reject),
        ("summary_grace_days -1", set_(["attendance"], {"summary_grace_days": -1}), reject),
        ("summary_grace_days 61", set_(["attendance"], {"summary_grace_days": 61}), reject),
        ("summary_grace_days as text", set_(["attendance"], {"summary_grace_days": "5"}), reject),
        ("summary_interval_seconds 0", set_(["attendance"], {"summary_interval_seconds": 0}), reject),
        ("an unknown attendance field", set_(["attendance"], {"flag_after_days": 3}), reject),
        ("an attendance section that is an array", set_(["attendance"], []), reject),
    ]
    return [
        ("the minimal config", lambda c: None, accept),
        ("a full config", lambda c: c.update({
            "$schema": "../schemas/config.schema.json", "comment": "demo",
            "server": {"host": "0.0.0.0", "port": 0, "threads": 64, "max_body_bytes": 16777216, "request_timeout_ms": 600000,
                       "tls": {"certificate": "tls/server.pem", "key": "tls/server.key", "client_ca_file": "tls/clients.pem",
                               "client_certificate": "required"}},
            "log": {"level": "debug", "file": ""}, "lookup": {"deadline_ms": 120000}}), accept),
        ("lower bounds", set_(["server"], {"port": 0, "threads": 1, "max_body_bytes": 1024, "request_timeout_ms": 100,
                                            "plain_http": True}), accept),
        ("a server with neither tls nor plain_http", set_(["server"], {}), reject),
        ("plain_http false and no tls", set_(["server"], {"plain_http": False}), reject),
        ("tls and plain_http both", set_(["server"], {"plain_http": True, "tls": {"certificate": "a.pem", "key": "a.key"}}), reject),
        ("tls with a key password from the environment", set_(["server"], {"tls": {"certificate": "a.pem", "key": "a.key",
                                                                                 "key_password_env": "HOME"}}), accept),
        ("tls without a key", set_(["server"], {"tls": {"certificate": "a.pem"}}), reject),
        ("tls with both key password sources", set_(["server"], {"tls": {"certificate": "a.pem", "key": "a.key",
                                                                        "key_password_file": "p", "key_password_env": "HOME"}}), reject),
        ("an unknown client_certificate mode", set_(["server"], {"tls": {"certificate": "a.pem", "key": "a.key",
                                                                        "client_ca_file": "c.pem", "client_certificate": "maybe"}}), reject),
        ("client_certificate without client_ca_file", set_(["server"], {"tls": {"certificate": "a.pem", "key": "a.key",
                                                                               "client_certificate": "required"}}), gap),
        ("a client bound to a certificate pin", lambda c: (
            c["server"].update({"plain_http": False, "tls": {"certificate": "a.pem", "key": "a.key", "client_ca_file": "c.pem"}}),
            c["server"].pop("plain_http"),
            c["clients"][0].update({"certificate": {"sha256": "b" * 64}}))[-1], accept),
        ("a client authenticated by its certificate alone", lambda c: (
            c["server"].pop("plain_http"),
            c["server"].update({"tls": {"certificate": "a.pem", "key": "a.key", "client_ca_file": "c.pem"}}),
            c["clients"][0].pop("token_sha256"),
            c["clients"][0].update({"authentication": "certificate",
                                    "certificate": {"issuer": "CN=Expisoft,O=Expisoft AB,C=SE",
                                                    "serial_number": "SE2120001234-0001"}}))[-1], accept),
        ("a client with neither token nor certificate", lambda c: c["clients"][0].pop("token_sha256") and None, reject),
        ("a certificate pin beside an issuer", lambda c: (
            c["server"].pop("plain_http"),
            c["server"].update({"tls": {"certificate": "a.pem", "key": "a.key", "client_ca_file": "c.pem"}}),
            c["clients"][0].update({"certificate": {"sha256": "b" * 64, "issuer": "CN=x"}}))[-1], reject),
        ("a client certificate the server does not ask for (no client_ca_file)",
         set_(["clients", 0, "certificate"], {"sha256": "b" * 64}), gap),
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
        ("an unknown server field", set_(["server", "ssl"], True), reject),
        ("tls that is not an object", set_(["server", "tls"], True), reject),
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
        ("an instance id", set_(["server", "instance_id"], "gw-1.example:a"), accept),
        ("an empty instance id", set_(["server", "instance_id"], ""), reject),
        ("an instance id with a space", set_(["server", "instance_id"], "gw 1"), reject),
        ("an instance id of 129 characters", set_(["server", "instance_id"], "g" * 129), reject),
        ("an instance id that is a number", set_(["server", "instance_id"], 1), reject),
        ("a delivery lease of 30 s", set_(["delivery"], {"lease_ms": 30000}), accept),
        ("a delivery lease at its bounds", set_(["delivery"], {"lease_ms": 3000}), accept),
        ("a delivery lease under 3 s", set_(["delivery"], {"lease_ms": 2999}), reject),
        ("a delivery lease over 10 minutes", set_(["delivery"], {"lease_ms": 600001}), reject),
        ("an unknown delivery field", set_(["delivery"], {"lease": 30000}), reject),
        ("delivery that is not an object", set_(["delivery"], 30000), reject),
        ("readiness_refresh_ms at its bounds", set_(["server", "readiness_refresh_ms"], 100), accept),
        ("readiness_refresh_ms 99", set_(["server", "readiness_refresh_ms"], 99), reject),
        ("readiness_refresh_ms over 10 minutes", set_(["server", "readiness_refresh_ms"], 600001), reject),
        ("readiness_cache_ms, replaced by readiness_refresh_ms", set_(["server", "readiness_cache_ms"], 5000), reject),
        ("unauthenticated limits", set_(["server", "unauthenticated"], {"burst": 1, "per_minute": 100000, "max_addresses": 1,
                                                                         "max_routes_per_aggregate": 256}), accept),
        ("an unauthenticated burst of 0", set_(["server", "unauthenticated"], {"burst": 0}), reject),
        ("an unknown unauthenticated field", set_(["server", "unauthenticated"], {"per_hour": 5}), reject),
        ("store kind postgres", set_(["store", "kind"], "postgres"), reject),
        ("a store without kind", drop(["store", "kind"]), reject),
        ("a store without path", drop(["store", "path"]), reject),
        ("an empty store path", set_(["store", "path"], ""), reject),
        ("a local postgresql store", set_(["store"], {"kind": "postgresql", "connection": "host=127.0.0.1 dbname=k",
                                                      "pool_size": 4}), accept),
        ("a remote postgresql store with verified TLS", set_(["store"], {
            "kind": "postgresql", "password_env": "HOME",
            "connection": "host=db.example dbname=k sslmode=verify-full sslrootcert=/etc/ca.pem"}), accept),
        ("a postgresql store with a path", set_(["store"], {"kind": "postgresql", "connection": "host=127.0.0.1",
                                                            "path": "k.db"}), reject),
        ("a postgresql store without connection", set_(["store"], {"kind": "postgresql"}), reject),
        ("a sqlite store with a connection", set_(["store", "connection"], "host=127.0.0.1"), reject),
        ("both database password sources", set_(["store"], {"kind": "postgresql", "connection": "host=127.0.0.1",
                                                            "password_env": "HOME", "password_file": "p"}), reject),
        ("a pool of 65", set_(["store"], {"kind": "postgresql", "connection": "host=127.0.0.1", "pool_size": 65}), reject),
        # What the connection string says is libpq's syntax, which a JSON schema cannot read.
        ("a password inside the connection string", set_(["store"], {"kind": "postgresql",
                                                                     "connection": "host=127.0.0.1 password=x"}), gap),
        ("a remote postgresql store without verified TLS", set_(["store"], {
            "kind": "postgresql", "connection": "host=db.example sslmode=require"}), gap),
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
        ("a route to an unknown destination", referrals(set_(["routes", 0, "to"], ["jobbtorg-city"])), gap),
        ("a route to an adapter that delivers nothing", referrals(set_(["routes", 0, "to"], ["ssbtek"])), gap),
        ("a partner_adapter naming no configured adapter", referrals(set_(["clients", 1, "partner_adapter"], "jobbtorg-city")), gap),
        ("a webhook for an unknown client", referrals(set_(hook + ["client"], "case-system-2")), gap),
        ("a webhook named like a delivering adapter", referrals(set_(hook + ["name"], "jobbtorg")), gap),
        ("two webhooks with one name", referrals(lambda c: c["webhooks"].append(copy.deepcopy(c["webhooks"][0]))), gap),
        ("a secret_env that is not set", referrals(drop(hook + ["secret"]), set_(hook + ["secret_env"], UNSET_ENV)), gap),
        ("a secret from the environment shorter than 16", referrals(drop(hook + ["secret"]),
                                                                  set_(hook + ["secret_env"], "KNUTPUNKT_SCHEMA_TEST_SHORT_SECRET")), gap),
        ("a jobbtorg token_env that is not set", referrals(drop(jobbtorg + ["token"]), set_(jobbtorg + ["token_env"], UNSET_ENV)),
         gap),
        ("max_backoff_ms below initial_backoff_ms", referrals(set_(delivery, {"retry": {"initial_backoff_ms": 5000, "max_backoff_ms": 1000}})), gap),
        ("max_backoff_ms below the default initial backoff", referrals(set_(delivery, {"retry": {"max_backoff_ms": 500}})), gap),
        ("delivery on an adapter kind that delivers nothing", set_(["adapters", 0, "delivery"], {}), gap),
        ("jobbtorg max_report_bytes written 2048.0", referrals(set_(jobbtorg + ["max_report_bytes"], 2048.0)), gap),
        # Once parser leniencies, now refused by both.
        ("an unknown field in ssbtek's ingivare", ssbtek(set_(["adapters", 0, "config", "ingivare", "orgnr"], "x")), reject),
        ("a jobbtorg token_env that is not a string", referrals(set_(jobbtorg + ["token_env"], 42)), reject),
        ("an empty jobbtorg token_env beside a token", referrals(set_(jobbtorg + ["token_env"], "")), reject),
        ("a jobbtorg token that is not a string beside token_env",
         referrals(set_(jobbtorg + ["token"], 42), set_(jobbtorg + ["token_env"], "KNUTPUNKT_SCHEMA_TEST_TOKEN")), reject),
    ] + new_sections


def run_parser(config_verdicts, docs):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(docs, f, ensure_ascii=False)
        name = f.name
    env = {k: v for k, v in os.environ.items() if k != UNSET_ENV}
    env.update(PARSER_ENV)
    try:
        run = subprocess.run([config_verdicts, name], capture_output=True, text=True, check=False, env=env)
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
        elif expected == "parser-lenient":
            check(not schema_ok and parser_ok,
                  f"config {description}: schema refuses, parser still accepts (if the parser now refuses, make it 'reject') {said}")
        else:
            want = expected == "accept"
            check(schema_ok == want, f"config schema {expected}s {description} {said}")
            check(parser_ok == want, f"parse_config {expected}s {description} {said}")

    if os.path.exists(demo_path):
        with open(demo_path, encoding="utf-8") as f:
            demo = json.loads(strip_json_comments(f.read()))
        check(is_valid(validator, demo), f"config/demo.json validates against config.schema.json: {first_error(validator, demo)}")
        verdict = run_parser(config_verdicts, [demo])
        if verdict:
            check(verdict[0].get("ok") is True, f"parse_config accepts config/demo.json: {verdict[0]}")
    else:
        print(f"note: {demo_path} does not exist yet; demo config not checked")


# ---------------------------------------------------------------------------------------------
# 4. Jobbtorg wire schemas
# ---------------------------------------------------------------------------------------------
def check_jobbtorg(schemas_dir, fixtures_dir):
    """schemas/jobbtorg/: valid 2020-12 schemas, every fixture validates, broken ones are rejected."""
    anvisning = load_json(os.path.join(schemas_dir, "jobbtorg", "anvisning.schema.json"))
    report = load_json(os.path.join(schemas_dir, "jobbtorg", "report.schema.json"))
    for schema in (anvisning, report):
        Draft202012Validator.check_schema(schema)
        check(schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", f"{schema['$id']} is 2020-12")
    va = Draft202012Validator(anvisning, format_checker=FormatChecker())
    vr = Draft202012Validator(report, format_checker=FormatChecker())
    for name in ("anvisning.json", "anvisning-minimal.json"):
        doc = load_json(os.path.join(fixtures_dir, name))
        check(is_valid(va, doc), f"jobbtorg fixture {name} validates: {first_error(va, doc)}")
    reports = sorted(glob.glob(os.path.join(fixtures_dir, "reports", "*.json")))
    check(len(reports) == len(report["properties"]["typ"]["enum"]), "one jobbtorg report fixture per typ")
    for path in reports:
        doc = load_json(path)
        check(doc.get("typ") == os.path.basename(path)[:-5], f"{path}: file named after its typ")
        check(is_valid(vr, doc), f"jobbtorg report {os.path.basename(path)} validates: {first_error(vr, doc)}")
    narvaro = load_json(os.path.join(fixtures_dir, "reports", "NARVARO.json"))
    full = load_json(os.path.join(fixtures_dir, "anvisning.json"))
    # A corrected day with Jobbtorg's planned hours and its version: the optional members validate.
    corrected = load_json(os.path.join(fixtures_dir, "corrections", "NARVARO-korrigering.json"))
    check(is_valid(vr, corrected), f"jobbtorg correction validates: {first_error(vr, corrected)}")

    def broken(validator, base, description, mutate):
        doc = copy.deepcopy(base)
        mutate(doc)
        check(not is_valid(validator, doc), f"jobbtorg rejected: {description}")

    broken(vr, narvaro, "a report carrying another typ's object", lambda d: d.update(avslut={"datum": "2027-01-01", "orsak": "ARBETE"}))
    broken(vr, narvaro, "a report without its own object", lambda d: d.pop("narvaro"))
    broken(vr, narvaro, "an unknown franvaroorsak", lambda d: d["narvaro"]["dagar"][1].update(franvaroorsak="SEMESTER"))
    broken(vr, narvaro, "an unknown typ", lambda d: d.update(typ="OKAND"))
    broken(vr, narvaro, "an unknown top-level member", lambda d: d.update(extra=1))
    broken(vr, narvaro, "tidpunkt as a date only", lambda d: d.update(tidpunkt="2026-12-05"))
    broken(vr, narvaro, "no days", lambda d: d["narvaro"].update(dagar=[]))
    broken(vr, corrected, "a version 0", lambda d: d["narvaro"]["dagar"][0].update(version=0))
    broken(vr, corrected, "planeradeTimmar over 24", lambda d: d["narvaro"]["dagar"][0].update(planeradeTimmar=25))
    broken(vr, corrected, "korrigerad as text", lambda d: d["narvaro"]["dagar"][0].update(korrigerad="ja"))
    broken(va, full, "ibDel1 without genomford", lambda d: d["ibDel1"].pop("genomford"))
    broken(va, full, "an empty ibDel1.resultat (absent, never empty)", lambda d: d["ibDel1"].update(resultat={}))
    broken(va, full, "an ibDel1.resultat category that is not a code", lambda d: d["ibDel1"]["resultat"].update(BOENDE=""))
    broken(va, full, "a 10-digit personnummer", lambda d: d["person"].update(personnummer="1212121212"))
    broken(va, full, "an empty telefon (absent, never empty)", lambda d: d["anvisandeHandlaggare"].update(telefon=""))
    broken(va, full, "a missing samtyckesreferens", lambda d: d.pop("samtyckesreferens"))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schemas", required=True)
    parser.add_argument("--emitter", required=True)
    parser.add_argument("--config-verdicts", required=True)
    parser.add_argument("--demo-config", required=True)
    parser.add_argument("--jobbtorg-fixtures", required=True)
    parser.add_argument("--gateway", required=True, help="the knutpunkt binary (its route table: knutpunkt routes --json)")
    parser.add_argument("--http-dir", required=True, help="gateway/http (the endpoints' sources, for the problem codes sent)")
    args = parser.parse_args()

    case_event = load_json(os.path.join(args.schemas, CASE_EVENT_FILE))
    config_schema = load_json(os.path.join(args.schemas, CONFIG_FILE))
    with open(os.path.join(args.schemas, "openapi.yaml"), encoding="utf-8") as f:
        openapi_doc = yaml.safe_load(f)

    events = check_case_events(case_event, args.emitter)
    resolver = check_openapi(openapi_doc, case_event, args.schemas, args.gateway, args.http_dir)
    check_emitted_events_in_response(resolver, events)
    check_config(config_schema, args.config_verdicts, args.demo_config)
    check_jobbtorg(args.schemas, args.jobbtorg_fixtures)

    print(f"{passes} checks passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
