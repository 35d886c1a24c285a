#!/usr/bin/env python3
"""Soak test for teapot: a mixed workload for a fixed time, then a verdict.

Starts the given teapot binary on an ephemeral port with scenarios in a temporary
folder, runs bounded request loops from a few threads until the duration is over
(/status for every code, scenario sequences with sessions checked exactly, faults,
delays, admin calls), with hostile loops beside them (bodies at the limit, binary
bodies, bodies left half-sent, many fields, large trailers, endless chunk extensions, waiters that leave,
posted scenarios with aliases, client-chosen quota keys, journal listings read as
strict UTF-8), rewrites and reloads the scenarios every few seconds (inotify,
SIGHUP and the admin API), samples the server's RSS into a CSV, and exits 1 on a
crash, a malformed or unexpected response, a count that does not match, or RSS
growth after warm-up beyond the tolerance. Standard library only.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

STATUS_LINE = re.compile(rb"HTTP/1\.1 ([1-5][0-9][0-9]) ([\t -~\x80-\xff]*)")
FIELD_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*((?:[!-~\x80-\xff](?:[ \t]*[!-~\x80-\xff])*)?)[ \t]*")


class Malformed(Exception):
    """A response that is not what HTTP, or teapot's documentation, says it is."""


class Response:
    def __init__(self, status, reason, fields, body, interim):
        self.status, self.reason, self.fields, self.body, self.interim = status, reason, fields, body, interim

    def header(self, name):
        for n, v in self.fields:
            if n.lower() == name.lower():
                return v
        return None

    def count(self, name):
        return sum(1 for n, _ in self.fields if n.lower() == name.lower())


class Connection:
    """One client connection; responses parsed strictly, by hand, interim ones included."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method, target, headers=(), body=b""):
        lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]  # the admin API answers a loopback Host only
        lines += [f"{n}: {v}" for n, v in headers]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return self.read_response(head_request=method == "HEAD")

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self):
        while b"\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise Malformed("a line longer than 64 KiB")
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _head(self):
        m = STATUS_LINE.fullmatch(self._line())
        if not m:
            raise Malformed("bad status line")
        fields = []
        while True:
            line = self._line()
            if not line:
                break
            f = FIELD_LINE.fullmatch(line)
            if not f:
                raise Malformed(f"bad field line {line[:80]!r}")
            fields.append((f.group(1).decode(), f.group(2).decode("latin-1")))
        return int(m.group(1)), m.group(2).decode("latin-1"), fields

    def read_response(self, head_request=False):
        interim = []
        while True:
            status, reason, fields = self._head()
            r = Response(status, reason, fields, b"", interim)
            if 100 <= status < 200 and status != 101:
                # RFC 9110 §15.2: an interim response ends at its header section.
                if r.header("Content-Length") is not None or r.header("Transfer-Encoding") is not None:
                    raise Malformed(f"interim {status} with framing fields")
                interim.append(status)
                continue
            break
        if r.count("Date") != 1 or not (r.header("Server") or "").startswith("teapot/"):
            raise Malformed(f"{status}: Date or Server missing")
        if r.count("Content-Length") > 1:
            raise Malformed(f"{status}: two Content-Length fields")
        length = r.header("Content-Length")
        if status in (204, 304) or 100 <= status < 200:
            if length is not None and status != 304:
                raise Malformed(f"{status} with a Content-Length")
            return r
        if r.header("Transfer-Encoding") is not None:
            raise Malformed(f"{status}: Transfer-Encoding on a teapot response")
        if length is None:
            raise Malformed(f"{status}: no Content-Length")
        if not length.isdigit():
            raise Malformed(f"{status}: Content-Length {length!r}")
        if not head_request:
            r.body = self._take(int(length))
        return r

    def read_to_end(self, timeout=5.0):
        """Everything until the peer ends the connection: (bytes, 'fin' | 'rst' | 'timeout')."""
        out, self.buf = self.buf, b""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return out, "fin"
                out += data
        except ConnectionResetError:
            return out, "rst"
        except socket.timeout:
            return out, "timeout"


SCENARIO = """\
name: soak
isolate_by: header X-Soak-Session
routes:
  - id: flaky
    match: {{ method: GET, path: /soak/flaky }}
    steps:
      - {{ status: 503, headers: {{ Retry-After: "0" }}, times: 2 }}
      - {{ status: 200, json: {{ ok: true }} }}
    then: loop
  - id: item
    match: {{ method: GET, path: "/soak/items/{{id}}" }}
    steps:
      - {{ status: 200, template: true, body: "item {{{{request.path.id}}}} of {{{{session}}}}" }}
  - id: banner
    match: {{ path: /soak/banner }}
    steps:
      - {{ status: 200, body: "generation {generation}" }}
