"""The servers under test: how each is started on a given port, what it
answers on, and how it is stopped. Every process started here is recorded in
STARTED and stopped by PID (with its descendants) by stop_all(), which the
harness calls from a finally block and from its signal handlers."""
import json
import os
import signal
import socket
import ssl
import subprocess
import time

STARTED = []  # every Running not yet stopped

# teapot's own bodies for these codes (text/plain), copied into the other
# servers' configurations so that every server sends about the same bytes.
BODY_418 = "418 I'm a teapot\nThe server refuses to brew coffee because it is, permanently, a teapot.\n"
BODY_200 = "200 OK\nThe request succeeded.\n"
EXPOSE = ("Location, Retry-After, WWW-Authenticate, Proxy-Authenticate, Content-Range, "
          "Accept-Ranges, Allow, Link, ETag, Upgrade, Date, Server")


def free_port():
    """A port the kernel hands out for bind(0), released at once: for servers that
    cannot bind port 0 and say which port they got (teapot can; Server.start
    retries when another process takes the port first)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def children_map():
    """ppid -> [pid] for every process, from /proc/PID/stat."""
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ')'.
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(pid):
    """pid and all its descendants."""
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes(pids):
    """Summed resident set of pids (VmRSS, from statm); vanished ones count 0."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def pss_bytes(pids):
    """Summed proportional set size (Pss, from smaps_rollup): a page shared by
    n processes counts 1/n in each, so the sum is what the tree really holds,
    where a sum of RSS counts shared pages once per process."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
    return total


CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """User and system time of pids so far (utime + stime, in clock ticks of
    10 ms); vanished ones count 0."""
    ticks = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                st = f.read()
            fields = st[st.rindex(")") + 2:].split()
            ticks += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return ticks / CLK


def hwm_bytes(pid):
    """VmHWM, the peak resident set of one process since it started."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Running:
    def __init__(self, server, argv, port, log_path, cwd=None, env=None, ready_line=False, tls_port=None):
        self.server = server
        self.port = port
        self.tls_port = tls_port  # the HTTPS listener's, when the server has one
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.t_exec = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE if ready_line else self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL, cwd=cwd, env=env, start_new_session=True)
        self.pid = self.proc.pid
        STARTED.append(self)
        if ready_line:
            # teapot prints one line per listener once it accepts, plain HTTP's first:
            # "teapot listening on http://HOST:PORT", then "... https://HOST:PORT" with --tls-port.
            for scheme in ("http", "https") if "--tls-port" in argv else ("http",):
                line = self.proc.stdout.readline().decode().strip()
                if not line.startswith(f"teapot listening on {scheme}://"):
                    self.stop()
                    raise RuntimeError(f"{server.name}: no {scheme} ready line (got {line!r}); see {log_path}")
                if scheme == "http":
                    self.port = int(line.rsplit(":", 1)[1])
                else:
                    self.tls_port = int(line.rsplit(":", 1)[1])

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def tls_base(self):
        return f"https://127.0.0.1:{self.tls_port}"

    def alive(self):
        return self.proc.poll() is None

    def pids(self):
        return tree(self.pid) if self.alive() else []

    def stop(self):
        """SIGTERM (SIGINT for gunicorn, whose TERM waits for its workers) to the
        root, a few seconds' grace, then SIGKILL to whatever of the tree is left."""
        if self in STARTED:
            STARTED.remove(self)
        pids = self.pids()
        if self.alive():
            try:
                os.kill(self.pid, self.server.stop_signal)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=8)
            except subprocess.TimeoutExpired:
                pass
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.log.close()


def stop_all():
    for r in list(reversed(STARTED)):
        try:
            r.stop()
        except Exception as e:  # keep stopping the others
            print(f"bench: stopping {r.server.name} (pid {r.pid}) failed: {e}", flush=True)


