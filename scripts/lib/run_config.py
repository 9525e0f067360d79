#!/usr/bin/env python3
"""Writes a run's gateway config from config/demo.json: the simulators' actual ports, the run
folder's database, absolute schema and mapping paths, and optionally a log level.

usage: run_config.py DEMO_JSON OUT_JSON REPO_ROOT --ssbtek PORT [--jobbtorg PORT] [--case-system PORT]
                     [--af PORT] [--fk PORT] [--region PORT] [--log-level LEVEL]
                     [--ssbtek-exchange per_lookup|per_source]
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
args = ap.parse_args()

cfg = json.load(open(args.src, encoding="utf-8"))
cfg.pop("$schema", None)
cfg["store"]["path"] = os.path.join(os.path.dirname(os.path.abspath(args.dst)), "knutpunkt.db")
if args.log_level:
    cfg["log"] = {"level": args.log_level}
for adapter in cfg["adapters"]:
    if adapter["kind"] == "ssbtek":
        adapter["config"]["endpoint"] = f"http://127.0.0.1:{args.ssbtek}/ssbtek"
        adapter["config"]["schema"] = os.path.join(args.root, "schemas/ssbtek/ssbtek-v10.xsd")
        adapter["config"]["mappings"] = os.path.join(args.root, "mappings/ssbtek")
        if args.ssbtek_exchange:
            adapter["config"]["exchange"] = args.ssbtek_exchange
    if adapter["kind"] == "jobbtorg":
        if args.jobbtorg:
            adapter["config"]["endpoint"] = f"http://127.0.0.1:{args.jobbtorg}/api/v1"
        adapter["config"]["mappings"] = os.path.join(args.root, "mappings/jobbtorg")
    if adapter["kind"] == "arbetsformedlingen":
        if args.af:
            adapter["config"]["endpoint"] = f"http://127.0.0.1:{args.af}/arbetssokande/v1"
        adapter["config"]["mappings"] = os.path.join(args.root, "mappings/arbetsformedlingen")
    if adapter["kind"] == "sip_region" and args.region:
        adapter["config"]["endpoint"] = f"http://127.0.0.1:{args.region}"
    if adapter["kind"] == "forsakringskassan":
        if args.fk:
            adapter["config"]["endpoint"] = f"http://127.0.0.1:{args.fk}"
        adapter["config"]["mappings"] = os.path.join(args.root, "mappings/forsakringskassan")
run_dir = os.path.dirname(os.path.abspath(args.dst))
if "audit" in cfg:
    cfg["audit"]["signing_key"] = os.path.join(run_dir, "audit-signing-key.pem")
    cfg["audit"]["export_dir"] = os.path.join(run_dir, "exports")
if "console" in cfg:
    cfg["console"]["static_dir"] = os.path.join(args.root, "gateway/console/static")
for webhook in cfg.get("webhooks", []):
    if args.case_system:
        webhook["url"] = f"http://127.0.0.1:{args.case_system}/webhook"
json.dump(cfg, open(args.dst, "w", encoding="utf-8"), indent=2, ensure_ascii=False)
