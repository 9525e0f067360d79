#!/usr/bin/python3
"""The gateway at the edge of its resources, through the real binary.

1. At server.max_connections it stops accepting: a further client waits (in the listen backlog,
   not refused), is served as soon as one connection closes, and /metrics counts the pause; the
   log says so once, not per connection.
2. With the descriptor limit lowered (ulimit -n 128) and far more connections than descriptors,
   it neither spins nor floods its log, and answers /healthz once the connections are gone; the
   same when accepting itself fails for want of descriptors (the limit lowered under it).
3. On a 2 MB stack, a console file name as long as the header limit allows is not found, and the
   process lives on: the name is checked without recursion.

usage: resource_limits_test.py --gateway BIN --run-dir DIR --repo DIR
"""
import argparse
import hashlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time

OPERATOR_TOKEN = "test-token-operator"
FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        FAILURES.append(what)


class Gateway:
    def __init__(self, binary, run_dir, server, descriptors=None, stack=None, console_dir=None):
        shutil.rmtree(run_dir, ignore_errors=True)
        os.makedirs(run_dir)
        self.log = os.path.join(run_dir, "gateway.log")
        config = {
            "server": dict({"host": "127.0.0.1", "port": 0, "threads": 2, "plain_http": True}, **server),
            "store": {"kind": "sqlite", "path": os.path.join(run_dir, "knutpunkt.db")},
            "log": {"level": "info", "file": self.log},
            "purposes": {"ekonomiskt_bistand": {"description": "Handläggning av ekonomiskt bistånd"}},
            "clients": [{"id": "operator-machine", "token_sha256": hashlib.sha256(OPERATOR_TOKEN.encode()).hexdigest(),
                         "purposes": [], "roles": ["operator"]}],
            "adapters": [],
        }
        if console_dir:
            config["console"] = {"static_dir": console_dir}
        with open(os.path.join(run_dir, "config.json"), "w") as f:
            json.dump(config, f)
        port_file = os.path.join(run_dir, "gateway.port")

        def limit_resources():
            if descriptors:
                resource.setrlimit(resource.RLIMIT_NOFILE, (descriptors, descriptors))
            if stack:  # also the size of every thread's stack (glibc takes it from the limit)
                resource.setrlimit(resource.RLIMIT_STACK, (stack, resource.getrlimit(resource.RLIMIT_STACK)[1]))

        self.process = subprocess.Popen(
            [binary, "serve", "--config", os.path.join(run_dir, "config.json"), "--port-file", port_file],
            stdout=open(os.path.join(run_dir, "gateway.out"), "w"), stderr=open(os.path.join(run_dir, "gateway.err"), "w"),
            preexec_fn=limit_resources)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.port = int(open(port_file).read())
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("the gateway did not start; see " + run_dir)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def alive(self):
        return self.process.poll() is None

    def cpu_seconds(self):
        fields = open(f"/proc/{self.process.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_over(self, seconds):
        before = self.cpu_seconds()
        time.sleep(seconds)
        return self.cpu_seconds() - before

    def log_lines(self, event=None):
        with open(self.log, encoding="utf-8") as f:
            lines = f.read().splitlines()
        return [l for l in lines if event is None or f'"{event}"' in l]

    def descriptors_open(self):
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def request(self, path, token=None, timeout=5.0):
        """GET on a fresh connection (closed after); the status, or 0 when nothing came in time."""
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
            s.sendall(request_bytes(path, token, close=True))
            answer = read_answer(s, timeout)
            s.close()
            return answer
        except OSError:
            return ""

    def metric(self, name):
        text = self.request("/metrics", OPERATOR_TOKEN)
        for line in text.split("\r\n\r\n", 1)[-1].splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return None


def request_bytes(path, token=None, close=False):
    head = f"GET {path} HTTP/1.1\r\nHost: gateway\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if close:
        head += "Connection: close\r\n"
    return (head + "\r\n").encode()


def read_answer(s, timeout):
    """One answer (headers and a Content-Length body), or what came before `timeout`."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            head_end = data.find(b"\r\n\r\n")
            if head_end >= 0:
                length = 0
                for line in data[:head_end].decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if len(data) >= head_end + 4 + length:
                    break
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, OSError):
        pass
    return data.decode("utf-8", "replace")


def status(answer):
    return int(answer[9:12]) if answer.startswith("HTTP/1.1 ") else 0


def healthz_within(gateway, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if status(gateway.request("/healthz", timeout=1.0)) == 200:
            return True
        time.sleep(0.1)
    return False


def held_connections(gateway, count):
    """`count` keep-alive connections, each served one /healthz and then held open."""
    held = []
    for _ in range(count):
        s = gateway.connect()
        s.sendall(request_bytes("/healthz"))
        check(status(read_answer(s, 5)) == 200, "a connection below the limit is served")
        held.append(s)
    return held


def at_the_limit_new_connections_wait_and_are_served_when_one_closes(binary, run_dir):
    gateway = Gateway(binary, run_dir, {"max_connections": 4})
    try:
        held = held_connections(gateway, 4)
        waiting = gateway.connect()  # accepted by the kernel's backlog, not by the gateway
        waiting.sendall(request_bytes("/healthz"))
        check(read_answer(waiting, 1.0) == "", "at the limit a fifth connection waits, unanswered")
        check(gateway.alive(), "the gateway is alive at the limit")
        held.pop().close()
        check(status(read_answer(waiting, 5)) == 200, "the waiting connection is served once one closes")
        waiting.close()
        for s in held:
            s.close()
        check(healthz_within(gateway, 5), "below the limit /healthz answers")
        reached = gateway.metric("knutpunkt_http_connection_limit_reached_total")
        check(reached is not None and reached >= 1, f"/metrics counts the limit reached ({reached})")
        check(gateway.metric("knutpunkt_http_connection_limit") == 4, "/metrics shows the limit in force")
        check(len(gateway.log_lines("http.connection_limit_reached")) == 1,
              "reaching the limit is logged once, not per connection")
        check(len(gateway.log_lines("http.connection_limit_cleared")) == 1, "and its end once")
    finally:
        gateway.stop()


def far_more_connections_than_descriptors_neither_spin_nor_flood_the_log(binary, run_dir):
    gateway = Gateway(binary, run_dir, {}, descriptors=128)
    try:
        # The configured 512 is capped to what 128 descriptors leave room for.
        limit = gateway.metric("knutpunkt_http_connection_limit")
        check(limit is not None and 0 < limit < 128, f"the limit is capped below the descriptor limit ({limit})")
        idle_descriptors = gateway.descriptors_open()
        lines_before = len(gateway.log_lines())
        clients = [gateway.connect() for _ in range(400)]
        cpu = gateway.cpu_over(2.0)
        check(cpu < 0.5, f"with 400 connections and 128 descriptors the gateway idles ({cpu:.2f} s CPU in 2 s)")
        check(gateway.alive(), "the gateway is alive")
        logged = len(gateway.log_lines()) - lines_before
        check(logged <= 5, f"a handful of log lines, not thousands ({logged})")
        for s in clients:
            s.close()
        check(healthz_within(gateway, 5), "/healthz answers once the connections are gone")

        # Now accepting itself fails: the descriptor limit lowered under the running gateway, once
        # it has let go of the connections before.
        deadline = time.monotonic() + 5
        while gateway.descriptors_open() > idle_descriptors + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        spare = 8
        resource.prlimit(gateway.process.pid, resource.RLIMIT_NOFILE, (gateway.descriptors_open() + spare, 128))
        lines_before = len(gateway.log_lines())
        clients = [gateway.connect() for _ in range(100)]
        cpu = gateway.cpu_over(2.0)
        check(cpu < 0.5, f"out of descriptors, failed accepts are backed off ({cpu:.2f} s CPU in 2 s)")
        failing = gateway.log_lines("http.accept_failing")
        check(len(failing) == 1, f"failing accepts are logged once ({len(failing)})")
        check(len(gateway.log_lines()) - lines_before <= 5, "a handful of log lines, not thousands")
        # Descriptors back before the clients leave, so accepting fails in one stretch only.
        resource.prlimit(gateway.process.pid, resource.RLIMIT_NOFILE, (128, 128))
        for s in clients:
            s.close()
        check(healthz_within(gateway, 5), "/healthz answers again once descriptors are free")
        time.sleep(1.1)  # recovered means accepting has worked for a second
        errors = gateway.metric("knutpunkt_http_accept_errors_total")
        check(errors is not None and errors >= 1, f"/metrics counts the failed accepts ({errors})")
        check(len(gateway.log_lines("http.accept_recovered")) == 1, "recovering is logged once")
    finally:
        gateway.stop()


def a_console_name_as_long_as_a_header_allows_is_not_found_on_a_small_stack(binary, run_dir, repo):
    gateway = Gateway(binary, run_dir, {}, stack=2 * 1024 * 1024,
                      console_dir=os.path.join(repo, "gateway", "console", "static"))
    try:
        check(status(gateway.request("/console/app.js")) == 200, "the console serves its files")
        answer = gateway.request("/console/" + "a" * 8100)
        check(status(answer) == 404, f"an 8,100-character console file name is not found ({answer[:12]!r})")
        time.sleep(0.2)
        check(gateway.alive(), "the gateway lives on after a long console file name")
        check(healthz_within(gateway, 2), "and answers /healthz")
    finally:
        gateway.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--repo", required=True)
    args = parser.parse_args()
    # The test's own side holds 400 connections at once.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 1024:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    at_the_limit_new_connections_wait_and_are_served_when_one_closes(args.gateway, os.path.join(args.run_dir, "limit"))
    far_more_connections_than_descriptors_neither_spin_nor_flood_the_log(
        args.gateway, os.path.join(args.run_dir, "descriptors"))
    a_console_name_as_long_as_a_header_allows_is_not_found_on_a_small_stack(
        args.gateway, os.path.join(args.run_dir, "stack"), args.repo)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
