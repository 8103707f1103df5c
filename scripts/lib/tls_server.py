#!/usr/bin/env python3
"""A ByteNite-like jobs listing over HTTPS with a self-signed certificate, for scripts/reliability.

Usage: tls_server.py CERT KEY   (both PEM; the certificate names 127.0.0.1)
Prints the port on the first line once listening. Every GET answers one page of one job; POST (the access token) a token.
"""
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer({"token": "tls-token", "expiresIn": "3600"})

    def do_GET(self):
        self.answer({"data": [{"id": "tls-job-1", "name": "over tls"}], "pagination": {"total": "1", "hasNext": False}})

    def answer(self, value):
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
