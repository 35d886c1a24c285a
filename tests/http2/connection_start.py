#!/usr/bin/env python3
"""HTTP/2's connection start and priorities on teapot (docs/http2.md):
- settings_no_ack: the client's SETTINGS never acknowledged, asked by the h2c upgrade's own request
  or by connecting to the h2-settings-no-ack listener (--tls-cases); a 400 that says so anywhere else;
  what curl, nghttp, httpx and Node make of it;
- h2 on the TLS cases' listeners, http/1.1 alone under TLS 1.0 and 1.1 (RFC 9113 §9.2);
- PRIORITY frames ignored (RFC 9113 §5.3.2, SETTINGS_NO_RFC7540_PRIORITIES), a flood of them
  bounded, and RFC 9218's urgency (the `priority` field, PRIORITY_UPDATE) ordering the DATA.
Exit 0 when all holds.

    /usr/bin/python3 tests/http2/connection_start.py BUILD/teapot [--sanitized]
"""
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import warnings

import h2.config
import h2.connection
import h2.events
import hpack
import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check  # noqa: E402
from h2_raw import client, frame, request_headers  # noqa: E402

DATA, HEADERS, PRIORITY, SETTINGS, GOAWAY = 0x0, 0x1, 0x2, 0x4, 0x7
PRIORITY_UPDATE = 0x10
ACK, END_STREAM = 0x1, 0x1
NO_RFC7540_PRIORITIES = 0x9


SCENARIO = """
name: h2-start
routes:
  - id: start
    match: { method: GET, path: /h2/start }
    steps:
      - status: 202
        fault: settings_no_ack
"""


