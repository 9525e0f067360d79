#!/usr/bin/python3
"""Holds schemas/sip/sip-plan.v1.schema.json to the code.

1. The schema is a valid 2020-12 schema.
2. Every file in schemas/sip/examples/ validates.
3. Every stage of a full lifecycle as gateway/sip's to_json writes it (printed by emit_sip_plans)
   validates.
4. Documents that break the rules are rejected: an address anywhere (protected persons: the plan
   has no address member), an unknown status, a float version, a local-time date-time.

Any failure exits 1; a missing jsonschema module is a failure, not a skip.
"""
import argparse
import copy
import glob
import json
import os
import subprocess
import sys

try:
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError as e:  # pragma: no cover - the point is to fail loudly
    print(f"FAIL: {e}. Install Debian package python3-jsonschema.", file=sys.stderr)
    sys.exit(1)

failures = []
passes = 0


def check(condition, what):
    global passes
    if condition:
        passes += 1
    else:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("--examples", required=True)
    parser.add_argument("--emitter", required=True)
    args = parser.parse_args()

    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())

    def errors(document):
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]

    examples = sorted(glob.glob(os.path.join(args.examples, "*.json")))
    check(examples, f"no example files in {args.examples}")
    for path in examples:
        with open(path, encoding="utf-8") as f:
            found = errors(json.load(f))
        check(not found, f"example {os.path.basename(path)} is invalid: {found}")

    out = subprocess.run([args.emitter], check=True, capture_output=True, text=True).stdout
    stages = [json.loads(line) for line in out.splitlines() if line.strip()]
    check(len(stages) >= 10, f"emitter printed {len(stages)} stages, expected a full lifecycle")
    for i, plan in enumerate(stages):
        found = errors(plan)
        check(not found, f"lifecycle stage {i} ({plan.get('status')}) is invalid: {found}")

    if stages:
        established = next(p for p in stages if p["status"] == "plan_established")
        broken = []
        doc = copy.deepcopy(established); doc["person"]["address"] = "Storgatan 1"; broken.append(("address on person", doc))
        doc = copy.deepcopy(established); doc["participants"][0]["contact"]["address"] = "x"; broken.append(("address in contact", doc))
        doc = copy.deepcopy(established); doc["meeting"]["address"] = "x"; broken.append(("address on meeting", doc))
        doc = copy.deepcopy(established); doc["status"] = "paused"; broken.append(("unknown status", doc))
        doc = copy.deepcopy(established); doc["version"] = 7.5; broken.append(("float version", doc))
        doc = copy.deepcopy(established); doc["initiated_at"] = "2026-10-01T08:45:00+02:00"; broken.append(("non-UTC time", doc))
        doc = copy.deepcopy(established); doc["consent"]["scope"] = []; broken.append(("empty consent scope", doc))
        doc = copy.deepcopy(established); del doc["huvudansvar"]; broken.append(("huvudansvar absent", doc))
        for what, document in broken:
            check(errors(document), f"a plan with {what} was accepted")

    if failures:
        print(f"{len(failures)} failed, {passes} passed", file=sys.stderr)
        sys.exit(1)
    print(f"sip schema: {passes} checks passed")


if __name__ == "__main__":
    main()
