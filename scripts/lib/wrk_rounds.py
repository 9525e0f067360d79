#!/usr/bin/env python3
"""Runs wrk against several sides in alternating rounds and prints their medians side by side
(scripts/bench's peers section).

usage: wrk_rounds.py --sides FILE --script post.lua [--rounds N] [--seconds S] [--warmup S]
                     [--connections N] [--timeout S] [--upstream-bytes N] [--rounds-file PATH]

FILE is a JSON list of sides: {"key", "label", "url", "body" (a file), optional "content_type",
"headers" (["Name: value", ...]) and "expect" (text a good answer holds)}. The keys knutpunkt-7,
knutpunkt-1, nginx and node-red get the ratios. Each round runs every side once, in turn, so drift
on a busy machine hits them alike; each figure is the median of its side's rounds. The Lua script
prints one JSON line per run, which is all that is read of wrk's output.

Exits 1 when a side answered nothing well, or when wrk could not run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--sides", required=True)
ap.add_argument("--script", required=True)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--seconds", type=int, default=10)
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--connections", type=int, default=20)
# wrk leaves an answer slower than its timeout (2 s by default) out of the latency figures: on a
# busy machine that would hide the slowest answers from p99.
ap.add_argument("--timeout", type=int, default=30)
ap.add_argument("--upstream-bytes", type=int)
ap.add_argument("--rounds-file")
args = ap.parse_args()

sides = json.load(open(args.sides, encoding="utf-8"))


def run(side, seconds):
    env = dict(os.environ, WRK_BODY_FILE=side["body"], WRK_LABEL=side["key"],
               WRK_CONTENT_TYPE=side.get("content_type", "application/json"),
               WRK_HEADERS="\n".join(side.get("headers", [])), WRK_EXPECT=side.get("expect", ""))
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{seconds}s", f"--timeout={args.timeout}s", "--latency",
               "-s", args.script, side["url"]]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + args.timeout + 60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or len(lines) != 1:
        sys.exit(f"wrk against {side['label']} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    figures = json.loads(lines[0])
    figures["per_second"] = figures["ok"] / (figures["duration_us"] / 1e6)
    return figures


for side in sides:
    run(side, args.warmup)
rounds = {side["key"]: [] for side in sides}
log = open(args.rounds_file, "w", encoding="utf-8") if args.rounds_file else None
for number in range(args.rounds):
    for side in sides:
        figures = run(side, args.seconds)
        rounds[side["key"]].append(figures)
        if log:
            log.write(json.dumps(dict(figures, round=number + 1)) + "\n")
            log.flush()


def median(key, pick):
    return statistics.median(pick(figures) for figures in rounds[key])


table = {}
for side in sides:
    key = side["key"]
    table[key] = {
        "per_second": median(key, lambda f: f["per_second"]),
        "p50_ms": median(key, lambda f: f["latency_us"]["p50"] / 1000),
        "p99_ms": median(key, lambda f: f["latency_us"]["p99"] / 1000),
        # The spread of the rounds: on a shared machine it says how far to trust the medians.
        "slowest": min(f["per_second"] for f in rounds[key]),
        "fastest": max(f["per_second"] for f in rounds[key]),
        "ok": sum(f["ok"] for f in rounds[key]),
        "failed": sum(f["failed"] for f in rounds[key]),
    }

upstream = f", {args.upstream_bytes / 1024:.1f} KB" if args.upstream_bytes else ""
print(f"peers benchmark: one upstream (nginx serving SSBTEK's captured 7-source reply{upstream}), "
      f"wrk -t1 -c{args.connections}, median of {args.rounds} alternating rounds of {args.seconds} s (ok and failed: all rounds)")
print(f"{'':40s} {'per s':>10s} {'p50 ms':>10s} {'p99 ms':>10s} {'rounds per s':>14s} {'ok':>10s} {'failed':>8s}")
for side in sides:
    row = table[side["key"]]
    spread = f"{row['slowest']:.0f}-{row['fastest']:.0f}"
    print(f"{side['label']:40s} {row['per_second']:10.0f} {row['p50_ms']:10.2f} {row['p99_ms']:10.2f} {spread:>14s} "
          f"{row['ok']:10d} {row['failed']:8d}")


def ratio(a, b):
    return a / b if b else float("nan")


if {"knutpunkt-7", "node-red"} <= table.keys():
    k, n = table["knutpunkt-7"], table["node-red"]
    print(f"ratio knutpunkt 7 sources / Node-RED: throughput {ratio(k['per_second'], n['per_second']):.2f}, "
          f"p50 latency {ratio(k['p50_ms'], n['p50_ms']):.2f}, p99 latency {ratio(k['p99_ms'], n['p99_ms']):.2f}")
if {"knutpunkt-7", "nginx"} <= table.keys():
    k, n = table["knutpunkt-7"], table["nginx"]
    print(f"ratio knutpunkt 7 sources / nginx proxy_pass: throughput {ratio(k['per_second'], n['per_second']):.3f}, "
          f"p99 latency {ratio(k['p99_ms'], n['p99_ms']):.1f}")
if {"knutpunkt-1", "knutpunkt-7"} <= table.keys():
    print(f"ratio knutpunkt 1 source / 7 sources: throughput "
          f"{ratio(table['knutpunkt-1']['per_second'], table['knutpunkt-7']['per_second']):.2f}")
if any(row["failed"] for row in table.values()):
    print("note: failed = errors, non-200 answers or, where checked, answers that are not complete; "
          "they are left out of per s (latency percentiles include them)")
sys.exit(0 if all(row["ok"] > 0 for row in table.values()) else 1)
