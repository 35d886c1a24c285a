#!/usr/bin/env python3
"""httpbin's endpoints on teapot as real clients use them in their own test suites:
Python requests (redirect chains, JSON and form bodies, HEAD, images, urllib3's Retry),
httpx sync and async (redirects, cookies, Digest, gzip, timeouts, server-sent events),
curl (-L, --data, --json-like bodies, cut bodies) and Node (fetch: redirects, a JSON
round trip, an image; http: trailers).
Exit 0 when every client sees what it would see against httpbin.

    /usr/bin/python3 tests/httpbin/clients.py BUILD/teapot
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import struct
import time
import xml.etree.ElementTree as ElementTree
import zlib

import requests


def start(binary, *flags):
    proc = subprocess.Popen([binary, "--port", "0", "--quiet", *flags], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if not match:
        proc.kill()
        sys.exit(f"teapot did not start: {line!r}")
    return proc, match.group(1)


def check_requests(base):
    r = requests.get(f"{base}/redirect/5", timeout=5)
    assert r.status_code == 200 and len(r.history) == 5, (r.status_code, r.history)
    assert [h.headers["Location"] for h in r.history] == [
        "/relative-redirect/4", "/relative-redirect/3", "/relative-redirect/2", "/relative-redirect/1", "/get"]
    assert r.json()["url"] == f"{base}/get", r.json()
    r = requests.get(f"{base}/absolute-redirect/3", timeout=5)
    assert r.status_code == 200 and r.history[0].headers["Location"] == f"{base}/absolute-redirect/2"
    r = requests.get(f"{base}/redirect/4", allow_redirects=False, timeout=5)
    assert r.status_code == 302 and r.headers["Location"] == "/relative-redirect/3"
    # requests turns a 303 after a POST into a GET, keeps the method on 307.
    r = requests.post(f"{base}/redirect-to", params={"url": "/anything", "status_code": 303}, data="x", timeout=5)
    assert r.json()["method"] == "GET", r.json()
    r = requests.post(f"{base}/redirect-to", params={"url": "/anything", "status_code": 307}, data="x", timeout=5)
    assert r.json()["method"] == "POST" and r.json()["data"] == "x", r.json()
    payload = {"name": "été", "n": [1, 2.5, None], "nested": {"b": True}}
    r = requests.post(f"{base}/post", json=payload, params={"q": ["1", "2"]}, timeout=5)
    body = r.json()
    assert body["json"] == payload and body["args"] == {"q": ["1", "2"]}, body
    assert body["headers"]["Content-Type"] == "application/json", body["headers"]
    r = requests.put(f"{base}/put", data={"a": "1", "b": ["x", "y"]}, timeout=5)
    assert r.json()["form"] == {"a": "1", "b": ["x", "y"]}, r.json()
    r = requests.head(f"{base}/get", timeout=5)
    assert r.status_code == 200 and r.text == "" and int(r.headers["Content-Length"]) > 0
    r = requests.get(f"{base}/headers", headers={"X-Custom": "1"}, timeout=5)
    assert r.json()["headers"]["X-Custom"] == "1"
    assert requests.get(f"{base}/user-agent", timeout=5).json()["user-agent"].startswith("python-requests/")
    assert requests.get(f"{base}/ip", timeout=5).json() == {"origin": "127.0.0.1"}
    # Basic credentials as requests sends them, and the refusal it gets without.
    assert requests.get(f"{base}/basic-auth/u/p", auth=("u", "p"), timeout=5).json() == {"authenticated": True,
                                                                                         "user": "u"}
    r = requests.get(f"{base}/basic-auth/u/p", auth=("u", "wrong"), timeout=5)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic realm="Fake Realm"'
    # A client's timeout against /delay, as client suites test theirs: it fires, and the wait is a timer.
    try:
        requests.get(f"{base}/delay/3", timeout=0.3)
        raise AssertionError("/delay/3 answered within a 0.3 s timeout")
    except requests.exceptions.ReadTimeout:
        pass
    assert requests.get(f"{base}/delay/0.1", timeout=5).json()["url"] == f"{base}/delay/0.1"
    # /drip paced on timers: the bytes come over the duration asked for, not at once.
    started = time.monotonic()
    r = requests.get(f"{base}/drip", params={"duration": 1, "numbytes": 5, "delay": 0.2}, stream=True, timeout=5)
    pieces = list(r.iter_content(chunk_size=1))
    assert b"".join(pieces) == b"*****" and time.monotonic() - started >= 0.9, (pieces, time.monotonic() - started)
    r = requests.get(f"{base}/range/52", headers={"Range": "bytes=26-29"}, timeout=5)
    assert r.status_code == 206 and r.content == b"abcd" and r.headers["Content-Range"] == "bytes 26-29/52"
    assert requests.get(f"{base}/bytes/16", params={"seed": 1}, timeout=5).content == bytes(
        [68, 32, 130, 60, 253, 230, 241, 194, 107, 48, 249, 14, 199, 221, 1, 228])  # Python's random.seed(1)
    lines = [json.loads(x) for x in requests.get(f"{base}/stream/3", stream=True, timeout=5).iter_lines()]
    assert [x["id"] for x in lines] == [0, 1, 2], lines
    # teapot's faults on httpbin's endpoints: a /get cut after 20 bytes. urllib3 2 raises
    # (ChunkedEncodingError, docs/faults.md); Debian 12's urllib3 1.26 returns the 20 bytes
    # without a word, which is what a truncation test must catch: fewer than announced.
    try:
        r = requests.get(f"{base}/get", params={"fault": "truncate:20B"}, timeout=5)
        assert len(r.content) == 20 < int(r.headers["Content-Length"]), (len(r.content), r.headers)
    except requests.exceptions.ChunkedEncodingError:
        pass
    # Digest authentication as requests' HTTPDigestAuth does it (it has no auth-int), with
    # httpbin's stale nonces: stale_after=2 counts down in its cookie.
    from requests.auth import HTTPDigestAuth
    for algorithm in ("MD5", "SHA-256", "SHA-512"):
        r = requests.Session().get(f"{base}/digest-auth/auth/user/passwd/{algorithm}/2",
                                   auth=HTTPDigestAuth("user", "passwd"), timeout=5)
        assert r.status_code == 200 and r.json() == {"authenticated": True, "user": "user"}, (algorithm, r.text)
        assert r.cookies.get("stale_after") == "1", r.headers
    r = requests.Session().get(f"{base}/digest-auth/auth/user/passwd", auth=HTTPDigestAuth("user", "wrong"),
                               timeout=5)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Digest "), r.headers
    # A cookie round trip through a Session, as requests' own tests do.
    session = requests.Session()
    r = session.get(f"{base}/cookies/set", params={"k": "v", "sp": "a b"}, timeout=5)
    assert r.json() == {"cookies": {"k": "v", "sp": "a b"}}, r.text
    r = session.get(f"{base}/cookies/delete", params={"k": ""}, timeout=5)
    assert r.json() == {"cookies": {"sp": "a b"}}, r.text
    print("requests: redirect chains, bodies, Basic and Digest credentials, timeouts, drips, ranges, seeded bytes, faults, "
          "cookies, HEAD and headers")


def png_size(data):
    """(width, height) of a PNG whose every chunk's CRC holds and whose pixels inflate whole."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    pos, idat, size = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + chunk) == crc, kind
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            size, channels = (width, height), {2: 3, 6: 4}[colour]
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + length
        if kind == b"IEND":
            break
    assert pos == len(data) and size, "bytes after IEND, or no IHDR"
    assert len(zlib.decompress(idat)) == size[1] * (1 + size[0] * channels * depth // 8)  # a filter byte a row
    return size


def jpeg_size(data):
    """(width, height) from the frame header, found by walking the JPEG's segments."""
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    pos = 2
    while data[pos] == 0xFF:
        marker, (length,) = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])
        if 0xC0 <= marker <= 0xC2:
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return width, height
        pos += 2 + length
    raise AssertionError("no frame header")