def start(binary, *flags):
    """teapot with --tls-cases on ephemeral ports; returns (process, http base, https base, CA file, cases)."""
    ca = tempfile.NamedTemporaryFile(suffix=".pem", delete=False).name
    proc = subprocess.Popen([binary, "--port", "0", "--tls-port", "0", "--tls-cases", "--ca-out", ca, "--quiet",
                             "--max-delay", "15s", *flags], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    plain = re.search(r"listening on (http://\S+)", proc.stdout.readline())
    tls = re.search(r"listening on https://[^:]+:(\d+)", proc.stdout.readline())
    if not plain or not tls:
        proc.kill()
        sys.exit("teapot did not start")
    cases = {}
    while len(cases) < 100:
        line = proc.stdout.readline()
        if not line.startswith("teapot tls case "):
            break
        _, _, _, name, url = line.split()
        cases[name] = url
        if name == "h2-settings-no-ack" or (name == "handshake-alert-protocol-version" and "--no-http2" in flags):
            break
    return proc, plain.group(1), f"https://localhost:{tls.group(1)}", ca, cases


def read_frames(sock, seconds, until=None):
    """Every frame the server sends for `seconds` (or until `until(frames)`): [(type, flags, stream, payload)]."""
    sock.settimeout(0.1)
    data, frames, at = b"", [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        while len(data) - at >= 9 and len(data) - at >= 9 + int.from_bytes(data[at:at + 3], "big"):
            length = int.from_bytes(data[at:at + 3], "big")
            frames.append((data[at + 3], data[at + 4], int.from_bytes(data[at + 5:at + 9], "big") & 0x7fffffff,
                           data[at + 9:at + 9 + length]))
            at += 9 + length
            if until and until(frames):
                return frames
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        if not chunk:
            break
        data += chunk
    return frames


def settings_acks(frames):
    return [f for f in frames if f[0] == SETTINGS and f[1] & ACK]


def stream_ended(stream_id):
    return lambda frames: any(f[2] == stream_id and f[1] & END_STREAM and f[0] in (DATA, HEADERS) for f in frames)


PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
CLIENT_SETTINGS = frame(SETTINGS, 0, 0, struct.pack(">HI", 0x3, 100))  # MAX_CONCURRENT_STREAMS 100


def upgrade(port, path):
    """An h2c upgrade (RFC 7540 §3.2) asking `path`, then the client's preface and SETTINGS; returns
    (socket, what followed the 101: the server's frames as bytes)."""
    sock = socket.create_connection(("127.0.0.1", port))
    settings = "AAMAAABk"  # base64url of MAX_CONCURRENT_STREAMS=100
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                 f"HTTP2-Settings: {settings}\r\n\r\n".encode())
    sock.settimeout(5)
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    check(head.startswith(b"HTTP/1.1 101 "), f"the upgrade is switched: {head!r}")
    sock.sendall(PREFACE + CLIENT_SETTINGS)
    return sock


def check_settings_no_ack_by_upgrade(base):
    port = int(base.rsplit(":", 1)[1])
    # The upgrade's own request asks: its answer on stream 1, and no SETTINGS ACK, however long.
    sock = upgrade(port, "/status/200?fault=settings_no_ack")
    frames = read_frames(sock, 1.5)
    check(stream_ended(1)(frames), f"stream 1 is answered: {frames}")
    check(any(f[0] == SETTINGS and not f[1] & ACK for f in frames), "teapot's own SETTINGS are sent")
    check(settings_acks(frames) == [], f"the client's SETTINGS are never acknowledged: {frames}")
    # The connection serves on, its later SETTINGS unacknowledged too.
    sock.sendall(frame(SETTINGS, 0, 0, struct.pack(">HI", 0x4, 1 << 20)) +
                 frame(HEADERS, 0x5, 3, bytes([0x82, 0x84, 0x86, 0x41, 0x01, ord("t")])))  # GET / http :authority t
    frames = read_frames(sock, 1.5, until=stream_ended(3))
    check(stream_ended(3)(frames) and settings_acks(frames) == [], f"stream 3 served, still no ACK: {frames}")
    sock.close()
    # A scenario's step asks the same.
    sock = upgrade(port, "/h2/start")
    frames = read_frames(sock, 1.5, until=stream_ended(1))
    check(stream_ended(1)(frames) and settings_acks(frames) == [], f"the scenario's step: no ACK: {frames}")
    heads = [dict(hpack.Decoder().decode(f[3])) for f in frames if f[0] == HEADERS and f[2] == 1]
    check(heads and heads[0][":status"] == "202", f"the step's 202: {heads}")
    sock.close()
    # Without the fault the same upgrade acknowledges them: the frame filter is what withholds it.
    sock = upgrade(port, "/status/200")
    frames = read_frames(sock, 1.5, until=lambda fs: len(settings_acks(fs)) == 1 and stream_ended(1)(fs))
    check(len(settings_acks(frames)) == 1, f"without the fault, one SETTINGS ACK: {frames}")
    sock.close()

    # Where the client's SETTINGS came first, a 400 says where to ask.
    sock, conn = client(port)
    conn.send_headers(1, request_headers("/status/200?fault=settings_no_ack"), end_stream=True)
    sock.sendall(conn.data_to_send())
    status, body = None, b""
    sock.settimeout(5)
    while status is None or not body:
        for event in conn.receive_data(sock.recv(65536)):
            if isinstance(event, h2.events.ResponseReceived):
                status = dict(event.headers)[b":status"]
            if isinstance(event, h2.events.DataReceived):
                body += event.data
    check(status == b"400" and b"Upgrade: h2c" in body and b"h2-settings-no-ack" in body,
          f"prior knowledge: 400 naming the two ways: {status} {body!r}")
    sock.close()
    r = httpx.get(f"{base}/status/200", params={"fault": "settings_no_ack"})
    check(r.status_code == 400 and "Upgrade: h2c" in r.text, f"HTTP/1.1: 400 naming the ways: {r.status_code}")

    # curl --http2 on an http:// URL upgrades: it answers, and waits for no ACK.
    r = subprocess.run(["curl", "-s", "--max-time", "10", "--http2", "-o", "/dev/null", "-w",
                        "%{http_code} %{http_version}", f"{base}/status/418?fault=settings_no_ack"],
                       capture_output=True, text=True, timeout=20)
    check((r.returncode, r.stdout) == (0, "418 2"), f"curl --http2 (upgrade): 418 over HTTP/2, exit 0: {r}")
    # nghttp -u: the same request, its answer, and what it does about the missing ACK.
    r = subprocess.run(["nghttp", "-nv", "-u", "--timeout=10", f"{base}/status/418?fault=settings_no_ack"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and ":status: 418" in r.stdout and "SETTINGS frame <length=0, flags=0x01" not in r.stdout,
          f"nghttp -u: 418, and no SETTINGS ACK received: {r.stdout[-800:]}")
    print("settings_no_ack by upgrade: no SETTINGS ACK on the wire, stream 1 answered; 400 elsewhere; curl and "
          "nghttp -u are answered")


def tls_h2(url, ca, alpn=("h2",)):
    """A TLS connection to a case's URL offering `alpn`, past the client's preface and SETTINGS."""
    port = int(url.rsplit(":", 1)[1])
    ctx = ssl.create_default_context(cafile=ca)
    ctx.set_alpn_protocols(list(alpn))
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
    return sock


def check_settings_no_ack_listener(cases, ca):
    url = cases["h2-settings-no-ack"]
    sock = tls_h2(url, ca)
    check(sock.selected_alpn_protocol() == "h2", "the case's listener speaks h2")
    sock.sendall(PREFACE + CLIENT_SETTINGS + frame(HEADERS, 0x5, 1, bytes([0x82, 0x84, 0x87, 0x41, 0x01, ord("t")])))
    frames = read_frames(sock, 1.5)
    check(stream_ended(1)(frames) and settings_acks(frames) == [], f"answered, no SETTINGS ACK: {frames}")
    sock.close()
    # A client offering http/1.1 alone is refused in the handshake: the listener is about HTTP/2.
    try:
        tls_h2(url, ca, alpn=("http/1.1",))
        check(False, "http/1.1 alone is refused")
    except ssl.SSLError as e:
        check("alert no application protocol" in str(e), f"no_application_protocol alert: {e}")

    # Each client asks for an answer that takes 11 s, past nghttp's 10 s SETTINGS timer, all at once.
    slow = f"{url}/status/200?delay=11s"
    env = dict(os.environ, SSL_CERT_FILE=ca)
    runs = {
        "nghttp": subprocess.Popen(["nghttp", "-nv", "--timeout=30", slow], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True),
        "curl": subprocess.Popen(["curl", "-s", "--max-time", "30", "--http2", "--cacert", ca, "-o", "/dev/null", "-w",
                                  "%{http_code} %{http_version}", slow], stdout=subprocess.PIPE, text=True),
        "node": subprocess.Popen(["node", "-e", NODE_SETTINGS, slow, ca], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True),
    }
    with httpx.Client(http1=False, http2=True, verify=ca, timeout=30) as c:
        r = c.get(slow)
        check(r.status_code == 200 and r.http_version == "HTTP/2", f"httpx: served over HTTP/2: {r}")
    out = {name: run.communicate(timeout=60)[0] for name, run in runs.items()}
    # nghttp gives up at 10 s: GOAWAY(SETTINGS_TIMEOUT), and its request unprocessed.
    check("error_code=SETTINGS_TIMEOUT(0x04)" in out["nghttp"] and "processed=0" in out["nghttp"], out["nghttp"])
    check(out["curl"] == "200 2", f"curl: served over HTTP/2: {out['curl']}")
    check(out["node"].splitlines() == ["200 pendingSettingsAck=true"], f"node: served, still waiting: {out['node']}")
    print("h2-settings-no-ack listener: h2 alone, no SETTINGS ACK; nghttp ends with GOAWAY(SETTINGS_TIMEOUT) at 10 s; "
          "curl, httpx and node are served")


# Node's http2: the answer's status, and whether its SETTINGS still wait for their ACK.
NODE_SETTINGS = r"""
const http2 = require('http2');
const fs = require('fs');
const [url, ca] = process.argv.slice(1);
const target = new URL(url);
const session = http2.connect(target.origin, { ca: fs.readFileSync(ca) });
session.on('error', e => console.log('session error', e.code));
const req = session.request({ ':path': target.pathname + target.search });
let status = null;
req.on('response', h => { status = h[':status']; });
req.on('error', e => console.log('stream error', e.code));
req.resume();
req.on('end', () => { console.log(`${status} pendingSettingsAck=${session.pendingSettingsAck}`); session.close(); });
"""


def raw_client(port, window=None):
    """An h2c prior-knowledge connection, its SETTINGS written by hand (`window`: INITIAL_WINDOW_SIZE)."""
    sock = socket.create_connection(("127.0.0.1", port))
    entries = struct.pack(">HI", 0x4, window) if window is not None else b""
    sock.sendall(PREFACE + frame(SETTINGS, 0, 0, entries))
    return sock


def get(stream_id, path, extra=b""):
    """A GET's HEADERS frame: the static table's GET, http, :authority t, and `path` as a literal."""
    block = bytes([0x82, 0x86, 0x41, 0x01, ord("t"), 0x04, len(path)]) + path.encode() + extra
    return frame(HEADERS, 0x5, stream_id, block)


def literal(name, value):
    """A literal field without indexing, its name new (RFC 7541 §6.2.2)."""
    return bytes([0x00, len(name)]) + name.encode() + bytes([len(value)]) + value.encode()


def first_data_stream(port, requests, before_windows=b""):
    """Two streams' answers held by a closed window, then let go together: whose DATA comes first."""
    sock = raw_client(port, window=0)
    sock.sendall(requests)
    heads = read_frames(sock, 5, until=lambda fs: len([f for f in fs if f[0] == HEADERS]) == 2)
    check(len([f for f in heads if f[0] == HEADERS]) == 2, f"both heads before any DATA: {heads}")
    sock.sendall(before_windows + frame(0x8, 0, 1, struct.pack(">I", 3000)) + frame(0x8, 0, 3, struct.pack(">I", 3000)))
    frames = read_frames(sock, 5, until=lambda fs: any(f[0] == DATA for f in fs))
    sock.close()
    data = [f for f in frames if f[0] == DATA]
    check(data, f"DATA once the windows open: {frames}")
    return data[0][2]


def check_priorities(base, pid):
    port = int(base.rsplit(":", 1)[1])
    sock = raw_client(port)
    frames = read_frames(sock, 5, until=lambda fs: any(f[0] == SETTINGS and not f[1] & ACK for f in fs))
    ours = [f for f in frames if f[0] == SETTINGS and not f[1] & ACK][0][3]
    entries = {struct.unpack(">H", ours[i:i + 2])[0]: struct.unpack(">I", ours[i + 2:i + 6])[0]
               for i in range(0, len(ours), 6)}
    check(entries.get(NO_RFC7540_PRIORITIES) == 1, f"SETTINGS_NO_RFC7540_PRIORITIES = 1: {entries}")

    # RFC 9113 §5.3.2: PRIORITY frames (on an idle stream, on a HEADERS, on an open stream) change nothing.
    sock.sendall(frame(PRIORITY, 0, 101, struct.pack(">IB", 0, 200)) +
                 frame(HEADERS, 0x25, 1, struct.pack(">IB", 0x80000000 | 101, 255) +
                       bytes([0x82, 0x86, 0x41, 0x01, ord("t"), 0x04, 12]) + b"/status/200?") +
                 frame(PRIORITY, 0, 1, struct.pack(">IB", 0, 1)))
    frames = read_frames(sock, 5, until=stream_ended(1))
    check(stream_ended(1)(frames) and not [f for f in frames if f[0] in (GOAWAY, 0x3)],
          f"answered, neither RST_STREAM nor GOAWAY: {frames}")

    # A flood of PRIORITY frames, each for another idle stream: nothing is kept for them.
    before = rss_kib(pid)
    flood = b"".join(frame(PRIORITY, 0, 2 * i + 201, struct.pack(">IB", 2 * i + 199, 16)) for i in range(50000))
    sock.sendall(flood + get(3, "/status/204"))
    frames = read_frames(sock, 10, until=stream_ended(3))
    check(stream_ended(3)(frames), f"the request after 50 000 PRIORITY frames is answered: {frames[-3:]}")
    grown = rss_kib(pid) - before
    # Under the sanitizers freed memory waits in quarantine: the bound is the release build's.
    check(grown < 4096 or SANITIZED, f"50 000 PRIORITY frames grew teapot by {grown} KiB")
    sock.close()

    # RFC 9218: a request's `priority` field and PRIORITY_UPDATE say whose DATA goes first.
    both = get(1, "/bytes/3000") + get(3, "/bytes/3000")
    check(first_data_stream(port, both) == 1, "with no urgency, the first stream's DATA first")
    urgent = get(1, "/bytes/3000", literal("priority", "u=5")) + get(3, "/bytes/3000", literal("priority", "u=0"))
    check(first_data_stream(port, urgent) == 3, "the priority field's u=0 goes first")
    update = frame(PRIORITY_UPDATE, 0, 0, struct.pack(">I", 3) + b"u=0")
    check(first_data_stream(port, both, before_windows=update) == 3, "PRIORITY_UPDATE's u=0 goes first")
    print("priorities: PRIORITY frames ignored (50 000 cost < 4 MiB), RFC 9218's urgency from the priority field "
          "and PRIORITY_UPDATE")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


warnings.filterwarnings("ignore", category=DeprecationWarning)  # ssl.TLSVersion.TLSv1: what tls1.0 is about


def alpn_of(url, ca, version):
    """The protocol ALPN chose on a case's listener for a client offering h2 and http/1.1 at `version`."""
    port = int(url.rsplit(":", 1)[1])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # TLS 1.0 and 1.1 with their SHA-1 signatures
    ctx.minimum_version = ctx.maximum_version = version
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost") as s:
        return s.selected_alpn_protocol()


def check_cases_speak_h2(cases, tls_base, ca):
    v = ssl.TLSVersion
    for name, version, expected in [("tls1.0", v.TLSv1, "http/1.1"), ("tls1.1", v.TLSv1_1, "http/1.1"),
                                    ("tls1.2", v.TLSv1_2, "h2"), ("tls1.3", v.TLSv1_3, "h2"),
                                    ("no-resumption", v.TLSv1_3, "h2"), ("handshake-slow", v.TLSv1_3, "h2"),
                                    ("client-cert-required", v.TLSv1_3, "http/1.1")]:
        chosen = alpn_of(cases[name], ca, version)
        check(chosen == expected, f"{name}: ALPN chose {chosen}, not {expected} (RFC 9113 §9.2: h2 needs TLS 1.2)")
    # curl over a broken certificate it was told to accept, on the case's port and by SNI on the main one.
    main_port = tls_base.rsplit(":", 1)[1]
    for url in (cases["expired"], f"https://expired.localhost:{main_port}"):
        r = subprocess.run(["curl", "-s", "-k", "--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                            f"{url}/status/418"], capture_output=True, text=True, timeout=20)
        check(r.stdout == "418 2", f"curl -k {url}: 418 over HTTP/2: {r}")
    print("TLS cases: h2 by ALPN on their listeners and by SNI name, http/1.1 alone under TLS 1.0 and 1.1")


def check_cases_without_http2(binary):
    proc, _, _, ca, cases = start(binary, "--no-http2")
    try:
        check("h2-settings-no-ack" not in cases and "tls1.3" in cases, f"--no-http2: no HTTP/2 case: {list(cases)}")
        check(alpn_of(cases["tls1.3"], ca, ssl.TLSVersion.TLSv1_3) == "http/1.1", "--no-http2: http/1.1 alone")
    finally:
        proc.kill()
        os.unlink(ca)
    print("--no-http2: the cases offer http/1.1 alone, and the HTTP/2 case is not served")


SANITIZED = "--sanitized" in sys.argv


def main():
    binary = sys.argv[1]
    scenarios = tempfile.mkdtemp(prefix="teapot-h2-start-")
    with open(os.path.join(scenarios, "h2-start.yaml"), "w") as f:
        f.write(SCENARIO)
    proc, base, tls_base, ca, cases = start(binary, "--scenarios", scenarios)
    try:
        check_priorities(base, proc.pid)
        check_settings_no_ack_by_upgrade(base)
        check_settings_no_ack_listener(cases, ca)
        check_cases_speak_h2(cases, tls_base, ca)
    finally:
        proc.kill()
        os.unlink(ca)
        shutil.rmtree(scenarios, ignore_errors=True)
    check_cases_without_http2(binary)


if __name__ == "__main__":
    main()
