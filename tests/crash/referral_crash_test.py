#!/usr/bin/env python3
"""Crash test for durable delivery.

A case system sends a burst of referrals while the gateway is SIGKILLed at random moments several
times and restarted on the same database, and while Jobbtorg and the case system's webhook
receiver flap (alternately up and down). Afterwards, with everything up again, it checks that:

  * every referral the case system got a 202 for reached Jobbtorg, and Jobbtorg took each exactly
    once (one effect per referral; repeats only ever arrive with the same Idempotency-Key);
  * Jobbtorg got nothing the case system was not told was accepted (retries with the same
    Idempotency-Key after a lost reply give back the first acceptance, never a second referral);
  * every report Jobbtorg sent back became case events that the case system received exactly
    once each and in the order Jobbtorg reported them, plus exactly one referral.sent;
  * some referrals are changed, and some withdrawn, right after acceptance (also retried across
    kills with the same Idempotency-Key): each accepted change reached Jobbtorg exactly once, after
    the referral, unless the referral was withdrawn; each withdrawn referral is withdrawn in the
    store, its withdrawal is the last thing Jobbtorg heard of it (or Jobbtorg never got it at
    all), and the case system heard referral.withdrawn exactly once;
  * the audit chain verifies intact.

With --postgres the store is a throwaway PostgreSQL cluster (initdb on loopback in the run folder)
shared by --instances gateway instances: the case system sends each request to an instance of its
choosing, Jobbtorg reports through a round-robin front, the SIGKILLs hit instances at random, and
PostgreSQL itself is killed and restarted (--postgres-restarts, immediate shutdown: what a crash of
the database server looks like). The same checks then hold across instances, on the one audit chain
they share.

Exit status 0 when all hold; 1 with a list of every loss or duplicate otherwise.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

CASE_TOKEN = "crash-token-case-system"
JOBBTORG_TOKEN = "crash-token-jobbtorg"
OPERATOR_TOKEN = "crash-token-operator"
AT_JOBBTORG = "crash-token-knutpunkt"
SECRET = "crash-webhook-secret-0123456789"


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port_file(path, proc, limit=20):
    until = time.time() + limit
    while time.time() < until:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited early ({proc.returncode}); see logs in {os.path.dirname(path)}")
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no port file {path}")


def http(method, url, body=None, headers=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Postgres:
    """A throwaway cluster on loopback; its tools run as nobody when this runs as root (initdb
    refuses root)."""

    def __init__(self, run_dir):
        bins = sorted(d for d in (os.path.join("/usr/lib/postgresql", v, "bin") for v in
                                  (os.listdir("/usr/lib/postgresql") if os.path.isdir("/usr/lib/postgresql") else []))
                      if os.path.exists(os.path.join(d, "initdb")))
        if not bins:
            raise SystemExit("PostgreSQL is not installed (Debian packages postgresql, libpq-dev)")
        self.bin = bins[-1]
        self.dir = os.path.join(run_dir, "postgres")
        os.makedirs(self.dir)
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "nobody")
            self.as_user = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        self.port = free_port()
        self.tool("initdb", "-D", os.path.join(self.dir, "data"), "-U", "knutpunkt", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self.start()
        subprocess.run([os.path.join(self.bin, "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "knutpunkt",
                        "knutpunkt"], check=True)
        self.connection = f"host=127.0.0.1 port={self.port} dbname=knutpunkt user=knutpunkt"

    def tool(self, name, *argv):
        with open(os.path.join(self.dir, name + ".out"), "a") as out:
            subprocess.run(self.as_user + [os.path.join(self.bin, name), *argv], check=True, stdout=out,
                           stderr=subprocess.STDOUT)

    def start(self):
        self.tool("pg_ctl", "-D", os.path.join(self.dir, "data"), "-l", os.path.join(self.dir, "postgres.log"), "-w",
                  "-t", "60", "start", "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=on -c max_connections=200")

    def crash_and_restart(self):
        # Immediate shutdown skips the checkpoint: the restart recovers from the WAL, as after a crash.
        self.tool("pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "immediate", "-w", "stop")
        self.start()

    def stop(self):
        try:
            self.tool("pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass


class Gateway:
    def __init__(self, binary, config, run_dir, name="gateway"):
        self.binary, self.config, self.run_dir, self.name = binary, config, run_dir, name
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        port_file = os.path.join(self.run_dir, f"{self.name}{self.starts}.port")
        out = open(os.path.join(self.run_dir, f"{self.name}{self.starts}.out"), "w")
        self.proc = subprocess.Popen([self.binary, "serve", "--config", self.config, "--port-file", port_file],
                                     stdout=out, stderr=subprocess.STDOUT)
        wait_port_file(port_file, self.proc)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--jobbtorg", required=True)
    ap.add_argument("--case-system", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--kills", type=int, default=4)
    ap.add_argument("--attendance-days", type=int, default=2)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--instances", type=int, default=1)
    ap.add_argument("--postgres-restarts", type=int, default=0)
    args = ap.parse_args()
    if args.instances > 1 and not args.postgres:
        ap.error("several instances need --postgres")
    rng = random.Random(args.seed)
    print(f"seed {args.seed}: {args.senders} case-system threads sending until the last of {args.kills} SIGKILLs",
          flush=True)

    shutil.rmtree(args.run_dir, ignore_errors=True)
    os.makedirs(args.run_dir)
    procs = []

    def spawn(name, argv):
        out = open(os.path.join(args.run_dir, name + ".out"), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        procs.append(p)
        return p

    gateways = []
    postgres = None
    try:
        cs_port_file = os.path.join(args.run_dir, "case_system.port")
        # The simulators serve one connection per thread (cpp-httplib): with fewer threads than
        # the gateways keep connections alive to them, the test's own stats requests would queue
        # behind idle kept-alive connections.
        cs = spawn("case_system", [args.case_system, "--port", "0", "--port-file", cs_port_file, "--secret", SECRET,
                                   "--threads", "64"])
        cs_port = wait_port_file(cs_port_file, cs)
        # With several instances Jobbtorg reports to a round-robin front, as to a load balancer.
        gw_port = free_port()
        instance_ports = [gw_port] if args.instances == 1 else [free_port() for _ in range(args.instances)]
        jt_port_file = os.path.join(args.run_dir, "jobbtorg.port")
        jt = spawn("jobbtorg", [args.jobbtorg, "--port", "0", "--port-file", jt_port_file, "--threads", "64",
                                "--token", AT_JOBBTORG,
                                "--gateway", f"http://127.0.0.1:{gw_port}", "--gateway-token", JOBBTORG_TOKEN,
                                "--adapter", "jobbtorg-sodra", "--reports", "auto", "--report-delay-ms", "10",
                                "--attendance-days", str(args.attendance_days), "--seed", str(args.seed)])
        jt_port = wait_port_file(jt_port_file, jt)
        jt_url, cs_url = (f"http://127.0.0.1:{p}" for p in (jt_port, cs_port))

        delivery = {"timeout_ms": 2000, "max_in_flight": 16,
                    "retry": {"max_attempts": 1000, "max_age_s": 3600, "initial_backoff_ms": 50,
                              "max_backoff_ms": 500, "multiplier": 2.0, "jitter": 0.3},
                    "breaker": {"failure_threshold": 5, "open_ms": 300}}
        config = {
            "server": {"host": "127.0.0.1", "port": gw_port, "threads": 2, "plain_http": True},
            "store": {"kind": "sqlite", "path": os.path.join(args.run_dir, "knutpunkt.db")},
            "log": {"level": "info", "file": os.path.join(args.run_dir, "gateway.log")},
            "purposes": {"arbetsmarknadsinsats": {"description": "Planering av arbetsmarknadsinsats"}},
            "organisations": [{"id": "stockholm-socialtjanst", "name": "Stockholms stad, socialtjänsten",
                               "municipality": "0180", "units": ["Skärholmen EKB"]}],
            "clients": [
                {"id": "case-system", "token_sha256": sha(CASE_TOKEN), "purposes": ["arbetsmarknadsinsats"],
                 "organisation": "stockholm-socialtjanst",
                 "operations": ["referral", "case:register", "consent:record"]},
                {"id": "jobbtorg-sodra", "token_sha256": sha(JOBBTORG_TOKEN), "purposes": [], "roles": ["partner"],
                 "partner_adapter": "jobbtorg-sodra"},
                {"id": "operator", "token_sha256": sha(OPERATOR_TOKEN), "purposes": [], "roles": ["operator"]}],
            "adapters": [{"name": "jobbtorg-sodra", "kind": "jobbtorg",
                          "config": {"endpoint": f"{jt_url}/api/v1", "token": AT_JOBBTORG,
                                     "mappings": os.path.join(args.repo, "mappings/jobbtorg")},
                          "delivery": delivery}],
            "webhooks": [{"name": "case-system-webhook", "client": "case-system", "url": f"{cs_url}/webhook",
                          "secret": SECRET, "delivery": delivery}],
            "routes": [
                {"name": "Söderort", "match": {"types": ["referral.requested"], "districts": ["skarholmen", "farsta"]},
                 "to": ["jobbtorg-sodra"]},
                {"name": "events", "match": {"types": ["referral.*", "assessment.*", "delivery.failed"]},
                 "to": ["case-system-webhook"]}],
        }
        if args.postgres:
            postgres = Postgres(args.run_dir)
            config["store"] = {"kind": "postgresql", "connection": postgres.connection, "pool_size": 4}
        config_paths = []
        for n, port in enumerate(instance_ports):
            instance = json.loads(json.dumps(config))
            instance["server"]["port"] = port
            if args.instances > 1:
                instance["server"]["instance_id"] = f"instance-{n + 1}"
                instance["log"]["file"] = os.path.join(args.run_dir, f"gateway-{n + 1}.log")
            config_paths.append(os.path.join(args.run_dir, f"config-{n + 1}.json"))
            with open(config_paths[-1], "w") as f:
                json.dump(instance, f, indent=2)
        if args.instances > 1:
            spawn("round_robin", [sys.executable, os.path.join(args.repo, "scripts/lib/round_robin.py"), str(gw_port),
                                  *map(str, instance_ports)])
        instance_urls = [f"http://127.0.0.1:{p}" for p in instance_ports]

        http("PUT", f"{jt_url}/_sim/faults", {"mode": "flap", "up_ms": 700, "down_ms": 400})
        http("PUT", f"{cs_url}/_recv/faults", {"mode": "flap", "up_ms": 900, "down_ms": 300})

        gateways = [Gateway(args.gateway, path, args.run_dir, f"gateway-{n + 1}") for n, path in enumerate(config_paths)]
        for g in gateways:
            g.start()
        # Referrals are held to an open case with the person in its household.
        status, _ = http("PUT", f"{instance_urls[0]}/v1/cases/EB-CRASH", {"status": "open", "unit": "Skärholmen EKB",
                         "household": ["19121212-1212", "19701063-2391", "19850709-2388"]},
                         {"Authorization": f"Bearer {CASE_TOKEN}"}, 5)
        if status != 201:
            sys.exit(f"registering the crash test's case failed with {status}")
        # Each person's referrals rest on a consent the case system recorded for Jobbtorg.
        today = time.strftime("%Y-%m-%d", time.gmtime())
        next_year = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 365 * 86400))
        consents = {}
        for person in ["19121212-1212", "19701063-2391", "19850709-2388"]:
            status, reply = http("POST", f"{instance_urls[0]}/v1/consents",
                                 {"person_id": person, "partner": "jobbtorg", "information_types": ["ANVISNING"],
                                  "given_at": today, "expires_at": next_year, "document_reference": "SAM-CRASH",
                                  "case_id": "EB-CRASH"}, {"Authorization": f"Bearer {CASE_TOKEN}"}, 5)
            if status != 201:
                sys.exit(f"recording the crash test's consent failed with {status}")
            consents[person] = reply["consent_id"]

        accepted = {}  # idempotency key -> referral id
        lock = threading.Lock()
        stop_sending = threading.Event()
        failures = []

        changed = set()  # referral ids
        withdrawn = set()

        def until_answered(method, path, body, key):
            # A client that gets no answer sends the same request with the same key again, to
            # whichever instance the balancer picks.
            while True:
                try:
                    status, reply = http(method, f"{rng.choice(instance_urls)}{path}", body,
                                         {"Authorization": f"Bearer {CASE_TOKEN}", "Idempotency-Key": key}, 5)
                except (urllib.error.URLError, ConnectionError, OSError):
                    time.sleep(0.05)
                    continue
                if status in (409, 503) and not (status == 409 and reply.get("code") == "referral_withdrawn"):
                    time.sleep(0.05)
                    continue
                return status, reply

        def send(sender):
            persons = ["19121212-1212", "19701063-2391", "19850709-2388"]
            i = 0
            while not stop_sending.is_set():
                i += 1
                key = f"crash-{args.seed}-{sender}-{i}"
                body = {"case_id": "EB-CRASH", "municipality": "0180", "unit": "Skärholmen EKB",
                        "district": rng.choice(["skarholmen", "farsta"]), "person_id": persons[i % len(persons)],
                        "caseworker": {"id": "hl-1"}, "purpose": "arbetsmarknadsinsats",
                        "target_group": "ARBETSFOR_STOD", "forsorjningshinder": "ARBETSLOS_INGEN_ERSATTNING",
                        "extent_hours_per_week": 20, "start_date": "2026-12-01",
                        "consent_reference": consents[persons[i % len(persons)]]}
                status, reply = until_answered("POST", "/v1/referrals", body, key)
                if status != 202:
                    failures.append(f"unexpected {status}: {reply}")
                    return
                referral_id = reply["referral_id"]
                with lock:
                    if key in accepted and accepted[key] != referral_id:
                        failures.append(f"key {key} accepted twice as different referrals")
                    accepted[key] = referral_id
                # Some referrals change and some are withdrawn while their delivery may still be under way.
                if rng.random() < 0.25:
                    status, reply = until_answered("PATCH", f"/v1/referrals/{referral_id}",
                                                   {"extent_hours_per_week": 30}, f"{key}-change")
                    if status != 202:
                        failures.append(f"change refused with {status}: {reply}")
                        return
                    with lock:
                        changed.add(referral_id)
                if rng.random() < 0.1:
                    status, reply = until_answered("POST", f"/v1/referrals/{referral_id}/withdrawal",
                                                   {"reason": "BEHOV_UPPHORT"}, f"{key}-withdrawal")
                    if status not in (200, 202):
                        failures.append(f"withdrawal refused with {status}: {reply}")
                        return
                    with lock:
                        withdrawn.add(referral_id)
                time.sleep(rng.uniform(0.0, 0.02))

        senders = [threading.Thread(target=send, args=(n,), daemon=True) for n in range(args.senders)]
        for t in senders:
            t.start()
        database_crashes = set(rng.sample(range(1, args.kills), min(args.postgres_restarts, args.kills - 1)))
        for k in range(args.kills):
            time.sleep(rng.uniform(0.4, 1.5) if args.instances == 1 else rng.uniform(0.2, 0.8))
            victim = rng.choice(gateways)
            victim.kill()
            with lock:
                so_far = len(accepted)
            print(f"kill {k + 1}: SIGKILL of {victim.name} after {so_far} acceptances", flush=True)
            if k in database_crashes:
                postgres.crash_and_restart()
                print(f"PostgreSQL crashed and restarted after {so_far} acceptances", flush=True)
            time.sleep(rng.uniform(0.05, 0.3))
            victim.start()
        time.sleep(0.5)
        stop_sending.set()
        for t in senders:
            t.join(60)
        if failures:
            raise SystemExit("; ".join(failures[:5]))
        print(f"{len(accepted)} referrals accepted, {len(changed)} changed, {len(withdrawn)} withdrawn; "
              "partners steady now", flush=True)
        http("DELETE", f"{jt_url}/_sim/faults")
        http("DELETE", f"{cs_url}/_recv/faults")

        referral_ids = set(accepted.values())
        expected = (["referral.accepted", "referral.first_visit", "assessment.part_completed"] +
                    ["referral.attendance"] * args.attendance_days + ["referral.ended"])

        kept = referral_ids - withdrawn

        def at_jobbtorg():
            _, listing = http("GET", f"{jt_url}/_sim/referrals")
            return {r["anvisningsId"]: r for r in listing["referrals"]}

        def withdrawal_settled(r, held, by_corr):
            told = held.get(r)
            last_told = told["meddelanden"][-1]["typ"] if told and told["meddelanden"] else None
            return "referral.withdrawn" in by_corr.get(r, []) and (told is None or last_told == "ANVISNING_ATERKALLAD")

        def converged():
            _, jts = http("GET", f"{jt_url}/_sim/stats")
            _, css = http("GET", f"{cs_url}/_recv/stats")
            by_corr = css["by_correlation"]
            held = at_jobbtorg()
            complete = all(len(by_corr.get(r, [])) >= len(expected) + 1 for r in kept)
            complete = complete and all(withdrawal_settled(r, held, by_corr) for r in withdrawn)
            complete = complete and all(len(held.get(r, {}).get("meddelanden", [])) == 1 for r in changed - withdrawn)
            return len(jts["by_referral"]) >= len(kept) and jts["reports"]["pending"] == 0 and complete, jts, css

        deadline = time.time() + 240
        ok, jts, css = converged()
        while not ok and time.time() < deadline:
            time.sleep(1)
            ok, jts, css = converged()
        time.sleep(2)  # anything late or duplicated would show up now
        _, jts = http("GET", f"{jt_url}/_sim/stats")
        _, css = http("GET", f"{cs_url}/_recv/stats")

        problems = []
        by_referral = jts["by_referral"]
        held = at_jobbtorg()
        for r in referral_ids:
            got = by_referral.get(r, [])
            if len(got) != 1 and not (r in withdrawn and not got):
                problems.append(f"referral {r}: Jobbtorg took it {len(got)} times")
        for r, told in held.items():
            typs = [m["typ"] for m in told["meddelanden"]]
            versions = [m["version"] for m in told["meddelanden"] if "version" in m]
            if versions != sorted(set(versions)):
                problems.append(f"referral {r}: Jobbtorg got versions {versions}, not once each in order")
            if r in withdrawn:
                if typs[-1:] != ["ANVISNING_ATERKALLAD"] or typs.count("ANVISNING_ATERKALLAD") != 1:
                    problems.append(f"referral {r}: withdrawn, but Jobbtorg heard {typs}")
            elif typs != (["ANVISNING_ANDRAD"] if r in changed else []):
                problems.append(f"referral {r}: Jobbtorg heard {typs}")
        for r in withdrawn:
            status, shown = http("GET", f"{instance_urls[0]}/v1/referrals/{r}", None,
                                 {"Authorization": f"Bearer {CASE_TOKEN}"})
            if status != 200 or shown.get("status") != "withdrawn":
                problems.append(f"referral {r}: withdrawal accepted, but the store says {shown.get('status')}")
        for r in set(by_referral) - referral_ids:
            problems.append(f"referral {r}: at Jobbtorg but never acknowledged to the case system")
        if jts["reports"]["gave_up"]:
            problems.append(f"Jobbtorg gave up on {jts['reports']['gave_up']} reports")
        by_corr = css["by_correlation"]
        for r in withdrawn:
            types = by_corr.get(r, [])
            if types.count("referral.withdrawn") != 1 or "delivery.failed" in types:
                problems.append(f"referral {r}: withdrawn, and the case system received {types}")
        for r in kept:
            types = by_corr.get(r, [])
            if types.count("referral.sent") != 1:
                problems.append(f"referral {r}: referral.sent received {types.count('referral.sent')} times")
            partner_events = [t for t in types if t != "referral.sent"]
            if partner_events != expected:
                problems.append(f"referral {r}: case system received {partner_events}, expected {expected}")
        if css["bad_signatures"]:
            problems.append(f"{css['bad_signatures']} webhook pushes had bad signatures")

        for g in gateways:
            g.stop()
        store = (["--store", f"postgresql:{postgres.connection}"] if postgres else
                 ["--db", os.path.join(args.run_dir, "knutpunkt.db")])
        verify = subprocess.run([args.gateway, "audit", "verify", *store], capture_output=True, text=True)
        if verify.returncode != 0:
            problems.append(f"audit chain: {verify.stdout.strip()} {verify.stderr.strip()}")

        print(f"Jobbtorg: {jts['effects']} effects, {jts['duplicates']} duplicate deliveries dropped, "
              f"{jts['failed_by_fault']} refused while down; case system: {css['unique_events']} events, "
              f"{css['duplicates']} duplicate pushes dropped; gateways started "
              f"{sum(g.starts for g in gateways)} times", flush=True)
        if problems:
            print(f"FAIL ({len(problems)} problems, seed {args.seed}):")
            for p in problems[:50]:
                print("  " + p)
            return 1
        print("PASS: nothing accepted was lost, nothing took effect twice, order kept per referral")
        return 0
    finally:
        for g in gateways:
            g.stop()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        if postgres:
            postgres.stop()


if __name__ == "__main__":
    sys.exit(main())