class Server:
    name = ""
    label = ""
    stop_signal = signal.SIGTERM
    expect_ready = 418
    paths = {"418": "/status/418", "200": "/status/200"}
    delay_path = None  # the 1 s delayed route, None when the server has none

    def __init__(self, workdir):
        self.workdir = workdir

    def argv(self, port, extra=()):
        raise NotImplementedError

    def start(self, port=None, extra=(), tag=""):
        """Starts on port (a free one when None, or when it is taken) and returns
        once it answers /status/418 with 418. These machines are shared: another
        process may take a free port between the check and the server's own
        bind, so a server that exits before it answers is started again on
        another port, up to 5 times."""
        log = os.path.join(self.workdir, f"{self.name}{tag}.log")
        for attempt in range(5):
            if port is None or not port_is_free(port):
                port = free_port()
            r = Running(self, self.argv(port, extra), port, log, env=self.env())
            try:
                r.ready_s = wait_ready(r, self.paths["418"], self.expect_ready, timeout=120)
                return r
            except ServerExited:
                r.stop()
                if attempt == 4:
                    raise
                port = None
            except Exception:
                r.stop()
                raise

    def env(self):
        return None


class Teapot(Server):
    name, label = "teapot", "teapot"

    def __init__(self, workdir, binary, tls=None):
        super().__init__(workdir)
        self.binary = binary
        self.tls = tls  # mint_tls()'s files: HTTPS too, on a port of its own, with that leaf
        self.delay_path = "/status/200?delay=1s"

    def argv(self, port, extra=()):
        tls = ["--tls-port", "0", "--tls-cert", self.tls["cert"], "--tls-key", self.tls["key"]] if self.tls else []
        return [self.binary, "--port", str(port), "--quiet", *tls, *extra]

    def start(self, port=None, extra=(), tag=""):
        if port is not None:
            return super().start(port, extra, tag)
        # Port 0 and the ready line: no race for a port at all.
        log = os.path.join(self.workdir, f"{self.name}{tag}.log")
        r = Running(self, self.argv(0, extra), 0, log, ready_line=True)
        r.ready_s = wait_ready(r, self.paths["418"], 418, timeout=10)
        return r


class Nginx(Server):
    name, label = "nginx", "nginx"
    CONF = """worker_processes {workers};
daemon off;
master_process on;
pid {dir}/nginx.pid;
error_log stderr warn;
worker_rlimit_nofile 20000;
events {{ worker_connections 16384; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # teapot keeps a connection for any number of requests; nginx's default is 1000.
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    default_type "text/plain; charset=utf-8";
    server {{
        listen 127.0.0.1:{port};
        # teapot's headers, so both send about the same bytes per response.
        add_header Vary "Accept, Accept-Language" always;
        add_header Access-Control-Allow-Origin "*" always;
        add_header Access-Control-Expose-Headers "{expose}" always;
        location = /status/418 {{ return 418 "{b418}"; }}
        location = /status/200 {{ return 200 "{b200}"; }}
{tls}    }}
}}
"""
    # HTTPS as teapot serves it: the same leaf and key (mint_tls), TLS 1.2 and 1.3
    # (1.22's default leaves 1.3 out: it came into the default in 1.23.4), session
    # tickets (stateless; the key is made in the master, so both workers take each
    # other's tickets), and OpenSSL's own per-process session cache at its default
    # size for TLS 1.2's session IDs, where teapot keeps OpenSSL's default cache too
    # (a "shared" cache would add nginx's shared-memory store to every full handshake).
    # TLS 1.3's cipher suites and the groups stay OpenSSL's defaults, as teapot's do;
    # ssl_ciphers keeps nginx's default (HIGH:!aNULL:!MD5, TLS 1.2 only), from which the
    # client's preference picks ECDHE-ECDSA-AES256-GCM-SHA384, as it does from teapot's;
    # ssl_prefer_server_ciphers stays off (the client's order, as teapot). No http2 here: wrk and
    # the handshake tool offer no ALPN but http/1.1 (bench/http2 measures HTTP/2, with nginx's http2).
    TLS = """        listen 127.0.0.1:{tls_port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets on;
        ssl_session_cache builtin:20480;
"""

    def __init__(self, workdir, workers="auto", tls=None):
        super().__init__(workdir)
        self.workers = workers  # worker_processes: "auto" (one per core) as users run it
        self.tls = tls  # mint_tls()'s files: HTTPS too, on a port of its own, with that leaf
        self._tls_port = None

    def argv(self, port, extra=()):
        d = os.path.join(self.workdir, f"nginx-{port}")
        os.makedirs(d, exist_ok=True)
        conf = os.path.join(d, "nginx.conf")
        esc = lambda s: s.replace("\n", "\\n").replace('"', '\\"')
        tls = ""
        if self.tls:
            self._tls_port = free_port()
            tls = self.TLS.format(tls_port=self._tls_port, cert=self.tls["cert"], key=self.tls["key"])
        with open(conf, "w") as f:
            f.write(self.CONF.format(workers=self.workers, dir=d, port=port, expose=EXPOSE, b418=esc(BODY_418),
                                     b200=esc(BODY_200), tls=tls))
        return ["nginx", "-p", d, "-e", "stderr", "-c", conf]

    def start(self, port=None, extra=(), tag=""):
        r = super().start(port, extra, tag)
        # A TLS port taken by another process makes nginx exit before it answers: started again on others.
        r.tls_port = self._tls_port if self.tls else None
        return r


