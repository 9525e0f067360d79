#!/usr/bin/python3
"""knutpunkt as a service, through the real binary.

1. The command line: --version; --help per subcommand; an unknown or misspelt option is refused
   with exit code 2 and a message naming it (serve and the audit subcommands), never ignored.
2. Files the gateway creates (database, log, port file) are for its user alone (0600), whatever
   the umask it was started with; /metrics names the build and prints counters as integers.
3. A key file others can read is refused, with its name: the config's audit.signing_key at start
   and `audit export --key`.
4. cmake --install into a staging prefix: the simulators only as a component of their own; the
   installed binary answers --version, serves /healthz
   with the installed example configuration (moved to a temporary folder and an ephemeral port),
   and the unit passes systemd-analyze verify (where systemd-analyze exists).

usage: service_test.py --gateway BIN --build-dir DIR --run-dir DIR
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import urllib.request

OPERATOR_TOKEN = "test-token-operator"
FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        FAILURES.append(what)


def run(argv, timeout=15, **kwargs):
    """The command's (exit code, stdout, stderr); a command still running at `timeout` is killed
    and reported as exit code None (a misspelt option that was ignored starts the server)."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)
        return done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or "", e.stderr or ""


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def base_config(run_dir):
    return {
        "server": {"host": "127.0.0.1", "port": 0, "threads": 2, "plain_http": True},
        "store": {"kind": "sqlite", "path": os.path.join(run_dir, "knutpunkt.db")},
        "log": {"level": "info", "file": os.path.join(run_dir, "gateway.log")},
        "purposes": {"ekonomiskt_bistand": {"description": "Handläggning av ekonomiskt bistånd"}},
        "clients": [{"id": "operator", "token_sha256": hashlib.sha256(OPERATOR_TOKEN.encode()).hexdigest(),
                     "purposes": [], "roles": ["operator"]}],
        "adapters": [],
    }


class Served:
    """`knutpunkt serve` started with the umask 022 of a careless shell."""

    def __init__(self, binary, config_path, run_dir):
        self.port_file = os.path.join(run_dir, "gateway.port")
        self.process = subprocess.Popen(
            [binary, "serve", "--config", config_path, "--port-file", self.port_file],
            stdout=open(os.path.join(run_dir, "gateway.out"), "w"),
            stderr=open(os.path.join(run_dir, "gateway.err"), "w"), preexec_fn=lambda: os.umask(0o022))
        deadline = time.monotonic() + 20
        self.port = None
        while time.monotonic() < deadline and self.process.poll() is None:
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                self.port = int(open(self.port_file).read())
                return
            time.sleep(0.05)

    def get(self, path, token=None):
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path))
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def command_line(binary, run_dir):
    code, out, _ = run([binary, "--version"])
    check(code == 0 and re.fullmatch(r"knutpunkt \d+\.\d+\.\d+\n", out) is not None,
          "--version prints the version and exits 0 (got %r, %r)" % (code, out))
    for sub in (["serve"], ["audit", "verify"], ["audit", "export"], ["audit", "keygen"], ["user", "hash-password"]):
        code, out, _ = run([binary] + sub + ["--help"])
        check(code == 0 and "--" in out, "%s --help prints the options and exits 0" % " ".join(sub))

    config = os.path.join(run_dir, "config.json")
    with open(config, "w") as f:
        json.dump(base_config(run_dir), f)
    misspelt = [
        ["serve", "--config", config, "--log-levle", "debug"],
        ["serve", "--config", config, "--prot", "0"],
        ["audit", "verify", "--db", os.path.join(run_dir, "none.db"), "--expect-haed", "1:ab"],
        ["audit", "export", "--db", os.path.join(run_dir, "none.db"), "--format", "jsonl", "--out",
         os.path.join(run_dir, "x.jsonl"), "--key", os.path.join(run_dir, "none.pem"), "--to-sq", "3"],
        ["audit", "keygen", "--privat", os.path.join(run_dir, "k.pem"), "--public", os.path.join(run_dir, "k.pub")],
    ]
    for argv in misspelt:
        wrong = next(a for a in argv if a in ("--log-levle", "--prot", "--expect-haed", "--to-sq", "--privat"))
        code, _, err = run([binary] + argv, timeout=10)
        check(code == 2 and wrong in err,
              "%s %s is refused with exit 2 naming it (got %r: %s)" % (" ".join(argv[:2]), wrong, code, err.strip()[:200]))
    check(not os.path.exists(os.path.join(run_dir, "k.pem")), "a refused keygen wrote no key")