def webp_size(data):
    """(width, height) of a WebP: its RIFF length and chunk lengths add up, and its VP8 frame
    (lossy, with or without an alpha chunk) is a key frame of that size."""
    riff, length, webp = struct.unpack("<4sI4s", data[:12])
    assert (riff, webp, length + 8) == (b"RIFF", b"WEBP", len(data)), (riff, webp, length)
    pos, chunks = 12, {}
    while pos < len(data):
        kind, size = struct.unpack("<4sI", data[pos:pos + 8])
        chunks[kind] = data[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)  # chunks are padded to even lengths
    assert pos == len(data) and b"VP8 " in chunks, list(chunks)
    frame = chunks[b"VP8 "]
    assert frame[3:6] == b"\x9d\x01\x2a"  # a key frame's start code
    width, height = (v & 0x3FFF for v in struct.unpack("<HH", frame[6:10]))
    if b"VP8X" in chunks:  # the extended header's canvas: 24-bit sizes less one
        canvas = chunks[b"VP8X"]
        assert (int.from_bytes(canvas[4:7], "little") + 1, int.from_bytes(canvas[7:10], "little") + 1) == (width, height)
    return width, height


def check_documents(base):
    images = {"png": png_size, "jpeg": jpeg_size, "webp": webp_size}
    for kind, size_of in images.items():
        r = requests.get(f"{base}/image/{kind}", timeout=5)
        assert r.headers["Content-Type"] == f"image/{kind}", r.headers
        assert size_of(r.content) == (128, 128), kind
    svg = ElementTree.fromstring(requests.get(f"{base}/image/svg", timeout=5).content)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("width") == "128", svg.attrib
    for accept, kind in (("image/webp,*/*", "webp"), ("image/png", "png"), ("image/jpeg;q=0.5, image/png", "png")):
        r = requests.get(f"{base}/image", headers={"Accept": accept}, timeout=5)
        assert r.headers["Content-Type"] == f"image/{kind}", (accept, r.headers)
    r = requests.get(f"{base}/image", headers={"Accept": "text/html"}, timeout=5)
    assert r.status_code == 406 and "image/png" in r.json()["accept"], r.text
    slides = ElementTree.fromstring(requests.get(f"{base}/xml", timeout=5).content)
    assert slides.tag == "slideshow" and len(slides.findall("slide")) == 2
    assert requests.get(f"{base}/json", timeout=5).json()["slideshow"]["title"] == slides.get("title")
    r = requests.get(f"{base}/html", timeout=5)
    assert r.encoding == "utf-8" and "<h1>Herman Melville - Moby-Dick</h1>" in r.text
    r = requests.get(f"{base}/encoding/utf8", timeout=5)
    assert r.encoding == "utf-8" and "\U0001FAD6" in r.text and "\u0634\u0627\u064a" in r.text, r.headers
    print("requests: images that decode (PNG CRCs and pixels, JPEG and WebP frames, SVG), negotiated on Accept; "
          "XML, JSON, HTML, UTF-8")


