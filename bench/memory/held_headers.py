#!/usr/bin/env python3
"""Header sections held at once: CLIENTS connections each send one request whose header
section holds FIELDS fields of FIELD_BYTES value bytes, for a paced answer
(/status/200?stream=1B/1s) that keeps the request in memory; prints the statuses seen
and teapot's RSS while they are held.

    python3 bench/memory/held_headers.py build/teapot [--clients 1000] [--fields 99] [--field-bytes 150] [-- FLAGS...]
"""
import argparse
import socket
import time

from teapot_process import parse_with_flags, teapot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--fields", type=int, default=99)
    ap.add_argument("--field-bytes", type=int, default=150)
    a, flags = parse_with_flags(ap)  # teapot's own flags after --
    t = teapot(a.binary, *flags)
    try:
        print(f"RSS before: {t.rss_mib():.1f} MiB")
        fields = "".join(f"a{i}:" + "b" * a.field_bytes + "\r\n" for i in range(a.fields))
        request = f"GET /status/200?stream=1B/1s HTTP/1.1\r\nHost: 127.0.0.1\r\n{fields}\r\n".encode()
        held = []
        for _ in range(a.clients):
            s = socket.create_connection(("127.0.0.1", t.port))
            s.sendall(request)
            held.append(s)
        time.sleep(2)
        rss = t.rss_mib()
        statuses = {}
        for s in held:
            s.settimeout(5)
            line = s.recv(12)
            status = line[9:12].decode() if line.startswith(b"HTTP/1.1 ") else "closed"
            statuses[status] = statuses.get(status, 0) + 1
            s.close()
        print(f"{a.clients} clients, {a.fields} fields of {a.field_bytes} bytes ({len(request)} bytes a request): "
              f"statuses {statuses}; RSS while held {rss:.1f} MiB")
    finally:
        t.stop()


if __name__ == "__main__":
    main()