def file_modes_and_metrics(binary, run_dir):
    config = os.path.join(run_dir, "config.json")
    with open(config, "w") as f:
        json.dump(base_config(run_dir), f)
    served = Served(binary, config, run_dir)
    check(served.port is not None, "the gateway starts")
    if served.port is None:
        return
    status, _ = served.get("/healthz")
    check(status == 200, "/healthz answers 200")
    status, text = served.get("/metrics", OPERATOR_TOKEN)
    check(status == 200 and re.search(r'^knutpunkt_build_info\{version="\d+\.\d+\.\d+"\} 1$', text, re.M) is not None,
          "/metrics has knutpunkt_build_info{version=...} 1")
    for name in ("knutpunkt.db", "gateway.log", "gateway.port"):
        path = os.path.join(run_dir, name)
        check(os.path.exists(path) and mode_of(path) == 0o600,
              "%s is created 0600 under umask 022 (got %s)" % (name, oct(mode_of(path)) if os.path.exists(path) else "none"))
    check(served.stop() == 0, "SIGTERM stops the idle gateway with exit 0")


def shared_keys_refused(binary, run_dir):
    key, public = os.path.join(run_dir, "audit-signing-key.pem"), os.path.join(run_dir, "audit-signing-key.pub.pem")
    code, _, err = run([binary, "audit", "keygen", "--private", key, "--public", public])
    check(code == 0, "audit keygen makes a key pair (%s)" % err.strip())
    os.chmod(key, 0o640)
    config = base_config(run_dir)
    config["audit"] = {"signing_key": key, "export_dir": os.path.join(run_dir, "exports"), "instance_id": "t"}
    config_path = os.path.join(run_dir, "config.json")
    with open(config_path, "w") as f:
        json.dump(config, f)
    code, _, err = run([binary, "serve", "--config", config_path, "--port", "0"], timeout=10)
    check(code == 2 and key in err, "serve refuses a group-readable audit.signing_key, naming it (got %r: %s)"
          % (code, err.strip()[:300]))
    # A database to export from: the gateway with the key made private, stopped again.
    os.chmod(key, 0o600)
    served = Served(binary, config_path, run_dir)
    check(served.port is not None, "with the key 0600 the gateway starts")
    if served.port is not None:
        # An unknown caller, refused and audited: the record to export (the refusals are counted
        # and written when the gateway stops).
        check(served.get("/metrics", "not-a-token")[0] == 401, "an unknown caller is refused")
        check(served.stop() == 0, "and stops with exit 0")
    exported = os.path.join(run_dir, "export.jsonl")
    code, _, err = run([binary, "audit", "export", "--db", os.path.join(run_dir, "knutpunkt.db"), "--format", "jsonl",
                        "--out", exported, "--key", key], preexec_fn=lambda: os.umask(0o022))
    check(code == 0 and os.path.exists(exported) and mode_of(exported) == 0o600,
          "audit export writes its file 0600 under umask 022 (got %r, %s: %s)"
          % (code, oct(mode_of(exported)) if os.path.exists(exported) else "none", err.strip()[:200]))
    os.remove(exported)
    os.chmod(key, 0o644)
    code, _, err = run([binary, "audit", "export", "--db", os.path.join(run_dir, "knutpunkt.db"), "--format", "jsonl",
                        "--out", os.path.join(run_dir, "export.jsonl"), "--key", key])
    check(code == 2 and key in err and not os.path.exists(os.path.join(run_dir, "export.jsonl")),
          "audit export refuses a world-readable --key, naming it (got %r: %s)" % (code, err.strip()[:300]))