class Httpbin(Server):
    name, label = "httpbin", "httpbin (gunicorn)"
    stop_signal = signal.SIGINT  # gunicorn: INT is the quick shutdown, TERM the graceful one
    WORKERS = 2

    def __init__(self, workdir):
        super().__init__(workdir)
        self.delay_path = "/delay/1"

    def argv(self, port, extra=()):
        # Debian's python3-httpbin lives in /usr/bin/python3's dist-packages.
        return ["/usr/bin/python3", "-m", "gunicorn", "-w", str(self.WORKERS), "-k", "sync",
                "-b", f"127.0.0.1:{port}", "httpbin:app"]


class GoHttpbin(Server):
    """go-httpbin v2.13.4, built from ../shared/peers (bench/httpbin builds it). It logs every
    request to its standard output (to a file here) and has no flag to stop it: measured as
    users run it."""
    name, label = "go-httpbin", "go-httpbin"

    def __init__(self, workdir, binary):
        super().__init__(workdir)
        self.binary = binary
        self.delay_path = "/delay/1"

    def argv(self, port, extra=()):
        return [self.binary, "-host", "127.0.0.1", "-port", str(port), *extra]


class Wiremock(Server):
    name, label = "wiremock", "WireMock"

    def __init__(self, workdir, jar):
        super().__init__(workdir)
        self.jar = jar
        self.delay_path = "/delay/1"
        root = os.path.join(workdir, "wiremock")
        os.makedirs(os.path.join(root, "mappings"), exist_ok=True)
        os.makedirs(os.path.join(root, "__files"), exist_ok=True)
        stubs = {
            "418": {"request": {"method": "ANY", "urlPath": "/status/418"},
                    "response": {"status": 418, "body": BODY_418,
                                 "headers": {"Content-Type": "text/plain; charset=utf-8"}}},
            "200": {"request": {"method": "ANY", "urlPath": "/status/200"},
                    "response": {"status": 200, "body": BODY_200,
                                 "headers": {"Content-Type": "text/plain; charset=utf-8"}}},
            "delay": {"request": {"method": "ANY", "urlPath": "/delay/1"},
                      "response": {"status": 200, "body": BODY_200, "fixedDelayMilliseconds": 1000,
                                   "headers": {"Content-Type": "text/plain; charset=utf-8"}}},
        }
        for k, v in stubs.items():
            with open(os.path.join(root, "mappings", f"{k}.json"), "w") as f:
                json.dump(v, f)
        self.root = root

    def argv(self, port, extra=()):
        # No request journal and no per-request logging, WireMock's own advice for
        # load; otherwise its defaults. Its bounded journal, the equivalent of
        # teapot's (--max-request-journal-entries 10000), managed about 1 k
        # requests/s here against 40 k without one; its default journal is
        # unbounded and would grow through the whole run.
        return ["java", "-jar", self.jar, "--port", str(port), "--root-dir", self.root,
                "--disable-banner", "--disable-request-logging", "--no-request-journal"]