def check_extras(base):
    """go-httpbin's extras as clients use them: events read as they come, a flaky upstream
    retried by urllib3, the request echoed on the wire."""
    import httpx
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    started = time.monotonic()
    arrivals, events = [], []
    with httpx.stream("GET", f"{base}/sse", params={"count": 3, "duration": "600ms"}, timeout=5) as r:
        assert r.headers["content-type"] == "text/event-stream; charset=utf-8", r.headers
        for line in r.iter_lines():
            if line.startswith("data: "):
                arrivals.append(time.monotonic() - started)
                events.append(json.loads(line[len("data: "):]))
    assert [e["id"] for e in events] == [0, 1, 2], events
    # Paced on timers: the third event comes no sooner than the 600 ms the events span.
    assert arrivals[2] >= 0.55 and arrivals[2] - arrivals[0] >= 0.55, arrivals
    assert events[2]["timestamp"] - events[0]["timestamp"] == 600, events
    with requests.get(f"{base}/jsonl", params={"count": 5, "duration": "0.2"}, stream=True, timeout=5) as r:
        assert r.headers["Content-Type"] == "application/jsonl", r.headers
        assert [json.loads(line)["id"] for line in r.iter_lines()] == [0, 1, 2, 3, 4]
    # failure_rate=1 fails every time: urllib3 retries twice and gives up, as against a dead
    # upstream; failure_rate=0 never does.
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=Retry(total=2, status_forcelist=[500], backoff_factor=0,
                                                           raise_on_status=False)))
    r = session.get(f"{base}/unstable", params={"failure_rate": "1"}, timeout=5)
    assert r.status_code == 500 and len(r.raw.retries.history) == 2, r.raw.retries
    r = session.get(f"{base}/unstable", params={"failure_rate": "0"}, timeout=5)
    assert r.status_code == 200 and not r.raw.retries.history
    dump = subprocess.run(["curl", "-sS", "--max-time", "5", "-H", "X-Case-Kept: 1", "--data-binary", "a=1",
                           f"{base}/dump/request?q=1"], capture_output=True, check=True).stdout.decode()
    assert dump.startswith("POST /dump/request?q=1 HTTP/1.1\r\n") and "\r\nX-Case-Kept: 1\r\n" in dump, dump
    assert dump.endswith("\r\n\r\na=1"), dump
    assert requests.get(f"{base}/hostname", timeout=5).json() == {"hostname": "teapot"}
    page = requests.get(f"{base}/upload", timeout=5).text
    assert '<form method="post" action="/upload" enctype="multipart/form-data">' in page and 'type="file"' in page, page
    r = requests.post(f"{base}/upload", files={"file": ("notes.txt", b"hello\n", "text/plain")},
                      data={"comment": "hi"}, timeout=5)
    assert r.json()["files"] == {"file": "hello\n"} and r.json()["form"] == {"comment": "hi"}, r.text
    print("httpx: server-sent events as they come; requests: JSON lines, urllib3's Retry on /unstable; curl: /dump/request; /upload's form and its files")


