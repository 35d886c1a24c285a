#!/usr/bin/env python3
"""Answers in flight: CLIENTS connections ask for a scenario's BODY_MIB MiB body_file and
never read it (a 4 KiB receive buffer), so every answer waits on its write; prints
teapot's RSS while they wait.

    python3 bench/memory/slow_readers.py build/teapot [--clients 40] [--body-mib 8] [-- FLAGS...]
"""
import argparse
import os
import socket
import tempfile
import time

from teapot_process import parse_with_flags, teapot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--body-mib", type=int, default=8)
    a, flags = parse_with_flags(ap)  # teapot's own flags after --
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "big.bin"), "wb") as f:
            f.write(b"b" * (a.body_mib * 1024 * 1024))
        with open(os.path.join(folder, "big.yaml"), "w") as f:
            f.write("name: big\nroutes:\n  - id: big\n    match: { path: /big }\n"
                    "    steps: [{ body_file: big.bin, times: forever }]\n")
        t = teapot(a.binary, "--scenarios", os.path.join(folder, "big.yaml"), *flags)
        try:
            time.sleep(0.3)
            print(f"RSS before: {t.rss_mib():.1f} MiB")
            held = []
            for _ in range(a.clients):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.connect(("127.0.0.1", t.port))
                s.sendall(b"GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                held.append(s)
            time.sleep(1.5)
            print(f"{a.clients} clients not reading a {a.body_mib} MiB answer: RSS {t.rss_mib():.1f} MiB")
            for s in held:
                s.close()
        finally:
            t.stop()


if __name__ == "__main__":
    main()
