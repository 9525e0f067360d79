#!/usr/bin/python3
"""The partner simulators and the case system's stand-in speak TLS as real partners do, with
certificates from scripts/lib/demo_pki.sh made at run time (validity counted from now).

1. make_demo_pki: the CA, the localhost server certificate (DNS:localhost, IP:127.0.0.1), the
   organisation certificate (serialNumber=organisationsnummer, O=kommun) and one per case system;
   keys 0600; a second run changes nothing; a certificate that expires within a day, or a missing
   one, is made again.
2. Every simulator started with --tls-cert/--tls-key/--client-ca: a client trusting the demo CA
   and showing a certificate it signed gets an answer, at https://localhost and https://127.0.0.1;
   without a client certificate, or with one another CA signed, the handshake fails; plain HTTP to
   the port gets no answer; a client trusting only the system's CAs refuses the server.
   Without --client-ca a simulator serves TLS to a client without a certificate; TLS 1.1 is refused
   even where the system's openssl.cnf would allow it.
3. Flags that do not go together are refused before the simulator binds.
4. Callbacks to an https gateway (a stand-in here that requires a client certificate):
   --gateway-ca and the organisation's certificate get through; another CA is refused.

usage: simulator_tls_test.py --repo DIR --run-dir DIR --simulator NAME=BIN [--simulator NAME=BIN ...]
"""
import argparse
import http.client
import http.server
import json
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import threading
import time
import warnings

FAILURES = []
ORGANISATIONSNUMMER = "2120000142"
KOMMUN = "Stockholms stad"

# How each simulator is started besides its listening flags, and a path it answers with 200.
SIMULATORS = {
    "ssbtek": ([], "/_sim/faults"),
    "arbetsformedlingen": ([], "/_sim/health"),
    "forsakringskassan": ([], "/_sim/health"),
    "jobbtorg": (["--reports", "off"], "/_sim/health"),
    "sip_region": (["--auto-reply", "none"], "/_sim/health"),
    "case_system": (["--secret", "test-webhook-secret-0123456789"], "/_recv/health"),
}


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        FAILURES.append(what)


def make_pki(repo, directory, *arguments, days=None):
    """make_demo_pki DIR ARGUMENTS... in bash with the strict options scripts/demo runs with."""
    env = dict(os.environ)
    if days is not None:
        env["DEMO_PKI_DAYS"] = str(days)
    script = 'set -euo pipefail; source "$1"; shift; make_demo_pki "$@"'
    done = subprocess.run(["bash", "-c", script, "pki", os.path.join(repo, "scripts/lib/demo_pki.sh"), directory,
                           *arguments], capture_output=True, text=True, timeout=60, env=env)
    return done.returncode, done.stderr


def openssl(*arguments):
    return subprocess.run(["openssl", *arguments], capture_output=True, text=True, timeout=30).stdout.strip()


