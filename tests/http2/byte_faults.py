#!/usr/bin/env python3
"""HTTP/1's byte-level faults in their HTTP/2 forms (docs/http2.md, "HTTP/1's wire faults over
HTTP/2"): slow_headers (the stream's HEADERS frame dribbled), tls-key-update (a KeyUpdate between
the HEADERS and the DATA), and the tls- faults that end the connection: the stream's head and the
part of its DATA the fault keeps, then the TLS end the fault names (no close_notify, a record no
key decrypts, a fatal alert); read by raw h2 clients over a socket and Python's ssl, and what curl,
httpx and Node report. Exit 0 when all holds.

    /usr/bin/python3 tests/http2/byte_faults.py BUILD/teapot
"""
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

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
    plain = re.search(r"listening on (http://\S+)", proc.stdout.readline())
    tls = re.search(r"listening on https://[^:]+:(\d+)", proc.stdout.readline())
    if not plain or not tls:
        proc.kill()
        sys.exit("teapot did not start")
    return proc, plain.group(1), int(tls.group(1)), ca


def frames_in(data):
    """The whole frames in `data`: [(type, stream, payload)]."""
    frames, at = [], 0
    while len(data) - at >= 9 and len(data) - at >= 9 + int.from_bytes(data[at:at + 3], "big"):
        length = int.from_bytes(data[at:at + 3], "big")
        frames.append((data[at + 3], int.from_bytes(data[at + 5:at + 9], "big"), data[at + 9:at + 9 + length]))
        at += 9 + length
    return frames


def check_slow_headers(base):
    """The HEADERS frame of the answer in pieces of 20 bytes, 100 ms apart; then the body, whole."""
    port = int(base.rsplit(":", 1)[1])
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":path", "/bytes/100?fault=slow_headers:20B/100ms"),
                          (":scheme", "http"), (":authority", "t")], end_stream=True)
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(conn.data_to_send())
    started = time.monotonic()
    data, arrivals = b"", []  # (seconds since the request, bytes so far)
    while not any(kind == 0x0 and stream == 1 for kind, stream, _ in frames_in(data)):
        chunk = sock.recv(65536)
        check(chunk, f"the connection stays open: {data!r}")
        data += chunk
        arrivals.append((time.monotonic() - started, len(data)))
    sock.close()
    frames = frames_in(data)
    head_end = 0
    for kind, stream, payload in frames:  # the bytes up to the end of stream 1's HEADERS frame
        head_end += 9 + len(payload)
        if kind == 0x1 and stream == 1:
            break
    head_start = head_end - 9 - len([p for k, st, p in frames if k == 0x1 and st == 1][0])
    pieces = [(t, n) for t, n in arrivals if head_start < n <= head_end]
    expected_pieces = -(-(head_end - head_start) // 20)
    check(len(pieces) >= expected_pieces - 1, f"the head came in pieces: {arrivals} ({head_start}-{head_end})")
    spread = pieces[-1][0] - pieces[0][0]
    check(spread >= 0.08 * (expected_pieces - 1), f"100 ms apart: {pieces}")
    h2_events = conn.receive_data(data)
    check(any(isinstance(e, h2.events.ResponseReceived) and dict(e.headers)[b":status"] == b"200" for e in h2_events),
          f"a 200 whole: {h2_events}")
    # curl, httpx and Node over h2c: the 200 after the pauses, over HTTP/2.
    r = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
                        "%{http_code} %{http_version} %{time_starttransfer}", f"{base}/bytes/100?fault=slow_headers:20B/100ms"],
                       capture_output=True, text=True, timeout=20)
    code, version, first_byte = r.stdout.split()
    check((code, version) == ("200", "2") and float(first_byte) >= 0.3, f"curl: {r.stdout}")
    with httpx.Client(http1=False, http2=True, timeout=10) as c:
        t = time.monotonic()
        got = c.get(f"{base}/bytes/100", params={"fault": "slow_headers:20B/100ms"})
        check(got.status_code == 200 and got.http_version == "HTTP/2" and len(got.content) == 100
              and time.monotonic() - t >= 0.3, f"httpx: {got}")
    node = subprocess.run(["node", "-e", NODE_STATUS, base, "/bytes/100?fault=slow_headers:20B/100ms"],
                          capture_output=True, text=True, timeout=20)
    check(node.stdout.strip() == "200 100", f"node: {node}")
    print(f"slow_headers over h2: the HEADERS frame in {len(pieces)} pieces over {spread:.2f} s; curl, httpx and "
          "node get the 200 over HTTP/2")


NODE_STATUS = r"""
const http2 = require('http2');
const [base, path] = process.argv.slice(1);
const session = http2.connect(base);
const req = session.request({ ':path': path });
let status = null, bytes = 0;
req.on('response', h => { status = h[':status']; });
req.on('data', d => { bytes += d.length; });
req.on('end', () => { console.log(`${status} ${bytes}`); session.close(); });
req.on('error', e => { console.log(e.code); session.close(); });
"""


