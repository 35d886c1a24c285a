#!/usr/bin/env python3
"""Server CPU time for one chunked request whose last-chunk line is long, its trailer sent a byte per read.

Beast 1.81 rescans a last-chunk line on every parse until the trailer section ends;
request_parser::feed holds the bytes back instead (docs/fuzzing.md). The figure to
read is the ratio: the CPU time with a LINE-byte last-chunk line over that with a
1-byte one, the same trailer bytes sent the same way, in the same run (1.0: no rescan).

    python3 bench/profile/slow-last-chunk.py BINARY [--line 30000] [--trailer 30000] [--rounds 3]

teapot runs with --max-header-size 64KiB, the largest header limit, so that the
line and the trailer fit its read buffer; the client sleeps 30 us after each byte,
so that the server reads about one byte at a time.
"""
import argparse
import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "memory"))
from teapot_process import teapot  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
FIELD = b"X-T: 0123456789\r\n"


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def one_request(server, line, trailer):
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(b"POST /status/200 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        s.sendall(b"0" * line + b"\r\n")
        time.sleep(0.05)
        before = cpu_seconds(server.proc.pid)
        wire = FIELD * (trailer // len(FIELD)) + b"\r\n"
        for i in range(len(wire)):
            s.send(wire[i:i + 1])
            time.sleep(0.00003)
        s.settimeout(60)
        status = s.recv(64).split(b"\r\n")[0].decode()
        return cpu_seconds(server.proc.pid) - before, status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--line", type=int, default=30000)
    parser.add_argument("--trailer", type=int, default=30000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = teapot(args.binary, "--max-header-size", "64KiB", "--max-header-fields", "10000")
    try:
        long_cpu, short_cpu = [], []
        for _ in range(args.rounds):
            for line, into in ((args.line, long_cpu), (1, short_cpu)):
                cpu, status = one_request(server, line, args.trailer)
                print(f"line {line:6} B, trailer {args.trailer} B: {cpu:.2f} s CPU, {status}")
                into.append(cpu)
        ratio = statistics.median(long_cpu) / max(statistics.median(short_cpu), 1 / TICK)
        print(f"median CPU: {statistics.median(long_cpu):.2f} s long line, {statistics.median(short_cpu):.2f} s "
              f"1-byte line; ratio {ratio:.1f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
