#!/usr/bin/python3
"""teapot's benchmark harness (issue 6): measures teapot, nginx, httpbin under
gunicorn and WireMock side by side, in interleaved rounds, and prints a
Markdown table of medians (min-max) with teapot's ratios and the issue's goals.
Started by bench/run, which installs and builds what this needs; see
bench/README.md for the workloads and docs/performance.md for the method."""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers as S  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "report.lua")
TLS_WORKLOADS = ["tls-load", "tls-handshake", "tls-resumed"]
WORKLOADS = ["load", "startup", "burst", "routes", "journal", "negotiation", *TLS_WORKLOADS]
TLS_SERVERS = ("teapot", "nginx")  # the servers that serve HTTPS here
MIB = 1024 * 1024


def log(msg):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ---------------------------------------------------------------- measuring

class RssSampler:
    """Samples the summed VmRSS of a process tree every 10 ms while running:
    the peak of the sum, which VmHWM cannot give for a multi-process server."""

    def __init__(self, running):
        self.pids = running.pids()
        self.root = running.pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, S.rss_bytes(self.pids))
            self._stop.wait(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, S.rss_bytes(self.pids))


class OtherCpu:
    """How much CPU other processes (another build on the machine, say) took
    while a measurement ran, in cores: the machine's busy time from /proc/stat
    less what the measured server's processes, the load generator (a reaped
    child) and this harness used. Kernel accounting is tick-based here, so
    softirq time spent on a process's behalf is charged to that process."""
    CLK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pids):
        self.pids = pids
        self.cores = None

    @staticmethod
    def busy():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:8]]
        return v[0] + v[1] + v[2] + v[5] + v[6]  # user nice system irq softirq

    def ours(self):
        ticks = 0
        for p in self.pids:
            try:
                with open(f"/proc/{p}/stat") as f:
                    st = f.read()
                fields = st[st.rindex(")") + 2:].split()
                ticks += int(fields[11]) + int(fields[12])  # utime stime
            except OSError:
                pass
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            ru = resource.getrusage(who)
            ticks += (ru.ru_utime + ru.ru_stime) * self.CLK
        return ticks

    def __enter__(self):
        self.t0, self.b0, self.o0 = time.monotonic(), self.busy(), self.ours()
        return self

    def __exit__(self, *exc):
        elapsed = time.monotonic() - self.t0
        other = (self.busy() - self.b0) - (self.ours() - self.o0)
        self.cores = max(0.0, other / self.CLK / elapsed)


def listen_drops():
    """The kernel's TcpExt ListenOverflows: SYNs or handshakes dropped because a
    listening socket's accept queue was full (machine-wide; during a burst,
    the burst's)."""
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for head, vals in zip(lines[::2], lines[1::2]):
        if head.startswith("TcpExt:"):
            table = dict(zip(head.split()[1:], vals.split()[1:]))
            return int(table.get("ListenOverflows", 0))
    return 0


WRK_PROCS = []


def wrk(url, connections, seconds, headers=(), script=None, env=None):
    """One wrk -t1 run; its done() hook (report.lua, or a `script` that loads it, with `env`
    added to the environment) prints exact figures."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "2s", "-s", script or LUA]
    for h in headers:
        argv += ["-H", h]
    argv.append(url)
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         env={**os.environ, **env} if env else None)
    WRK_PROCS.append(p)
    try:
        out, _ = p.communicate(timeout=seconds + 30)
    finally:
        WRK_PROCS.remove(p)
    text = out.decode(errors="replace")
    m = re.search(r"^BENCH (\{.*\})$", text, re.M)
    if p.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed on {url}:\n{text}")
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def children_cpu():
    """User and system time of this harness's reaped children (wrk, the clients) so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measure_wrk(running, path, connections, cfg, expect, headers=(), cafile=None, check=None, script=None, env=None):
    """A warm-up run, a check that the path answers expect, then the measured
    run with RSS sampling. Errors: socket errors (connect, read, write,
    timeout) plus answers whose class is not the expected one. wrk counts every
    answer outside 2xx/3xx as a 'status' error: all of them for a 418, none for
    a 200. (A response() hook could check each code, but it makes wrk itself
    the bottleneck.) `check`, when given, makes that request and returns its
    status; `script` and `env` go to wrk(). With cafile, over HTTPS on the server's TLS port, the check
    verifying the chain against that CA. Also records the CPU time the server's
    processes and wrk took during the measured run."""
    url = (running.tls_base if cafile else running.base) + path
    if cfg.warmup > 0:
        wrk(url, connections, cfg.warmup, headers, script, env)
    if check:  # a request other than a GET (bench/lib/httpbin_bench.py's POST): its own check
        status = check()
    elif cafile:
        status, _ = S.https_get(running.tls_port, path, cafile, headers)
    else:
        status, _ = S.http_get(running.port, path, headers)
    if status != expect:
        raise RuntimeError(f"{running.server.name} {url}: {status}, expected {expect}")
    with RssSampler(running) as rss, OtherCpu(rss.pids) as other:
        server0, client0 = S.cpu_seconds(rss.pids), children_cpu()
        r = wrk(url, connections, cfg.duration, headers, script, env)
        r["server_cpu_s"], r["client_cpu_s"] = S.cpu_seconds(rss.pids) - server0, children_cpu() - client0
    r["other_cpu"] = other.cores
    r["server_cpu_us"] = r["server_cpu_s"] * 1e6 / r["requests"] if r["requests"] else None
    r["client_cores"] = r["client_cpu_s"] / (r["duration_us"] / 1e6)
    if not running.alive():
        raise RuntimeError(f"{running.server.name} exited during {path} at {connections} connection(s) "
                           f"(code {running.proc.returncode}); see {running.log_path}")
    wrong = r["requests"] - r["status"] if expect >= 400 else r["status"]
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"] + wrong
    r["peak_rss"] = rss.peak
    if r["errors"]:
        log(f"  {running.server.name} {path} c{connections}: {r['errors']} errors "
            f"(connect {r['connect']}, read {r['read']}, write {r['write']}, timeout {r['timeout']}, "
            f"wrong status class {wrong})")
    return r