def http_get(port, path, headers=(), timeout=5.0):
    """One GET on a fresh connection (Connection: close): (status, body)."""
    req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    req += "".join(f"{h}\r\n" for h in headers) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(req.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length" and len(body) >= int(v):
                        return int(data[9:12]), body
    if not data.startswith(b"HTTP/"):
        raise ConnectionError("no response")
    return int(data[9:12]), data.partition(b"\r\n\r\n")[2]


def https_get(port, path, cafile, headers=(), timeout=5.0):
    """One GET over TLS on a fresh connection, the chain verified against cafile and
    the name localhost (the SNI every TLS client of the harness sends): (status, body)."""
    ctx = ssl.create_default_context(cafile=cafile)
    req = f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n"
    req += "".join(f"{h}\r\n" for h in headers) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(req.encode())
            data = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except ssl.SSLZeroReturnError:
                    break
                if not chunk:
                    break
                data += chunk
    if not data.startswith(b"HTTP/"):
        raise ConnectionError("no response over TLS")
    return int(data[9:12]), data.partition(b"\r\n\r\n")[2]


def mint_tls(workdir):
    """A CA and a leaf for both TLS servers, with the openssl command (teapot itself
    never runs it): EC P-256 keys, SHA-256 signatures and the extensions teapot gives
    the leaf it mints (CA:FALSE, digitalSignature, serverAuth, key identifiers,
    subjectAltName localhost, 127.0.0.1, ::1). teapot serves them with --tls-cert and
    --tls-key, nginx with ssl_certificate and ssl_certificate_key: the same leaf, alone
    (no chain), from the same files. Returns their paths."""
    d = os.path.join(workdir, "tls")
    os.makedirs(d, exist_ok=True)
    f = {k: os.path.join(d, v) for k, v in (("ca", "ca.pem"), ("ca_key", "ca.key"), ("cert", "leaf.pem"),
                                             ("key", "leaf.key"), ("csr", "leaf.csr"), ("ext", "leaf.ext"))}
    with open(f["ext"], "w") as out:
        out.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                  "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n"
                  "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n")
    p256 = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:named_curve"]
    steps = [
        ["openssl", "genpkey", *p256, "-out", f["ca_key"]],
        ["openssl", "req", "-x509", "-new", "-key", f["ca_key"], "-sha256", "-days", "7",
         "-subj", "/CN=teapot bench CA/O=teapot", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", f["ca"]],
        ["openssl", "genpkey", *p256, "-out", f["key"]],
        ["openssl", "req", "-new", "-key", f["key"], "-subj", "/CN=localhost/O=teapot", "-out", f["csr"]],
        ["openssl", "x509", "-req", "-in", f["csr"], "-CA", f["ca"], "-CAkey", f["ca_key"],
         "-set_serial", "0x" + os.urandom(16).hex(), "-sha256", "-days", "7", "-extfile", f["ext"], "-out", f["cert"]],
    ]
    for argv in steps:
        p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{p.stderr}")
    return f


class ServerExited(RuntimeError):
    """The server's process ended before it answered (a lost port, among others)."""


def wait_ready(r, path, status, timeout):
    """Polls until the server answers path with status: a refused connect is
    retried after 0.5 ms, so the time to first correct response is exact to
    about a millisecond. Returns the seconds since the exec."""
    deadline = time.perf_counter() + timeout
    while True:
        if not r.alive():
            raise ServerExited(f"{r.server.name} exited with {r.proc.returncode}; see {r.log_path}")
        try:
            # A short timeout per try: a port taken by another process may accept and never answer.
            got, _ = http_get(r.port, path, timeout=min(2.0, max(0.1, deadline - time.perf_counter())))
            if got == status:
                return time.perf_counter() - r.t_exec
        except OSError:
            pass
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{r.server.name} did not answer {path} with {status} within {timeout} s")
        time.sleep(0.0005)
