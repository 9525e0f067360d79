#!/usr/bin/env python3
"""Validates every Försäkringskassan fixture (the simulator's output, and the återsökning the adapter
must render) against its wire schema in schemas/forsakringskassan (JSON Schema 2020-12), and that
the schemas refuse what they must. Needs python3-jsonschema; fails without it."""
import copy, json, pathlib, sys
import jsonschema

schemas, fixtures = map(pathlib.Path, sys.argv[1:3])
# Fixture name prefix -> schema; None: not a wire message (the internal outbox payload).
by_prefix = {"formaner": "lefi-svar", "pagaende": "pagaende-svar", "error": "lefi-felsvar",
             "beslutsnotifiering": "beslutsnotifiering", "atersokning-request": "atersokning",
             "atersokning-kvitto": "atersokning-kvitto", "atersokning-payload": None}


def validator(name):
    schema = json.loads((schemas / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


checked = 0
for fixture in sorted(fixtures.glob("*.json")):
    prefix = next(p for p in sorted(by_prefix, key=len, reverse=True) if fixture.stem.startswith(p))
    if by_prefix[prefix] is None:
        continue
    validator(by_prefix[prefix]).validate(json.loads(fixture.read_text()))
    checked += 1

notification = json.loads((fixtures / "beslutsnotifiering-191212121212.json").read_text())
for broken in (lambda d: d.pop("skyddad"), lambda d: d["beslut"].__setitem__("utfall", "OKAND"),
               lambda d: d.__setitem__("personnummer", "1212121212"),
               lambda d: d["beslut"]["belopp"].__setitem__("valuta", "EUR")):
    bad = copy.deepcopy(notification)
    broken(bad)
    assert list(validator("beslutsnotifiering").iter_errors(bad)), "a broken notification must not validate"
request = json.loads((fixtures / "atersokning-request.json").read_text())
for broken in (lambda d: d["belopp"].__setitem__("varde", 12345.5), lambda d: d.pop("handlaggare"),
               lambda d: d["period"].pop("tom")):
    bad = copy.deepcopy(request)
    broken(bad)
    assert list(validator("atersokning").iter_errors(bad)), "a broken återsökning must not validate"
print(f"{checked} fixtures valid")
sys.exit(0 if checked >= 20 else 1)
