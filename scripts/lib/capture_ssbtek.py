#!/usr/bin/env python3
"""Stands between the gateway and the SSBTEK simulator for scripts/bench's peers section and keeps
the first lookup exchange: the question exactly as the gateway sent it and the reply exactly as the
simulator answered it, with its Content-Type. The peers are then measured against that reply.

usage: capture_ssbtek.py --upstream PORT --port-file PATH --request PATH --reply PATH

Every call is passed on; only the first hamtaBastjanstInformation exchange answered with 200 is
written (readiness probes ask testaBastjanstInformation and are passed on without being kept).
Loopback only; stops on SIGTERM.
"""
import argparse
import http.client
import http.server
import os
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--upstream", type=int, required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--request", required=True)
ap.add_argument("--reply", required=True)
args = ap.parse_args()

kept = threading.Event()
keeping = threading.Lock()


def write_atomically(path, data):
    with open(path + ".tmp", "wb") as out:
        out.write(data)
    os.replace(path + ".tmp", path)


class PassOn(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        question = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name: self.headers[name] for name in ("Content-Type", "SOAPAction") if name in self.headers}
        upstream = http.client.HTTPConnection("127.0.0.1", args.upstream, timeout=30)
        try:
            upstream.request("POST", self.path, body=question, headers=headers)
            answer = upstream.getresponse()
            reply = answer.read()
            content_type = answer.getheader("Content-Type", "")
            status = answer.status
        finally:
            upstream.close()
        if status == 200 and b"hamtaBastjanstInformation>" in question:
            with keeping:
                if not kept.is_set():
                    write_atomically(args.request, question)
                    write_atomically(args.reply + ".content-type", content_type.encode())
                    # The reply last: its presence tells the script the exchange is complete.
                    write_atomically(args.reply, reply)
                    kept.set()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format, *arguments):
        pass  # the exchange carries a personnummer: nothing of it goes to a log


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PassOn)
write_atomically(args.port_file, str(server.server_address[1]).encode())
server.serve_forever()