def subject_of(pem):
    return openssl("x509", "-in", pem, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb")


def serial_of(pem):
    return openssl("x509", "-in", pem, "-noout", "-serial")


def files_of(directory):
    return sorted(os.path.relpath(os.path.join(root, name), directory)
                  for root, _, names in os.walk(directory) for name in names)


def demo_pki(repo, run_dir):
    pki = os.path.join(run_dir, "pki")
    code, err = make_pki(repo, pki)
    check(code == 0, "make_demo_pki succeeds (%s)" % err.strip())
    expected = ["ca.key", "ca.pem", "case-systems/jobbtorg-portal.key", "case-systems/jobbtorg-portal.pem",
                "case-systems/stockholm-ekb.key", "case-systems/stockholm-ekb.pem", "organisation.key",
                "organisation.pem", "server.key", "server.pem"]
    check(files_of(pki) == expected, "it makes the CA, the server, the organisation and each case system (%s)"
          % files_of(pki))
    keys = [name for name in expected if name.endswith(".key")]
    check(all(stat.S_IMODE(os.stat(os.path.join(pki, name)).st_mode) == 0o600 for name in keys), "every key is 0600")
    server = os.path.join(pki, "server.pem")
    san = openssl("x509", "-in", server, "-noout", "-ext", "subjectAltName")
    check("DNS:localhost" in san and "IP Address:127.0.0.1" in san, "the server certificate names localhost and "
          "127.0.0.1 (%s)" % san.replace("\n", " "))
    organisation = subject_of(os.path.join(pki, "organisation.pem"))
    check(f"serialNumber={ORGANISATIONSNUMMER}" in organisation and f"O={KOMMUN}" in organisation,
          "the organisation certificate carries the organisationsnummer and the kommun (%s)" % organisation)
    check("CN=stockholm-ekb" in subject_of(os.path.join(pki, "case-systems/stockholm-ekb.pem")),
          "a case system's certificate names the case system")
    for name in ("server.pem", "organisation.pem", "case-systems/stockholm-ekb.pem"):
        verified = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(pki, "ca.pem"),
                                   os.path.join(pki, name)], capture_output=True, text=True).returncode == 0
        check(verified, f"the demo CA vouches for {name}")
    # Valid for 30 days from now, not for some fixed dates.
    check(openssl("x509", "-in", server, "-noout", "-checkend", str(29 * 86400)).endswith("will not expire") and
          openssl("x509", "-in", server, "-noout", "-checkend", str(31 * 86400)).endswith("will expire"),
          "certificates are valid for about 30 days from now")

    serials = {name: serial_of(os.path.join(pki, name)) for name in expected if name.endswith(".pem")}
    code, _ = make_pki(repo, pki)
    again = {name: serial_of(os.path.join(pki, name)) for name in serials}
    check(code == 0 and again == serials, "a second run keeps every certificate")

    os.remove(os.path.join(pki, "organisation.pem"))
    code, _ = make_pki(repo, pki)
    remade = {name: serial_of(os.path.join(pki, name)) for name in serials}
    check(code == 0 and remade["organisation.pem"] != serials["organisation.pem"] and
          all(remade[name] == serials[name] for name in serials if name != "organisation.pem"),
          "a missing certificate is made again, and only that one")

    # A PKI whose certificates expire within a day is made anew on the next run.
    short = os.path.join(run_dir, "pki-short")
    make_pki(repo, short, days=1)
    before = {name: serial_of(os.path.join(short, name)) for name in serials}
    code, _ = make_pki(repo, short)
    after = {name: serial_of(os.path.join(short, name)) for name in serials}
    check(code == 0 and all(after[name] != before[name] for name in serials),
          "certificates that expire within a day are made again")
    check(openssl("x509", "-in", os.path.join(short, "server.pem"), "-noout", "-checkend", str(2 * 86400))
          .endswith("will not expire"), "the re-made certificates are valid for days again")
    return pki


class Simulator:
    def __init__(self, binary, arguments, run_dir, name, env=None):
        self.port_file = os.path.join(run_dir, name + ".port")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.err_path = os.path.join(run_dir, name + ".err")
        self.process = subprocess.Popen([binary, "--port", "0", "--port-file", self.port_file, *arguments],
                                        stdout=subprocess.DEVNULL, stderr=open(self.err_path, "w"), env=env)
        self.port = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                self.port = int(open(self.port_file).read())
                return
            time.sleep(0.05)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def client_context(cafile=None, cert=None, key=None, maximum=None):
    context = ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()
    if cert:
        context.load_cert_chain(cert, key)
    if maximum:
        context.maximum_version = maximum
    return context


def https_get(port, host, path, context, method="GET", body=None):
    """(status, body) of one request over TLS to `host`, or (None, why it failed)."""
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        response = connection.getresponse()
        return response.status, response.read()
    except (ssl.SSLError, ssl.CertificateError, OSError, http.client.HTTPException) as error:
        return None, "%s: %s" % (type(error).__name__, error)
    finally:
        connection.close()


