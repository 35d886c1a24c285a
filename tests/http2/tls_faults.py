#!/usr/bin/env python3
"""The tls- faults over HTTP/2 (docs/http2.md, "HTTP/1's wire faults over HTTP/2"): the stream's
head and the part of its DATA the fault keeps, then the TLS connection's end as the fault says
(no close_notify, a record no key decrypts, a fatal alert), read by a raw h2 client over Python's
ssl; and what curl and httpx report. Exit 0 when all holds.

    /usr/bin/python3 tests/http2/tls_faults.py BUILD/teapot
"""
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile

import h2.config
import h2.connection
import h2.events
import httpx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check  # noqa: E402


def start(binary):
    ca = tempfile.NamedTemporaryFile(suffix=".pem", delete=False).name
    proc = subprocess.Popen([binary, "--port", "0", "--tls-port", "0", "--tls-alerts", "--ca-out", ca, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    proc.stdout.readline()
    tls = re.search(r"listening on https://[^:]+:(\d+)", proc.stdout.readline())
    if not tls:
        proc.kill()
        sys.exit("teapot did not start")
    return proc, int(tls.group(1)), ca


def ask(port, ca, path, tls12=False):
    """One request over h2 on a TLS connection of its own: (status, body bytes, whether the stream
    ended, how the connection ended: "open", "close_notify", or the ssl error)."""
    ctx = ssl.create_default_context(cafile=ca)
    ctx.set_alpn_protocols(["h2"])
    ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF  # Python ignores a missing close_notify by default
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
    check(sock.selected_alpn_protocol() == "h2", "h2 by ALPN")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":path", path), (":scheme", "https"), (":authority", "localhost")],
                      end_stream=True)
    sock.sendall(conn.data_to_send())
    status, received, ended, end = None, 0, False, "open"
    sock.settimeout(2)
    while True:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except (ssl.SSLError, OSError) as e:
            end = str(e)
            break
        if not data:
            end = "close_notify"
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                status = dict(event.headers)[b":status"].decode()
            elif isinstance(event, h2.events.DataReceived):
                received += len(event.data)
                conn.acknowledge_received_data(len(event.data), event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                ended = True
        sock.sendall(conn.data_to_send())
    sock.close()
    return status, received, ended, end


def curl(port, ca, path, *flags):
    """curl --http2: (exit, "status bytes version", what it says on stderr)."""
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "--http2", "--cacert", ca, *flags, "-o", "/dev/null", "-w",
                        "%{http_code} %{size_download} %{http_version}", f"https://localhost:{port}{path}"],
                       capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout, r.stderr.strip()


def httpx_says(port, ca, path):
    try:
        with httpx.Client(http1=False, http2=True, verify=ca, timeout=10) as c:
            r = c.get(f"https://localhost:{port}{path}")
            return f"{r.status_code} {len(r.content)}"
    except httpx.HTTPError as e:
        return f"{type(e).__name__}: {e}"


def main():
    proc, port, ca = start(sys.argv[1])
    try:
        # What each fault leaves on the wire: (status, DATA bytes, END_STREAM, the connection's end).
        expected = {
            "tls-no-close-notify": ("200", 1000, False, "UNEXPECTED_EOF_WHILE_READING"),
            "tls-no-close-notify:100B": ("200", 100, False, "UNEXPECTED_EOF_WHILE_READING"),
            "tls-bad-record": ("200", 500, False, "bad record mac"),
            "tls-bad-record:10B": ("200", 10, False, "bad record mac"),
            "tls-alert:internal_error": ("200", 500, False, "tlsv1 alert internal error"),
            "close": (None, 0, False, "close_notify"),  # the contrast: a FIN after close_notify
        }
        for fault, (status, received, ended, end) in expected.items():
            for tls12 in (False, True):
                got = ask(port, ca, f"/bytes/1000?fault={fault}", tls12)
                check(got[:3] == (status, received, ended) and end.lower() in got[3].lower(),
                      f"{fault} (TLS {'1.2' if tls12 else '1.3'}): {got}, not {(status, received, ended, end)}")
        # Renegotiation has no HTTP/2 form (RFC 9113 §9.2.1); the key update not yet one: HTTP/1.1 is asked for.
        for fault, tls12 in (("tls-renegotiate", True), ("tls-key-update", False)):
            got = ask(port, ca, f"/bytes/1000?fault={fault}", tls12)
            check(got[0] is None and got[3] == "open", f"{fault}: no answer over h2: {got}")
            code, out, _ = curl(port, ca, f"/bytes/1000?fault={fault}", *(["--tls-max", "1.2"] if tls12 else []))
            check(out == "200 1000 1.1", f"{fault}: curl asks again over HTTP/1.1, and gets it: {code} {out}")

        # What curl and httpx report (docs/http2.md's table).
        reports = {
            # curl takes the content-length's 1000 bytes as the whole answer, END_STREAM or not.
            "tls-no-close-notify": (0, "200 1000 2", "", "RemoteProtocolError: Server disconnected"),
            "tls-bad-record": (56, "200 500 2", "decryption failed or bad record mac",
                               "ReadError: [SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC]"),
            "tls-alert:internal_error": (56, "200 500 2", "tlsv1 alert internal error",
                                         "ReadError: [SSL: TLSV1_ALERT_INTERNAL_ERROR]"),
        }
        for fault, (code, out, says, httpx_report) in reports.items():
            got = curl(port, ca, f"/bytes/1000?fault={fault}")
            # curl may be sending (a WINDOW_UPDATE) when the connection closes, and report that instead.
            check(got[:2] == (code, out) and (says in got[2] or "Send failure" in got[2]), f"curl, {fault}: {got}")
            got = httpx_says(port, ca, f"/bytes/1000?fault={fault}")
            check(got.startswith(httpx_report), f"httpx, {fault}: {got}")
    finally:
        proc.kill()
        os.unlink(ca)
    print("tls- faults over HTTP/2: the kept DATA, then the TLS end each names; renegotiation asks for HTTP/1.1")


if __name__ == "__main__":
    main()
