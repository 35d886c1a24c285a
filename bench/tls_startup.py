#!/usr/bin/env python3
"""Start-up with a generated CA and leaf (issue 16's goal: at most 20 ms): the time from
spawning teapot to its first HTTPS answer, against the same binary serving plain HTTP
only, and with --tls-cases (about twenty more listeners, each minting its certificates).
Medians of RUNS starts each, measured in one run, kinds interleaved.

    python3 bench/tls_startup.py BUILD/teapot [--runs 21]

The clock runs from the spawn (Popen) to the ready line, and to the first answer's status line:
the process's exec, minting (EC P-256 keys), binding, the ready line, then one
connection with its handshake (verified against the CA teapot wrote) and request.
"""
import argparse
import os
import socket
import ssl
import statistics
import subprocess
import tempfile
import time

REQUEST = b"GET /status/418 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def first_answer(binary, flags, ca_path, tls):
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "--quiet", "--no-watch", *flags], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        url = proc.stdout.readline().strip().rsplit(" ", 1)[1]  # the first listener's ready line
        ready = time.perf_counter() - started
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            if tls:
                context = ssl.create_default_context(cafile=ca_path)
                with context.wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(REQUEST)
                    status = s.recv(12)
            else:
                raw.sendall(REQUEST)
                status = raw.recv(12)
        elapsed = time.perf_counter() - started
        assert status == b"HTTP/1.1 418", status
        return ready * 1000, elapsed * 1000
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ca = os.path.join(tmp, "ca.pem")
        kinds = {
            "plain HTTP only (--port 0)": (["--port", "0"], False),
            "HTTPS, CA and leaf generated (--tls-port 0)": (["--tls-port", "0", "--ca-out", ca], True),
            "HTTPS and --tls-cases": (["--tls-port", "0", "--ca-out", ca, "--tls-cases"], True),
        }
        times = {name: [] for name in kinds}
        for _ in range(args.runs):
            for name, (flags, tls) in kinds.items():
                if os.path.exists(ca):
                    os.unlink(ca)  # --ca-out refuses nothing, but a stale CA would hide a failure to write one
                times[name].append(first_answer(args.binary, flags, ca, tls))
    print(f"| {args.runs} starts each | to the ready line, median | to the first answer, median (min–max) |")
    print("|---|---|---|")
    for name, pairs in times.items():
        ready = [r for r, _ in pairs]
        answer = [a for _, a in pairs]
        print(f"| {name} | {statistics.median(ready):.1f} ms | {statistics.median(answer):.1f} ms "
              f"({min(answer):.1f}–{max(answer):.1f}) |")


if __name__ == "__main__":
    main()
