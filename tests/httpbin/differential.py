#!/usr/bin/env python3
"""The differential test of issue 17: the same requests sent to teapot and to httpbin
0.7.0 (Debian's python3-httpbin under gunicorn, the reference), the answers compared.
Byte for byte where httpbin's answer is deterministic (status, Content-Type,
Content-Length and the JSON text itself); field by field, with the fields that
legitimately differ named, where it is not (docs/httpbin.md lists every difference
and why). Exit 0 when every case agrees.

    /usr/bin/python3 tests/httpbin/differential.py BUILD/teapot
"""
import gzip
import http.client
import json
import re
import subprocess
import sys
import time

# What every case sends besides its own fields, in this order, to both servers: a fixed Host
# (httpbin's url and headers quote it), and Connection: close (gunicorn's sync worker closes anyway).
BASE_HEADERS = [("Host", "httpbin.test"), ("User-Agent", "differential/1"), ("Accept", "*/*"),
                ("Connection", "close")]

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class Case:
    """One request and how its answers are compared: `exact` (status, Content-Type,
    Content-Length, Location, body bytes), `head` (as exact, no body), `allow` (status and
    the Allow set: the bodies of 405 and OPTIONS are each framework's own page), `status`
    (an error whose page is each framework's own), `type` (status and Content-Type: an
    image of each one's own), or a function."""

    def __init__(self, method, target, headers=(), body=None, compare="exact", chunked=False, differ=(),
                 streamed=False):
        self.method, self.target, self.headers = method, target, list(headers)
        self.streamed = streamed  # httpbin streams it chunked; teapot knows the length and sends it
        self.body, self.compare, self.chunked = body, compare, chunked
        self.differ = set(differ)  # JSON fields that differ by design (docs/httpbin.md): the rest compared

    def __str__(self):
        return f"{self.method} {self.target} {self.headers}" + (f" body={self.body[:40]!r}" if self.body else "")


def start(cmd, pattern, stream):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = re.search(pattern, line)
        if match:
            return proc, int(match.group(1))
    proc.kill()
    sys.exit(f"{cmd[0]} did not start ({stream})")


def send(port, case):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest(case.method, case.target, skip_host=True, skip_accept_encoding=True)
    own = {name.lower() for name, _ in case.headers}  # a case's field replaces the base one
    for name, value in [(n, v) for n, v in BASE_HEADERS if n.lower() not in own] + case.headers:
        conn.putheader(name, value)
    body = case.body
    if body is not None and case.chunked:
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for piece in (body[:3], body[3:]):
            conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        conn.send(b"0\r\n\r\n")
    elif body is not None:
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
    else:
        conn.endheaders()
    response = conn.getresponse()
    data = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    headers["set-cookie"] = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
    headers["all"] = [(k.lower(), v) for k, v in response.getheaders()]
    conn.close()
    return response.status, headers, data