# Node's http2 over TLS, a session of its own per fault: the status, the body bytes, and the error if any.
NODE_TLS = r"""
const http2 = require('http2');
const fs = require('fs');
const [origin, ca, ...faults] = process.argv.slice(1);
(async () => {
  for (const fault of faults) {
    const line = await new Promise(resolve => {
      const session = http2.connect(origin, { ca: fs.readFileSync(ca) });
      let status = null, bytes = 0, error = null;
      const finish = () => { session.destroy(); resolve([fault, status, bytes, error].filter(x => x !== null).join(' ')); };
      session.on('error', e => { error = error || e.code; });
      const req = session.request({ ':path': `/bytes/1000?fault=${fault}` });
      req.on('response', h => { status = h[':status']; });
      req.on('data', d => { bytes += d.length; });
      req.on('error', e => { error = error || e.code; });
      req.on('close', () => setTimeout(finish, 100));
    });
    console.log(line);
  }
})();
"""


def check_key_update(port, ca):
    """TLS 1.3: the HEADERS, then a KeyUpdate (asking for the client's), then the DATA, on one connection."""
    ctx = ssl.create_default_context(cafile=ca)
    ctx.set_alpn_protocols(["h2"])
    seen = []

    def message(conn, direction, version, content_type, msg_type, data):
        if direction == "read" and msg_type == ssl._TLSMessageType.KEY_UPDATE:
            seen.append("KeyUpdate")
    ctx._msg_callback = message  # Python's ssl debugging hook: each TLS message as it is read
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":path", "/bytes/1000?fault=tls-key-update"), (":scheme", "https"),
                          (":authority", "localhost")], end_stream=True)
    sock.sendall(conn.data_to_send())
    ended = False
    while not ended:
        for event in conn.receive_data(sock.recv(65536)):
            if isinstance(event, h2.events.ResponseReceived):
                seen.append("HEADERS " + dict(event.headers)[b":status"].decode())
            elif isinstance(event, h2.events.DataReceived):
                if not seen or seen[-1] != "DATA":
                    seen.append("DATA")
                conn.acknowledge_received_data(len(event.data), event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                ended = True
        sock.sendall(conn.data_to_send())
    sock.close()
    check(seen[-3:] == ["HEADERS 200", "KeyUpdate", "DATA"], f"HEADERS, KeyUpdate, DATA: {seen}")
    code, out, _ = curl(port, ca, "/bytes/1000?fault=tls-key-update")
    check((code, out) == (0, "200 1000 2"), f"curl: {code} {out}")
    check(httpx_says(port, ca, "/bytes/1000?fault=tls-key-update") == "200 1000", "httpx: the 1000 bytes")
    print("tls-key-update over h2: HEADERS, KeyUpdate, DATA; curl and httpx read on under the new keys")


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
    proc, base, port, ca = start(sys.argv[1])
    try:
        check_slow_headers(base)
        check_key_update(port, ca)
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
        # Renegotiation has no HTTP/2 form (RFC 9113 §9.2.1): HTTP/1.1 is asked for, and curl gets the fault there.
        got = ask(port, ca, "/bytes/1000?fault=tls-renegotiate", tls12=True)
        check(got[0] is None and got[3] == "open", f"tls-renegotiate: no answer over h2: {got}")
        code, out, _ = curl(port, ca, "/bytes/1000?fault=tls-renegotiate", "--tls-max", "1.2")
        check(out == "200 1000 1.1", f"tls-renegotiate: curl asks again over HTTP/1.1, and gets it: {code} {out}")

        # What curl and httpx report (docs/http2.md's table).
        reports = {
            # curl takes the content-length's 1000 bytes as the whole answer, END_STREAM or not.
            "tls-no-close-notify": (0, "200 1000 2", "", "RemoteProtocolError: Server disconnected"),
            "tls-bad-record": (56, "200 500 2", "decryption failed or bad record mac",
                               "ReadError: [SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC]"),
            "tls-alert:internal_error": (56, "200 500 2", "tlsv1 alert internal error",
                                         "ReadError: [SSL: TLSV1_ALERT_INTERNAL_ERROR]"),
        }
        node = subprocess.run(["node", "-e", NODE_TLS, f"https://localhost:{port}", ca, "tls-key-update", *reports],
                              capture_output=True, text=True, timeout=60)
        check(node.stdout.splitlines() == [
            "tls-key-update 200 1000",
            "tls-no-close-notify 200 1000",  # the connection ends, and Node reports no error
            "tls-bad-record 200 500 ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
            "tls-alert:internal_error 200 500 ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR",
        ], f"node: {node}")
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
