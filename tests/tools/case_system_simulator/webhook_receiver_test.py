#!/usr/bin/python3
"""The case system's webhook receiver refuses a signature whose t is more than 5 minutes from its
clock, either way, and accepts a fresh one: a push captured on the way cannot be replayed later.
Times are taken from the clock at the moment of the test, never a fixed date.

usage: webhook_receiver_test.py --simulator BIN --run-dir DIR
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import uuid

SECRET = "test-webhook-secret-0123456789"


def signature(t, body):
    return f"t={t},v1=" + hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def push(port, t):
    body = json.dumps({"event_id": str(uuid.uuid4()), "type": "referral.accepted"}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/webhook", body, {"Content-Type": "application/json",
                                                  "Knutpunkt-Signature": signature(t, body)})
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    return response.status, answer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--run-dir", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.run_dir, ignore_errors=True)
    os.makedirs(args.run_dir)
    port_file = os.path.join(args.run_dir, "receiver.port")
    receiver = subprocess.Popen([args.simulator, "--secret", SECRET, "--port", "0", "--port-file", port_file, "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(args.run_dir, "receiver.err"), "w"))
    failures = []
    try:
        deadline = time.monotonic() + 20
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if receiver.poll() is not None or time.monotonic() > deadline:
                print("the receiver did not start", file=sys.stderr)
                return 1
            time.sleep(0.05)
        port = int(open(port_file).read())
        now = int(time.time())
        cases = [("a signature made now is accepted", now, 200),
                 ("a signature 4 minutes old is accepted", now - 240, 200),
                 ("a signature 6 minutes old is refused", now - 360, 401),
                 ("a signature 30 days old is refused", now - 30 * 86400, 401),
                 ("a signature 6 minutes ahead is refused", now + 360, 401)]
        for what, t, expected in cases:
            status, answer = push(port, t)
            ok = status == expected and (expected != 401 or b"stale" in answer)
            print(("ok   " if ok else "FAIL ") + what + f" ({status})", flush=True)
            if not ok:
                failures.append(what)
    finally:
        receiver.terminate()
        receiver.wait(10)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
