#!/usr/bin/env python3
"""Writes the scenario shapes scenario_meter.cpp is run on (docs/reliability.md) into DIR."""
import os
import sys

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
n = 20000


def w(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


big = '"' + "x" * 10000 + '"'
json_object = "{" + ", ".join(f"k{i}: [1, 2, {{a: b}}]" for i in range(200)) + "}"
w("scalars.yaml", "name: a\nroutes:\n  - id: r\n    steps:\n      - { body: &s " + big + " }\n"
  + "      - { body: *s }\n" * 2000)
w("steps.yaml", "name: b\nroutes:\n  - id: r\n    steps: [&e {status: 200}, " + ", ".join(["*e"] * n) + "]\n")
w("routes.yaml", "name: c\nroutes:\n" + "".join(f"  - {{id: r{i}, steps: [{{}}]}}\n" for i in range(n)))
w("headers.yaml", "name: d\nroutes:\n  - id: r\n    steps:\n      - { headers: &h {"
  + ", ".join(f"X-H{i}: v" for i in range(100)) + "} }\n" + "      - { headers: *h }\n" * 500)
w("json-bodies.yaml", "name: e\nroutes:\n  - id: r\n    steps:\n      - { json: &j " + json_object + " }\n"
  + "      - { json: *j }\n" * 200)
w("json-matchers.yaml", "name: f\nroutes:\n  - id: r0\n    match: { body: { json: &j " + json_object
  + " } }\n    steps: [{}]\n"
  + "".join(f"  - {{ id: r{i}, match: {{ body: {{ json: *j }} }}, steps: [{{}}] }}\n" for i in range(1, 200)))
w("query-matchers.yaml", "name: g\nroutes:\n  - id: r0\n    match: { query: &q {"
  + ", ".join(f"q{i}: v" for i in range(500)) + "} }\n    steps: [{}]\n"
  + "".join(f"  - {{ id: r{i}, match: {{ query: *q }}, steps: [{{}}] }}\n" for i in range(1, 200)))
w("one-of.yaml", "name: h\nroutes:\n  - id: r\n    steps:\n      - { one_of: &o [" + ", ".join(["{status: 200}"] * 100)
  + "] }\n" + "      - { one_of: *o }\n" * 300)
w("interim.yaml", "name: i\nroutes:\n  - id: r\n    steps: [&e {interim: [" + ", ".join(["100", "102", "103"] * 5 + ["100"])
  + "]}, " + ", ".join(["*e"] * 5000) + "]\n")
w("templates.yaml", "name: j\nroutes:\n  - id: r\n    steps:\n      - { template: true, headers: &h {"
  + ", ".join(f"X-H{i}: '{{{{uuid}}}}'" for i in range(50)) + "} }\n" + "      - { template: true, headers: *h }\n" * 500)
w("methods.yaml", "name: k\nroutes:\n" + "".join(
    f"  - {{id: r{i}, match: {{method: [GET, POST, PUT, DELETE, PATCH], path: '/a/{{x}}/b'}}, steps: [{{}}]}}\n"
    for i in range(5000)))
