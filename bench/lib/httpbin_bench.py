#!/usr/bin/python3
"""httpbin's endpoints under load (issue 17): teapot against go-httpbin and httpbin
under gunicorn, one workload at a time, the servers in a rotated order each round,
wrk -t1 at 64 connections. Prints a Markdown table of median requests per second
(min-max over the rounds) and teapot's ratio to each peer, per round then the
median of those (the machine's noise hits both sides of a round alike). Started
by bench/httpbin, which builds what this needs; see bench/README.md."""
import argparse
import http.client
import os
import signal
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402
import servers as S  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (method, path, expected status, request headers); POST's body is written at start.
WORKLOADS = {
    "get-5-params": ("GET", "/get?a=1&b=two&c=3&d=four&e=5", 200, ()),
    "post-1k-json": ("POST", "/post", 200, ()),
    "bytes-1024": ("GET", "/bytes/1024?seed=1", 200, ()),
    "gzip": ("GET", "/gzip", 200, ("Accept-Encoding: gzip",)),
    "status-418": ("GET", "/status/418", 418, ()),
}
# The goals: teapot's requests per second over the peer's, at least.
GOALS = {
    ("get-5-params", "go-httpbin"): 3, ("get-5-params", "httpbin"): 20, ("post-1k-json", "go-httpbin"): 3,
    ("bytes-1024", "go-httpbin"): 2, ("gzip", "go-httpbin"): 2,
}


def json_body(size):
    """A JSON object of about `size` bytes: keys and values like an API's."""
    items, n = [], 0
    while len("{" + ", ".join(items) + "}") < size - 40:
        items.append(f'"field_{n}": "value number {n} of the body"')
        n += 1
    return "{" + ", ".join(items) + "}"


def post_status(port, path, body_file):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    with open(body_file, "rb") as f:
        conn.request("POST", path, f.read(), {"Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    return status


def measure(running, workload, cfg, body_file):
    method, path, expect, headers = WORKLOADS[workload]
    if method == "GET":
        return B.measure_wrk(running, path, cfg.connections, cfg, expect, headers)
    # wrk takes one script: post.lua sets the method and body, then loads report.lua's done().
    env = {"BENCH_METHOD": method, "BENCH_BODY_FILE": body_file, "BENCH_REPORT_LUA": B.LUA}
    return B.measure_wrk(running, path, cfg.connections, cfg, expect, headers,
                         check=lambda: post_status(running.port, path, body_file),
                         script=os.path.join(HERE, "post.lua"), env=env)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--teapot", required=True)
    ap.add_argument("--baseline", help="another teapot binary (the one before a change): status-418 only")
    ap.add_argument("--go-httpbin", help="go-httpbin's binary; without it, go-httpbin is left out")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--only", nargs="+", choices=list(WORKLOADS))
    ap.add_argument("--servers", nargs="+", choices=["teapot", "go-httpbin", "httpbin"])
    ap.add_argument("--command", default="bash bench/httpbin")
    cfg = ap.parse_args()
    workloads = cfg.only or list(WORKLOADS)

    workdir = tempfile.mkdtemp(prefix="teapot-httpbin-bench-")
    body_file = os.path.join(workdir, "body.json")
    with open(body_file, "w") as f:
        f.write(json_body(1024))
    makers = {"teapot": lambda: S.Teapot(workdir, cfg.teapot), "httpbin": lambda: S.Httpbin(workdir)}
    if cfg.go_httpbin:
        makers["go-httpbin"] = lambda: S.GoHttpbin(workdir, cfg.go_httpbin)
    names = [n for n in (cfg.servers or ["teapot", "go-httpbin", "httpbin"]) if n in makers]
    if cfg.baseline:
        makers["baseline"] = lambda: S.Teapot(workdir, cfg.baseline)

    def on_signal(signum, frame):
        S.stop_all()
        sys.exit(128 + signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    rps = {}  # (server, workload) -> [per round]
    cpu_us = {}  # (server, workload) -> [server CPU per request, µs, per round]
    try:
        running = {n: makers[n]().start() for n in names + (["baseline"] if cfg.baseline else [])}
        for r in range(cfg.rounds):
            for w in workloads:
                order = B.rotated(names + (["baseline"] if cfg.baseline and w == "status-418" else []), r)
                for n in order:
                    B.log(f"round {r + 1}/{cfg.rounds}: {w} on {n}")
                    result = measure(running[n], w, cfg, body_file)
                    if result["errors"]:
                        raise RuntimeError(f"{n} {w}: {result['errors']} errors")
                    rps.setdefault((n, w), []).append(result["rps"])
                    cpu_us.setdefault((n, w), []).append(result["server_cpu_us"])
    finally:
        S.stop_all()

    shown = names + (["baseline"] if cfg.baseline else [])
    print(f"\n`{cfg.command}`: wrk -t1 -c{cfg.connections}, {cfg.duration:g} s runs after {cfg.warmup:g} s of "
          f"warm-up, {cfg.rounds} rounds; requests per second, median (min-max)\n")
    print("| workload | " + " | ".join(shown) + " |")
    print("|---|" + "---|" * len(shown))
    for w in workloads:
        cells = []
        for n in shown:
            v = rps.get((n, w))
            cells.append(f"{statistics.median(v):,.0f} ({min(v):,.0f}-{max(v):,.0f})" if v else "")
        print(f"| {w} | " + " | ".join(cells) + " |")
    # On 2 cores wrk takes one: a fast server waits for its client, and requests per second
    # understate the difference. The server's own CPU time per request does not.
    print("\nServer CPU time per request (user + system, all its processes), µs, median:\n")
    print("| workload | " + " | ".join(shown) + " |")
    print("|---|" + "---|" * len(shown))
    for w in workloads:
        print(f"| {w} | " + " | ".join(f"{statistics.median(cpu_us[(n, w)]):.1f}" if (n, w) in cpu_us else ""
                                       for n in shown) + " |")
    print("\nteapot's ratio, the median of the rounds' ratios (goal in brackets):\n")
    for w in workloads:
        for n in shown:
            if n == "teapot" or (n, w) not in rps or ("teapot", w) not in rps:
                continue
            ratios = [a / b for a, b in zip(rps[("teapot", w)], rps[(n, w)])]
            goal = GOALS.get((w, n)) or (0.98 if n == "baseline" else None)
            verdict = "" if goal is None else (f" [goal ≥ {goal}: " + ("met" if min(ratios) >= goal else
                                                                       "median met" if statistics.median(ratios) >= goal
                                                                       else "NOT met") + "]")
            print(f"- {w}, teapot / {n}: {statistics.median(ratios):.2f} "
                  f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}){verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
