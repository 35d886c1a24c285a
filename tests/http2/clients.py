#!/usr/bin/env python3
"""HTTP/2 on teapot as real clients speak it: curl (h2c by prior knowledge, h2 over TLS by
ALPN), nghttp (the frames: interim HEADERS, paced DATA, trailers), Python httpx with h2
(streams answered out of order on one connection, a scenario's sequence, the admin API's
wait and verify), Node's http2 module and Go's net/http (go_client/main.go: the client that
retries a refused stream and one a GOAWAY left unprocessed). Also what HTTP/2 off leaves (ALPN http/1.1 only).
Exit 0 when every client sees what it should.

    /usr/bin/python3 tests/http2/clients.py BUILD/teapot SCENARIOS_DIR
"""
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import time

import h2.events
import hpack
import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2_raw import client, events_until_closed, request_headers  # noqa: E402

HEADERS, CONTINUATION, UNKNOWN = 0x1, 0x9, 0xf0
END_STREAM, END_HEADERS = 0x1, 0x4


def start(binary, *flags):
    """teapot on ephemeral ports, plain and TLS; returns (process, http base, https base, CA file)."""
    ca = tempfile.NamedTemporaryFile(suffix=".pem", delete=False).name
    proc = subprocess.Popen([binary, "--port", "0", "--tls-port", "0", "--tls-alerts", "--tls-cases", "--ca-out", ca,
                             "--quiet", *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = [proc.stdout.readline(), proc.stdout.readline()]
    plain = re.search(r"listening on (http://\S+)", lines[0])
    tls = re.search(r"listening on https://[^:]+:(\d+)", lines[1])
    if not plain or not tls:
        proc.kill()
        sys.exit(f"teapot did not start: {lines!r}")
    return proc, plain.group(1), f"https://localhost:{tls.group(1)}", ca


def curl(*args):
    return subprocess.run(["curl", "-s", "--max-time", "10", *args], capture_output=True, text=True, timeout=20)


def nghttp(*args):
    out = subprocess.run(["nghttp", "-nv", "--timeout=10", *args], capture_output=True, text=True, timeout=20)
    return out.stdout


def check_curl(base, tls_base, ca):
    # h2c by prior knowledge, and h2 over TLS by ALPN: the status, its fields and body as over HTTP/1.
    r = curl("--http2-prior-knowledge", "-w", "\n%{http_version} %{http_code}", f"{base}/status/418")
    assert r.returncode == 0 and r.stdout.startswith("418 I'm a teapot"), r
    assert r.stdout.endswith("\n2 418"), r.stdout
    r = curl("--http2", "--cacert", ca, "-D", "-", "-o", "/dev/null", "-w", "%{http_version}",
             f"{tls_base}/status/301")
    assert r.stdout.startswith("HTTP/2 301") and "\nlocation: " in r.stdout.lower() and r.stdout.endswith("2"), r
    r = curl("--http2-prior-knowledge", "-D", "-", "-o", "/dev/null", f"{base}/status/429")
    assert "retry-after: " in r.stdout, r.stdout
    # Upgrade: h2c (curl --http2 on http://): 101, then the answer on stream 1 over HTTP/2.
    r = curl("--http2", "-v", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", f"{base}/status/418")
    assert r.stdout == "2 418" and "HTTP/1.1 101 Switching Protocols" in r.stderr, r
    r = curl("--http2", "--data-binary", "upgraded body", "-H", "Content-Type: text/plain", f"{base}/anything")
    assert json.loads(r.stdout)["data"] == "upgraded body", r
    out = nghttp("-u", f"{base}/status/503")
    assert re.search(r"recv \(stream_id=1\) :status: 503", out), out
    # No connection-specific field may cross HTTP/2 (RFC 9113 §8.2.2): 426's Upgrade and Connection
    # stay HTTP/1's (curl would refuse the response with them).
    r = curl("--http2-prior-knowledge", "-D", "-", "-o", "/dev/null", f"{base}/status/426")
    assert r.returncode == 0 and r.stdout.startswith("HTTP/2 426"), r
    assert "upgrade:" not in r.stdout.lower() and "connection:" not in r.stdout.lower(), r
    # 444: the stream ends with RST_STREAM(INTERNAL_ERROR) and nothing else; curl's exit 92.
    r = curl("--http2-prior-knowledge", f"{base}/status/444")
    assert r.returncode == 92 and r.stdout == "", r
    # /status/101 and tls-renegotiate (no HTTP/2 form) reset the stream with HTTP_1_1_REQUIRED:
    # curl asks again over HTTP/1.1, and gets 426, and the renegotiation, there.
    r = curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", f"{base}/status/101")
    assert r.returncode == 0 and r.stdout == "426 1.1", r
    r = curl("--http2", "--cacert", ca, "--tls-max", "1.2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
             f"{tls_base}/status/200?fault=tls-renegotiate")
    assert r.returncode == 0 and r.stdout == "200 1.1", r
        # A request body (a JSON POST) reaches the handler whole.
    r = curl("--http2-prior-knowledge", "--json", '{"tea": "earl grey"}', f"{base}/post")
    assert json.loads(r.stdout)["json"] == {"tea": "earl grey"}, r
    print("curl: h2c and h2 answer as HTTP/1 does; 444 is exit 92; a body arrives whole")


RETRY_SCENARIO = """
name: h2-retry
isolate_by: header X-Test-Id
routes:
  - id: refused-once
    match: { path: /h2/refused }
    steps:
      - fault: rst_stream:REFUSED_STREAM
      - status: 200
        body: "served on the second try\n"
    then: repeat-last
  - id: goaway-once
    match: { path: /h2/goaway }
    steps:
      - fault: { goaway: NO_ERROR }
      - status: 200
        body: "served on a new connection\n"
    then: repeat-last
"""


def check_frame_faults(base):
    """The frame faults as each client reports them: docs/http2.md's table, row by row."""
    h2c = ["--http2-prior-knowledge"]

    def curl_fault(fault, path="/bytes/1000"):
        r = curl("-S", *h2c, "-o", "/dev/null", "-w", "%{size_download}", f"{base}{path}?fault={fault}")
        return r.returncode, int(r.stdout or 0), r.stderr

    # An RST meets curl sending (exit 55, "Send failure") or reading (56, "Recv failure"): either.
    rst = ((55, 56), "Connection reset by peer")
    expected = {  # fault: (curl's exit or exits, what its message says)
        "rst_stream:INTERNAL_ERROR": (92, "INTERNAL_ERROR (err 2)"),
        "rst_stream:REFUSED_STREAM": (56, "tried 5 times before giving up"),  # refused on every retry
        "rst_stream:CANCEL:after-headers": (92, "CANCEL (err 8)"),
        "rst_stream:INTERNAL_ERROR:mid-body:100B": (92, "INTERNAL_ERROR (err 2)"),
        "rst_stream:NO_ERROR:after-body": (52, "Empty reply from server"),
        "goaway:NO_ERROR": (16, "Error in the HTTP2 framing layer"),
        "goaway:PROTOCOL_ERROR": (16, "Error in the HTTP2 framing layer"),
        "truncate:5B": (92, "INTERNAL_ERROR (err 2)"),
        "truncate:5B:reset": rst,
        "wrong_length:+10": (92, "PROTOCOL_ERROR (err 1)"),
        "wrong_length:-10": (92, "PROTOCOL_ERROR (err 1)"),
        "reset": rst,
        "close": (18, "before end of the underlying stream"),
        "garbage:64B": (52, "Empty reply from server"),
        "flow_stall:1s": (92, "CANCEL (err 8)"),
        "hang:500ms": (92, "CANCEL (err 8)"),
    }
    for fault, (code, message) in expected.items():
        got = curl_fault(fault)
        assert got[0] in (code if isinstance(code, tuple) else (code,)) and message in got[2], (fault, got)
    assert curl_fault("goaway:NO_ERROR:after")[:2] == (0, 1000)  # the answer whole, then the drain
    # bad-chunk has no HTTP/2 form: a 400 that says so; a frame fault over HTTP/1.1, a 400 too.
    r = curl(*h2c, f"{base}/status/200?fault=bad-chunk")
    assert "no HTTP/2 form" in r.stdout, r
    r = curl("--http1.1", f"{base}/status/200?fault=rst_stream:CANCEL")
    assert "works on HTTP/2's frames" in r.stdout, r
    # A scenario's REFUSED_STREAM once, then 200: curl retries on a new connection, transparently.
    # Its GOAWAY once (this stream unprocessed), then 200: curl 7.88 gives up (exit 16).
    r = subprocess.run(["curl", "-s", "--max-time", "10", *h2c, "-H", "Content-Type: application/yaml",
                        "--data-binary", RETRY_SCENARIO,
                        f"{base}/__teapot/scenarios"], capture_output=True, text=True)
    assert json.loads(r.stdout)["loaded"] == "h2-retry", r
    r = curl(*h2c, "-H", "X-Test-Id: curl-refused", "-w", " %{http_code} %{num_connects}", f"{base}/h2/refused")
    assert r.returncode == 0 and r.stdout.split() == ["served", "on", "the", "second", "try", "200", "2"], r
    r = curl(*h2c, "-H", "X-Test-Id: curl-goaway", f"{base}/h2/goaway")
    assert r.returncode == 16, r

    httpx_expected = {  # fault: what httpx 0.23 raises, in its words
        "rst_stream:REFUSED_STREAM": "StreamReset stream_id:1, error_code:7",
        "rst_stream:CANCEL:after-headers": "StreamReset stream_id:1, error_code:8",
        "rst_stream:INTERNAL_ERROR:mid-body:100B": "StreamReset stream_id:1, error_code:2",
        "rst_stream:NO_ERROR:after-body": "StreamReset stream_id:1, error_code:0",
        "goaway:NO_ERROR": "ConnectionTerminated error_code:0, last_stream_id:0",
        "goaway:NO_ERROR:after": "ConnectionTerminated error_code:0, last_stream_id:1",
        "truncate:5B": "StreamReset stream_id:1, error_code:2",
        "wrong_length:+10": "Expected 1010 bytes, received 1000",
        "reset": "Connection reset by peer",
        "close": "Server disconnected",
        "garbage:64B": "Server disconnected",
        "flow_stall:1s": "StreamReset stream_id:1, error_code:8",
        "hang:500ms": "StreamReset stream_id:1, error_code:8",
    }
    for fault, words in httpx_expected.items():
        with httpx.Client(http1=False, http2=True, timeout=10) as client:
            try:
                raise AssertionError((fault, client.get(f"{base}/bytes/1000", params={"fault": fault})))
            except httpx.HTTPError as e:
                assert words in str(e), (fault, e)
    with httpx.Client(http1=False, http2=True, timeout=10) as client:
        try:
            client.get(f"{base}/status/200", params={"fault": "rst_stream:CANCEL"})
        except httpx.RemoteProtocolError:
            pass
        assert client.get(f"{base}/status/204").status_code == 204  # the connection serves on after a stream's reset

    node = subprocess.run(["node", "-e", NODE_FAULTS, base, "rst_stream:REFUSED_STREAM",
                           "rst_stream:INTERNAL_ERROR:mid-body:100B", "rst_stream:NO_ERROR:after-body",
                           "goaway:NO_ERROR", "truncate:5B", "wrong_length:+10"],
                          capture_output=True, text=True, timeout=60)
    assert node.returncode == 0, node
    assert node.stdout.splitlines() == [
        "rst_stream:REFUSED_STREAM status=null bytes=0 rstCode=7",
        "rst_stream:INTERNAL_ERROR:mid-body:100B status=200 bytes=100 rstCode=2",
        "rst_stream:NO_ERROR:after-body status=200 bytes=1000 rstCode=0",
        "goaway:NO_ERROR goaway=0,0 status=null bytes=0 rstCode=7",
        "truncate:5B status=200 bytes=5 rstCode=2",
        "wrong_length:+10 status=200 bytes=1000 rstCode=1",
    ], node.stdout
    print("frame faults: rst_stream at each point, goaway, flow_stall, and HTTP/1's faults in their HTTP/2 forms, "
          "as curl, httpx and node report them")


NODE_FAULTS = r"""
const http2 = require('http2');
const [base, ...faults] = process.argv.slice(1);
(async () => {
  for (const f of faults) {
    await new Promise((done) => {
      const s = http2.connect(base);
      let away = '';
      s.on('error', () => {});
      s.on('goaway', (code, last) => { away = ` goaway=${code},${last}`; });
      const r = s.request({':path': '/bytes/1000?fault=' + f});
      let n = 0, status = null;
      r.on('response', (h) => { status = h[':status']; });
      r.on('data', (d) => { n += d.length; });
      r.on('error', () => {});
      r.on('close', () => {
        console.log(`${f}${away} status=${status} bytes=${n} rstCode=${r.rstCode}`);
        s.destroy();
        done();
      });
      r.end();
    });
  }
})();
"""


def frames_of(port, path, stream=1, until=None):
    """The frames teapot sends on `stream` (every stream: None) for one request, as they are on
    the wire (h2's own parser would merge CONTINUATIONs): [(type, flags, payload)] until the
    stream ends, or `until(frames)` says so."""
    sock, conn = client(port)
    conn.send_headers(1, request_headers(path), end_stream=True)
    sock.sendall(conn.data_to_send())
    sock.settimeout(5)
    data, frames, at = b"", [], 0
    while True:
        while len(data) - at >= 9 and len(data) - at >= 9 + int.from_bytes(data[at:at + 3], "big"):
            length, kind, flags = int.from_bytes(data[at:at + 3], "big"), data[at + 3], data[at + 4]
            if stream is None or int.from_bytes(data[at + 5:at + 9], "big") == stream:
                frames.append((kind, flags, data[at + 9:at + 9 + length]))
                ended = until(frames) if until else flags & END_STREAM and kind in (HEADERS, 0x0)
                if ended:
                    sock.close()
                    return frames
            at += 9 + length
        chunk = sock.recv(65536)
        assert chunk, frames
        data += chunk


def check_wire_lies(base):
    """unknown_frame, continuation and table_size_update: the frames as the fault tells them, one
    header block still, and each client's reaction (docs/http2.md's table)."""
    port = int(base.rsplit(":", 1)[1])
    frames = frames_of(port, "/status/200?fault=continuation:3")
    kinds = [kind for kind, _, _ in frames]
    assert kinds[:4] == [HEADERS, CONTINUATION, CONTINUATION, CONTINUATION], kinds
    assert [flags & END_HEADERS for _, flags, _ in frames[:4]] == [0, 0, 0, END_HEADERS], frames[:4]
    block = b"".join(payload for _, _, payload in frames[:4])
    assert dict(hpack.Decoder().decode(block))[":status"] == "200", block
    # A 1xx head goes first, whole; the lie is the final head's.
    frames = frames_of(port, "/status/103?fault=continuation:2")
    assert [kind for kind, _, _ in frames[:4]] == [HEADERS, HEADERS, CONTINUATION, CONTINUATION], frames
    assert frames[0][1] & END_HEADERS and not frames[1][1] & END_HEADERS, frames
    frames = frames_of(port, "/status/200?fault=unknown_frame")
    assert [kind for kind, _, _ in frames[:2]] == [UNKNOWN, HEADERS], frames
    # RFC 7541 §6.3: 001, then 4 096 as an integer with a 5-bit prefix: 0x3f 0xe1 0x1f.
    frames = frames_of(port, "/status/200?fault=table_size_update")
    assert frames[0][0] == HEADERS and frames[0][2].startswith(b"\x3f\xe1\x1f"), frames[0]
    assert dict(hpack.Decoder().decode(frames[0][2]))[":status"] == "200", frames[0]

    curl_expected = {  # fault: (curl's exit, bytes received)
        "unknown_frame": (0, 1000),
        "table_size_update": (0, 1000),
        "continuation:8": (0, 1000),
        "continuation:9": (56, 0),  # "Too many CONTINUATION frames following a HEADER frame" (nghttp2's guard)
    }
    for fault, expected in curl_expected.items():
        r = curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{size_download}", f"{base}/bytes/1000?fault={fault}")
        assert (r.returncode, int(r.stdout or 0)) == expected, (fault, r)
    for fault, words in {"unknown_frame": None, "table_size_update": None, "continuation:63": None,
                         "continuation:64": "Too many continuation frames received"}.items():
        with httpx.Client(http1=False, http2=True, timeout=10) as c:
            try:
                r = c.get(f"{base}/bytes/1000", params={"fault": fault})
                assert words is None and len(r.content) == 1000, (fault, r)
            except httpx.HTTPError as e:
                assert words and words in str(e), (fault, e)
    node = subprocess.run(["node", "-e", NODE_FAULTS, base, "unknown_frame", "table_size_update", "continuation:8",
                           "continuation:9"], capture_output=True, text=True, timeout=60)
    assert node.stdout.splitlines() == [
        "unknown_frame status=200 bytes=1000 rstCode=0",
        "table_size_update status=200 bytes=1000 rstCode=0",
        "continuation:8 status=200 bytes=1000 rstCode=0",
        "continuation:9 status=null bytes=0 rstCode=2",
    ], node
    print("wire lies: an unknown frame, CONTINUATIONs and a table size update on the wire; curl and node refuse "
          "a 9th CONTINUATION, httpx a 64th")


def check_pings(base, go_client):
    """ping:3 with each client: the answer, and the journal's count of the acks it sent back. A
    client that never acks gets its answer after the fault's wait, and the journal says 0."""
    def pings_of(path):
        entries = json.loads(curl(f"{base}/__teapot/requests?path={path}").stdout)["requests"]
        assert len(entries) == 1 and entries[0]["fault"] == "ping" and entries[0]["status"] == 200, entries
        return entries[0]["pings"]

    assert curl("--http2-prior-knowledge", "-o", "/dev/null", f"{base}/anything/ping-curl?fault=ping:3").returncode == 0
    with httpx.Client(http1=False, http2=True, timeout=10) as c:
        assert c.get(f"{base}/anything/ping-httpx", params={"fault": "ping:3"}).status_code == 200
    node = subprocess.run(["node", "-e", NODE, base, "/anything/ping-node?fault=ping:3"], capture_output=True,
                          text=True, timeout=30)
    assert node.returncode == 0 and node.stdout.startswith('{":status":200'), node
    lines = go_client("go-ping", "/anything/ping-go?fault=ping:3")
    assert lines[0].startswith("/anything/ping-go?fault=ping:3 status=200"), lines
    for name in ("curl", "httpx", "node", "go"):
        assert pings_of(f"/anything/ping-{name}") == {"sent": 3, "acked": 3}, name
    # h2 writes its acks into the bytes to send, which this client never sends.
    port = int(base.rsplit(":", 1)[1])
    sock, conn = client(port)
    conn.send_headers(1, request_headers("/anything/ping-silent?fault=ping:2:300ms"), end_stream=True)
    sock.sendall(conn.data_to_send())
    started = time.monotonic()
    sock.settimeout(5)
    received = b""
    while b"ping-silent" not in received:  # the answer's body names its path
        chunk = sock.recv(65536)
        assert chunk, received
        received += chunk
    assert 0.25 < time.monotonic() - started < 3, time.monotonic() - started
    sock.close()
    time.sleep(0.2)
    assert pings_of("/anything/ping-silent") == {"sent": 2, "acked": 0}
    print("ping: curl, httpx, node and go ack every PING before their answer; one that does not waits the fault's "
          "time, and the journal counts 0")


NODE_MAX_STREAMS = r"""
const http2 = require('http2');
const [base] = process.argv.slice(1);
const session = http2.connect(base);
const get = (path) => new Promise((done, fail) => {
  const r = session.request({':path': path});
  let status = null;
  r.on('response', (h) => { status = h[':status']; });
  r.on('data', () => {});
  r.on('error', fail);
  r.on('close', () => done(status));
  r.end();
});
(async () => {
  await get('/status/200?fault=max_streams:1');
  const started = Date.now();
  const statuses = await Promise.all([1, 2, 3].map((i) => get(`/status/20${i}?delay=300ms`)));
  console.log(statuses.join(' '), Date.now() - started);
  session.close();
})().catch((e) => { console.log('error', e.message); process.exit(1); });
"""


def check_settings_faults(base, tls_base, ca):
    """tiny_window and max_streams: a SETTINGS frame before the answer, for the rest of the connection."""
    port = int(base.rsplit(":", 1)[1])
    sock, conn = client(port)
    conn.send_headers(1, request_headers("/status/200?fault=tiny_window:100B"), end_stream=True)
    sock.sendall(conn.data_to_send())
    seen = events_until_closed(sock, conn, 1)
    assert "StreamEnded" in seen, seen
    assert conn.remote_settings.initial_window_size == 100, conn.remote_settings
    sock.close()
    # The next upload on the connection comes in 100-byte pieces, each let in by a WINDOW_UPDATE.
    with httpx.Client(http1=False, http2=True, timeout=20) as c:
        assert c.get(f"{base}/status/200", params={"fault": "tiny_window:100B"}).status_code == 200
        r = c.post(f"{base}/anything/tiny-window", content=b"w" * 20000)
        assert r.status_code == 200 and len(r.json()["data"]) == 20000, r
    # curl 7.88 reuses an h2c prior-knowledge connection with exit 16 whatever the server (nginx too):
    # its reuse is asked over TLS.
    tls = ["--http2", "--cacert", ca]
    r = curl(*tls, "-o", "/dev/null", f"{tls_base}/status/200?fault=tiny_window:100B", "--next", *tls,
             "--data-binary", "c" * 20000, "-o", "/dev/null", "-w", "%{http_code} %{size_upload} %{num_connects}",
             f"{tls_base}/anything/tiny-window")
    assert r.returncode == 0 and r.stdout == "200 20000 0", r
    # max_streams:1: Node queues its next streams, one at a time; httpx 0.23 opens one anyway and fails.
    node = subprocess.run(["node", "-e", NODE_MAX_STREAMS, base], capture_output=True, text=True, timeout=30)
    assert node.returncode == 0 and node.stdout.startswith("201 202 203 "), node
    assert int(node.stdout.split()[3]) >= 850, node.stdout  # three 300 ms answers one after another
    async def concurrent():
        async with httpx.AsyncClient(http1=False, http2=True, timeout=20) as c:
            await c.get(f"{base}/status/200", params={"fault": "max_streams:1"})
            return await asyncio.gather(*(c.get(f"{base}/status/204", params={"delay": "300ms"}) for _ in range(3)),
                                        return_exceptions=True)
    outcomes = asyncio.run(concurrent())
    assert any("Max outbound streams is 1, 1 open" in str(o) for o in outcomes), outcomes
    print("tiny_window: uploads then come 100 bytes at a time (httpx, curl); max_streams:1: node queues its streams, "
          "httpx 0.23 fails with 'Max outbound streams'")


def check_early_response(base, tls_base, ca):
    """early-response over HTTP/2 (RFC 9113 §8.1): the whole response as soon as the request's head
    is read, then RST_STREAM(NO_ERROR), the body never asked for."""
    port = int(base.rsplit(":", 1)[1])
    sock, conn = client(port)
    headers = request_headers("/status/413?fault=early-response", "POST") + [("content-length", "5000000")]
    conn.send_headers(1, headers, end_stream=False)  # the head only: no byte of the 5 MB
    sock.sendall(conn.data_to_send())
    sock.settimeout(5)
    seen = []
    while not any(e.startswith("StreamReset") for e in seen):
        data = sock.recv(65536)
        assert data, seen
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                seen.append("status " + dict(event.headers)[b":status"].decode())
            elif isinstance(event, h2.events.StreamReset):
                seen.append(f"StreamReset {int(event.error_code)}")
            else:
                seen.append(type(event).__name__)
        sock.sendall(conn.data_to_send())
    sock.close()
    on_stream = [e for e in seen if not e.startswith(("RemoteSettings", "Settings"))]
    assert on_stream == ["status 413", "DataReceived", "StreamEnded", "StreamReset 0"], seen
    # curl 7.88 uploading 5 MiB fails with exit 92 (it sends on into the reset stream), over h2 and
    # h2c, as it does against nginx 1.22's own 413, which sends the same frames (docs/http2.md).
    upload = os.path.join(tempfile.mkdtemp(), "upload")
    with open(upload, "wb") as f:
        f.truncate(5 * 1024 * 1024)
    for args in (["--http2", "--cacert", ca, f"{tls_base}/status/413?fault=early-response"],
                 ["--http2-prior-knowledge", f"{base}/status/413?fault=early-response"]):
        r = curl("--data-binary", "@" + upload, "-o", "/dev/null", *args)
        assert r.returncode == 92, r
    shutil.rmtree(os.path.dirname(upload))
    print("early-response over h2: the 413 and END_STREAM from the head alone, then RST_STREAM(NO_ERROR), as "
          "nginx does; curl 7.88 uploading 5 MiB fails (exit 92), as against nginx")


GOAWAY = 0x7


def check_shutdown_notice(base, tls_base, ca, go_client):
    """goaway:NO_ERROR:notice: GOAWAY(2^31-1), the whole answer, then GOAWAY naming its stream
    (RFC 9113 §6.8's graceful shutdown), and what each client makes of it."""
    port = int(base.rsplit(":", 1)[1])
    last_goaway = lambda frames: frames[-1][0] == GOAWAY and frames[-1][2][:4] != b"\x7f\xff\xff\xff"  # noqa: E731
    frames = [(kind, payload) for kind, _, payload in
              frames_of(port, "/bytes/100?fault=goaway:NO_ERROR:notice", None, last_goaway) if kind != 0x4]
    assert [kind for kind, _ in frames] == [GOAWAY, HEADERS, 0x0, GOAWAY], frames
    assert frames[0][1] == b"\x7f\xff\xff\xff\x00\x00\x00\x00" and frames[3][1] == b"\x00\x00\x00\x01" + bytes(4)
    tls = ["--http2", "--cacert", ca]
    r = curl(*tls, "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{num_connects}\n",
             f"{tls_base}/bytes/1000?fault=goaway:NO_ERROR:notice", "-o", "/dev/null", f"{tls_base}/status/201")
    first, second = (line.split() for line in r.stdout.splitlines())
    assert r.returncode == 0 and first == ["200", "1000", "1"], r
    assert second[0] == "201" and second[2] == "1", r  # the next request on a new connection
    with httpx.Client(http1=False, http2=True, timeout=10) as c:
        try:
            raise AssertionError(c.get(f"{base}/bytes/1000", params={"fault": "goaway:NO_ERROR:notice"}))
        except httpx.HTTPError as e:
            assert "Invalid input ConnectionInputs.RECV_HEADERS in state ConnectionState.CLOSED" in str(e), e
    node = subprocess.run(["node", "-e", NODE_FAULTS, base, "goaway:NO_ERROR:notice"], capture_output=True, text=True,
                          timeout=30)
    assert node.stdout == "goaway:NO_ERROR:notice goaway=0,2147483647 status=200 bytes=1000 rstCode=0\n", node
    lines = go_client("go-notice", "/anything/go-notice?fault=goaway:NO_ERROR:notice", "/anything/go-next")
    assert all(" status=200 proto=HTTP/2.0 " in line and "error" not in line for line in lines), lines
    entries = json.loads(curl(f"{base}/__teapot/requests?path=/anything/go-next").stdout)["requests"]
    assert [e["stream_id"] for e in entries] == [1], entries  # Go's next request: a new connection
    print("goaway:NO_ERROR:notice: curl and Go finish the answer and ask again on a new connection; node reports "
          "the notice; httpx 0.23 fails (h2 closes on any GOAWAY)")


def check_go(base, tls_base, ca):
    """Go's net/http over TLS: its retries (a scenario's REFUSED_STREAM once, its GOAWAY once)
    and the frame faults as it reports them (docs/http2.md's tables)."""
    work = tempfile.mkdtemp(prefix="teapot-go-")
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go_client", "main.go")
    env = dict(os.environ, GOCACHE=os.path.join(work, "cache"), GO111MODULE="off", GOFLAGS="", HOME=work)
    try:
        built = subprocess.run(["go", "build", "-o", os.path.join(work, "client"), source], capture_output=True,
                               text=True, env=env, timeout=300)
        assert built.returncode == 0, built
        binary = os.path.join(work, "client")

        def go(session, *paths):
            out = subprocess.run([binary, tls_base, ca, f"X-Test-Id: {session}", *paths],
                                 capture_output=True, text=True, timeout=120)
            assert out.returncode == 0, out
            return out.stdout.splitlines()

        # The h2-settings-no-ack listener: an answer that takes 11 s, past nghttp's SETTINGS timer (10 s);
        # Go waits for no ACK. Beside the other checks, to take no time of its own.
        cases = json.loads(curl(f"{base}/__teapot/tls").stdout)["cases"]
        no_ack = [c["url"] for c in cases if c["name"] == "h2-settings-no-ack"][0]
        slow = subprocess.Popen([binary, no_ack, ca, "X-Test-Id: go-no-ack", "/status/200?delay=11s"],
                                stdout=subprocess.PIPE, text=True)
        check_go_client(base, tls_base, go)
        check_go_byte_faults(go)
        check_pings(base, go)
        check_shutdown_notice(base, tls_base, ca, go)
        out = slow.communicate(timeout=60)[0]
        assert out == "/status/200?delay=11s status=200 proto=HTTP/2.0 bytes=30\n", out
        print("go net/http: its SETTINGS never acknowledged, it waits for no ACK: the answer after 11 s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_go_byte_faults(go):
    """HTTP/1's byte faults in their HTTP/2 forms (tests/http2/byte_faults.py has the frames), as Go reports them."""
    faults = ["slow_headers:100B/50ms", "tls-key-update", "tls-no-close-notify", "tls-bad-record",
              "tls-alert:internal_error"]
    lines = go("go-byte-faults", *[f"/bytes/1000?fault={f}" for f in faults])
    assert [line.split(" ", 1)[1] for line in lines] == [
        "status=200 proto=HTTP/2.0 bytes=1000",
        "status=200 proto=HTTP/2.0 bytes=1000",
        "status=200 proto=HTTP/2.0 bytes=1000 error=unexpected EOF",
        "status=200 proto=HTTP/2.0 bytes=500 error=local error: tls: bad record MAC",
        "status=200 proto=HTTP/2.0 bytes=500 error=remote error: tls: internal error",
    ], lines
    print("go net/http: slow_headers and tls-key-update pass; the tls- ends as Go reports them")


def check_go_client(base, tls_base, go):
    # The h2-retry scenario is loaded (check_frame_faults): refused once, then 200; a GOAWAY once, then 200.
    assert go("go-retry", "/h2/refused", "/h2/goaway") == [
        "/h2/refused status=200 proto=HTTP/2.0 bytes=25", "/h2/goaway status=200 proto=HTTP/2.0 bytes=27"]
    entries = json.loads(curl(f"{base}/__teapot/requests?session=go-retry").stdout)["requests"]
    # Refused: asked again on the same connection (stream 3); the GOAWAY: on a new one (stream 1).
    assert [(e["path"], e["status"], e["stream_id"]) for e in entries] == [
        ("/h2/refused", 444, 1), ("/h2/refused", 200, 3), ("/h2/goaway", 444, 5), ("/h2/goaway", 200, 1)], entries
    faults = ["rst_stream:INTERNAL_ERROR", "rst_stream:NO_ERROR:after-body", "goaway:NO_ERROR:after", "truncate:5B",
              "wrong_length:+10", "unknown_frame", "continuation:9", "table_size_update"]
    lines = go("go-faults", *[f"/bytes/1000?fault={f}" for f in faults], "/status/444", "/status/101")
    assert [re.sub(r"stream ID \d+", "stream ID N", line.split(" ", 1)[1]) for line in lines] == [
        'error=Get "' + tls_base + '/bytes/1000?fault=rst_stream:INTERNAL_ERROR": stream error: stream ID N; '
        'INTERNAL_ERROR; received from peer',
        "status=200 proto=HTTP/2.0 bytes=1000 error=stream error: stream ID N; NO_ERROR; received from peer",
        "status=200 proto=HTTP/2.0 bytes=1000",
        "status=200 proto=HTTP/2.0 bytes=5 error=stream error: stream ID N; INTERNAL_ERROR; received from peer",
        "status=200 proto=HTTP/2.0 bytes=1000 error=unexpected EOF",
        "status=200 proto=HTTP/2.0 bytes=1000",
        "status=200 proto=HTTP/2.0 bytes=1000",
        "status=200 proto=HTTP/2.0 bytes=1000",
        'error=Get "' + tls_base + '/status/444": stream error: stream ID N; INTERNAL_ERROR; received from peer',
        'error=Get "' + tls_base + '/status/101": stream error: stream ID N; HTTP_1_1_REQUIRED; received from peer',
    ], lines
    print("go net/http: a refused stream retried on the connection, a GOAWAY's unprocessed stream on a new one; "
          "the frame faults as it reports them")


def answers_of(sock, conn, streams, seconds=5):
    """Each of `streams`' status and headers, once all have ended (or `seconds` passed)."""
    heads, ended = {}, set()
    sock.settimeout(0.2)
    end = time.monotonic() + seconds
    while time.monotonic() < end and not set(streams) <= ended:
        try:
            data = sock.recv(65536)
        except TimeoutError:
            continue
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                heads[event.stream_id] = dict(event.headers)
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(len(event.data), event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                ended.add(event.stream_id)
        sock.sendall(conn.data_to_send())
    return heads


def check_body_memory(binary):
    """--max-body-memory over HTTP/2: content held by one stream leaves no room for another's: 503."""
    proc, base, _, _ = start(binary, "--max-body-size", "8KiB", "--max-body-memory", "8KiB")
    try:
        sock, conn = client(int(base.rsplit(":", 1)[1]))
        conn.send_headers(1, request_headers("/post", "POST"))
        conn.send_data(1, b"a" * 6000)  # held: its request is not whole yet
        conn.send_headers(3, request_headers("/post", "POST"))
        conn.send_data(3, b"b" * 4000, end_stream=True)  # 10 000 bytes at once: more than 8 KiB
        sock.sendall(conn.data_to_send())
        heads = answers_of(sock, conn, [3])
        assert heads[3][b":status"] == b"503" and heads[3][b"retry-after"] == b"1", heads
        conn.send_data(1, b"a" * 1000, end_stream=True)  # the first's rest: it is answered
        sock.sendall(conn.data_to_send())
        heads = answers_of(sock, conn, [1])
        assert heads[1][b":status"] == b"200", heads
        conn.send_headers(5, request_headers("/post", "POST"))
        conn.send_data(5, b"c" * 4000, end_stream=True)  # room again: the first's content went with its stream
        sock.sendall(conn.data_to_send())
        heads = answers_of(sock, conn, [5])
        assert heads[5][b":status"] == b"200", heads
        sock.close()
    finally:
        proc.kill()
    print("--max-body-memory over HTTP/2: a stream past it gets 503 with Retry-After: 1, the others go on")


def check_limits(binary):
    proc, base, _, _ = start(binary, "--max-body-size", "1KiB", "--max-header-size", "4KiB")
    try:
        r = curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "x" * 4096,
                 f"{base}/post")
        assert r.stdout == "413", r
        r = curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Big: " + "a" * 6000,
                 f"{base}/status/200")
        assert r.stdout == "431", r
        r = curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}", f"{base}/status/200")
        assert r.stdout == "200", r  # the connection limits, not the server's health
    finally:
        proc.kill()
    print("limits: a body past --max-body-size is a 413, fields past --max-header-size a 431, over HTTP/2")


def check_frames(base):
    out = nghttp(f"{base}/status/103")
    statuses = re.findall(r":status: (\d+)", out)
    assert statuses == ["103", "200"], out
    assert re.search(r"recv \(stream_id=\d+\) link: </", out), out
    # A paced body: /drip's 5 bytes leave as 5 DATA frames, one a pause apart.
    out = nghttp(f"{base}/drip?numbytes=5&duration=1")
    assert len(re.findall(r"recv DATA frame <length=1,", out)) == 5, out
    # Trailers: a HEADERS frame after the DATA, which ends the stream.
    out = nghttp(f"{base}/trailers?x-check=1")
    data_at = out.rfind("recv DATA frame")
    trailer_at = max((m.start() for m in re.finditer(r"recv \(stream_id=\d+\) x-check: 1", out)), default=-1)
    assert 0 <= data_at < trailer_at, out
    print("nghttp: 103 as interim HEADERS, paced DATA frames, trailers after the body")


async def out_of_order(base, ca):
    # One connection, two streams: the one asked second is answered first, the other still waiting.
    async with httpx.AsyncClient(http2=True, verify=ca) as client:
        slow = asyncio.create_task(client.get(f"{base}/status/200?delay=2s"))
        await asyncio.sleep(0.2)
        quick = asyncio.create_task(client.get(f"{base}/status/204"))
        done, _ = await asyncio.wait({slow, quick}, return_when=asyncio.FIRST_COMPLETED)
        assert done == {quick}, done
        assert quick.result().status_code == 204 and quick.result().http_version == "HTTP/2"
        assert (await slow).status_code == 200
        many = await asyncio.gather(*(client.get(f"{base}/status/{200 + i}?delay=300ms") for i in range(20)))
        assert [r.status_code for r in many] == [200 + i for i in range(20)], many


def check_httpx(base, tls_base, ca):
    asyncio.run(out_of_order(tls_base, ca))
    # A scenario's sequence over one HTTP/2 connection, as over HTTP/1: 503, 503, then 200.
    with httpx.Client(http2=True, verify=ca, timeout=10) as client:
        statuses = [client.get(f"{tls_base}/api/orders", headers={"X-Test-Id": "h2-seq"}).status_code
                    for _ in range(3)]
        assert statuses == [503, 503, 200], statuses
        verdict = client.post(f"{tls_base}/__teapot/verify", params={"session": "h2-seq"})
        assert verdict.status_code == 200 and verdict.json()["verdict"] == "pass", verdict.text
        metrics = client.get(f"{tls_base}/__teapot/metrics").text
        served = re.search(r'^teapot_requests_by_protocol_total\{protocol="HTTP/2"\} (\d+)$', metrics, re.M)
        assert served and int(served.group(1)) >= 3, metrics
        entries = client.get(f"{tls_base}/__teapot/requests", params={"session": "h2-seq"}).json()["requests"]
        assert [e["protocol"] for e in entries] == ["HTTP/2"] * 3, entries
        assert all(e["stream_id"] % 2 == 1 for e in entries), entries
        assert entries[0]["tls"]["alpn"] == "h2", entries[0]["tls"]
    # h2c by prior knowledge: httpx with HTTP/1.1 off; the admin API's wait answers over it too.
    with httpx.Client(http1=False, http2=True, timeout=10) as client:
        r = client.get(f"{base}/get", params={"q": "1"}, headers={"X-Custom": "yes"})
        assert r.http_version == "HTTP/2" and r.json()["args"] == {"q": "1"}, r.text
        assert r.json()["headers"]["X-Custom"] == "yes" and r.json()["headers"]["Host"] == base[7:], r.text
        r = client.get(f"{base}/__teapot/wait", params={"path": "/get", "count": 1, "timeout": "2s"})
        assert r.status_code == 200 and r.json()["count"] >= 1, r.text
        # 444 and 101 as httpx reports them: the stream reset, with INTERNAL_ERROR (2) and HTTP_1_1_REQUIRED (13).
        for path, code in (("/status/444", 2), ("/status/101", 13)):
            try:
                raise AssertionError(client.get(f"{base}{path}"))
            except httpx.RemoteProtocolError as e:
                assert f"error_code:{code}," in str(e), e
    print("httpx: streams answered out of order on one connection, a scenario's sequence verified, h2c")


NODE = r"""
const http2 = require('http2');
const [base, path] = process.argv.slice(1);
const session = http2.connect(base);
session.on('error', (e) => { console.error(e); process.exit(1); });
const req = session.request({':path': path});
let body = '';
req.on('response', (headers) => { process.stdout.write(JSON.stringify(headers) + '\n'); });
req.setEncoding('utf8');
req.on('data', (d) => { body += d; });
req.on('end', () => { process.stdout.write(body); session.close(); });
req.end();
"""


def check_node(base):
    out = subprocess.run(["node", "-e", NODE, base, "/status/429"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out
    headers = json.loads(out.stdout.splitlines()[0])
    assert headers[":status"] == 429 and "retry-after" in headers, headers
    assert out.stdout.splitlines()[1].startswith("429 Too Many Requests"), out.stdout
    print("node http2: h2c by prior knowledge, 429 with Retry-After")


def check_timeouts(binary):
    # A connection idle after a delayed answer, and one whose request stops coming: each gets a
    # GOAWAY, then the close (--idle-timeout, --body-timeout), never a connection held forever.
    proc, base, _, _ = start(binary, "--idle-timeout", "1s", "--body-timeout", "1s")
    port = int(base.rsplit(":", 1)[1])
    try:
        sock, conn = client(port)
        conn.send_headers(1, request_headers("/status/202?delay=300ms"), end_stream=True)
        sock.sendall(conn.data_to_send())
        seen = events_until_closed(sock, conn, 10)
        assert "202" in seen and seen[-3:] == ["ConnectionTerminated", "goaway:0", "closed"], seen
        sock, conn = client(port)
        conn.send_headers(1, request_headers("/post", "POST"))
        conn.send_data(1, b"part of a body")
        sock.sendall(conn.data_to_send())
        seen = events_until_closed(sock, conn, 10)
        assert seen[-3:] == ["ConnectionTerminated", "goaway:0", "closed"], seen
    finally:
        proc.kill()
    print("timeouts: idle after a delayed answer, and a body that stops coming, end with GOAWAY and a close")


def check_off(binary):
    proc, base, tls_base, ca = start(binary, "--no-http2")
    try:
        r = curl("--http2", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_version}", f"{tls_base}/status/200")
        assert r.stdout == "1.1", r
        # The preface is then an HTTP/1 request line of version 2.0: 505.
        r = curl("--http2-prior-knowledge", "-o", "/dev/null", f"{base}/status/200")
        assert r.returncode != 0, r
    finally:
        proc.kill()
    print("--no-http2: ALPN offers http/1.1 alone, and the preface is not taken")


def main():
    binary, scenarios = sys.argv[1], sys.argv[2]
    proc, base, tls_base, ca = start(binary, "--scenarios", scenarios)
    try:
        check_curl(base, tls_base, ca)
        check_frames(base)
        check_httpx(base, tls_base, ca)
        check_node(base)
        check_frame_faults(base)
        check_wire_lies(base)
        check_go(base, tls_base, ca)
        check_settings_faults(base, tls_base, ca)
        check_early_response(base, tls_base, ca)
    finally:
        proc.kill()
        os.unlink(ca)
    check_limits(binary)
    check_body_memory(binary)
    check_timeouts(binary)
    check_off(binary)


if __name__ == "__main__":
    main()