"""

CHURN = """\
name: soak-churn
routes:
  - id: churn-{generation}
    match: {{ path: /soak/churn }}
    steps:
      - {{ status: 200, headers: {{ X-Generation: "{generation}" }}, body: "{padding}" }}
"""

POSTED = """\
name: soak-posted
routes:
  - id: posted
    match: {{ path: /soak/posted }}
    steps:
      - {{ status: 202, body: "posted {generation}" }}
"""

# Posted again and again by the hostile loops under a few names: anchors and aliases
# (each alias resolves to the whole list, metered as resolved by the loader), and a
# limit whose keys are whatever the client sends.
HOSTILE_POSTED = """\
name: hostile-{slot}
routes:
  - id: limited
    match: {{ path: /hostile/{slot}/limited }}
    limit: {{ requests: 2, per: 1m, key: header X-Key }}
    steps:
      - {{ status: 200, json: {{ words: &words [{words}], again: *words, once_more: *words }}, times: forever }}
"""


class Soak:
    def __init__(self, args):
        self.args = args
        self.deadline = 0.0
        self.lock = threading.Lock()
        self.requests = 0
        self.by_kind = {}
        self.errors = []
        self.error_count = 0
        self.sessions_verified = 0
        self.reloads = 0
        self.codes = []
        self.code_cursor = 0
        self.samples = []  # (elapsed s, rss KiB, fds, threads, requests, load1)
        self.crashed = None
        self.stop = threading.Event()

    # ------------------------------------------------------------ bookkeeping

    def count(self, kind, n):
        with self.lock:
            self.requests += n
            self.by_kind[kind] = self.by_kind.get(kind, 0) + n

    def error(self, kind, message):
        with self.lock:
            self.error_count += 1
            if len(self.errors) < 30:
                self.errors.append(f"{time.monotonic() - self.started:.1f}s {kind}: {message}")

    def next_codes(self, n):
        with self.lock:
            out = [self.codes[(self.code_cursor + i) % len(self.codes)] for i in range(n)]
            self.code_cursor += n
            return out

    # ------------------------------------------------------------ server

    def write_scenarios(self, generation):
        for name, text in (("soak.yaml", SCENARIO), ("churn.yaml", CHURN)):
            content = text.format(generation=generation, padding="x" * (generation % 50 * 100))
            tmp = os.path.join(self.dir, "." + name + ".tmp")  # not *.yaml: never loaded half-written
            with open(tmp, "w") as f:
                f.write(content)
            os.replace(tmp, os.path.join(self.dir, name))

    def start_server(self):
        self.dir = tempfile.mkdtemp(prefix="teapot-soak-")
        self.write_scenarios(0)
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        # Two I/O threads whatever the default: sessions on both share the journal, the
        # scenarios and the counters, which is what a soak must exercise.
        cmd = [self.args.binary, "--port", "0", "--scenarios", self.dir, "--quiet", "--seed", "7",
               "--max-delay", "5s", "--threads", "2"] + self.args.server_arg
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"teapot listening on http://127\.0\.0\.1:(\d+)\n", line)
        if not m:
            raise SystemExit(f"teapot did not start: {line!r}")
        self.port = int(m.group(1))
        c = Connection(self.port)
        self.codes = [entry["code"] for entry in json.loads(c.request("GET", "/codes").body)]
        c.close()

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    # ------------------------------------------------------------ workloads

    def status_codes(self, rng):
        """/status/<code> for the next codes of the catalogue, on one keep-alive connection."""
        c = Connection(self.port)
        n = 0
        try:
            for code in self.next_codes(8):
                method = "HEAD" if rng.random() < 0.1 and code not in (444, 101) else "GET"
                if code == 444:
                    c.send(b"GET /status/444 HTTP/1.1\r\nHost: soak.test\r\n\r\n")
                    data, how = c.read_to_end()
                    n += 1
                    if data or how != "fin":
                        raise Malformed(f"444: {len(data)} bytes, then {how}")
                    c.close()
                    c = Connection(self.port)
                    continue
                r = c.request(method, f"/status/{code}")
                n += 1
                expected = {100: 200, 102: 200, 103: 200, 101: 426}.get(code, code)
                if r.status != expected:
                    raise Malformed(f"/status/{code}: {r.status}")
                if code in (100, 102, 103) and r.interim != [code]:
                    raise Malformed(f"/status/{code}: interim {r.interim}")
                if 300 <= code < 400 and code not in (304, 306) and not r.header("Location"):
                    raise Malformed(f"/status/{code}: no Location")
                if code in (429, 503) and r.header("Retry-After") != "1":
                    raise Malformed(f"/status/{code}: Retry-After {r.header('Retry-After')}")
                if code == 401 and not r.header("WWW-Authenticate"):
                    raise Malformed("/status/401: no WWW-Authenticate")
                if method == "GET" and code not in (204, 205, 304) and not r.body:
                    raise Malformed(f"/status/{code}: no body")
                if code == 408 or r.header("Connection") == "close":
                    data, how = c.read_to_end()
                    if data or how != "fin":
                        raise Malformed(f"/status/{code}: {len(data)} bytes after, then {how}")
                    c.close()
                    c = Connection(self.port)
        finally:
            c.close()
            self.count("status", n)

    def scenario_session(self, rng, worker, serial):
        """A session's sequence: every status as scripted, then the journal and verify agree exactly."""
        session = f"w{worker}-{serial}"
        wanted = rng.randint(3, 9)
        c = Connection(self.port)
        n = 0
        try:
            for i in range(wanted):
                r = c.request("GET", "/soak/flaky", [("X-Soak-Session", session)])
                n += 1
                expected = (503, 503, 200)[i % 3]
                if r.status != expected:
                    raise Malformed(f"session {session} request {i + 1}: {r.status}, expected {expected}")
                if expected == 503 and r.header("Retry-After") != "0":
                    raise Malformed(f"session {session}: Retry-After {r.header('Retry-After')}")
            item = rng.randint(1, 10**6)
            r = c.request("GET", f"/soak/items/{item}", [("X-Soak-Session", session)])
            n += 1
            if r.status != 200 or r.body != f"item {item} of {session}".encode():
                raise Malformed(f"item {item}: {r.status} {r.body[:60]!r}")
            r = c.request("GET", f"/__teapot/requests?session={session}&route=flaky")
            n += 1
            got = len(json.loads(r.body)["requests"])
            if got != wanted:
                raise Malformed(f"session {session}: the journal has {got} requests, {wanted} were sent")
            rules = json.dumps([{"route": "flaky", "count": wanted}, {"route": "item", "count": 1}]).encode()
            r = c.request("POST", f"/__teapot/verify?session={session}&scenario=soak",
                          [("Content-Type", "application/json")], rules)
            n += 1
            if r.status != 200 or json.loads(r.body)["verdict"] != "pass":
                raise Malformed(f"session {session}: verify {r.status} {r.body[:200]!r}")
            with self.lock:
                self.sessions_verified += 1
        finally:
            c.close()
            self.count("scenario", n)

    def fault(self, rng):
        """One fault, on its own connection, ending as docs/faults.md says."""
        name = rng.choice(["reset", "close", "truncate:10B", "garbage:16B"])
        c = Connection(self.port)
        try:
            c.send(f"GET /status/200?fault={name} HTTP/1.1\r\nHost: soak.test\r\n\r\n".encode())
            data, how = c.read_to_end()
            if name == "reset" and (data or how != "rst"):
                raise Malformed(f"reset: {len(data)} bytes, then {how}")
            if name == "close" and (data or how != "fin"):
                raise Malformed(f"close: {len(data)} bytes, then {how}")
            if name == "garbage:16B" and (len(data) != 16 or data.startswith(b"H") or how != "fin"):
                raise Malformed(f"garbage: {len(data)} bytes {data[:4]!r}, then {how}")
            if name == "truncate:10B":
                head, _, body = data.partition(b"\r\n\r\n")
                length = re.search(rb"\r\nContent-Length: (\d+)", head)
                if not head.startswith(b"HTTP/1.1 200 ") or not length or int(length.group(1)) <= 10 \
                        or len(body) != 10 or how != "fin":
                    raise Malformed(f"truncate: {data[:40]!r}..., {len(body)} body bytes, then {how}")
        finally:
            c.close()
            self.count("fault", 1)

    def delay(self, rng):
        """A delayed answer: never sooner than asked."""
        ms = rng.randint(5, 80)
        target = rng.choice([f"/status/200?delay={ms}ms", f"/status/503?delay=uniform:{ms}ms,{ms + 20}ms"])
        c = Connection(self.port)
        try:
            started = time.monotonic()
            r = c.request("GET", target)
            elapsed = (time.monotonic() - started) * 1000
            if r.status != int(target[8:11]) or elapsed < ms:
                raise Malformed(f"{target}: {r.status} after {elapsed:.1f} ms")
        finally:
            c.close()
            self.count("delay", 1)

    def admin(self, rng):
        c = Connection(self.port)
        n = 0
        try:
            for target, check in (("/__teapot/health", lambda b: json.loads(b)["status"] == "ready"),
                                  ("/__teapot/metrics", lambda b: b"teapot_requests_total" in b),
                                  ("/__teapot/scenarios", lambda b: "soak" in [s["name"] for s in json.loads(b)["scenarios"]]),
                                  ("/__teapot/requests?since=18446744073709551615", lambda b: json.loads(b)["requests"] == [])):
                if rng.random() < 0.5:
                    continue
                r = c.request("GET", target)
                n += 1
                if r.status != 200 or not check(r.body):
                    raise Malformed(f"{target}: {r.status} {r.body[:120]!r}")
        finally:
            c.close()
            self.count("admin", n)

    # ------------------------------------------------------------ hostile loops

    def expect(self, what, r, *statuses):
        if r.status not in statuses:
            raise Malformed(f"{what}: {r.status}, expected {statuses}: {r.body[:160]!r}")

    def hostile(self, rng):
        """One hostile request (or a few), each with the status docs/reliability.md promises."""
        kind = rng.choice(["big-body", "binary-body", "many-fields", "trailers", "trailers-over", "body-left", "chunk-ext",
                           "waiter-leaves", "post-scenario", "quota-keys", "listing"])
        c = Connection(self.port)
        n = 1
        try:
            if kind == "big-body":  # at the body limit, and one byte past it
                size = 1024 * 1024 + (1 if rng.random() < 0.3 else 0)
                r = c.request("POST", "/status/200", [("Content-Type", "application/octet-stream")],
                              rng.randbytes(size))
                self.expect(kind, r, 413 if size > 1024 * 1024 else 200)
            elif kind == "binary-body":  # random bytes, and an obs-text (latin-1) byte in a field
                body = rng.randbytes(rng.randint(1, 4096))
                c.send(b"PUT /status/201 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Latin-1: caf\xe9\r\nContent-Length: %d\r\n\r\n"
                       % len(body) + body)
                self.expect(kind, c.read_response(), 201)
            elif kind == "many-fields":  # within --max-header-fields (100, Host one of them), then 700: 431
                many = rng.random() < 0.5
                r = c.request("GET", "/status/204", [(f"X-F{i}", "v") for i in range(700 if many else 99)])
                self.expect(kind, r, 431 if many else 204)
            elif kind in ("trailers", "trailers-over"):
                fields = 8 if kind == "trailers" else 12  # 8 x 1.5 KB fit in 16 KiB; 12 x 1.5 KB do not
                trailer = b"".join(b"X-T%d: %s\r\n" % (i, b"t" * 1500) for i in range(fields))
                c.send(b"POST /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"5\r\nhello\r\n0\r\n" + trailer + b"\r\n")
                self.expect(kind, c.read_response(), 200 if kind == "trailers" else 431)
            elif kind == "body-left":  # half a body, then gone: its charge to --max-body-memory comes back
                c.send(b"POST /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\n\r\n"
                       + rng.randbytes(524288))
                time.sleep(rng.uniform(0.01, 0.2))
            elif kind == "chunk-ext":  # an extension that never ends: refused at the read buffer's bound
                c.send(b"POST /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1;"
                       + b"e" * 65536)
                self.expect(kind, c.read_response(), 400)
            elif kind == "waiter-leaves":  # a long-poll whose client goes away
                c.send(b"GET /__teapot/wait?path=/never&timeout=5s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                time.sleep(rng.uniform(0.01, 0.2))
            elif kind == "post-scenario":
                words = ", ".join(f"w{rng.randint(0, 10**9)}" for _ in range(rng.randint(100, 2000)))
                r = c.request("POST", "/__teapot/scenarios", [("Content-Type", "application/yaml")],
                              HOSTILE_POSTED.format(slot=rng.randint(0, 19), words=words).encode())
                self.expect(kind, r, 200, 201, 507)  # 507: the budget of loaded scenarios is spent
            elif kind == "quota-keys":  # client-chosen keys, long ones: a window each, within one budget
                for _ in range(20):
                    key = rng.randbytes(rng.randint(16, 1024)).hex()
                    r = c.request("GET", f"/hostile/{rng.randint(0, 19)}/limited", [("X-Key", key)])
                    # 404: that slot is not posted yet; 503: the quota windows' budget is spent
                    self.expect(kind, r, 200, 404, 429, 503)
                n = 20
            else:  # a page of the journal, read as strict clients read it: UTF-8 JSON
                r = c.request("GET", "/__teapot/requests?limit=50")
                self.expect(kind, r, 200)
                json.loads(r.body)  # bytes: json.loads refuses invalid UTF-8
        finally:
            c.close()
            self.count("hostile", n)

    def hostile_worker(self, index):
        rng = random.Random(1000 + index)
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            try:
                self.hostile(rng)
            except (Malformed, OSError, EOFError, ValueError, KeyError) as e:
                self.error("hostile", f"{type(e).__name__}: {e}")

    # ------------------------------------------------------------ loops

    def worker(self, index):
        rng = random.Random(index)
        serial = 0
        kinds = ["status", "scenario", "fault", "delay", "admin"]
        weights = [35, 30, 10, 10, 15]
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            kind = rng.choices(kinds, weights)[0]
            try:
                if kind == "status":
                    self.status_codes(rng)
                elif kind == "scenario":
                    serial += 1
                    self.scenario_session(rng, index, serial)
                elif kind == "fault":
                    self.fault(rng)
                elif kind == "delay":
                    self.delay(rng)
                else:
                    self.admin(rng)
            except (Malformed, OSError, EOFError, ValueError, KeyError) as e:
                self.error(kind, f"{type(e).__name__}: {e}")

    def reloader(self):
        generation = 0
        while not self.stop.wait(self.args.reload_every):
            generation += 1
            try:
                self.write_scenarios(generation)  # inotify reloads the folder...
                if generation % 2 == 0:
                    os.kill(self.proc.pid, signal.SIGHUP)  # ...and SIGHUP once more, every other time
                if generation % 3 == 0:
                    c = Connection(self.port)
                    r = c.request("POST", "/__teapot/scenarios", [("Content-Type", "application/yaml")],
                                  POSTED.format(generation=generation).encode())
                    c.close()
                    if r.status not in (200, 201):
                        raise Malformed(f"POST /__teapot/scenarios: {r.status} {r.body[:200]!r}")
                # The edit is served within a few seconds, or the reload failed.
                want = f"generation {generation}".encode()
                for _ in range(100):
                    c = Connection(self.port)
                    body = c.request("GET", "/soak/banner").body
                    c.close()
                    if body == want:
                        break
                    time.sleep(0.05)
                else:
                    raise Malformed(f"reload {generation} not served: {body!r}")
                self.count("reload", 1)
                with self.lock:
                    self.reloads += 1
            except (Malformed, OSError, EOFError) as e:
                self.error("reload", f"{type(e).__name__}: {e}")

    def sampler(self, csv):
        csv.write("elapsed_s,rss_kib,fds,threads,requests,load1\n")
        while True:
            code = self.proc.poll()
            if code is not None:
                self.crashed = code
                self.stop.set()
                return
            try:
                rss = self.rss_kib()
                fds = len(os.listdir(f"/proc/{self.proc.pid}/fd"))
                threads = len(os.listdir(f"/proc/{self.proc.pid}/task"))
            except OSError:
                continue
            load1 = float(open("/proc/loadavg").read().split()[0])
            elapsed = time.monotonic() - self.started
            with self.lock:
                requests = self.requests
            self.samples.append((elapsed, rss, fds, threads, requests, load1))
            csv.write(f"{elapsed:.1f},{rss},{fds},{threads},{requests},{load1}\n")
            csv.flush()
            if self.stop.wait(self.args.sample_every):
                return

    def run(self):
        self.start_server()
        self.started = time.monotonic()
        self.deadline = self.started + self.args.duration
        csv = open(self.args.csv, "w")
        threads = [threading.Thread(target=self.worker, args=(i,)) for i in range(self.args.workers)]
        threads += [threading.Thread(target=self.hostile_worker, args=(i,)) for i in range(self.args.hostile)]
        threads.append(threading.Thread(target=self.reloader))
        sampler = threading.Thread(target=self.sampler, args=(csv,))
        sampler.start()
        for t in threads:
            t.start()
        for t in threads[:-1]:
            t.join()
        self.stop.set()
        threads[-1].join()
        sampler.join()
        csv.close()
        self.elapsed = time.monotonic() - self.started
        if self.crashed is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.exit_code = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.exit_code = "did not stop within 15 s of SIGTERM"
        else:
            self.exit_code = self.crashed
        return self.report()

    # ------------------------------------------------------------ verdict

    def report(self):
        a = self.args
        warm = max(a.warmup, 0.0)
        after = [s for s in self.samples if s[0] >= warm]
        rss = [s[1] / 1024 for s in after]
        failures = []
        if self.crashed is not None:
            failures.append(f"teapot exited during the run with {self.crashed}")
        elif self.exit_code != 0:
            failures.append(f"teapot's exit on SIGTERM: {self.exit_code}")
        if self.error_count:
            failures.append(f"{self.error_count} errors")
        if self.reloads == 0:
            failures.append("no reload was served")
        lines = [
            f"duration {self.elapsed:.0f} s, {a.workers} workers and {a.hostile} hostile ones, "
            f"reload every {a.reload_every:g} s, "
            f"RSS sampled every {a.sample_every:g} s into {a.csv}",
            f"requests {self.requests} ({self.requests / self.elapsed:.0f}/s): "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())),
            f"sessions verified exactly: {self.sessions_verified}; reloads served: {self.reloads}; errors: {self.error_count}",
        ]
        if len(rss) >= 4:
            window = max(1, len(rss) // 5)
            first, last = statistics.median(rss[:window]), statistics.median(rss[-window:])
            growth = last - first
            allowed = max(first * a.rss_tolerance_pct / 100, a.rss_tolerance_mib)
            xs = [s[0] / 60 for s in after]
            mean_x, mean_y = statistics.fmean(xs), statistics.fmean(rss)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, rss)) / max(
                sum((x - mean_x) ** 2 for x in xs), 1e-9)
            lines.append(
                f"RSS after {warm:g} s of warm-up ({len(rss)} samples): min {min(rss):.1f} MiB, median "
                f"{statistics.median(rss):.1f} MiB, max {max(rss):.1f} MiB; first fifth {first:.1f} MiB, last fifth "
                f"{last:.1f} MiB (growth {growth:+.1f} MiB, allowed {allowed:.1f}); slope {slope * 1024:+.0f} KiB/min")
            if growth > allowed:
                failures.append(f"RSS grew {growth:.1f} MiB after warm-up (allowed {allowed:.1f})")
        else:
            failures.append("too few RSS samples after warm-up")
        if self.samples:
            loads = [s[5] for s in self.samples]
            fds = [s[2] for s in after] or [0]
            lines.append(f"load average (1 min) min {min(loads):.2f}, median {statistics.median(loads):.2f}, "
                         f"max {max(loads):.2f}; open fds after warm-up max {max(fds)}")
        for e in self.errors:
            lines.append("  error: " + e)
        lines.append("PASS" if not failures else "FAIL: " + "; ".join(failures))
        print("\n".join(lines), flush=True)
        self.log.close()
        if failures:
            print(f"(server log and scenarios kept in {self.dir})")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return 0 if not failures else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", required=True, help="the teapot executable")
    p.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    p.add_argument("--workers", type=int, default=8, help="concurrent request loops (default 8)")
    p.add_argument("--hostile", type=int, default=2,
                   help="hostile request loops beside them (default 2; 0: the ordinary load alone)")
    p.add_argument("--warmup", type=float, default=240,
                   help="seconds before RSS must stay flat: the journal (entries and bytes) and the session cap "
                        "fill; with the hostile mix RSS climbed for 180 s (default 240)")
    p.add_argument("--reload-every", type=float, default=10, help="seconds between scenario edits (default 10)")
    p.add_argument("--sample-every", type=float, default=5, help="seconds between RSS samples (default 5)")
    p.add_argument("--rss-tolerance-pct", type=float, default=10,
                   help="allowed growth of RSS, last fifth vs first fifth after warm-up, in percent (default 10)")
    p.add_argument("--rss-tolerance-mib", type=float, default=4,
                   help="... or in MiB, whichever is larger (default 4)")
    p.add_argument("--csv", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "rss.csv"),
                   help="where the RSS samples go (default bench/soak/rss.csv)")
    p.add_argument("server_arg", nargs="*", help="more teapot flags, after --")
    args = p.parse_args()
    sys.exit(Soak(args).run())


if __name__ == "__main__":
    main()
