#!/usr/bin/env python3
"""CPU time and sleeps per request of servers under `wrk -t1`, in interleaved rounds.

For each server configuration, each round: start it, 1 s of warm-up, then DUR s
measured; reports requests/s, the server's user and system CPU time per request
(/proc/PID/stat, its whole process tree), and its voluntary context switches per
request (/proc/PID/task/*/status: sleeps in epoll_wait, mostly). Medians at the end.

    python3 bench/profile/cpu-per-request.py ROUNDS NAME=COMMAND ...
    python3 bench/profile/cpu-per-request.py 3 "t1=build-bench/teapot --threads 1" \\
        "t2=build-bench/teapot --threads 2" "nginx=nginx" "nginx1=nginx:1"

A COMMAND is a teapot command line (--port and --quiet are added), or `nginx`
(`nginx:N` for N workers) with the benchmark's configuration (bench/lib/servers.py).
Environment: CONNS (64), DUR (4), URLPATH (/status/418). Needs wrk, and nginx for nginx.
"""
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import servers  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def counters(pids):
    """(user s, system s, voluntary switches) summed over the processes and their threads."""
    user = system = switches = 0
    for p in pids:
        fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
        user += int(fields[11]) + int(fields[13])
        system += int(fields[12]) + int(fields[14])
        for status in glob.glob(f"/proc/{p}/task/*/status"):
            for line in open(status):
                if line.startswith("voluntary_ctxt_switches"):
                    switches += int(line.split()[1])
    return user / TICK, system / TICK, switches


def server_for(spec, workdir):
    """NAME=COMMAND as the harness's server: teapot binds port 0 and reports it, nginx
    is started again on another port if another process takes its own first."""
    name, cmd = spec.split("=", 1)
    if cmd.startswith("nginx"):
        return name, servers.Nginx(workdir, workers=cmd.split(":")[1] if ":" in cmd else "auto"), ()
    binary, *extra = cmd.split()
    return name, servers.Teapot(workdir, binary), tuple(extra)


def measure(spec, conns, duration, workdir, path):
    name, server, extra = server_for(spec, workdir)
    running = server.start(extra=extra)
    try:
        url = f"{running.base}{path}"
        subprocess.run(["wrk", "-t1", f"-c{conns}", "-d1", url], capture_output=True)
        pids = running.pids()
        u0, s0, c0 = counters(pids)
        out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{duration}", url], capture_output=True, text=True).stdout
        u1, s1, c1 = counters(pids)
    finally:
        running.stop()
    n = int(re.search(r"(\d+) requests in", out).group(1))
    return name, n / duration, 1e6 * (u1 - u0) / n, 1e6 * (s1 - s0) / n, (c1 - c0) / n


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds, specs = int(sys.argv[1]), sys.argv[2:]
    conns = int(os.environ.get("CONNS", "64"))
    duration = int(os.environ.get("DUR", "4"))
    path = os.environ.get("URLPATH", "/status/418")
    workdir = tempfile.mkdtemp(prefix="teapot-cpu-")
    results = {}
    for r in range(rounds):
        for spec in specs[r % len(specs):] + specs[:r % len(specs)]:  # the order rotates
            name, rps, user, system, sleeps = measure(spec, conns, duration, workdir, path)
            results.setdefault(name, []).append((rps, user, system, sleeps))
            print(f"  round {r + 1} {name:14} {rps / 1000:6.1f} k req/s  user {user:5.2f} µs  system {system:5.2f} µs"
                  f"  sleeps {sleeps:.3f} /request", flush=True)
    print(f"medians, {conns} connections, {path}:")
    for name, rows in results.items():
        med = [statistics.median(row[i] for row in rows) for i in range(4)]
        print(f"{name:14} {med[0] / 1000:6.1f} k req/s  user {med[1]:5.2f} µs  system {med[2]:5.2f} µs"
              f"  total {med[1] + med[2]:5.2f} µs  sleeps {med[3]:.3f} /request")


if __name__ == "__main__":
    main()
