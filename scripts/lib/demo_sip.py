#!/usr/bin/env python3
"""The demo's SIP exchange, as a case system would run it against the gateway:
initiate, invite the vårdcentral (the region's system accepts on its own), hold the meeting,
establish the plan, show what the region's system now holds, withdraw the consent and show that
the region was told without content.
usage: demo_sip.py BASE_URL CASE_SYSTEM_TOKEN REGION_SIM_URL [PKI_DIR]

With PKI_DIR (scripts/lib/demo_pki.sh) https is verified against its demo CA alone, and the
organisation certificate is presented (the region's simulator asks for one)."""
import datetime
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

BASE, TOKEN, REGION = sys.argv[1], sys.argv[2], sys.argv[3]
PKI = sys.argv[4] if len(sys.argv) > 4 else None
TLS = None
if PKI:
    TLS = ssl.create_default_context(cafile=os.path.join(PKI, "ca.pem"))
    TLS.load_cert_chain(os.path.join(PKI, "organisation.pem"), os.path.join(PKI, "organisation.key"))
CASEWORKER = {"id": "hand-0042", "unit": "Enskede-Årsta-Vantör, ekonomiskt bistånd"}
KOMMUN = "kommun-0180/ekonomiskt-bistand-enskede"
VARDCENTRAL = "region-stockholm/vardcentral-farsta"


def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=15, context=TLS) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def gateway(method, path, body=None, version=None):
    headers = {"Authorization": "Bearer " + TOKEN}
    if version is not None:
        headers["If-Match"] = '"%d"' % version
    return call(method, BASE + path, body, headers)


def expect(status, wanted, what, body):
    if status != wanted:
        sys.exit("%s: HTTP %d %s" % (what, status, json.dumps(body, ensure_ascii=False)))


def contact(unit):
    return {"name": "Kim Kontakt", "phone": "08-508 000 00", "email": "kim.kontakt@example.se"}


def from_today(days):
    """The UTC date `days` from today, YYYY-MM-DD. The gateway holds the consent, the meeting and
    the follow-up to its own clock, so the demo's dates are counted from the day it runs."""
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)).strftime("%Y-%m-%d")


status, body = gateway("POST", "/v1/sip-plans", {
    "case_id": "EB-2026-000123", "person_id": "19121212-1212", "purpose": "ekonomiskt_bistand",
    "caseworker": CASEWORKER,
    "consent": {"document_reference": "DOK-2026-0815", "given_at": from_today(-14) + "T09:00:00Z",
                "organisations": [KOMMUN, VARDCENTRAL]},
    "coordinator": {"organisation": KOMMUN, "organisation_kind": "kommun", "unit": "Enskede-Årsta-Vantör",
                    "role": "SIP-samordnare", "contact": contact("kommun")}})
expect(status, 201, "initiate", body)
plan = body["plan"]
plan_id, version, consent_id = plan["plan_id"], plan["version"], plan["consent"]["reference"]
print("  POST /v1/sip-plans -> 201, plan %s version %d, consent %s in the registry" % (plan_id, version, consent_id))

status, body = gateway("POST", "/v1/sip-plans/%s/participants" % plan_id, {
    "caseworker": CASEWORKER,
    "participant": {"organisation": VARDCENTRAL, "organisation_kind": "region", "unit": "Vårdcentral Farsta",
                    "role": "fast vårdkontakt", "contact": contact("region")}}, version)
expect(status, 200, "invite", body)
version = body["plan"]["version"]
print("  invite the vårdcentral -> sent to %s" % [d["destination"] for d in body["delivery"]["sent_to"]])
status, body = gateway("POST", "/v1/sip-plans/%s/participants" % plan_id, {
    "caseworker": CASEWORKER,
    "participant": {"organisation": "region-stockholm/psykiatri-sodra", "organisation_kind": "region",
                    "unit": "Psykiatri Södra", "role": "behandlare", "contact": contact("region")}}, version)
print("  invite psykiatrin (outside the consent) -> HTTP %d %s" % (status, body["code"]))

for _ in range(100):
    status, document = gateway("GET", "/v1/sip-plans/" + plan_id)
    if any(p["organisation"] == VARDCENTRAL and p["invitation_status"] == "accepted" for p in document["participants"]):
        break
    time.sleep(0.1)
else:
    sys.exit("the region's reply did not arrive")
version = document["version"]
print("  the region's system replied: the vårdcentral takes part (plan version %d)" % version)

held = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1)
status, body = gateway("POST", "/v1/sip-plans/%s/meeting" % plan_id, {
    "caseworker": CASEWORKER,
    "meeting": {"at": held.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "place": "Farsta vårdcentral, rum 3", "kind": "fysiskt"}},
    version)
expect(status, 200, "meeting", body)
version = body["plan"]["version"]
time.sleep(1.2)  # the plan is agreed at the meeting
p2 = next(p["participant_id"] for p in body["plan"]["participants"] if p["organisation"] == VARDCENTRAL)
status, body = gateway("POST", "/v1/sip-plans/%s/establishment" % plan_id, {
    "caseworker": CASEWORKER,
    "plan": {"needs": [{"need_id": "n1", "description": "Stöd att hantera ångest i vardagen"}],
             "goals": [{"goal_id": "g1", "description": "Kunna delta i arbetsförberedande insats", "need_ids": ["n1"]}],
             "insatser": [{"insats_id": "i1", "description": "Samtalsstöd", "responsible_huvudman": "region",
                           "responsible_participant_id": p2, "start_date": from_today(7), "end_date": None},
                          {"insats_id": "i2", "description": "Ekonomiskt bistånd och budgetrådgivning",
                           "responsible_huvudman": "kommun", "responsible_participant_id": "p1",
                           "start_date": from_today(7), "end_date": None}],
             "huvudansvar": "p1", "followup_due": from_today(60)}}, version)
expect(status, 200, "establish", body)
version = body["plan"]["version"]
print("  meeting held, plan established (version %d, follow-up %s)" % (version, body["plan"]["followup_due"]))

for _ in range(100):
    status, view = call("GET", "%s/_sim/plans/%s" % (REGION, plan_id))
    if status == 200 and view.get("version") == version:
        break
    time.sleep(0.1)
print("  the region's system holds version %s; it received: %s" % (
    view.get("version"), ", ".join("%s v%d" % (m["type"], m["plan_version"]) for m in view["messages"])))

status, body = gateway("DELETE", "/v1/consents/" + consent_id)
expect(status, 200, "withdraw", body)
print("  the client withdraws the consent: DELETE /v1/consents/%s -> %s" % (consent_id, body["state"]))
for _ in range(100):
    status, view = call("GET", "%s/_sim/plans/%s" % (REGION, plan_id))
    if view.get("consent_withdrawn"):
        break
    time.sleep(0.1)
notice = [m for m in view["messages"] if m["type"] == "SAMTYCKE_ATERKALLAT"]
print("  the region was told (no content): %s; content sent after the withdrawal: %d" % (
    bool(notice), view["content_after_withdrawal"]))

status, feed = gateway("GET", "/v1/events?after=0&limit=500")
types = [e["type"] for e in feed["events"] if e.get("correlation_id") == plan_id]
print("  the case system's events for the plan: %s" % ", ".join(types))