def check_httpx(base):
    """httpx, sync and async, as its own suite uses httpbin: redirects, cookies, Digest, gzip, timeouts."""
    import asyncio

    import httpx

    with httpx.Client(base_url=base, timeout=5) as client:
        r = client.get("/redirect/3", follow_redirects=True)
        assert r.status_code == 200 and len(r.history) == 3 and r.json()["url"] == f"{base}/get", r.history
        r = client.get("/cookies/set", params={"flavour": "ginger"}, follow_redirects=True)
        assert r.json() == {"cookies": {"flavour": "ginger"}}, r.text
        r = client.get("/digest-auth/auth/user/passwd/SHA-256", auth=httpx.DigestAuth("user", "passwd"))
        assert r.status_code == 200 and r.json() == {"authenticated": True, "user": "user"}, r.text
        r = client.get("/gzip")
        assert r.headers["content-encoding"] == "gzip" and r.json()["gzipped"] is True, r.headers
        try:
            client.get("/delay/3", timeout=0.5)
            raise AssertionError("/delay/3 answered within 0.5 s")
        except httpx.ReadTimeout:
            pass

    async def concurrently():
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            answers = await asyncio.gather(*(client.get("/get", params={"n": i}) for i in range(20)))
            assert [a.json()["args"]["n"] for a in answers] == [str(i) for i in range(20)]

    asyncio.run(concurrently())
    print("httpx: redirects, a cookie round trip, Digest SHA-256, gzip, a read timeout on /delay, 20 async GETs")


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "5", *args], capture_output=True, text=True, check=True).stdout