def handshake_error(port, context, host="localhost"):
    """Why a TLS handshake alone failed, or None when it completed."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        try:
            with context.wrap_socket(raw, server_hostname=host):
                return None
        except (ssl.SSLError, OSError) as error:
            return "%s: %s" % (type(error).__name__, error)


def plain_http_get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def serves_mutual_tls(name, binary, pki, other_pki, run_dir):
    arguments, path = SIMULATORS[name]
    tls = ["--tls-cert", os.path.join(pki, "server.pem"), "--tls-key", os.path.join(pki, "server.key"),
           "--client-ca", os.path.join(pki, "ca.pem")]
    simulator = Simulator(binary, arguments + tls, run_dir, name)
    try:
        check(simulator.port is not None, f"{name}: starts with --tls-cert, --tls-key and --client-ca")
        if simulator.port is None:
            return
        ca = os.path.join(pki, "ca.pem")
        organisation = client_context(ca, os.path.join(pki, "organisation.pem"), os.path.join(pki, "organisation.key"))
        for host in ("localhost", "127.0.0.1"):
            status, answer = https_get(simulator.port, host, path, organisation)
            check(status == 200, f"{name}: the organisation's certificate gets an answer at https://{host} "
                  f"({status} {answer!r:.200})")
        case_system = client_context(ca, os.path.join(pki, "case-systems/stockholm-ekb.pem"),
                                     os.path.join(pki, "case-systems/stockholm-ekb.key"))
        check(https_get(simulator.port, "localhost", path, case_system)[0] == 200,
              f"{name}: a case system's certificate from the demo CA gets an answer")

        anonymous = client_context(ca)
        refused = handshake_error(simulator.port, client_context(ca, maximum=ssl.TLSVersion.TLSv1_2))
        check(refused is not None, f"{name}: without a client certificate the TLS 1.2 handshake fails ({refused})")
        status, why = https_get(simulator.port, "localhost", path, anonymous)
        check(status is None, f"{name}: without a client certificate there is no answer over TLS 1.3 ({why})")
        stranger = client_context(ca, os.path.join(other_pki, "organisation.pem"),
                                  os.path.join(other_pki, "organisation.key"))
        status, why = https_get(simulator.port, "localhost", path, stranger)
        check(status is None, f"{name}: a client certificate another CA signed is refused ({why})")

        check(plain_http_get(simulator.port, path) is None, f"{name}: plain HTTP to the TLS port gets no answer")
        refused = handshake_error(simulator.port, client_context())
        check(refused is not None and "CERTIFICATE_VERIFY_FAILED" in refused,
              f"{name}: a client trusting only the system's CAs refuses the demo server ({refused})")
        check(simulator.process.poll() is None, f"{name}: still running after the refused connections")
    finally:
        simulator.stop()


def tls_without_client_ca(binary, pki, run_dir):
    simulator = Simulator(binary, ["--tls-cert", os.path.join(pki, "server.pem"), "--tls-key",
                                   os.path.join(pki, "server.key")], run_dir, "af-no-client-ca")
    try:
        status, _ = https_get(simulator.port or 1, "localhost", "/_sim/health", client_context(os.path.join(pki, "ca.pem")))
        check(status == 200, "without --client-ca a simulator answers a client without a certificate over TLS")
        check(plain_http_get(simulator.port or 1, "/_sim/health") is None, "... and still not over plain HTTP")
    finally:
        simulator.stop()


# An OpenSSL configuration that allows TLS 1.0 and 1.1 and weak signatures (security level 0): what a
# host with a lax system-wide openssl.cnf would give the simulator. TLS 1.2 must still be the floor.
LAX_OPENSSL_CONF = """openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT:@SECLEVEL=0
"""


def tls_before_1_2_refused(binary, pki, run_dir):
    lax = os.path.join(run_dir, "lax-openssl.cnf")
    with open(lax, "w") as out:
        out.write(LAX_OPENSSL_CONF)
    simulator = Simulator(binary, ["--tls-cert", os.path.join(pki, "server.pem"), "--tls-key",
                                   os.path.join(pki, "server.key")], run_dir, "af-lax-openssl",
                          env=dict(os.environ, OPENSSL_CONF=lax))
    try:
        answered = {}
        for version in ("TLSv1_1", "TLSv1_2"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                context = client_context(os.path.join(pki, "ca.pem"), maximum=getattr(ssl.TLSVersion, version))
                context.set_ciphers("DEFAULT:@SECLEVEL=0")
                context.minimum_version = ssl.TLSVersion.TLSv1
            answered[version] = https_get(simulator.port or 1, "localhost", "/_sim/health", context)
        check(answered["TLSv1_2"][0] == 200, "under a lax openssl.cnf a TLS 1.2 client is answered (%s)"
              % (answered["TLSv1_2"],))
        check(answered["TLSv1_1"][0] is None, "under a lax openssl.cnf a TLS 1.1 client is still refused (%s)"
              % (answered["TLSv1_1"],))
    finally:
        simulator.stop()


def refused_command_lines(binaries, pki, run_dir):
    server, key, ca = (os.path.join(pki, name) for name in ("server.pem", "server.key", "ca.pem"))
    def exits(arguments, binary=binaries["arbetsformedlingen"]):
        """Exit code and stderr; None for a simulator that took the flags and went on serving."""
        try:
            done = subprocess.run([binary, "--port", "0", *arguments], capture_output=True, text=True, timeout=10)
            return done.returncode, done.stderr
        except subprocess.TimeoutExpired as e:
            return None, e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")

    code, err = exits(["--tls-cert", server])
    check(code == 2 and "--tls-key" in err, "--tls-cert without --tls-key is refused (%s, %s)" % (code, err[:120]))
    code, err = exits(["--client-ca", ca])
    check(code == 2 and "--client-ca needs" in err, "--client-ca without a certificate is refused (%s)" % code)
    code, err = exits(["--tls-cert", server, "--tls-key", os.path.join(run_dir, "missing.key")])
    check(code == 2 and "--tls-key" in err, "a key file that is not there is refused (%s)" % code)
    code, err = exits(["--tls-cert", server, "--tls-key", os.path.join(pki, "organisation.key")])
    check(code == 1 and "organisation.key" in err, "a key that does not belong to the certificate stops the "
          "simulator, naming the key (%s, %s)" % (code, err.strip()[:160]))
    code, err = exits(["--tls-cert", ca, "--tls-key", key])
    check(code == 1, "a certificate that does not belong to the key stops the simulator (%s)" % code)

    fk = binaries["forsakringskassan"]
    code, err = exits(["--gateway", "https://localhost:1"], fk)
    check(code == 2 and "--gateway-ca" in err, "an https --gateway without --gateway-ca is refused (%s)" % code)
    code, err = exits(["--gateway", "http://localhost:1", "--gateway-ca", ca], fk)
    check(code == 2 and "need an https" in err, "--gateway-ca with an http --gateway is refused (%s)" % code)
    code, err = exits(["--gateway", "https://localhost:1", "--gateway-ca", ca, "--gateway-cert",
                       os.path.join(pki, "organisation.pem")], fk)
    check(code == 2 and "--gateway-key" in err, "--gateway-cert without --gateway-key is refused (%s)" % code)


class GatewayStandIn:
    """An https gateway on loopback that requires a client certificate from the demo CA and
    answers every POST 202, keeping the client certificate's subject of each."""

    def __init__(self, pki):
        self.subjects = []
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                peer = self.connection.getpeercert()
                stand_in.subjects.append(dict(field for part in peer.get("subject", ()) for field in part))
                body = json.dumps({"status": "accepted", "receipt_id": "r-%d" % len(stand_in.subjects)}).encode()
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(pki, "server.pem"), os.path.join(pki, "server.key"))
        context.load_verify_locations(os.path.join(pki, "ca.pem"))
        context.verify_mode = ssl.CERT_REQUIRED
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def callbacks_over_tls(binaries, pki, other_pki, run_dir):
    gateway = GatewayStandIn(pki)
    try:
        organisation = ["--gateway-cert", os.path.join(pki, "organisation.pem"), "--gateway-key",
                        os.path.join(pki, "organisation.key")]
        notification = json.dumps({"personnummer": "191212121212"})
        for host in ("localhost", "127.0.0.1"):
            fk = Simulator(binaries["forsakringskassan"], ["--gateway", f"https://{host}:{gateway.port}",
                                                           "--gateway-ca", os.path.join(pki, "ca.pem"), *organisation],
                           run_dir, "fk-callbacks")
            try:
                status, answer = _post(fk.port or 1, "/_sim/notifications", notification)
                statuses = json.loads(answer).get("gateway_statuses") if status == 200 else answer
                check(statuses == [202], f"forsakringskassan: a notification reaches the https gateway at {host} "
                      f"with --gateway-ca and the organisation's certificate ({status} {statuses})")
            finally:
                fk.stop()
        seen = gateway.subjects[-1] if gateway.subjects else {}
        check(len(gateway.subjects) == 2 and seen.get("serialNumber") == ORGANISATIONSNUMMER,
              "the gateway saw the organisation's certificate (%s)" % seen)

        fk = Simulator(binaries["forsakringskassan"], ["--gateway", f"https://localhost:{gateway.port}",
                                                       "--gateway-ca", os.path.join(other_pki, "ca.pem"),
                                                       *organisation], run_dir, "fk-other-ca")
        try:
            status, answer = _post(fk.port or 1, "/_sim/notifications", notification)
            statuses = json.loads(answer).get("gateway_statuses") if status == 200 else answer
            check(statuses == [0] and len(gateway.subjects) == 2,
                  "a gateway whose certificate --gateway-ca did not sign is not called (%s)" % statuses)
        finally:
            fk.stop()

        for name in ("jobbtorg", "sip_region"):
            arguments, _ = SIMULATORS[name]
            simulator = Simulator(binaries[name], arguments + ["--gateway", f"https://localhost:{gateway.port}",
                                                               "--gateway-ca", os.path.join(pki, "ca.pem"),
                                                               *organisation], run_dir, name + "-callbacks")
            try:
                check(simulator.port is not None, f"{name}: starts with an https --gateway and its TLS flags")
            finally:
                simulator.stop()
    finally:
        gateway.stop()


