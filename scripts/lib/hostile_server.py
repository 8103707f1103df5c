#!/usr/bin/env python3
"""A deliberately bad ByteNite-like server, for scripts/reliability.

Each scenario lives under its own path prefix: http://HOST:PORT/SCENARIO/v1/customer/jobs...
POST /v1/auth/access_token answers {"token": TOKEN} for any key. Requests are logged as JSON
lines (method, path, headers) to the file named by --log, so a run can check what bnq sent.
Prints the port on the first line of standard output once listening.
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "hostiletok_7f3a9c0d51e2"
ESCAPES = "\x1b[2J\x1b[31mred\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07\x07\u202eevil\u202c\x9b6n\x1b]0;title\x07"


def job(i, **overrides):
    base = {
        "id": f"00000000-0000-0000-0000-{i:012d}", "name": f"job-{i}", "state": "JOB_STATE_COMPLETE",
        "createdAt": "2026-11-01T10:00:00Z", "templateId": "image-resize", "duration": 12.5,
        "paymentAmount": 0.25, "numUnitsEstimation": "42",
    }
    base.update(overrides)
    return base


def page(jobs, total=None):
    return {"data": jobs, "pagination": {"hasNext": False, "hasPrevious": False, "offset": 0, "total": len(jobs) if total is None else total}}


SCENARIOS = {
    # status, content type, body (bytes or JSON-able), extra behaviour
    "malformed": (200, "application/json", b'{"data": [{"id": "00000000-0000-0000-0000-000000000001", "name": '),
    "wrong-types": (200, "application/json", page([job(1, name=["not", "a", "string"], duration="fast", createdAt=12, paymentAmount={"x": 1})])),
    "data-not-a-list": (200, "application/json", {"data": "surprise", "pagination": {"total": 1}}),
    "int64-as-string": (200, "application/json", {"data": [job(1, numUnitsEstimation="9007199254740993", numChunks="12")],
                                                   "pagination": {"hasNext": False, "total": "1", "offset": "0"}}),
    "int64-as-number": (200, "application/json", {"data": [job(1, numUnitsEstimation=9007199254740993)], "pagination": {"total": 1}}),
    "unknown-values": (200, "application/json", page([job(1, state="JOB_STATE_TELEPORTED", priority="EXECUTION_PRIORITY_WARP",
                                                          brandNewField={"nested": [1, 2, 3]})])),
    "html-502": (502, "text/html", b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"),
    "empty-200": (200, "application/json", b""),
    "long-strings": (200, "application/json", page([job(1, name="x" * 5_000_000, errorMessage="e" * 1_000_000)])),
    "terminal": (200, "application/json", page([job(1, name="name" + ESCAPES, errorMessage="error" + ESCAPES, templateId="t" + ESCAPES)])),
    "terminal-error": (400, "application/json", {"code": 3, "message": "bad filter" + ESCAPES, "details": []}),
    "cut": (200, "application/json", None),  # announces a long body, sends part, closes
    "null-data": (200, "application/json", {"data": None, "pagination": None}),
    "huge-total": (200, "application/json", page([job(1)], total=10**30)),
    # Issue 15: numbers that used to trap, as protobuf JSON spells them.
    "numbers": (200, "application/json", page([
        job(1, numUnitsEstimation="9223372036854775807", paymentAmount="NaN", duration="Infinity", numChunks=1e16),
        job(2, numUnitsEstimation="-9223372036854775808", paymentAmount="-Infinity", duration=1e300, numChunks="7"),
        job(3, paymentAmount=1e308, duration=-0.0)])),
    "numbers-raw": (200, "application/json", b'{"data":[{"id":"00000000-0000-0000-0000-000000000001","duration":1e400,"paymentAmount":-1e400,'
                    b'"numChunks":123456789012345678901234567890}],"pagination":{"total":1}}'),
    # A member given twice: the last value wins everywhere; an enum sent by its number.
    "duplicates": (200, "application/json", b'{"data":[{"id":"00000000-0000-0000-0000-000000000001","name":"first","name":"second",'
                   b'"state":10,"priority":2}],"pagination":{"hasNext":true,"total":"1","hasNext":false}}'),
    "retry-after-huge": (503, "application/json", {"code": 14, "message": "busy", "details": []}),
    "echo-auth": (400, "application/json", None),  # echoes the request's Authorization header in its message
    "ignore-offset": (200, "application/json", {"data": [job(1), job(2)], "pagination": {"hasNext": True, "offset": "0"}}),
    "no-pagination": (200, "application/json", None),  # pages by offset, says nothing about paging
    "no-hasnext": (200, "application/json", None),  # pages by offset, gives the total but no hasNext
    "slow-body": (200, "application/json", None),  # a byte a second
    # Ids that would act on a terminal if listed raw by Tab completion.
    "hostile-ids": (200, "application/json", page([job(1, id="id-\x1b]0;owned\x07-a"), job(2, id="id-\x1b[2J-b"),
                                                    job(3, id="id-\x1b[41m-c"), job(4, id="id-\u202e-d"), job(5, id="id-plain-e")])),
}

PAGED_TOTAL = 1200


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_file = None
    lock = threading.Lock()
    redirect_target = None

    def log_message(self, *args):
        pass

    def record(self):
        if Handler.log_file:
            with Handler.lock, open(Handler.log_file, "a") as log:
                log.write(json.dumps({"method": self.command, "path": self.path, "host": self.headers.get("Host"),
                                      "headers": dict(self.headers.items())}) + "\n")

    def send(self, status, content_type, body):
        if not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.record()
        if self.path.startswith("/v1/auth/access_token"):
            return self.send(200, "application/json", {"token": TOKEN, "expiresIn": "3600"})
        scenario = self.path.strip("/").split("/")[0]
        if scenario == "redirect":
            rest = self.path[len("/redirect"):]
            self.send_response(307)
            self.send_header("Location", Handler.redirect_target + "/ok" + rest)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if scenario == "redirect-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/jobs")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if scenario == "ok":
            return self.send(200, "application/json", page([job(1), job(2)]))
        if scenario not in SCENARIOS:
            return self.send(404, "application/json", {"code": 5, "message": "no such scenario", "details": []})
        status, content_type, body = SCENARIOS[scenario]
        if scenario == "retry-after-huge":
            body = json.dumps(body).encode()
            self.send_response(503)
            self.send_header("Content-Type", content_type)
            self.send_header("Retry-After", "1e300")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if scenario == "echo-auth":
            return self.send(400, content_type, {"code": 3, "message": "rejected request with Authorization: " + (self.headers.get("Authorization") or "none"), "details": []})
        if scenario in ("no-pagination", "no-hasnext"):
            query = dict(part.split("=", 1) for part in (self.path.split("?", 1)[1].split("&") if "?" in self.path else []) if "=" in part)
            offset = int(query.get("pagination.offset", "0"))
            limit = int(query.get("pagination.limit", "100"))
            jobs = [job(i + 1) for i in range(offset, min(offset + limit, PAGED_TOTAL))]
            answer = {"data": jobs}
            if scenario == "no-hasnext":
                answer["pagination"] = {"total": str(PAGED_TOTAL), "offset": str(offset)}
            return self.send(200, content_type, answer)
        if scenario == "slow-body":
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return
        if scenario == "cut":
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b'{"data": [{"id": "00000000-0000-0000-0000-000000000001", "name": "cut')
            self.wfile.flush()
            self.close_connection = True
            return
        self.send(status, content_type, body)

    do_GET = handle_any
    do_POST = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--log")
    parser.add_argument("--redirect-to", help="origin that /redirect/... sends clients to")
    args = parser.parse_args()
    Handler.log_file = args.log
    Handler.redirect_target = args.redirect_to
    server = ThreadingHTTPServer((args.host, 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
