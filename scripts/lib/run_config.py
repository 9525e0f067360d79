#!/usr/bin/env python3
"""Writes a run's gateway config from config/demo.json: the simulators' actual ports, the run
folder's database, absolute schema and mapping paths, and optionally a log level.

usage: run_config.py DEMO_JSON OUT_JSON REPO_ROOT --ssbtek PORT [--jobbtorg PORT] [--case-system PORT]
                     [--af PORT] [--fk PORT] [--region PORT] [--log-level LEVEL]
                     [--ssbtek-exchange per_lookup|per_source] [--pki DIR] [--postgres CONNECTION]

With --pki (a folder made by scripts/lib/demo_pki.sh) everything is TLS: the gateway serves its
server certificate and asks clients for certificates from the demo CA; it calls every partner and
webhook over https, trusting the demo CA alone and presenting the organisation certificate.

With --postgres (a libpq connection string, e.g. from scripts/lib/postgres.sh) the store is that
PostgreSQL database instead of the run folder's SQLite file.
"""
import argparse
import json
import os

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("dst")
ap.add_argument("root")
ap.add_argument("--ssbtek", type=int, required=True)
ap.add_argument("--jobbtorg", type=int)
ap.add_argument("--case-system", type=int)
ap.add_argument("--af", type=int)
ap.add_argument("--fk", type=int)
ap.add_argument("--region", type=int)
ap.add_argument("--log-level")
ap.add_argument("--ssbtek-exchange", choices=["per_lookup", "per_source"])
ap.add_argument("--pki")
ap.add_argument("--postgres")
ap.add_argument("--max-connections", type=int)
args = ap.parse_args()

cfg = json.load(open(args.src, encoding="utf-8"))
scheme = "https" if args.pki else "http"
cfg.pop("$schema", None)
if args.postgres:
    cfg["store"] = {"kind": "postgresql", "connection": args.postgres}
else:
    cfg["store"]["path"] = os.path.join(os.path.dirname(os.path.abspath(args.dst)), "knutpunkt.db")
if args.log_level:
    cfg["log"] = {"level": args.log_level}
if args.max_connections:
    cfg["server"]["max_connections"] = args.max_connections
for adapter in cfg["adapters"]:
    if adapter["kind"] == "ssbtek":
        adapter["config"]["endpoint"] = f"{scheme}://127.0.0.1:{args.ssbtek}/ssbtek"
        adapter["config"]["schema"] = os.path.join(args.root, "schemas/ssbtek/ssbtek-v10.xsd")
        adapter["config"]["mappings"] = os.path.join(args.root, "mappings/ssbtek")
        if args.ssbtek_exchange:
            adapter["config"]["exchange"] = args.ssbtek_exchange
    if adapter["kind"] == "jobbtorg":
        if args.jobbtorg:
            adapter["config"]["endpoint"] = f"{scheme}://127.0.0.1:{args.jobbtorg}/api/v1"
        adapter["config"]["mappings"] = os.path.join(args.root, "mappings/jobbtorg")
    if adapter["kind"] == "arbetsformedlingen":
        if args.af:
            adapter["config"]["endpoint"] = f"{scheme}://127.0.0.1:{args.af}/arbetssokande/v1"
        adapter["config"]["mappings"] = os.path.join(args.root, "mappings/arbetsformedlingen")
    if adapter["kind"] == "sip_region" and args.region:
        adapter["config"]["endpoint"] = f"{scheme}://127.0.0.1:{args.region}"
    if adapter["kind"] == "forsakringskassan":
        if args.fk:
            adapter["config"]["endpoint"] = f"{scheme}://127.0.0.1:{args.fk}"
        adapter["config"]["mappings"] = os.path.join(args.root, "mappings/forsakringskassan")
run_dir = os.path.dirname(os.path.abspath(args.dst))
if "audit" in cfg:
    cfg["audit"]["signing_key"] = os.path.join(run_dir, "audit-signing-key.pem")
    cfg["audit"]["export_dir"] = os.path.join(run_dir, "exports")
if "console" in cfg:
    cfg["console"]["static_dir"] = os.path.join(args.root, "gateway/console/static")
for webhook in cfg.get("webhooks", []):
    if args.case_system:
        webhook["url"] = f"{scheme}://127.0.0.1:{args.case_system}/webhook"
if args.pki:
    pki = os.path.abspath(args.pki)
    cfg["server"].pop("plain_http", None)
    cfg["server"]["tls"] = {"certificate": os.path.join(pki, "server.pem"), "key": os.path.join(pki, "server.key"),
                            "client_ca_file": os.path.join(pki, "ca.pem")}
    # What the partners see: the municipality's organisation certificate, as SSBTEK and FK require.
    client_tls = {"ca_file": os.path.join(pki, "ca.pem"), "certificate": os.path.join(pki, "organisation.pem"),
                  "key": os.path.join(pki, "organisation.key")}
    for adapter in cfg["adapters"]:
        if adapter["config"].get("endpoint", "").startswith("https://"):
            adapter["config"]["tls"] = dict(client_tls)
    for webhook in cfg.get("webhooks", []):
        if webhook["url"].startswith("https://"):
            webhook["tls"] = dict(client_tls)
json.dump(cfg, open(args.dst, "w", encoding="utf-8"), indent=2, ensure_ascii=False)