def compare(case, theirs, ours):
    """The differences between httpbin's answer and teapot's, as lines."""
    (s1, h1, b1), (s2, h2, b2) = theirs, ours
    out = []
    if s1 != s2:
        out.append(f"status: httpbin {s1}, teapot {s2}")
    if case.compare == "allow":
        allow = [set(x.replace(" ", "").split(",")) for x in (h1.get("allow", ""), h2.get("allow", ""))]
        if allow[0] != allow[1]:
            out.append(f"Allow: httpbin {h1.get('allow')}, teapot {h2.get('allow')}")
        return out
    if case.compare == "status":
        return out  # the bodies are each framework's own error page
    if case.compare == "type":
        if h1.get("content-type") != h2.get("content-type"):
            out.append(f"content-type: httpbin {h1.get('content-type')!r}, teapot {h2.get('content-type')!r}")
        return out
    for name in ("content-type", "content-length", "content-encoding", "location", "www-authenticate",
                 "access-control-allow-origin"):
        if name == "www-authenticate" and case.compare is challenge:
            continue
        if name == "content-length" and (case.differ or case.streamed or case.compare is form_fields):
            continue
        if h1.get(name) != h2.get(name):
            out.append(f"{name}: httpbin {h1.get(name)!r}, teapot {h2.get(name)!r}")
    if case.differ:
        theirs, ours = json.loads(b1), json.loads(b2)
        for name in case.differ:
            if name not in theirs or name not in ours:
                out.append(f"{name}: missing (httpbin {name in theirs}, teapot {name in ours})")
            theirs.pop(name, None), ours.pop(name, None)
        if theirs != ours:
            out.append(f"body past {sorted(case.differ)}:\n    httpbin {theirs}\n    teapot  {ours}")
    elif case.compare in ("exact", "head") and b1 != b2:
        out.append(f"body:\n    httpbin {b1!r}\n    teapot  {b2!r}")
    if case.compare == "gunzip":
        # gzip's header holds the time of compression (Python writes it, zlib writes 0): the
        # member is compared past it, and the text it holds byte for byte.
        if gzip.decompress(b1) != gzip.decompress(b2) or b1[10:] != b2[10:]:
            out.append(f"gzip body:\n    httpbin {gzip.decompress(b1)!r}\n    teapot  {gzip.decompress(b2)!r}")
    elif case.compare is set_cookies:
        out += set_cookies(h1["set-cookie"], h2["set-cookie"])
        if b1 != b2:
            out.append(f"body:\n    httpbin {b1!r}\n    teapot  {b2!r}")
    elif case.compare is challenge:
        masked = [(HEX.sub(lambda m: f'"<{len(m.group(0)) - 2} hex>"', h.get("www-authenticate", "")),
                   [HEX.sub("<hex>", c) for c in h["set-cookie"]]) for h in (h1, h2)]
        out += challenge(masked[0], masked[1])
    elif case.compare is form_fields:
        shape = lambda b: (re.findall(rb'<form method="(\w+)" action="([^"]*)"', b), re.findall(rb'name="(\w+)"', b))
        out += form_fields(shape(b1), shape(b2))
    elif case.compare is json_lines:
        out += json_lines([json.loads(x) for x in b1.splitlines()], [json.loads(x) for x in b2.splitlines()])
    elif callable(case.compare):
        out += case.compare(json.loads(b1), json.loads(b2))
        if case.compare is response_fields:
            asked = {name.lower() for name in json.loads(b1)} - {"content-length"}
            mine = [(k, v) for k, v in h1["all"] if k in asked]
            yours = [(k, v) for k, v in h2["all"] if k in asked]
            if mine != yours:
                out.append(f"fields: httpbin {mine}, teapot {yours}")
    for name in ("etag", "cache-control", "accept-ranges", "content-range"):
        if case.compare is not fresh_validators and h1.get(name) != h2.get(name):
            out.append(f"{name}: httpbin {h1.get(name)!r}, teapot {h2.get(name)!r}")
    if case.compare is fresh_validators:
        for name in ("etag", "last-modified"):
            if (name in h1) != (name in h2):
                out.append(f"{name}: httpbin {h1.get(name)!r}, teapot {h2.get(name)!r}")
    return out


def uuid_shape(theirs, ours):
    """/uuid: random on both sides; the same key and the same shape (a version 4 UUID)."""
    if theirs.keys() != ours.keys() or not all(UUID4.match(v["uuid"]) for v in (theirs, ours)):
        return [f"uuid: httpbin {theirs}, teapot {ours}"]
    return []


def set_cookies(theirs, ours):
    """Set-Cookie fields: http.client's getheaders() keeps each, in order."""
    return [] if theirs == ours else [f"Set-Cookie: httpbin {theirs}, teapot {ours}"]


def response_fields(theirs, ours):
    """/response-headers: the body lists the answer's fields; the fields themselves compared below."""
    return [] if theirs == ours else [f"body: httpbin {theirs}, teapot {ours}"]


def fresh_validators(theirs, ours):
    """/cache: /get's fields (the same) with a Last-Modified of now and a random ETag (each its own)."""
    return [] if theirs == ours else [f"body: httpbin {theirs}, teapot {ours}"]