def check_curl(base):
    body = json.loads(curl("-L", f"{base}/redirect/3?absolute=true"))
    assert body["url"] == f"{base}/get", body
    body = json.loads(curl("--data", "a=1&a=2&b=x+y", f"{base}/post"))
    assert body["form"] == {"a": ["1", "2"], "b": "x y"} and body["data"] == "", body
    body = json.loads(curl("-X", "PATCH", "-H", "Content-Type: application/json", "--data", '{"k": "v"}',
                           f"{base}/anything/x?y=1"))
    assert body["method"] == "PATCH" and body["json"] == {"k": "v"} and body["args"] == {"y": "1"}, body
    status = curl("-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                  f"{base}/redirect-to?url=https://example.test/x&status_code=301")
    assert status == "301 https://example.test/x", status
    # -b turns curl's cookie engine on: the cookie set by the 302 goes with the request it leads to.
    body = json.loads(curl("-L", "-b", "/dev/null", f"{base}/cookies/set/flavour/ginger"))
    assert body == {"cookies": {"flavour": "ginger"}}, body
    assert json.loads(curl("-u", "u:p", f"{base}/basic-auth/u/p")) == {"authenticated": True, "user": "u"}
    assert json.loads(curl("--digest", "-u", "user:passwd", f"{base}/digest-auth/auth/user/passwd/SHA-256")) == {
        "authenticated": True, "user": "user"}
    cut = subprocess.run(["curl", "-sS", "--max-time", "5", f"{base}/drip?duration=0.5&numbytes=10&fault=truncate:5B"],
                         capture_output=True, text=True)
    assert cut.returncode == 18 and cut.stdout == "*****", (cut.returncode, cut.stdout, cut.stderr)
    # Half the bytes, then a reset: curl reports the reset (56), not a short body (18).
    cut = subprocess.run(["curl", "-sS", "--max-time", "5",
                          f"{base}/drip?duration=0.5&numbytes=10&fault=truncate:5B:reset"], capture_output=True, text=True)
    assert cut.returncode == 56 and cut.stdout == "*****", (cut.returncode, cut.stdout, cut.stderr)
    raw = subprocess.run(["curl", "-sS", "--raw", "--max-time", "5", f"{base}/trailers?X-Sum=1&fault=truncate:6B"],
                         capture_output=True)
    assert raw.returncode == 18 and raw.stdout == b'e\r\n{"X', (raw.returncode, raw.stdout)  # cut inside the chunk
    print("curl: -L through absolute redirects, forms, PATCH with JSON, a cookie through a redirect, -u, --digest, a cut drip (FIN, then RST), a cut chunk")


NODE = r"""
const base = process.argv[1];
(async () => {
  let r = await fetch(`${base}/redirect/3`);
  if (!r.ok || !r.redirected || !r.url.endsWith('/get')) throw new Error(`redirect: ${r.status} ${r.url}`);
  r = await fetch(`${base}/post`, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                  body: JSON.stringify({a: [1, 'é']})});
  const body = await r.json();
  if (JSON.stringify(body.json) !== JSON.stringify({a: [1, 'é']})) throw new Error(JSON.stringify(body));
  r = await fetch(`${base}/get`, {headers: {Origin: 'https://app.test'}});
  if (r.headers.get('access-control-allow-origin') !== 'https://app.test') throw new Error('CORS');
  // A browser's Accept for an <img>: webp first.
  r = await fetch(`${base}/image`, {headers: {Accept: 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8'}});
  const image = Buffer.from(await r.arrayBuffer());
  if (r.headers.get('content-type') !== 'image/webp' || image.length !== Number(r.headers.get('content-length')) ||
      image.toString('latin1', 8, 12) !== 'WEBP') throw new Error(`image: ${r.headers.get('content-type')}`);
  // Trailers: node's http module reads them after the chunked body.
  const trailers = await new Promise((resolve, reject) => {
    require('http').get(`${base}/trailers?X-Checksum=abc&Server-Timing=db;dur=53`, (res) => {
      if (res.headers['transfer-encoding'] !== 'chunked' || res.headers.trailer !== 'X-Checksum, Server-Timing')
        reject(new Error(`trailers head: ${JSON.stringify(res.headers)}`));
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({trailers: res.trailers, body: JSON.parse(text)}));
    }).on('error', reject);
  });
  if (trailers.trailers['x-checksum'] !== 'abc' || trailers.trailers['server-timing'] !== 'db;dur=53' ||
      trailers.body['X-Checksum'] !== 'abc') throw new Error(`trailers: ${JSON.stringify(trailers)}`);
  console.log('node fetch: redirects followed, a JSON round trip, CORS, an image as a browser asks; http: trailers');
})().catch((e) => { console.error(e); process.exit(1); });
"""


def check_node(base):
    out = subprocess.run(["node", "-e", NODE, base], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    print(out.stdout.strip())


def main():
    proc, base = start(sys.argv[1])
    try:
        check_requests(base)
        check_documents(base)
        check_extras(base)
        check_httpx(base)
        check_curl(base)
        check_node(base)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # Over HTTPS (httpbin_secure's equivalent): the same endpoints, url with https, the
    # absolute redirects too, Secure on the cookies httpbin sets.
    with tempfile.TemporaryDirectory() as scratch:
        ca = os.path.join(scratch, "ca.pem")
        proc = subprocess.Popen([sys.argv[1], "--port", "0", "--tls-port", "0", "--ca-out", ca, "--quiet"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            tls_base = None
            while tls_base is None:
                line = proc.stdout.readline()
                assert line, "teapot did not say its HTTPS URL"
                match = re.search(r"listening on (https://\S+)", line)
                tls_base = match.group(1) if match else None
            r = requests.get(f"{tls_base}/get", params={"a": "1"}, verify=ca, timeout=5)
            assert r.json()["url"] == f"{tls_base}/get?a=1", r.json()
            r = requests.get(f"{tls_base}/absolute-redirect/1", verify=ca, allow_redirects=False, timeout=5)
            assert r.headers["Location"] == f"{tls_base}/get", r.headers
            r = requests.get(f"{tls_base}/cookies/set/k/v", verify=ca, allow_redirects=False, timeout=5)
            assert r.headers["Set-Cookie"] == "k=v; Secure; Path=/", r.headers
            print("https: url, absolute redirects and Secure cookies as httpbin_secure's")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    # A scenario route wins over an httpbin endpoint, for the requests it matches only: one test
    # session's /get is a flaky upstream while every other keeps httpbin's.
    with tempfile.TemporaryDirectory() as scratch:
        with open(os.path.join(scratch, "get.yaml"), "w") as f:
            f.write("name: flaky-get\nisolate_by: header X-Test-Id\nroutes:\n  - id: get\n"
                    "    match: { method: GET, path: /get, headers: { X-Test-Id: t1 } }\n"
                    "    steps:\n      - { status: 503, headers: { Retry-After: '1' }, times: 1 }\n"
                    "      - { status: 200, json: { overridden: true } }\n")
        proc, base = start(sys.argv[1], "--scenarios", scratch, "--no-watch")
        try:
            assert requests.get(f"{base}/get", headers={"X-Test-Id": "t1"}, timeout=5).status_code == 503
            assert requests.get(f"{base}/get", headers={"X-Test-Id": "t1"}, timeout=5).json() == {"overridden": True}
            other = requests.get(f"{base}/get", headers={"X-Test-Id": "t2"}, timeout=5).json()
            assert other["headers"]["X-Test-Id"] == "t2", other  # httpbin's answer
            print("scenarios: one session's /get overridden, the others httpbin's")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    # Under --httpbin-prefix the redirects keep the prefix, and the root is teapot's alone.
    proc, base = start(sys.argv[1], "--httpbin-prefix", "/httpbin", "--httpbin-real-hostname")
    try:
        r = requests.get(f"{base}/httpbin/redirect/2", timeout=5)
        assert r.status_code == 200 and r.json()["url"] == f"{base}/httpbin/get", r.text
        assert [h.headers["Location"] for h in r.history] == ["/httpbin/relative-redirect/1", "/httpbin/get"]
        assert requests.get(f"{base}/get", timeout=5).status_code == 404
        assert requests.get(f"{base}/httpbin/hostname", timeout=5).json() == {"hostname": socket.gethostname()}
        print("--httpbin-prefix: every Location under the prefix; --httpbin-real-hostname: /hostname tells it")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
