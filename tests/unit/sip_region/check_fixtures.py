#!/usr/bin/env python3
"""Holds the region wire schemas (schemas/sip_region) to the fixtures and to what the adapter
renders now (emit_region_wire), and checks that the schemas refuse what they must: a place in a
protected person's plan, content in a consent withdrawal, an unknown reply. Needs
python3-jsonschema; fails without it.
usage: check_fixtures.py SCHEMA_DIR FIXTURE_DIR EMITTER"""
import copy, json, pathlib, subprocess, sys
import jsonschema

schemas, fixtures = map(pathlib.Path, sys.argv[1:3])
emitter = sys.argv[3]


def validator(name):
    schema = json.loads((schemas / f"{name}.v1.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


outgoing, incoming = validator("utgaende"), validator("inkommande")
checked = 0
for fixture in sorted(fixtures.glob("*.json")):
    if fixture.name.startswith("payload-"):
        continue  # the gateway's internal outbox payload, not a wire message
    v = incoming if fixture.name.startswith(("svar", "andringsforslag")) else outgoing
    v.validate(json.loads(fixture.read_text()))
    checked += 1

rendered = subprocess.run([emitter, str(fixtures)], check=True, capture_output=True, text=True).stdout.splitlines()
for line in rendered:
    outgoing.validate(json.loads(line)["body"])
    checked += 1
assert len(rendered) == len(list(fixtures.glob("payload-*.json"))), "every payload must render"


def refused(v, document, what):
    assert list(v.iter_errors(document)), what


kallelse = json.loads((fixtures / "kallelse.json").read_text())
protected = copy.deepcopy(kallelse)
protected["skyddadePersonuppgifter"] = True
refused(outgoing, protected, "a protected person's plan must not carry a place")
withdrawn = json.loads((fixtures / "meddelande-samtycke-aterkallat.json").read_text())
for extra in ({"plan": kallelse["plan"]}, {"skyddadePersonuppgifter": False}, {"orsak": "x"}):
    refused(outgoing, {**withdrawn, **extra}, f"a consent withdrawal must carry no {list(extra)}")
notice = json.loads((fixtures / "meddelande-plan-avslutad.json").read_text())
refused(outgoing, {**notice, "plan": kallelse["plan"]}, "a notice must not carry the plan")
svar = json.loads((fixtures / "svar-deltar.json").read_text())
refused(incoming, {**svar, "svar": "KANSKE"}, "an unknown reply must not validate")
refused(incoming, {**svar, "personnummer": "198112189876"}, "unknown members must not validate")
print(f"{checked} messages valid")
sys.exit(0 if checked >= 15 else 1)
