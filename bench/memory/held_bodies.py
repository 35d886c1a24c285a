#!/usr/bin/env python3
"""Request bodies held at once: CLIENTS connections each announce BODY bytes and send all
but one, so every body waits in teapot's memory; prints how many were refused (503) and
teapot's RSS while they are held.

    python3 bench/memory/held_bodies.py build/teapot [--clients 400] [--body 1048576] [-- FLAGS...]
"""
import argparse
import socket
import time

from teapot_process import parse_with_flags, teapot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--clients", type=int, default=400)
    ap.add_argument("--body", type=int, default=1024 * 1024)
    a, flags = parse_with_flags(ap)  # teapot's own flags after --
    t = teapot(a.binary, "--body-timeout", "120s", *flags)
    try:
        print(f"RSS before: {t.rss_mib():.1f} MiB")
        held, refused = [], 0
        chunk = b"b" * (a.body - 1)
        for _ in range(a.clients):
            s = socket.create_connection(("127.0.0.1", t.port))
            s.sendall(f"POST /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {a.body}\r\n\r\n".encode())
            s.settimeout(0.05)
            try:
                if s.recv(64).startswith(b"HTTP/1.1 503"):
                    refused += 1
                    s.close()
                    continue
            except socket.timeout:
                pass
            s.settimeout(None)
            s.sendall(chunk)
            held.append(s)
        time.sleep(1)
        print(f"{a.clients} clients announcing {a.body} bytes: {len(held)} held, {refused} refused with 503; "
              f"RSS {t.rss_mib():.1f} MiB")
        for s in held:
            s.close()
    finally:
        t.stop()


if __name__ == "__main__":
    main()