def burst(cfg, running, path):
    argv = [cfg.burst, "127.0.0.1", str(running.port), path, str(cfg.burst_count), str(cfg.burst_timeout)]
    drops = listen_drops()
    with RssSampler(running) as rss, OtherCpu(rss.pids) as other:
        out = subprocess.run(argv, capture_output=True, check=True, timeout=cfg.burst_timeout + 60).stdout
    r = json.loads(out)
    r["peak_rss"] = rss.peak
    r["other_cpu"] = other.cores
    r["listen_overflows"] = listen_drops() - drops
    if len(rss.pids) == 1:
        # One process: its VmHWM is exact where 10 ms samples may miss a peak.
        r["peak_rss"] = max(r["peak_rss"], S.hwm_bytes(running.pid))
    return r


def handshakes(cfg, running, mode, seconds):
    """One run of bench-tools/handshake against the server's TLS port (see handshake.cpp)."""
    argv = [cfg.handshake, "127.0.0.1", str(running.tls_port), "/status/418", str(cfg.tls_connections),
            str(seconds), mode, "418"]
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=seconds + 30)
    if p.returncode != 0:
        raise RuntimeError(f"handshake {mode} against {running.server.name} failed:\n{p.stdout}{p.stderr}")
    return json.loads(p.stdout)


def measure_handshakes(running, mode, cfg):
    """tls-handshake (mode full) and tls-resumed (mode resume): a warm-up run, then
    the measured run with RSS sampling and the server's CPU time. Errors: every
    connection that failed, by kind, including one that resumed in full mode or
    did a full handshake in resume mode."""
    if cfg.warmup > 0:
        handshakes(cfg, running, mode, cfg.warmup)
    with RssSampler(running) as rss, OtherCpu(rss.pids) as other:
        server0 = S.cpu_seconds(rss.pids)
        r = handshakes(cfg, running, mode, cfg.duration)
        r["server_cpu_s"] = S.cpu_seconds(rss.pids) - server0
    r["other_cpu"] = other.cores
    if not running.alive():
        raise RuntimeError(f"{running.server.name} exited during the {mode} handshakes "
                           f"(code {running.proc.returncode}); see {running.log_path}")
    r["rps"] = r["rate"]
    r["errors"] = r["failed"]
    r["peak_rss"] = rss.peak
    r["p50_us"], r["p99_us"] = r["answer_p50_ms"] * 1000, r["answer_p99_ms"] * 1000
    r["server_cpu_us"] = r["server_cpu_s"] * 1e6 / r["completed"] if r["completed"] else None
    r["client_cores"] = r["client_cpu_s"] / (r["duration_ms"] / 1000)
    if r["errors"]:
        log(f"  {running.server.name} {mode} handshakes: {r['errors']} failed {r['failures']}, "
            f"statuses {r['statuses']}, first: {r['first_error']}")
    return r


def s_client(port, cafile):
    """What `openssl s_client` negotiates with a server, once: the protocol, the
    cipher suite, the key exchange, the server's signature, and the chain checked
    against the harness's CA for the name localhost."""
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
            "-verify_hostname", "localhost", "-CAfile", cafile, "-verify_return_error", "-brief"]
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    text = p.stdout + p.stderr
    keys = {"Protocol version": "protocol", "Ciphersuite": "cipher", "Server Temp Key": "key_exchange",
            "Signature type": "signature", "Hash used": "hash", "Verification": "verification",
            "Peer certificate": "peer"}
    info = {}
    for line in text.splitlines():
        k, sep, v = line.partition(":")
        if sep and k.strip() in keys:
            info[keys[k.strip()]] = v.strip()
    if p.returncode != 0 or "protocol" not in info:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{text}")
    return info


def rotated(items, r):
    k = r % len(items)
    return items[k:] + items[:k]


# --------------------------------------------------------------- scenarios

def write_scenarios(workdir, routes):
    """A scenario of `routes` routes in the shape of a real API mock: paths
    /api/rNNNN/items (exact) and /api/rNNNN/items/{id} (a capture),
    alternating, GET only, one canned JSON answer each. The measured request,
    GET /api/r0999/items/42, is matched by the last route, so every route
    before it is tried and refused first. The 1-route scenario holds that
    route alone."""
    def route(i):
        path = f"/api/r{i:04d}/items" + ("/{id}" if i % 2 else "")
        return (f"  - id: r{i:04d}\n"
                f"    match: {{ method: GET, path: \"{path}\" }}\n"
                f"    steps:\n"
                f"      - {{ status: 200, json: {{ id: {i}, name: item, ok: true }} }}\n")
    last = routes - 1
    paths = {}
    for n, ids in (("one", [last]), ("many", range(routes))):
        p = os.path.join(workdir, f"routes-{n}.yaml")
        with open(p, "w") as f:
            f.write(f"name: routes-{n}\nroutes:\n" + "".join(route(i) for i in ids))
        paths[n] = p
    return paths, f"/api/r{last:04d}/items/42"


# -------------------------------------------------------------- statistics

