#!/usr/bin/env python3
"""Writes a run's gateway config from config/demo.json: the simulator's actual port, the run
folder's database, absolute schema and mapping paths, and optionally a log level.

usage: run_config.py DEMO_JSON OUT_JSON SIMULATOR_PORT REPO_ROOT [LOG_LEVEL]
"""
import json
import os
import sys

src, dst, port, root = sys.argv[1:5]
cfg = json.load(open(src, encoding="utf-8"))
cfg.pop("$schema", None)
cfg["store"]["path"] = os.path.join(os.path.dirname(os.path.abspath(dst)), "knutpunkt.db")
if len(sys.argv) > 5:
    cfg["log"] = {"level": sys.argv[5]}
for adapter in cfg["adapters"]:
    if adapter["kind"] == "ssbtek":
        adapter["config"]["endpoint"] = f"http://127.0.0.1:{port}/ssbtek"
        adapter["config"]["schema"] = os.path.join(root, "schemas/ssbtek/ssbtek-v10.xsd")
        adapter["config"]["mappings"] = os.path.join(root, "mappings/ssbtek")
json.dump(cfg, open(dst, "w", encoding="utf-8"), indent=2, ensure_ascii=False)
