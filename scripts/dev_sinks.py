#!/usr/bin/env python3
"""Local sinks for `make run`: what examples/dev.yaml pages through, received on loopback.

  SMTP on 127.0.0.1:2525 (aiosmtpd, Debian python3-aiosmtpd): every mail is printed and
  appended to DIR/mail.log.
  HTTP on 127.0.0.1:9099 (the standard library): every POST (/sms, /voice, /slack, /webhook,
  /ticket) is answered 200 (a JSON body for /voice and /ticket, as a gateway would) and printed
  and appended to DIR/http.log.

Usage: dev_sinks.py DIR [--smtp HOST:PORT] [--http HOST:PORT]. Stopped by SIGTERM or SIGINT
(scripts/run.sh stops it by its PID when tocsin stops). Loopback only: it refuses other hosts.
"""
import argparse
import datetime
import http.server
import json
import os
import signal
import sys
import threading


def stamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S")


def write(path, text, lock=threading.Lock()):
    with lock:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
        sys.stdout.write(text)
        sys.stdout.flush()


def host_port(s, what):
    host, _, port = s.rpartition(":")
    if host not in ("127.0.0.1", "::1", "localhost"):
        sys.exit(f"dev_sinks: {what} must listen on loopback, not {host!r}")
    return host, int(port)


class HttpSink(http.server.BaseHTTPRequestHandler):
    log_path = ""
    count = 0

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        HttpSink.count += 1
        write(HttpSink.log_path,
              f"--- {stamp()} HTTP #{HttpSink.count} POST {self.path} "
              f"({self.headers.get('Content-Type', '')})\n{body}\n")
        answer = b""
        if self.path.startswith("/ticket"):
            answer = json.dumps({"id": f"TICKET-{HttpSink.count}"}).encode()
        elif self.path.startswith("/voice"):
            answer = json.dumps({"sid": f"CA{HttpSink.count:032d}", "status": "queued"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if answer else "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_PUT = do_POST

    def log_message(self, *args):
        pass  # each request is printed once, above


class MailSink:
    def __init__(self, path):
        self.path = path
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        content = envelope.content.decode("utf-8", "replace")
        write(self.path, f"--- {stamp()} MAIL #{self.count} from {envelope.mail_from} "
                         f"to {', '.join(envelope.rcpt_tos)}\n{content}\n")
        return "250 OK"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--smtp", default="127.0.0.1:2525")
    ap.add_argument("--http", default="127.0.0.1:9099")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    smtp_host, smtp_port = host_port(a.smtp, "--smtp")
    http_host, http_port = host_port(a.http, "--http")
    HttpSink.log_path = os.path.join(a.dir, "http.log")
    httpd = http.server.ThreadingHTTPServer((http_host, http_port), HttpSink)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        sys.exit("dev_sinks: the mail sink needs aiosmtpd (Debian: apt-get install python3-aiosmtpd; "
                 "scripts/deps.sh build installs it; run with /usr/bin/python3)")
    ctl = Controller(MailSink(os.path.join(a.dir, "mail.log")), hostname=smtp_host,
                     port=smtp_port)
    ctl.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(f"dev_sinks: mail on smtp://{a.smtp} -> {a.dir}/mail.log, "
          f"HTTP on http://{a.http} -> {a.dir}/http.log", flush=True)
    done.wait()
    ctl.stop()
    httpd.shutdown()


if __name__ == "__main__":
    main()
