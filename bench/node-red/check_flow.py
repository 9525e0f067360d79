#!/usr/bin/env python3
"""Checks bench/node-red/lookup-flow.json, the Node-RED peer of scripts/bench, without Node-RED:

  - the flow parses and is wired as the benchmark describes it: http in (POST /lookup) -> build
    the SOAP question -> http request (POST, kept-alive connections) -> xml -> list each source's
    facts -> http response, with a catch node answering failures;
  - with Node.js at hand, the question the flow builds validates against SSBTEK's published
    schema (schemas/ssbtek) and, given --gateway-question (the question the gateway sent, captured
    by scripts/bench), has the gateway's elements, attributes and order.

usage: check_flow.py FLOW_JSON SCHEMA_XSD [--gateway-question FILE] [--require-node]

Exits 1 naming what is wrong. Without Node.js the question is not checked (say so), unless
--require-node.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def last_three_months():
    """The three whole months before this one: a period valid whatever day the bench runs."""
    first_of_month = datetime.date.today().replace(day=1)
    end = first_of_month - datetime.timedelta(days=1)
    start = (first_of_month - datetime.timedelta(days=85)).replace(day=1)
    return {"from": start.isoformat(), "to": end.isoformat()}


SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
LOOKUP = {"person": "191212121212", "case_id": "EB-2026-BENCH", "purpose": "ekonomiskt_bistand",
          "legal_basis": "11 kap. 11 § SoL", "period": last_three_months(),
          "sources": ["AF", "CSN", "FK", "SKV", "SO", "TNS", "MIV"], "caseworker": {"id": "bench", "unit": "bench"}}

ap = argparse.ArgumentParser()
ap.add_argument("flow")
ap.add_argument("schema")
ap.add_argument("--gateway-question")
ap.add_argument("--require-node", action="store_true")
args = ap.parse_args()

problems = []


def expect(condition, what):
    if not condition:
        problems.append(what)
    return condition


flow = json.load(open(args.flow, encoding="utf-8"))
nodes = {node["id"]: node for node in flow if "id" in node}


def single(kind):
    found = [node for node in flow if node.get("type") == kind]
    expect(len(found) == 1, f"one '{kind}' node expected, found {len(found)}")
    return found[0] if found else {}


def wired(node, output=0):
    wires = node.get("wires", [])
    return [nodes.get(target, {}) for target in (wires[output] if len(wires) > output else [])]


def next_is(node, kind, output=0):
    targets = wired(node, output)
    expect(len(targets) == 1 and targets[0].get("type") == kind,
           f"'{node.get('name', node.get('type'))}' output {output + 1} should go to one '{kind}' node")
    return targets[0] if targets else {}


entry = single("http in")
expect(entry.get("method") == "post" and entry.get("url") == "/lookup", "http in should take POST /lookup")
build = next_is(entry, "function")
request = next_is(build, "http request")
expect(request.get("method") == "POST" and request.get("url") == "",
       "http request should POST to msg.url (set from SSBTEK_URL)")
expect(request.get("persist") is True, "http request should keep connections alive, as the gateway does")
expect(request.get("ret") == "txt", "http request should hand the xml node text")
parse = next_is(request, "xml")
mapping = next_is(parse, "function")
answer = next_is(mapping, "http response")
expect(next_is(build, "http response", 1) is answer, "a refused lookup should be answered by the same http response")
failure = next_is(single("catch"), "function")
expect(next_is(failure, "http response") is answer, "failures should be answered by the same http response")
expect("SSBTEK_URL" in build.get("func", ""), "the question should go to env SSBTEK_URL")


def shape(element):
    """Element names, attributes and order, without text: what the gateway and the flow share."""
    return (element.tag, tuple(sorted(element.attrib.items())), tuple(shape(child) for child in element))


def first_difference(a, b, path=""):
    if a[0] != b[0] or a[1] != b[1] or len(a[2]) != len(b[2]):
        return f"{path}/{a[0]} {dict(a[1])} with {len(a[2])} children vs {path}/{b[0]} {dict(b[1])} with {len(b[2])}"
    for x, y in zip(a[2], b[2]):
        found = first_difference(x, y, f"{path}/{a[0]}")
        if found:
            return found
    return None


node_js = shutil.which("node")
if node_js is None:
    expect(not args.require_node, "Node.js is needed to build the flow's question")
    if not args.require_node:
        print("check_flow: no Node.js here, so the flow's question was not built and validated")
else:
    # Runs the function node's code as Node-RED does: msg, env and node in scope, two outputs.
    runner = ("const fs = require('fs');"
              "const code = fs.readFileSync(0, 'utf8');"
              "const msg = {_msgid: 'check', payload: JSON.parse(process.argv[1])};"
              "const env = {get: name => name === 'SSBTEK_URL' ? 'http://127.0.0.1:1/ssbtek' : undefined};"
              "const out = new Function('msg', 'env', 'node', code)(msg, env, {});"
              "process.stdout.write(JSON.stringify(out));")
    run = subprocess.run([node_js, "-e", runner, json.dumps(LOOKUP)], input=build.get("func", ""),
                         capture_output=True, text=True, timeout=60)
    outputs = json.loads(run.stdout) if run.returncode == 0 and run.stdout else None
    if expect(isinstance(outputs, list) and outputs[0] and outputs[1] is None,
              f"the build function should send the question on output 1: {run.stderr.strip()[:500]}"):
        sent = outputs[0]
        expect(sent.get("url") == "http://127.0.0.1:1/ssbtek", "the question should go to SSBTEK_URL")
        expect(sent.get("headers", {}).get("Content-Type") == "text/xml; charset=utf-8",
               "the question should be sent as text/xml; charset=utf-8, as the gateway sends it")
        envelope = ET.fromstring(sent["payload"].encode("utf-8"))
        body = envelope.find(f"{{{SOAP}}}Body")
        with tempfile.TemporaryDirectory() as scratch:
            payload = os.path.join(scratch, "question.xml")
            ET.ElementTree(body[0]).write(payload, encoding="utf-8", xml_declaration=True)
            valid = subprocess.run(["xmllint", "--noout", "--schema", args.schema, payload],
                                   capture_output=True, text=True)
            expect(valid.returncode == 0,
                   f"the flow's question does not validate against {args.schema}: {valid.stderr.strip()[:500]}")
        if args.gateway_question:
            gateway = ET.parse(args.gateway_question).getroot()
            difference = first_difference(shape(gateway), shape(envelope))
            expect(difference is None, f"the flow's question differs from the gateway's: {difference}")

for problem in problems:
    print(f"check_flow: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