def json_lines(theirs, ours):
    """/stream/<n>: each line is json.dumps of a dict whose header order is WSGI's environ;
    teapot's lines are parsed and compared."""
    return [] if theirs == ours else [f"lines: httpbin {theirs}, teapot {ours}"]


HEX = re.compile(r'"[0-9a-f]{32,128}"')


def challenge(theirs, ours):
    """Set by compare() from the heads: a Digest challenge, its random hex masked."""
    return [] if theirs == ours else [f"challenge: httpbin {theirs}, teapot {ours}"]


def form_fields(theirs, ours):
    """/forms/post: a page of teapot's own; the form's method, action and fields are httpbin's."""
    return [] if theirs == ours else [f"form: httpbin {theirs}, teapot {ours}"]


def cases():
    json_body = json.dumps({"b": [1, 2.5, None, True], "a": "é\u0001\u007f😀", "c": {"z": 1, "y": 1e100}}).encode()
    form = [("Content-Type", "application/x-www-form-urlencoded")]
    as_json = [("Content-Type", "application/json")]
    yield Case("GET", "/get")
    yield Case("GET", "/get?a=1&a=2&c=a+b&d&e=%26%3D")
    # httpbin's url is an IRI (%C3%A9 shown as é); teapot's the target as sent.
    yield Case("GET", "/get?b=%C3%A9&f=%ff", differ={"url"})
    yield Case("GET", "/anything/%C3%A9/x", differ={"url"})
    yield Case("GET", "/get", [("X-Forwarded-For", "10.1.2.3"), ("Via", "1.1 proxy")])
    yield Case("GET", "/get?show_env=1", [("X-Forwarded-For", "10.1.2.3"), ("Via", "1.1 proxy")])
    yield Case("GET", "/get", [("x-lower_case", "1"), ("X-Dup", "a"), ("X-Dup", "b"), ("x-b3-traceid", "abc")])
    yield Case("GET", "/get", [("Origin", "https://app.test")])
    yield Case("GET", "/get", [("X-Forwarded-Proto", "https")])
    yield Case("HEAD", "/get?a=1", compare="head")
    yield Case("POST", "/get", compare="allow")
    yield Case("OPTIONS", "/get", compare="allow")
    yield Case("POST", "/post", form, b"a=1&a=2&b=x+y%21&c")
    yield Case("POST", "/post?q=1", as_json, json_body)
    yield Case("POST", "/post", [("Content-Type", "text/plain; charset=utf-8")], "déjà vu\n".encode())
    yield Case("POST", "/post", [("Content-Type", "application/octet-stream")], b"\xff\xfe\x00\x01")
    yield Case("POST", "/post", [], json_body)  # json is parsed whatever the type (none here)
    yield Case("POST", "/post", as_json, b"{not json")
    yield Case("POST", "/post", as_json, b"[" * 200 + b"]" * 200)
    yield Case("POST", "/post", as_json, json_body, chunked=True)
    yield Case("POST", "/post")
    yield Case("GET", "/post", compare="allow")
    yield Case("OPTIONS", "/post", compare="allow")
    yield Case("PUT", "/put", as_json, json_body)
    yield Case("PATCH", "/patch", form, b"k=v")
    yield Case("DELETE", "/delete")
    yield Case("GET", "/delete", compare="allow")
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"):
        yield Case(method, "/anything", as_json if method != "GET" else [], json_body if method != "GET" else None)
    yield Case("GET", "/anything/a/b?x=1&x=2")
    yield Case("POST", "/anything/form", form, b"a=%C3%A9")
    yield Case("HEAD", "/anything", compare="head")
    yield Case("GET", "/headers")
    yield Case("GET", "/headers?show_env", [("X-Request-Id", "r1"), ("X-Real-Ip", "10.0.0.9")])
    yield Case("GET", "/ip")
    yield Case("GET", "/ip", [("X-Forwarded-For", "10.1.2.3, 10.0.0.1")])
    yield Case("GET", "/user-agent")
    yield Case("POST", "/user-agent", compare="allow")
    yield Case("GET", "/uuid", compare=uuid_shape)
    # Redirects: Location and Flask's page, byte for byte.
    for target in ("/redirect/1", "/redirect/3", "/redirect/2?absolute=true", "/redirect/1?absolute=TRUE",
                   "/redirect/0005", "/redirect/100000000000000000000", "/relative-redirect/1",
                   "/relative-redirect/3", "/absolute-redirect/1", "/absolute-redirect/2",
                   "/redirect-to?url=http://x.test/a%20b&status_code=307", "/redirect-to?URL=/rel&status_code=200",
                   "/redirect-to?url=/rel&status_code=+308", "/redirect-to?url=%2Fa%3Fb%3Dc",
                   "/redirect-to?url=/a%22b%3Cc", "/redirect-to?url=/a%20b%09c"):
        yield Case("GET", target)
    yield Case("HEAD", "/redirect/2", compare="head")
    yield Case("POST", "/redirect-to?url=/x&status_code=303")
    yield Case("PUT", "/redirect-to?url=/x&status_code=307")
    yield Case("POST", "/redirect/2", compare="allow")
    # Cookies: what the client sent (Werkzeug's reading), and Set-Cookie as Werkzeug writes it.
    jar = [("Cookie", 'a=1; b="quoted"; c=x y; _gauges_unique=1; a=2; d=%41; e="\\101"; f; =g; h=i=j')]
    yield Case("GET", "/cookies", jar)
    yield Case("GET", "/cookies?show_env=1", jar)
    yield Case("GET", "/cookies", [("Cookie", 'q="a;b" ; r="open; s=2')])
    yield Case("GET", "/cookies")
    for target in ("/cookies/set?x=1&y=a%20b&z=%22q%22&x=2&w=a;b&v=%C3%A9", "/cookies/set/name/value",
                   "/cookies/delete?x&y=1", "/cookies/set"):
        yield Case("GET", target, compare=set_cookies)
    yield Case("GET", "/cookies/set/a", compare="status")
    # Authentication: the answer to the right credentials, and each refusal with its challenge.
    basic = [("Authorization", "Basic dXNlcjpwYXNzd2Q=")]  # user:passwd
    yield Case("GET", "/basic-auth/user/passwd", basic)
    yield Case("GET", "/basic-auth/user/passwd")
    yield Case("GET", "/basic-auth/user/other", basic)
    yield Case("GET", "/basic-auth/user/passwd", [("Authorization", "Basic not*base64")])
    yield Case("GET", "/basic-auth/user/passwd", [("Authorization", "basic dXNlcjpwYXNzd2Q=")])
    yield Case("GET", "/hidden-basic-auth/user/passwd", basic)
    yield Case("GET", "/hidden-basic-auth/user/passwd")
    yield Case("GET", "/bearer", [("Authorization", "Bearer xyz.123")])
    yield Case("GET", "/bearer")
    yield Case("GET", "/basic-auth/user", compare="status")
    # Encodings: the same compressed bytes (zlib and brotli are the same libraries on both sides).
    yield Case("GET", "/gzip", [("Accept-Encoding", "gzip")], compare="gunzip")
    yield Case("GET", "/deflate", [("Accept-Encoding", "deflate")])
    yield Case("GET", "/brotli", [("Accept-Encoding", "br")])
    yield Case("HEAD", "/deflate", compare="head")
    # /delay: the fields after the wait; a wait that is not one is httpbin's 500.
    yield Case("GET", "/delay/0")
    yield Case("GET", "/delay/0.2?x=1")
    for target in ("/delay/-1", "/delay/abc", "/delay/nan"):
        yield Case("GET", target, compare="status")
    # /response-headers: each pair a field, and the body the fixpoint of the answer's own fields.
    yield Case("GET", "/response-headers?X-A=1&X-A=2&freeform=hello", compare=response_fields)
    yield Case("GET", "/response-headers", compare=response_fields)
    yield Case("POST", "/response-headers?Content-Type=text/plain", compare=response_fields)
    yield Case("GET", "/base64/SFRUUEJJTiBpcyBhd2Vzb21l")
    yield Case("GET", "/base64/w6k_LQ==")
    for target in ("/base64/_-8", "/base64/w6k"):
        yield Case("GET", target, compare="status")
    # Caching: the ETag httpbin sends is the path's, unquoted, as it sends it.
    yield Case("GET", "/cache/60")
    yield Case("GET", "/cache/007")
    yield Case("GET", "/cache", [("If-Modified-Since", "Mon, 07 Dec 2026 00:00:00 GMT")])
    yield Case("GET", "/cache", [("If-None-Match", '"x"')])
    yield Case("GET", "/cache", compare=fresh_validators)
    for conditional in ([("If-None-Match", "abc")], [("If-None-Match", 'W/"abc", "x"')], [("If-None-Match", "*")],
                        [("If-None-Match", '"x"')], [("If-Match", '"x"')], [("If-Match", '"abc"')],
                        [("If-Match", "*")], [("If-None-Match", "x, abc"), ("If-Match", "x")], []):
        yield Case("GET", "/etag/abc", conditional)
    # Bytes: Python's seeded random bytes exactly; /range's a-z and its Range reading.
    for target in ("/bytes/64?seed=0", "/bytes/1024?seed=42", "/bytes/10?seed=-7", "/bytes/5?SEED=1",
                   "/bytes/200000?seed=1", "/bytes/0"):
        yield Case("GET", target)
    yield Case("GET", "/stream-bytes/300?seed=9&chunk_size=7", streamed=True)
    yield Case("GET", "/stream/3", compare=json_lines, streamed=True)
    yield Case("GET", "/stream/1000", compare=json_lines, streamed=True)
    for ranged in ([], [("Range", "bytes=10-20")], [("Range", "bytes=-5")], [("Range", "bytes=95-")],
                   [("Range", "bytes=0-99")], [("Range", "bytes=0-10,20-30")], [("Range", "bytes=100-200")],
                   [("Range", "bytes=50-40")], [("Range", "items=0-1")]):
        yield Case("GET", "/range/100", ranged)
    for target in ("/range/0", "/range/102401", "/range/26?duration=0.1"):
        yield Case("GET", target)
    for target in ("/drip?duration=0&numbytes=5", "/drip?duration=0.2&numbytes=3&code=404",
                   "/drip?numbytes=0&duration=0", "/drip?duration=0&numbytes=4&delay=0.1"):
        yield Case("GET", target)
    for target in ("/bytes/5?seed=x", "/drip?numbytes=x", "/drip?duration=x"):
        yield Case("GET", target, compare="status")
    # Digest challenges: the same fields and cookies, the nonce and opaque random on both sides.
    for target in ("/digest-auth/auth/user/passwd", "/digest-auth/auth-int/user/passwd/SHA-256",
                   "/digest-auth/bad/user/passwd/SHA-512/3", "/digest-auth/auth/user/passwd/MD4"):
        yield Case("GET", target, compare=challenge)
    yield Case("GET", "/digest-auth/auth/user/passwd", [("Authorization", 'Digest username="user"')],
               compare=challenge)
    yield Case("GET", "/digest-auth/auth/user", compare="status")
    # /status/<codes> stays teapot's (its bodies and fields are its own); httpbin's codes and
    # weighted syntax answer the same statuses.
    for method, target in (("GET", "/status/200"), ("POST", "/status/201"), ("PUT", "/status/404"),
                           ("GET", "/status/200:1,503:0"), ("DELETE", "/status/500,500"), ("PATCH", "/status/204")):
        yield Case(method, target, compare="status")
    # Generated documents.
    for target in ("/robots.txt", "/deny", "/links/3", "/links/3/1", "/links/0/0", "/links/300/5", "/links/007",
                   "/links/5/99", "/links/100000000000000000000"):
        yield Case("GET", target)
    yield Case("GET", "/links/x", compare="status")
    for target in ("/html", "/xml"):
        yield Case("GET", target)
    # Images: teapot's own drawing, chosen as httpbin chooses (its 406 byte for byte). httpbin
    # answers "*/*" with 406 and ignores q (docs/httpbin.md): those Accepts are teapot's tests'.
    for kind in ("png", "jpeg", "webp", "svg"):
        yield Case("GET", f"/image/{kind}", compare="type")
    yield Case("GET", "/image/gif", compare="status")
    for accept in ("image/webp", "image/svg+xml", "image/jpeg", "image/png", "image/*", "IMAGE/JPEG",
                   "image/webp,image/png", "image/jpeg, image/png", "image/png,image/*;q=0.8",
                   "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"):
        yield Case("GET", "/image", [("Accept", accept)], compare="type")
    for accept in ("text/html", "application/json, text/plain", "image/gif"):
        yield Case("GET", "/image", [("Accept", accept)])
    yield Case("GET", "/forms/post", compare=form_fields)
    # multipart/form-data: fields to form, files (the first of a name) to files, as Werkzeug reads them.
    def multipart(boundary, *parts, end="--", br="\r\n", preamble=""):
        body = preamble
        for headers, content in parts:
            body += f"--{boundary}{br}" + "".join(h + br for h in headers) + br + content + br
        return (body + f"--{boundary}{end}{br}").encode("latin-1")
    form_data = lambda b: [("Content-Type", f"multipart/form-data; boundary={b}")]
    field_part = lambda name, value: ([f'Content-Disposition: form-data; name="{name}"'], value)
    file_part = lambda name, filename, value, ctype=None: (
        [f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'] +
        ([f"Content-Type: {ctype}"] if ctype else []), value)
    yield Case("POST", "/post", form_data("XyZ"), multipart(
        "XyZ", field_part("a", "1"), field_part("a", "2"), field_part("b", "\u00e9".encode().decode("latin-1")),
        file_part("f", "x.txt", "hello", "text/plain"), file_part("f", "y.txt", "second"),
        file_part("g", "b.bin", "\xff\x00", "application/x-thing"), file_part("h", "", "no file name")))
    yield Case("POST", "/anything", [("Content-Type", 'multipart/form-data; boundary="q b"')], multipart(
        "q b", field_part("k", "line one\r\nline two"), br="\n", preamble="ignored preamble\r\n"))
    yield Case("PUT", "/put", form_data("B"), multipart("B", (["Content-Type: text/plain"], "no disposition")))
    yield Case("POST", "/post", form_data("B"), multipart("B", field_part("a", "1"))[:-8])  # never closed
    yield Case("POST", "/post", form_data("B"), b"--B--\r\n")  # no part at all
    yield Case("POST", "/post", [("Content-Type", "multipart/form-data")], multipart("B", field_part("a", "1")))
    # httpbin's errors: a count that is not a number is not routed (404); 0 and a status_code
    # that is not a number fail its assertions (500).
    for target in ("/redirect/abc", "/redirect/-1", "/redirect/0", "/absolute-redirect/0", "/relative-redirect/x",
                   "/redirect-to", "/redirect-to?url=/a&status_code=abc"):
        yield Case("GET", target, compare="status")


def main():
    teapot, teapot_port = start([sys.argv[1], "--port", "0", "--no-admin", "--quiet"],
                                r"listening on http://[^ ]*:(\d+)", "teapot")
    httpbin, httpbin_port = start(["/usr/bin/python3", "-m", "gunicorn", "-b", "127.0.0.1:0", "--error-logfile", "-",
                                   "httpbin:app"], r"Listening at: http://[^ ]*:(\d+)", "httpbin")
    failures = []
    count = 0
    try:
        for case in cases():
            count += 1
            differences = compare(case, send(httpbin_port, case), send(teapot_port, case))
            if differences:
                failures.append(f"{case}\n  " + "\n  ".join(differences))
    finally:
        for proc in (teapot, httpbin):
            proc.terminate()
            proc.wait(timeout=10)
    if failures:
        print(f"{len(failures)} of {count} cases differ from httpbin 0.7.0:\n" + "\n".join(failures))
        sys.exit(1)
    print(f"{count} cases: teapot answers as httpbin 0.7.0 does")


if __name__ == "__main__":
    main()
