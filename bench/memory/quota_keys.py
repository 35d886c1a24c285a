#!/usr/bin/env python3
"""Issue 13, finding 10: quota keys, a window per key per session per route.

Posts one scenario whose route counts `limit` per header X-Key within sessions of
X-Session, then sends SESSIONS x KEYS requests with distinct keys of KEY_BYTES bytes on
one keep-alive connection, and prints the statuses and teapot's RSS (journal off).

    python3 bench/memory/quota_keys.py build/teapot [--sessions 6] [--keys 5000] [--key-bytes 8000] [-- FLAGS...]
"""
import argparse
import http.client

from teapot_process import parse_with_flags, teapot

SCENARIO = """name: quota
isolate_by: header X-Session
routes:
  - id: q
    match: { path: /q }
    limit: { requests: 1000, per: 10m, key: header X-Key }
    steps: [{ status: 200, times: forever }]
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--sessions", type=int, default=6)
    ap.add_argument("--keys", type=int, default=5000)
    ap.add_argument("--key-bytes", type=int, default=8000)
    a, flags = parse_with_flags(ap)  # teapot's own flags after --
    t = teapot(a.binary, *flags)
    try:
        c = http.client.HTTPConnection("127.0.0.1", t.port, timeout=60)
        c.request("POST", "/__teapot/scenarios", body=SCENARIO, headers={"Content-Type": "application/yaml"})
        r = c.getresponse()
        r.read()
        assert r.status == 201, r.status
        print(f"RSS before: {t.rss_mib():.1f} MiB")
        statuses = {}
        for s in range(a.sessions):
            for k in range(a.keys):
                key = f"{s}-{k}-".ljust(a.key_bytes, "k")
                c.request("GET", "/q", headers={"X-Session": f"s{s}", "X-Key": key})
                r = c.getresponse()
                r.read()
                statuses[r.status] = statuses.get(r.status, 0) + 1
        print(f"{a.sessions} sessions x {a.keys} keys of {a.key_bytes} bytes: statuses {statuses}; "
              f"RSS {t.rss_mib():.1f} MiB")
    finally:
        t.stop()


if __name__ == "__main__":
    main()