def _post(port, path, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as error:
        return None, str(error)
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--simulator", action="append", default=[], help="NAME=BIN")
    args = parser.parse_args()
    binaries = dict(item.split("=", 1) for item in args.simulator)
    unknown = set(binaries) - set(SIMULATORS)
    if unknown or set(binaries) != set(SIMULATORS):
        print("give --simulator for each of %s" % sorted(SIMULATORS), file=sys.stderr)
        return 2
    shutil.rmtree(args.run_dir, ignore_errors=True)
    os.makedirs(args.run_dir)

    pki = demo_pki(args.repo, args.run_dir)
    # A second, unrelated demo PKI: its certificates must be worth nothing to the first's servers.
    other_pki = os.path.join(args.run_dir, "other-pki")
    make_pki(args.repo, other_pki)
    for name, binary in binaries.items():
        serves_mutual_tls(name, binary, pki, other_pki, args.run_dir)
    tls_without_client_ca(binaries["arbetsformedlingen"], pki, args.run_dir)
    tls_before_1_2_refused(binaries["arbetsformedlingen"], pki, args.run_dir)
    refused_command_lines(binaries, pki, args.run_dir)
    callbacks_over_tls(binaries, pki, other_pki, args.run_dir)

    if FAILURES:
        print("\n%d checks failed:\n  %s" % (len(FAILURES), "\n  ".join(FAILURES)))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
