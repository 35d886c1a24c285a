#!/usr/bin/env python3
"""Issue 13, finding 10: posted scenarios whose aliases amplify them.

Posts N scenarios of 75 KB of text (a 65 KB scalar aliased 480 times: 31 MB once
resolved), then --churn cycles of DELETE + POST (accepted) + POST (a new name), and
prints the statuses and teapot's RSS. The journal is off (--journal-size 0), so the
figure is the scenarios'.

    python3 bench/memory/scenario_posts.py build/teapot [--posts 30] [--churn 0] [-- FLAGS...]
"""
import argparse
import http.client

from teapot_process import parse_with_flags, teapot

SCALAR = "a" * 65000


def scenario(name):
    steps = [f'      - {{ body: &s "{SCALAR}" }}'] + ["      - { body: *s }"] * 480
    return f"name: {name}\nroutes:\n  - id: r\n    match: {{ path: /{name} }}\n    steps:\n" + "\n".join(steps) + "\n"


def send(port, method, target, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request(method, target, body=body, headers={"Content-Type": "application/yaml"} if body else {})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--posts", type=int, default=30)
    ap.add_argument("--churn", type=int, default=0)
    a, flags = parse_with_flags(ap)  # teapot's own flags after --
    t = teapot(a.binary, *flags)
    try:
        print(f"text of one scenario: {len(scenario('bomb0'))} bytes; RSS before: {t.rss_mib():.1f} MiB")
        statuses = {}
        for i in range(a.posts):
            s = send(t.port, "POST", "/__teapot/scenarios", scenario(f"bomb{i}"))
            statuses[s] = statuses.get(s, 0) + 1
        print(f"{a.posts} posts: statuses {statuses}; RSS {t.rss_mib():.1f} MiB")
        if a.churn:
            statuses, peak = {}, 0.0
            for i in range(a.churn):
                for s in (send(t.port, "DELETE", f"/__teapot/scenarios/bomb{i % 2}"),
                          send(t.port, "POST", "/__teapot/scenarios", scenario(f"bomb{i % 2}")),
                          send(t.port, "POST", "/__teapot/scenarios", scenario(f"new{i}"))):
                    statuses[s] = statuses.get(s, 0) + 1
                peak = max(peak, t.rss_mib())
            print(f"{a.churn} cycles: statuses {statuses}; RSS {t.rss_mib():.1f} MiB (sampled peak {peak:.1f})")
    finally:
        t.stop()


if __name__ == "__main__":
    main()
