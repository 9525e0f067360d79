#!/usr/bin/env python3
"""Resident memory of servers holding many open client connections, side by side.

For each side: the resident set of the server's processes (the process and all its
descendants, summed as proportional set size so pages shared between nginx's workers count
once) before, then with COUNT client connections open, each of which has made one request
that must be answered 200 and kept alive, and the peak the kernel recorded (VmHWM, per
process, summed). Connections are opened a batch at a time so the server is never asked
more than it would be by a busy day's clients. Prints one JSON line per side and a table.

usage: held_connections.py --sides SIDES.json --count 1000 [--batch 50]
SIDES.json: [{"key", "label", "url", "body", "headers": [...], "content_type", "pid"}]
"""
import argparse
import asyncio
import json
import os
import resource
import sys
import time
import urllib.parse


def descendants(pid):
    """pid and every process below it."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def memory_kb(pid):
    """(summed Pss, summed VmHWM) of pid's process tree, in KiB."""
    pss = hwm = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
            with open(f"/proc/{p}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm += int(line.split()[1])
        except OSError:
            continue
    return pss, hwm


async def read_response(reader):
    """Reads one HTTP/1.1 response; returns its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    if headers.get("connection") == "close":
        raise RuntimeError("the server closed the connection after answering")
    return status


async def open_one(url, request):
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(request)
    await writer.drain()
    status = await read_response(reader)
    if status != 200:
        raise RuntimeError(f"answered {status}")
    return reader, writer


async def hold(side, count, batch):
    url = urllib.parse.urlsplit(side["url"])
    body = open(side["body"], "rb").read()
    headers = [f"POST {url.path} HTTP/1.1", f"Host: {url.hostname}:{url.port}",
               f"Content-Type: {side.get('content_type', 'application/json')}",
               f"Content-Length: {len(body)}", "Connection: keep-alive"] + side.get("headers", [])
    request = ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + body
    pid = side["pid"]
    before = memory_kb(pid)
    held = []
    started = time.monotonic()
    try:
        while len(held) < count:
            n = min(batch, count - len(held))
            held += await asyncio.gather(*(open_one(url, request) for _ in range(n)))
        # Long enough for the server to settle, shorter than any side's idle timeout (Node.js
        # closes an idle connection after 5 s): every connection is still open when measured.
        await asyncio.sleep(0.5)
        during = memory_kb(pid)
        alive = sum(1 for r, _ in held if not r.at_eof())
    finally:
        for _, w in held:
            w.close()
    return {"key": side["key"], "label": side["label"], "connections": alive,
            "seconds_to_open": round(time.monotonic() - started, 2),
            "rss_before_kb": before[0], "rss_held_kb": during[0], "peak_kb": during[1]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sides", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.count + 64
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            sys.exit(f"this shell may open {hard} descriptors, fewer than {wanted}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    results = []
    for side in json.load(open(args.sides, encoding="utf-8")):
        result = asyncio.run(hold(side, args.count, args.batch))
        print(json.dumps(result), flush=True)
        results.append(result)
    print(f"\nresident memory with {args.count} open client connections (each made one request, kept alive)")
    print(f"{'side':40} {'open':>6} {'before':>10} {'held':>10} {'peak':>10}")
    for r in results:
        print(f"{r['label']:40} {r['connections']:6} {r['rss_before_kb'] / 1024:7.1f} MB "
              f"{r['rss_held_kb'] / 1024:7.1f} MB {r['peak_kb'] / 1024:7.1f} MB")
    for r in results:
        if r["connections"] != args.count:
            print(f"note: {r['label']} had closed {args.count - r['connections']} of the connections when measured")


if __name__ == "__main__":
    main()
