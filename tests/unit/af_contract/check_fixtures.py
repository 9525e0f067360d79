#!/usr/bin/env python3
"""Validates every AF fixture (the simulator's output) against its wire schema in
schemas/arbetsformedlingen (JSON Schema 2020-12). Needs python3-jsonschema; fails without it."""
import json, pathlib, sys
import jsonschema

schemas, fixtures = map(pathlib.Path, sys.argv[1:3])
by_prefix = {"INSKRIVNING": "inskrivningsstatus", "HANDLINGSPLAN": "handlingsplan",
             "AKTIVITETSRAPPORTER": "aktivitetsrapporter", "BESLUT": "beslut", "error": "fel"}
checked = 0
for fixture in sorted(fixtures.glob("*.json")):
    schema = json.loads((schemas / f"{by_prefix[fixture.stem.split('-')[0]]}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(fixture.read_text()))
    checked += 1
question = json.loads((schemas / "question.schema.json").read_text())
jsonschema.Draft202012Validator(question).validate({"personnummer": "191212121212", "period": {"from": "2026-01-01", "tom": "2026-12-31"}})
bad = list(jsonschema.Draft202012Validator(question).iter_errors({"personnummer": "1912"}))
assert bad, "an 11-character personnummer must not validate"
print(f"{checked} fixtures valid")
sys.exit(0 if checked >= 20 else 1)