def summary(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def fmt_num(v, unit):
    if v is None:
        return "–"
    if unit == "rps":
        return f"{v / 1000:.1f} k"
    if unit == "us":
        return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"
    if unit == "ms":
        return f"{v:.1f} ms" if v < 1000 else f"{v / 1000:.2f} s"
    if unit == "mib":
        return f"{v / MIB:.1f} MiB"
    if unit == "s":
        return f"{v:.2f} s"
    if unit == "count":
        return f"{v:,.0f}"
    return f"{v:.2f}"


def cell(values, unit, flag=False):
    s = summary(values)
    if s is None:
        return "–"
    text = fmt_num(s["median"], unit)
    if s["n"] > 1 and s["min"] != s["max"]:
        text += f" ({fmt_num(s['min'], unit)}–{fmt_num(s['max'], unit)})"
    return text + (" ⚠" if flag else "")


def median_of(values):
    s = summary(values)
    return s["median"] if s else None


# ---------------------------------------------------------------- the run

def main():
    ap = argparse.ArgumentParser(prog="bench/run")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int)
    # wrk takes whole seconds.
    ap.add_argument("--duration", type=int, help="seconds per measured wrk run")
    ap.add_argument("--warmup", type=int, help="seconds of wrk before each measured run (0: none)")
    ap.add_argument("--only", nargs="+", choices=WORKLOADS, metavar="WORKLOAD")
    ap.add_argument("--servers", nargs="+", choices=["teapot", "nginx", "httpbin", "wiremock"])
    ap.add_argument("--teapot", required=True)
    ap.add_argument("--burst", required=True)
    ap.add_argument("--handshake", required=True)
    ap.add_argument("--baseline", help="another teapot binary, measured against --teapot on plain /status/418")
    ap.add_argument("--wiremock-jar")
    ap.add_argument("--results", required=True)
    ap.add_argument("--command", default="bash bench/run")
    ap.add_argument("--revision", default="")
    cfg = ap.parse_args()

    quick = cfg.quick
    cfg.rounds = cfg.rounds or (1 if quick else 3)
    cfg.duration = cfg.duration or (1 if quick else 5)
    cfg.warmup = cfg.warmup if cfg.warmup is not None else (0 if quick else 1)
    cfg.workloads = cfg.only or WORKLOADS
    cfg.servers = cfg.servers or (["teapot", "nginx"] if quick else ["teapot", "nginx", "httpbin", "wiremock"])
    cfg.startup_runs = 2 if quick else 3           # per round and server
    cfg.idle_settle = 0.2 if quick else 0.5
    cfg.burst_count = 1000 if quick else 10000
    cfg.burst_timeout = 10 if quick else 30
    cfg.wiremock_warmup = 0 if quick else 15
    cfg.codes = ["418"] if quick else ["418", "200"]
    cfg.connections = [64, 1]
    cfg.tls_connections = 64

    workdir = tempfile.mkdtemp(prefix="teapot-bench-")
    res = {"started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "loadavg_before": loadavg(), "rounds": [], "config": {}}
    t_start = time.monotonic()

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    classes = {"teapot": lambda: S.Teapot(workdir, cfg.teapot), "nginx": lambda: S.Nginx(workdir),
               "httpbin": lambda: S.Httpbin(workdir), "wiremock": lambda: S.Wiremock(workdir, cfg.wiremock_jar)}
    srv = {name: classes[name]() for name in cfg.servers}
    names = list(srv)
    data = {"load": {}, "startup": {}, "idle_rss": {}, "idle_pss": {}, "burst": {}, "alone": {},
            "tls": {}, "tls_info": {}}
    tls_names = [n for n in names if n in TLS_SERVERS] if any(w in cfg.workloads for w in TLS_WORKLOADS) else []
    if "teapot" in tls_names and "--tls-port" not in subprocess.run(
            [cfg.teapot, "--help"], capture_output=True, text=True).stdout:
        log(f"{cfg.teapot} serves no HTTPS (no --tls-port): the TLS workloads are left out")
        tls_names = []

    try:
        log(f"workdir {workdir}; servers {', '.join(names)}; workloads {', '.join(cfg.workloads)}; "
            f"{cfg.rounds} round(s) of {cfg.duration:g} s runs; load {res['loadavg_before']}")
        running = {}
        alone = {}
        scenario_path = None
        if "load" in cfg.workloads:
            for n in names:
                running[n] = srv[n].start(tag="-load")
                log(f"started {n} (pid {running[n].pid}) on {running[n].base}")
            if "wiremock" in running and cfg.wiremock_warmup:
                log(f"WireMock JIT warm-up, {cfg.wiremock_warmup} s")
                for code in cfg.codes:
                    wrk(running["wiremock"].base + srv["wiremock"].paths[code], 64, cfg.wiremock_warmup // len(cfg.codes))
        tls_running = {}
        certs = None
        if tls_names:
            # One CA and leaf for both servers (EC P-256, SHA-256), each server started
            # again with HTTPS beside plain HTTP, and asked once with openssl s_client.
            certs = S.mint_tls(workdir)
            tls_srv = {"teapot": lambda: S.Teapot(workdir, cfg.teapot, tls=certs),
                       "nginx": lambda: S.Nginx(workdir, tls=certs)}
            for n in tls_names:
                tls_running[n] = tls_srv[n]().start(tag="-tls")
                st, _ = S.https_get(tls_running[n].tls_port, "/status/418", certs["ca"])
                if st != 418:
                    raise RuntimeError(f"{n} over TLS: /status/418 answered {st}")
                info = data["tls_info"][n] = s_client(tls_running[n].tls_port, certs["ca"])
                log(f"started {n} (pid {tls_running[n].pid}) on {tls_running[n].tls_base}: {info['protocol']}, "
                    f"{info['cipher']}, {info.get('key_exchange', '?')}, {info.get('signature', '?')}")
        if (any(w in cfg.workloads for w in ("routes", "journal", "negotiation")) or cfg.baseline) and "teapot" in srv:
            t = srv["teapot"]
            alone["default"] = running.get("teapot") or t.start(tag="-default")
            if cfg.baseline:
                alone["baseline"] = S.Teapot(workdir, cfg.baseline).start(tag="-baseline")
            if "journal" in cfg.workloads:
                alone["journal-off"] = t.start(extra=["--journal-size", "0"], tag="-journal-off")
            if "routes" in cfg.workloads:
                paths, scenario_path = write_scenarios(workdir, 1000)
                alone["routes-1"] = t.start(extra=["--scenarios", paths["one"]], tag="-routes-1")
                alone["routes-1000"] = t.start(extra=["--scenarios", paths["many"]], tag="-routes-1000")
                # Both scenarios answer the measured path alike.
                for k in ("routes-1", "routes-1000"):
                    st, body = S.http_get(alone[k].port, scenario_path)
                    if st != 200 or b'"id":999' not in body.replace(b" ", b""):
                        raise RuntimeError(f"{k}: {scenario_path} answered {st} {body[:80]!r}")

        # teapot alone: each comparison is a pair of runs measured back to back
        # (the order swapped every round), so that both meet the same background.
        variant = {"plain": ("default", "/status/418", ()),
                   "json": ("default", "/status/418", ("Accept: application/json",)),
                   "journal-off": ("journal-off", "/status/418", ()),
                   "route-of-1": ("routes-1", scenario_path, ()),
                   "route-of-1000": ("routes-1000", scenario_path, ()),
                   "builtin-behind-1000": ("routes-1000", "/status/418", ()),
                   "baseline-plain": ("baseline", "/status/418", ())}
        pairs = []
        if "teapot" in srv:
            if "routes" in cfg.workloads:
                pairs += [("route-of-1000", "route-of-1"), ("builtin-behind-1000", "plain")]
            if "journal" in cfg.workloads:
                pairs.append(("plain", "journal-off"))
            if "negotiation" in cfg.workloads:
                pairs.append(("json", "plain"))
            if cfg.baseline:
                pairs.append(("plain", "baseline-plain"))

        for rnd in range(cfg.rounds):
            order = rotated(names, rnd)
            rr = {"round": rnd + 1, "order": order, "loadavg_before": loadavg()}
            log(f"round {rnd + 1}/{cfg.rounds}: order {', '.join(order)}; load {rr['loadavg_before']}")

            if "load" in cfg.workloads:
                for code in cfg.codes:
                    for c in cfg.connections:
                        for n in order:
                            r = measure_wrk(running[n], srv[n].paths[code], c, cfg, int(code))
                            data["load"].setdefault((n, code, c), []).append(r)
                            log(f"  load {n:8} /status/{code} c{c:<2}: {r['rps']:9.0f} req/s, "
                                f"p50 {r['p50_us']} µs, p99 {r['p99_us']} µs, rss {r['peak_rss'] / MIB:.1f} MiB")

            if "startup" in cfg.workloads:
                for n in order:
                    for _ in range(cfg.startup_runs):
                        port = S.free_port()
                        r = srv[n].start(port=port, tag="-startup")
                        t = r.ready_s
                        time.sleep(cfg.idle_settle)
                        idle = S.rss_bytes(r.pids())
                        pss = S.pss_bytes(r.pids())
                        r.stop()
                        data["idle_pss"].setdefault(n, []).append(pss)
                        data["startup"].setdefault(n, []).append(t * 1000)
                        data["idle_rss"].setdefault(n, []).append(idle)
                        log(f"  startup {n:8}: {t * 1000:8.1f} ms to first 418, idle RSS {idle / MIB:.1f} MiB")

            if "burst" in cfg.workloads:
                for n in order:
                    path = srv[n].delay_path
                    if not path:
                        continue
                    r = srv[n].start(tag="-burst")
                    try:
                        if cfg.warmup > 0:
                            wrk(r.base + srv[n].paths["200"], 64, max(cfg.warmup, 3 if n == "wiremock" else 1))
                            time.sleep(0.2)  # lets the warm-up's connections close on the server too
                        b = burst(cfg, r, path)
                    finally:
                        r.stop()
                    data["burst"].setdefault(n, []).append(b)
                    log(f"  burst {n:8}: {b['ok']}/{b['count']} ok in {b['last_done_ms'] / 1000:.2f} s "
                        f"(failures {b['failures']}), connect phase {b['connect_phase_ms']:.0f} ms, "
                        f"peak RSS {b['peak_rss'] / MIB:.1f} MiB")

            for w in [w for w in TLS_WORKLOADS if w in cfg.workloads and tls_running]:
                for n in [n for n in order if n in tls_running]:
                    if w == "tls-load":
                        r = measure_wrk(tls_running[n], "/status/418", cfg.tls_connections, cfg, 418,
                                        cafile=certs["ca"])
                        log(f"  {w} {n:8}: {r['rps']:9.0f} req/s, p50 {r['p50_us']} µs, p99 {r['p99_us']} µs, "
                            f"rss {r['peak_rss'] / MIB:.1f} MiB")
                    else:
                        r = measure_handshakes(tls_running[n], "full" if w == "tls-handshake" else "resume", cfg)
                        log(f"  {w} {n:8}: {r['rps']:9.0f} handshakes/s ({r['full']} full, {r['resumed']} resumed), "
                            f"server CPU {r['server_cpu_us'] or 0:.0f} µs each, client {r['client_cores']:.2f} cores")
                    data["tls"].setdefault((n, w), []).append(r)

            for a, b in rotated(pairs, rnd) if pairs else []:
                got = {}
                for key in ((a, b) if rnd % 2 == 0 else (b, a)):
                    inst, path, headers = variant[key]
                    got[key] = measure_wrk(alone[inst], path, 64, cfg, 418 if path == "/status/418" else 200, headers)
                data["alone"].setdefault((a, b), []).append(got)
                log(f"  teapot {a} / {b}: {got[a]['rps']:.0f} / {got[b]['rps']:.0f} req/s = "
                    f"{got[a]['rps'] / got[b]['rps']:.2f}")

            rr["loadavg_after"] = loadavg()
            res["rounds"].append(rr)
    except KeyboardInterrupt as e:
        log(f"interrupted ({e}): stopping every process started; logs kept in {workdir}")
        return 130
    except Exception:
        log(f"failed: stopping every process started; logs kept in {workdir}")
        raise
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        for p in list(WRK_PROCS):
            p.kill()
            p.wait()
        S.stop_all()
    res["loadavg_after"] = loadavg()
    res["elapsed_s"] = round(time.monotonic() - t_start)

    md = render(cfg, srv, names, data, res)
    print(md)
    if not re.search(r"^\| .* \| \d", md, re.M):
        log("no figures in the report")
        return 1
    os.makedirs(cfg.results, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H%M%S")
    base = os.path.join(cfg.results, f"{stamp}{'-quick' if quick else ''}")
    with open(base + ".md", "w") as f:
        f.write(md)
    with open(base + ".json", "w") as f:
        json.dump({"results": res, "data": {k: {str(kk): vv for kk, vv in v.items()} for k, v in data.items()}},
                  f, indent=1)
    log(f"results: {base}.md (and .json); took {res['elapsed_s']} s")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


# -------------------------------------------------------------- the report

def versions(srv, tls=False):
    def run(argv):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (p.stdout + p.stderr).strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""
    def first(text, pattern):
        m = re.search(pattern, text)
        return m.group(1) if m else "?"
    v = {}
    with open("/proc/cpuinfo") as f:
        v["cpu"] = first(f.read(), r"model name\s*:\s*(.*)")
    v["cores"] = str(os.cpu_count())
    v["kernel"] = platform.release()
    v["teapot"] = run([srv["teapot"].binary, "--version"]).removeprefix("teapot ") if "teapot" in srv else "–"
    v["wrk"] = first(run(["wrk", "-v"]), r"wrk (\S+)")
    if "nginx" in srv:
        v["nginx"] = first(run(["nginx", "-v"]), r"nginx/(\S+)")
    if "httpbin" in srv:
        v["gunicorn"] = first(run(["/usr/bin/python3", "-m", "gunicorn", "--version"]), r"version (\S+?)\)")
        v["httpbin"] = run(["dpkg-query", "-W", "-f=${Version}", "python3-httpbin"]) or "?"
    if "wiremock" in srv:
        v["wiremock"] = first(os.path.basename(srv["wiremock"].jar), r"standalone-(.*)\.jar")
        v["java"] = first(run(["java", "-version"]), r'version "([^"]+)"')
    if tls:
        v["openssl"] = first(run(["openssl", "version"]), r"OpenSSL (\S+)")
    return v


def render(cfg, srv, names, data, res):
    L = []
    label = {n: srv[n].label for n in names}
    L.append(f"# teapot benchmark, {'quick mode' if cfg.quick else 'full run'}")
    L.append("")
    L.append(f"- date: {res['started']}, took {res['elapsed_s']} s")
    L.append(f"- command: `{cfg.command}`" + (f" (teapot at {cfg.revision})" if cfg.revision else ""))
    v = versions(srv, tls=bool(data["tls"]))
    L.append(f"- machine: {v['cores']} cores, {v['cpu']}, Linux {v['kernel']}")
    L.append("- versions: " + ", ".join(f"{k} {v[k]}" for k in
                                         ("teapot", "wrk", "nginx", "gunicorn", "httpbin", "wiremock", "java",
                                          "openssl") if k in v))
    if cfg.baseline:
        version = subprocess.run([cfg.baseline, "--version"], capture_output=True, text=True).stdout.strip()
        L.append(f"- baseline (`--baseline`): {cfg.baseline}, teapot {version.removeprefix('teapot ')}")
    L.append(f"- {cfg.rounds} round(s), servers in rotated order per round; wrk -t1, {cfg.duration:g} s per "
             f"measured run after {cfg.warmup:g} s of warm-up; cells are median (min–max) over rounds")
    loads = "; ".join(f"round {r['round']}: {r['loadavg_before']} → {r['loadavg_after']}" for r in res["rounds"])
    L.append(f"- load average (1, 5, 15 min) before {res['loadavg_before']}, after {res['loadavg_after']}; {loads}")
    L.append("")

    def flagged(runs):
        return any(r.get("errors") for r in runs)

    errors = []
    if data["load"]:
        L.append("## Canned answers (wrk -t1, keep-alive)")
        L.append("")
        L.append("| measure | " + " | ".join(label[n] for n in names) + " |")
        L.append("|---|" + "---|" * len(names))
        for code in cfg.codes:
            for c in cfg.connections:
                rows = [("req/s", "rps", "rps"), ("p50", "p50_us", "us"), ("p99", "p99_us", "us")]
                for title, key, unit in rows:
                    cells = []
                    for n in names:
                        runs = data["load"].get((n, code, c), [])
                        cells.append(cell([r[key] for r in runs], unit, key == "rps" and flagged(runs)))
                        if key == "rps":
                            for r in runs:
                                if r["errors"]:
                                    errors.append(f"{label[n]} /status/{code} at {c} connection(s): "
                                                  f"{r['errors']:,} errors in {r['requests']:,} requests (connect "
                                                  f"{r['connect']}, read {r['read']}, write {r['write']}, timeout "
                                                  f"{r['timeout']}, wrong status class "
                                                  f"{r['errors'] - r['connect'] - r['read'] - r['write'] - r['timeout']})")
                    L.append(f"| `/status/{code}`, {c} conn., {title} | " + " | ".join(cells) + " |")
        cells = [cell([r["peak_rss"] for r in data["load"].get((n, "418", 64), [])], "mib") for n in names]
        L.append("| peak RSS under load (`/status/418`, 64 conn.) | " + " | ".join(cells) + " |")
        L.append("")
    if data["startup"]:
        L.append("## Start-up and idle memory")
        L.append("")
        L.append("| measure | " + " | ".join(label[n] for n in names) + " |")
        L.append("|---|" + "---|" * len(names))
        L.append("| exec to first correct `/status/418` | " +
                 " | ".join(cell(data["startup"].get(n, []), "ms") for n in names) + " |")
        L.append(f"| idle RSS ({cfg.idle_settle:g} s after that answer) | " +
                 " | ".join(cell(data["idle_rss"].get(n, []), "mib") for n in names) + " |")
        L.append("| idle PSS (a page shared by n processes counts 1/n) | " +
                 " | ".join(cell(data["idle_pss"].get(n, []), "mib") for n in names) + " |")
        L.append("")
    if data["burst"]:
        bn = [n for n in names if n in data["burst"]]
        L.append(f"## {cfg.burst_count:,} concurrent requests, each delayed 1 s, one connection each")
        L.append("")
        L.append("| measure | " + " | ".join(label[n] for n in bn) + " |")
        L.append("|---|" + "---|" * len(bn))
        B = data["burst"]
        L.append("| first connect to last answer | " + " | ".join(
            cell([b["last_done_ms"] for b in B[n]], "ms", any(b["failed"] for b in B[n])) for n in bn) + " |")
        L.append("| succeeded | " + " | ".join(cell([b["ok"] for b in B[n]], "count") for n in bn) + " |")
        L.append("| failed (kinds, all rounds) | " + " | ".join(
            (f"{sum(b['failed'] for b in B[n]):,} (" + ", ".join(
                f"{k} {sum(b['failures'].get(k, 0) for b in B[n]):,}"
                for k in sorted({k for b in B[n] for k in b['failures']})) + ")")
            if any(b["failed"] for b in B[n]) else "0" for n in bn) + " |")
        L.append("| each request, sent to answered, p50 | " + " | ".join(
            cell([b["latency_p50_ms"] if b["ok"] else None for b in B[n]], "ms") for n in bn) + " |")
        L.append("| each request, sent to answered, p99 | " + " | ".join(
            cell([b["latency_p99_ms"] if b["ok"] else None for b in B[n]], "ms") for n in bn) + " |")
        L.append("| each request, sent to answered, max | " + " | ".join(
            cell([b["latency_max_ms"] if b["ok"] else None for b in B[n]], "ms") for n in bn) + " |")
        L.append("| handshakes dropped, accept queue full (kernel's ListenOverflows) | " + " | ".join(
            cell([b["listen_overflows"] for b in B[n]], "count") for n in bn) + " |")
        L.append("| client's connect-and-send phase | " + " | ".join(
            cell([b["connect_phase_ms"] for b in B[n]], "ms") for n in bn) + " |")
        L.append("| peak RSS | " + " | ".join(cell([b["peak_rss"] for b in B[n]], "mib") for n in bn) + " |")
        if "nginx" in names:
            L.append("")
            L.append("nginx is left out: it has no delayed answer without extra modules.")
        L.append("")

    # teapot against each other server: ratios of medians.
    others = [n for n in names if n != "teapot"]
    if "teapot" in names and others and (data["load"] or data["startup"] or data["burst"]):
        L.append("## Ratios, teapot / other (of medians; in brackets, the ratios within each round)")
        L.append("")
        L.append("| measure | " + " | ".join(f"teapot / {label[n]}" for n in others) + " |")
        L.append("|---|" + "---|" * len(others))

        def ratio_row(title, get, better, paired=None):
            t = get("teapot")
            cells = []
            for n in others:
                o = get(n)
                text = f"{t / o:.2f} ×" if t is not None and o else "–"
                if paired and len(paired(n)) > 1:
                    text += f" (rounds: {rounds_ratio_text(paired(n))})"
                cells.append(text)
            L.append(f"| {title} ({better}) | " + " | ".join(cells) + " |")
        for code in cfg.codes if data["load"] else []:
            for c in cfg.connections:
                ratio_row(f"`/status/{code}`, {c} conn., req/s",
                          lambda n: median_of([r["rps"] for r in data["load"].get((n, code, c), [])]), "higher is better",
                          lambda n: round_ratios(data["load"], "rps", code, c, n))
                ratio_row(f"`/status/{code}`, {c} conn., p50",
                          lambda n: median_of([r["p50_us"] for r in data["load"].get((n, code, c), [])]), "lower is better",
                          lambda n: round_ratios(data["load"], "p50_us", code, c, n))
        if data["load"]:
            ratio_row("peak RSS under load", lambda n: median_of(
                [r["peak_rss"] for r in data["load"].get((n, "418", 64), [])]), "lower is better")
        if data["startup"]:
            ratio_row("start to first answer", lambda n: median_of(data["startup"].get(n, [])), "lower is better")
            ratio_row("idle RSS", lambda n: median_of(data["idle_rss"].get(n, [])), "lower is better")
        if data["burst"]:
            ratio_row("delayed batch, time", lambda n: median_of(
                [b["last_done_ms"] for b in data["burst"].get(n, [])]), "lower is better")
        L.append("")

    L.extend(render_tls(data, label, errors))

    A = data["alone"]
    titles = {("plain", "baseline-plain"): "this binary / the baseline (`--baseline`), plain `/status/418`",
              ("route-of-1000", "route-of-1"): "1,000-route scenario / 1 route (the last route answers)",
              ("builtin-behind-1000", "plain"): "built-in `/status/418` behind 1,000 routes / no scenario",
              ("plain", "journal-off"): "journal on (10,000) / off",
              ("json", "plain"): "`Accept: application/json` / plain"}
    ratios = {}
    if A:
        L.append("## teapot alone (64 connections, req/s; each pair measured back to back)")
        L.append("")
        L.append("| comparison | measured | baseline | ratio, median of the rounds' (min–max) |")
        L.append("|---|---|---|---|")
        for (a, b), rounds in A.items():
            ra = [g[a]["rps"] for g in rounds]
            rb = [g[b]["rps"] for g in rounds]
            per_round = [x / y for x, y in zip(ra, rb)]
            ratio = statistics.median(per_round)
            ratios[a + "/" + b] = ratio
            rng = f" ({min(per_round):.2f}–{max(per_round):.2f})" if len(per_round) > 1 else ""
            fa = flagged([g[a] for g in rounds])
            fb = flagged([g[b] for g in rounds])
            L.append(f"| {titles[(a, b)]} | {cell(ra, 'rps', fa)} | {cell(rb, 'rps', fb)} | {ratio:.2f} ×{rng} |")
            for g in rounds:
                for k in (a, b):
                    if g[k]["errors"]:
                        errors.append(f"teapot {k}: {g[k]['errors']:,} errors in {g[k]['requests']:,} requests")
        L.append("")

    L.extend(background(data))
    L.extend(goals(cfg, data, ratios))
    if errors:
        L.append("## ⚠ Runs with errors")
        L.append("")
        for e in sorted(set(errors)):
            L.append(f"- {e}")
        L.append("")
    return "\n".join(L)


def render_tls(data, label, errors):
    """The TLS workloads: what each server negotiated, then the figures side by
    side with teapot / nginx (of medians; within each round too, for the rates)."""
    T = data["tls"]
    tn = [n for n in TLS_SERVERS if any(k[0] == n for k in T)]
    if not tn:
        return []
    L = ["## TLS: teapot and nginx with the same EC P-256 leaf", ""]
    info = data["tls_info"]
    L.append("| negotiated | " + " | ".join(label[n] for n in tn) + " |")
    L.append("|---|" + "---|" * len(tn))

    def row(title, values):
        differ = len(set(values)) > 1
        L.append(f"| {title}{' ⚠ the servers differ' if differ else ''} | " + " | ".join(values) + " |")
        if differ:
            errors.append(f"TLS: {title} differs between the servers: " + "; ".join(values))
    for key, title in (("protocol", "protocol"), ("cipher", "cipher suite"), ("key_exchange", "key exchange"),
                       ("signature", "server's signature"), ("hash", "its hash"),
                       ("verification", "chain and name checked against the harness's CA")):
        row(f"`openssl s_client`, once: {title}", [info.get(n, {}).get(key, "?") for n in tn])

    def counts(n, field):
        total = {}
        for (m, w), runs in T.items():
            if m == n and w != "tls-load":
                for r in runs:
                    for k, v in r[field].items():
                        total[k] = total.get(k, 0) + v
        return ", ".join(f"{k} × {v:,}" for k, v in sorted(total.items())) or "–"
    if any(w != "tls-load" for _, w in T):
        for field, title in (("protocols", "protocol"), ("ciphers", "cipher suite"), ("groups", "key exchange group"),
                             ("alpn", "ALPN")):
            L.append(f"| handshake client, every connection: {title} | " +
                     " | ".join(counts(n, field) for n in tn) + " |")
        leaves = []
        for n in tn:
            leaf = next((r["leaf"] for (m, w), runs in T.items() if m == n and w != "tls-load"
                         for r in runs if r.get("leaf")), {})
            leaves.append(f"{leaf.get('key', '?')}, {leaf.get('signed_with', '?')}, SHA-256 "
                          f"{leaf.get('sha256', '?')[:23]}…" if leaf else "–")
        row("the leaf served (key, signature, fingerprint)", leaves)
    L.append("")

    L.append("| measure | " + " | ".join(label[n] for n in tn) + " | teapot / nginx |")
    L.append("|---|" + "---|" * len(tn) + "---|")
    legend = {"tls-load": "`tls-load`: wrk -t1, HTTPS `GET /status/418` on 64 keep-alive connections",
              "tls-handshake": "`tls-handshake`: bench-tools/handshake, a new connection with a full handshake "
                               "for each `GET /status/418` (`Connection: close`), 64 at a time",
              "tls-resumed": "`tls-resumed`: the same, each connection resuming one session by its ticket"}
    for w in TLS_WORKLOADS:
        if not any(k[1] == w for k in T):
            continue
        per, rate = ("request", "req/s") if w == "tls-load" else ("handshake", "handshakes/s")
        lat = "" if w == "tls-load" else "connect to answer, "
        # (title, key, unit, flagged when the run had errors, ratio)
        rows = [(f"{rate} (higher is better)", "rps", "rps", True, True), (f"{lat}p50", "p50_us", "us", False, True),
                (f"{lat}p99", "p99_us", "us", False, True),
                (f"server CPU per {per} (lower is better)", "server_cpu_us", "us", False, True),
                ("client CPU, cores (1.00: the client was the limit)", "client_cores", "cores", False, False),
                ("peak RSS", "peak_rss", "mib", False, True)]
        for title, key, unit, paired, with_ratio in rows:
            cells, meds = [], {}
            for n in tn:
                runs = T.get((n, w), [])
                vals = [r[key] for r in runs]
                meds[n] = median_of(vals)
                cells.append(cell(vals, unit, paired and any(r.get("errors") for r in runs)))
            ratio = "–"
            if with_ratio and meds.get("teapot") is not None and meds.get("nginx"):
                ratio = f"{meds['teapot'] / meds['nginx']:.2f} ×"
                pr = [a[key] / b[key] for a, b in zip(T.get(("teapot", w), []), T.get(("nginx", w), []))
                      if b[key]] if paired else []
                if len(pr) > 1:
                    ratio += f" (rounds: {rounds_ratio_text(pr)})"
            L.append(f"| `{w}`, {title} | " + " | ".join(cells) + f" | {ratio} |")
        for n in tn:
            for r in T.get((n, w), []):
                if not r.get("errors"):
                    continue
                if w == "tls-load":
                    errors.append(f"{label[n]} {w}: {r['errors']:,} errors in {r['requests']:,} requests (connect "
                                  f"{r['connect']}, read {r['read']}, write {r['write']}, timeout {r['timeout']}, "
                                  f"wrong status class "
                                  f"{r['errors'] - r['connect'] - r['read'] - r['write'] - r['timeout']})")
                else:
                    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(r["failures"].items()))
                    errors.append(f"{label[n]} {w}: {r['failed']:,} connections failed ({kinds}) beside "
                                  f"{r['completed']:,} completed; statuses {r['statuses']}; first: {r['first_error']}")
    L.append("")
    L.extend(f"- {legend[w]}" for w in TLS_WORKLOADS if any(k[1] == w for k in T))
    L.append("- server CPU: the user and system time of the server's processes during the run, over the requests or "
             "connections completed; with the client at a whole core, the rates are the client's limit and this is "
             "the figure that compares the servers")
    L.append("")
    return L


def background(data):
    """CPU that other processes took during the measured runs: the noise."""
    groups = {"canned answers": [r for runs in data["load"].values() for r in runs],
              "delayed burst": [b for runs in data["burst"].values() for b in runs],
              "teapot alone": [g[k] for rounds in data["alone"].values() for g in rounds for k in g],
              "TLS": [r for runs in data["tls"].values() for r in runs]}
    rows = []
    for name, runs in groups.items():
        vals = [r["other_cpu"] for r in runs if r.get("other_cpu") is not None]
        if vals:
            busy = sum(1 for v in vals if v > 0.25)
            rows.append(f"| {name} | {len(vals)} | {statistics.median(vals):.2f} | {max(vals):.2f} | {busy} |")
    if not rows:
        return []
    return ["## Background: CPU taken by other processes during the measured runs", "",
            "In cores (of 2), from /proc/stat less the server's, the client's and the harness's own time.", "",
            "| workload | runs | median | max | runs above 0.25 |", "|---|---|---|---|---|", *rows, ""]


def round_ratios(load, key, code, connections, other):
    """teapot / other within each round: a round's drift hits both servers alike, so
    these ratios vary less than the servers' own figures do from round to round."""
    t = load.get(("teapot", code, connections), [])
    o = load.get((other, code, connections), [])
    return [a[key] / b[key] for a, b in zip(t, o) if b[key]]


def rounds_ratio_text(per_round):
    return f"median {statistics.median(per_round):.2f} ×, {min(per_round):.2f}–{max(per_round):.2f}"


def goals(cfg, data, ratios):
    """Issue 6's goals, and issue 16's plain-HTTP one (with --baseline), each judged
    on the medians of this run."""
    rows = []

    def med(xs):
        return median_of(xs)
    ld = data["load"]
    t = lambda key, c: med([r[key] for r in ld.get(("teapot", "418", c), [])])
    n = lambda key, c: med([r[key] for r in ld.get(("nginx", "418", c), [])])
    if t("rps", 64) and n("rps", 64):
        x = t("rps", 64) / n("rps", 64)
        paired = round_ratios(ld, "rps", "418", 64, "nginx")
        also = f" (rounds: {rounds_ratio_text(paired)})" if len(paired) > 1 else ""
        rows.append(("`/status/418`, 64 connections, req/s", "≥ 1.0 × nginx", f"{x:.2f} × nginx{also}", x >= 1.0))
    if t("p50_us", 1) and n("p50_us", 1):
        x = t("p50_us", 1) / n("p50_us", 1)
        rows.append(("`/status/418`, 1 connection, p50", "≤ 1.2 × nginx", f"{x:.2f} × nginx", x <= 1.2))
    st = data["startup"]
    if st.get("teapot") and st.get("nginx"):
        a, b = med(st["teapot"]), med(st["nginx"])
        rows.append(("start to first correct answer", "≤ nginx", f"{a:.1f} ms vs {b:.1f} ms", a <= b))
    if data["idle_rss"].get("teapot"):
        a = med(data["idle_rss"]["teapot"])
        rows.append(("idle RSS", "≤ 8 MiB", fmt_num(a, "mib"), a <= 8 * MIB))
    if ld.get(("teapot", "418", 64)):
        a = t("peak_rss", 64)
        rows.append(("peak RSS under load (64 connections)", "≤ 16 MiB", fmt_num(a, "mib"), a <= 16 * MIB))
    bt = data["burst"].get("teapot")
    if bt:
        failed = sum(b["failed"] for b in bt)
        rows.append((f"{cfg.burst_count:,} × 1 s delayed: all succeed", "0 failures",
                     f"{failed:,} failed over {len(bt)} round(s)", failed == 0))
        a = med([b["last_done_ms"] for b in bt]) / 1000
        rows.append((f"{cfg.burst_count:,} × 1 s delayed: batch", "≤ 1.5 s", f"{a:.2f} s", a <= 1.5))
        a = med([b["peak_rss"] for b in bt])
        rows.append((f"{cfg.burst_count:,} × 1 s delayed: peak RSS", "≤ 64 MiB", fmt_num(a, "mib"), a <= 64 * MIB))
    for key, title in (("route-of-1000/route-of-1", "1,000-route scenario vs 1 route"),
                       ("plain/journal-off", "journal on vs off"),
                       ("json/plain", "JSON-negotiated `/status` vs plain")):
        if key in ratios:
            rows.append((title, "≥ 0.9 ×", f"{ratios[key]:.2f} ×", ratios[key] >= 0.9))
    rows16 = []
    if "plain/baseline-plain" in ratios:
        x = ratios["plain/baseline-plain"]
        rows16.append(("plain `/status/418`, 64 connections, this binary vs the baseline (`--baseline`)", "≥ 0.98 ×",
                       f"{x:.2f} ×", x >= 0.98))
    out = []
    note = " (quick mode: a smoke test, not a measurement)" if cfg.quick else ""
    for issue, table in (("6", rows), ("16", rows16)):
        if table:
            out += [f"## Issue {issue}'s goals{note}", "",
                    "| goal | target | measured (medians) | met |", "|---|---|---|---|"]
            out += [f"| {a} | {b} | {c} | {'yes' if d else '**no**'} |" for a, b, c, d in table]
            out.append("")
    return out


if __name__ == "__main__":
    sys.exit(main())