def installed(build_dir, run_dir):
    stage = os.path.join(run_dir, "stage")
    code, out, err = run(["cmake", "--install", build_dir, "--prefix", stage], timeout=120)
    check(code == 0, "cmake --install into a staging prefix (%s)" % err.strip()[:300])
    if code != 0:
        return
    binary = os.path.join(stage, "bin", "knutpunkt")
    simulators = [os.path.join(stage, "bin", name) for name in
                  ("ssbtek-simulator", "arbetsformedlingen-simulator", "forsakringskassan-simulator",
                   "jobbtorg-simulator", "case-system-simulator", "sip-region-sim")]
    check(not any(os.path.exists(s) for s in simulators), "the simulators are not installed with the gateway")
    code, _, err = run(["cmake", "--install", build_dir, "--prefix", stage, "--component", "simulators"], timeout=120)
    check(code == 0 and all(os.path.exists(s) for s in simulators),
          "the simulators install as a component of their own (%s)" % err.strip()[:300])
    code, out, _ = run([binary, "--version"])
    check(code == 0 and out.startswith("knutpunkt "), "the installed binary answers --version")
    share = os.path.join(stage, "share", "knutpunkt")
    for part in ("schemas/config.schema.json", "mappings/ssbtek", "console/index.html"):
        check(os.path.exists(os.path.join(share, part)), "share/knutpunkt/" + part + " is installed")
    check(os.path.exists(os.path.join(stage, "share", "doc", "knutpunkt", "LICENSE")), "the licence is installed")
    example = os.path.join(stage, "etc", "knutpunkt", "knutpunkt.json")
    check(os.path.exists(example) and mode_of(example) == 0o640, "the example configuration is installed 0640")
    unit = os.path.join(stage, "lib", "systemd", "system", "knutpunkt.service")
    check(os.path.exists(unit), "the systemd unit is installed")
    if not os.path.exists(example) or not os.path.exists(unit):
        return
    config = json.load(open(example))
    from jsonschema import Draft202012Validator
    schema = json.load(open(os.path.join(share, "schemas", "config.schema.json")))
    problems = [e.json_path + ": " + e.message for e in Draft202012Validator(schema).iter_errors(config)]
    check(not problems, "the example configuration is valid by the installed schema (%s)" % "; ".join(problems)[:400])
    check(config["console"]["static_dir"] == os.path.join(share, "console"), "the example finds the installed console")
    check(config["adapters"][0]["config"]["mappings"] == os.path.join(share, "mappings", "ssbtek"),
          "the example finds the installed mappings")
    check(open(unit).read().count("ExecStart=%s serve --config %s" % (binary, example)) == 1,
          "the unit starts the installed binary with the installed configuration")
    # The example as installed, with its state and log moved to a temporary folder.
    serve_dir = os.path.join(run_dir, "installed")
    os.makedirs(serve_dir)
    config["server"]["port"] = 0
    # The example's certificate paths are for the operator to fill; TLS itself is tested elsewhere.
    check("tls" in config["server"] and "plain_http" not in config["server"], "the example serves TLS")
    config["server"].pop("tls", None)
    config["server"]["plain_http"] = True
    ssbtek = config["adapters"][0]["config"]
    check(ssbtek["endpoint"].startswith("https://") and "tls" in ssbtek, "the example reaches SSBTEK over mutual TLS")
    ssbtek.pop("tls", None)
    ssbtek["endpoint"] = "http://127.0.0.1:9/ssbtek"
    config["store"]["path"] = os.path.join(serve_dir, "knutpunkt.db")
    config["log"]["file"] = os.path.join(serve_dir, "knutpunkt.log")
    config_path = os.path.join(serve_dir, "knutpunkt.json")
    with open(config_path, "w") as f:
        json.dump(config, f)
    served = Served(binary, config_path, serve_dir)
    check(served.port is not None, "the installed binary serves the installed example configuration (see %s)" % serve_dir)
    if served.port is not None:
        check(served.get("/healthz")[0] == 200, "the installed gateway answers /healthz")
        check(served.stop() == 0, "and stops with exit 0")
    if shutil.which("systemd-analyze") is None:
        print("skip systemd-analyze verify: systemd-analyze is not installed here", flush=True)
        return
    code, out, err = run(["systemd-analyze", "verify", unit], timeout=60)
    # It exits 0 even for an unknown key, so its complaints are read too; those about other units
    # on the machine are not ours: only lines naming knutpunkt count.
    ours = [line for line in (out + err).splitlines() if "knutpunkt" in line]
    check(code == 0 and not ours, "systemd-analyze verify passes the unit (%s)" % " | ".join(ours)[:400])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--run-dir", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.run_dir, ignore_errors=True)
    for name, step in (("command_line", lambda d: command_line(args.gateway, d)),
                       ("file_modes", lambda d: file_modes_and_metrics(args.gateway, d)),
                       ("shared_keys", lambda d: shared_keys_refused(args.gateway, d)),
                       ("install", lambda d: installed(args.build_dir, d))):
        run_dir = os.path.join(args.run_dir, name)
        os.makedirs(run_dir)
        step(run_dir)
    if FAILURES:
        print("\n%d checks failed:\n  %s" % (len(FAILURES), "\n  ".join(FAILURES)))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
