#!/usr/bin/env python3
"""Sessions a client can open: every bundled scenario with isolate_by, --max-sessions each.

Starts teapot on the bundled scenarios/ (journal off), then, for each route below, sends
SESSIONS requests with distinct X-Test-Id values of KEY_BYTES bytes on one keep-alive
connection, and prints teapot's RSS after each scenario.

    python3 bench/memory/session_keys.py build/teapot [--sessions 10000] [--key-bytes 8000] [-- FLAGS...]
"""
import argparse
import http.client
import os

from teapot_process import parse_with_flags, teapot

# One route of each bundled scenario that isolates by X-Test-Id and answers with a message
# (flaky-connection's first answer is a reset: left out).
ROUTES = [
    ("GET", "/api/orders"),        # flaky-upstream
    ("POST", "/jobs"),             # polling-job
    ("GET", "/api/quota"),         # rate-limited (a quota window per session too)
    ("GET", "/api/whoami"),        # template-session
    ("GET", "/api/unstable"),      # template-step
    ("POST", "/api/exports"),      # template-uuid
    ("POST", "/api/echo/a/1"),     # templated-echo
    ("GET", "/api/inventory"),     # weighted-flaky (a random stream per session)
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--sessions", type=int, default=10000)
    ap.add_argument("--key-bytes", type=int, default=8000)
    a, flags = parse_with_flags(ap)  # teapot's own flags after --
    scenarios = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios")
    t = teapot(a.binary, "--scenarios", scenarios, *flags)
    try:
        c = http.client.HTTPConnection("127.0.0.1", t.port, timeout=60)
        print(f"RSS before: {t.rss_mib():.1f} MiB")
        for method, path in ROUTES:
            statuses = {}
            for i in range(a.sessions):
                key = f"{i}-".ljust(a.key_bytes, "k")
                c.request(method, path, body=b"" if method == "POST" else None, headers={"X-Test-Id": key})
                r = c.getresponse()
                r.read()
                statuses[r.status] = statuses.get(r.status, 0) + 1
                if r.getheader("Connection", "").lower() == "close":
                    c.close()
                    c = http.client.HTTPConnection("127.0.0.1", t.port, timeout=60)
            print(f"{method} {path}: {a.sessions} sessions, keys of {a.key_bytes} bytes, statuses {statuses}; "
                  f"RSS {t.rss_mib():.1f} MiB")
    finally:
        t.stop()


if __name__ == "__main__":
    main()
