#!/usr/bin/python3
"""HTTP/2 under load (issue 18): teapot against nginx with http2, h2load -t1 -c64 -m10 on
/status/418, h2c by prior knowledge and h2 over TLS (the same leaf for both servers), the
servers in a rotated order each round. Prints a Markdown table of median requests per second
(min-max over the rounds), the servers' CPU time per request, and teapot's ratio to nginx
(the median of the rounds' ratios). Then teapot alone, fresh: 10 000 streams each delayed 1 s
over 100 connections (h2load -n10000 -c100 -m100), the time until all are answered and its
peak RSS (VmHWM), against the issue's goals. Started by bench/http2; see bench/README.md."""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402
import servers as S  # noqa: E402

GOALS = {"h2c": 1.0, "h2": 1.0}  # teapot's req/s over nginx's, at least
DELAYED_GOALS = {"seconds": 1.5, "MiB": 64}  # 10 000 delayed streams: all answered within, peak RSS at most


class NginxHttp2(S.Nginx):
    """nginx as bench/lib/servers.py runs it, plus a plain listener for h2c (nginx 1.22's plain
    `http2` port speaks HTTP/2 only, so the HTTP/1 port stays for the readiness check) and
    http2 on the TLS listener."""

    def argv(self, port, extra=()):
        argv = super().argv(port, extra)
        self.h2c_port = S.free_port()
        conf = argv[argv.index("-c") + 1]
        with open(conf) as f:
            text = f.read()
        text = text.replace(f"listen 127.0.0.1:{port};",
                            f"listen 127.0.0.1:{port};\n        listen 127.0.0.1:{self.h2c_port} http2;")
        text = text.replace(" ssl;", " ssl http2;")
        with open(conf, "w") as f:
            f.write(text)
        return argv


def h2load(url, cfg):
    argv = ["h2load", "-t1", f"-c{cfg.connections}", f"-m{cfg.streams}", "-D", str(cfg.duration),
            "--warm-up-time", str(cfg.warmup), url]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=cfg.duration + cfg.warmup + 60).stdout
    rps = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out)
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, \d+ succeeded, \d+ failed, (\d+) errored", out)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    if not rps or not done or not codes:
        raise RuntimeError(f"h2load: no figures in {out!r}")
    # Every answer a 418 (h2load counts the ones of the warm-up's last moments too), no error.
    if int(done.group(2)) or int(codes.group(1)) or int(codes.group(2)) or int(codes.group(4)):
        raise RuntimeError(f"h2load {url}: errors, or answers other than 4xx: {out}")
    return float(rps.group(1)), int(done.group(1))


def measure(running, server, mode, cfg):
    if mode == "h2c":
        port = running.server.h2c_port if server == "nginx" else running.port
        url = f"http://127.0.0.1:{port}/status/418"
    else:
        url = f"https://127.0.0.1:{running.tls_port}/status/418"
    pids = running.pids()
    cpu0 = S.cpu_seconds(pids)
    rps, done = h2load(url, cfg)
    cpu_us = (S.cpu_seconds(pids) - cpu0) * 1e6 / done if done else None  # warm-up included on both sides
    return rps, cpu_us


def delayed_streams(workdir, cfg):
    """A fresh teapot (no earlier load in its peak RSS), `cfg.delayed` streams of /status/200?delay=1s
    over 100 connections of 100 streams each: h2load's time to the last answer, and VmHWM."""
    running = S.Teapot(workdir, cfg.teapot).start(tag="-delayed")
    try:
        argv = ["h2load", "-t1", "-n", str(cfg.delayed), "-c100", "-m100",
                f"http://127.0.0.1:{running.port}/status/200?delay=1s"]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120).stdout
        finished = re.search(r"finished in ([\d.]+)(m?s),", out)
        codes = re.search(r"status codes: (\d+) 2xx", out)
        if not finished or not codes or int(codes.group(1)) != cfg.delayed:
            raise RuntimeError(f"h2load, delayed streams: not every stream answered 2xx: {out}")
        seconds = float(finished.group(1)) / (1000 if finished.group(2) == "ms" else 1)
        return seconds, S.hwm_bytes(running.pid) / 2**20
    finally:
        running.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--teapot", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--streams", type=int, default=10)
    ap.add_argument("--delayed", type=int, default=10000, help="streams delayed 1 s, 100 connections")
    ap.add_argument("--command", default="bash bench/http2")
    cfg = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="teapot-h2-bench-")
    certs = S.mint_tls(workdir)
    makers = {"teapot": lambda: S.Teapot(workdir, cfg.teapot, tls=certs),
              "nginx": lambda: NginxHttp2(workdir, tls=certs)}

    def on_signal(signum, frame):
        S.stop_all()
        sys.exit(128 + signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    rps, cpu = {}, {}
    modes = ["h2c", "h2"]
    try:
        running = {n: makers[n]().start() for n in makers}
        for r in range(cfg.rounds):
            for mode in modes:
                for n in B.rotated(list(makers), r):
                    B.log(f"round {r + 1}/{cfg.rounds}: {mode} on {n}")
                    v, c = measure(running[n], n, mode, cfg)
                    rps.setdefault((n, mode), []).append(v)
                    cpu.setdefault((n, mode), []).append(c)
        delayed = [delayed_streams(workdir, cfg) for _ in range(cfg.rounds)]
    finally:
        S.stop_all()

    names = list(makers)
    print(f"\n`{cfg.command}`: h2load -t1 -c{cfg.connections} -m{cfg.streams} /status/418, {cfg.duration} s runs "
          f"after {cfg.warmup} s of warm-up, {cfg.rounds} rounds; requests per second, median (min-max)\n")
    print("| workload | " + " | ".join(names) + " | teapot / nginx (goal) |")
    print("|---|" + "---|" * (len(names) + 1))
    for mode in modes:
        cells = [f"{statistics.median(rps[(n, mode)]):,.0f} ({min(rps[(n, mode)]):,.0f}-{max(rps[(n, mode)]):,.0f})"
                 for n in names]
        ratio = statistics.median(a / b for a, b in zip(rps[("teapot", mode)], rps[("nginx", mode)]))
        label = "h2c, prior knowledge" if mode == "h2c" else "h2 over TLS"
        print(f"| {label} | " + " | ".join(cells) + f" | {ratio:.2f} (≥ {GOALS[mode]}) |")
    print("\nServer CPU time per request (user + system, all its processes, warm-up included), µs, median:\n")
    print("| workload | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for mode in modes:
        print(f"| {mode} | " + " | ".join(f"{statistics.median(cpu[(n, mode)]):.2f}" for n in names) + " |")
    seconds = [s for s, _ in delayed]
    mib = [m for _, m in delayed]
    print(f"\nteapot alone, fresh each round: h2load -t1 -n{cfg.delayed} -c100 -m100 /status/200?delay=1s, "
          f"median (min-max)\n")
    print("| workload | all answered after, s (goal) | peak RSS, MiB (goal) |")
    print("|---|---|---|")
    print(f"| {cfg.delayed:,} streams delayed 1 s, 100 connections | {statistics.median(seconds):.2f} "
          f"({min(seconds):.2f}-{max(seconds):.2f}) (≤ {DELAYED_GOALS['seconds']}) | {statistics.median(mib):.1f} "
          f"({min(mib):.1f}-{max(mib):.1f}) (≤ {DELAYED_GOALS['MiB']}) |")


if __name__ == "__main__":
    main()
