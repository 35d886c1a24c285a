#!/usr/bin/env python3
"""The layering of src/: a folder may include its own files and those of the folders below it.

    python3 tests/ci/check_layers.py [ROOT]

Prints every include against the order and exits 1 when there is one. The order
(top first) is written once, here, and drawn in docs/design.md ("Layers"). The
public <teapot/server.hpp> (the server class) is for server.cpp and the CLI only:
inner code includes <teapot/options.hpp> or <teapot/version.hpp> for what it reads.
"""
import os
import re
import sys

LAYERS = [
    "cli",       # the teapot command
    "server",    # src/server.cpp: wires everything together
    "wire",      # connections, the protocol engine, the response writer with its faults
    "tls",       # certificates minted at start, the TLS context
    "router",    # who answers a request
    "admin",     # the admin API's endpoints
    "journal",   # what was served: the journal, metrics, verification
    "scenario",  # scenario model, loader, matcher, player
    "handlers",  # built-in endpoints: request in, response plan out
    "faults",    # pure fault logic: syntax, delay draws, garbage, fit checks
    "plan",      # plain data: the request, the response plan, the fault description
    "log",       # the server's log lines
    "catalog",   # the status catalogue
    "util",      # text, numbers, time
]

INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^">]+)[">]')


def layer_of(path):
    parts = path.split(os.sep)
    if len(parts) == 1:
        return os.path.splitext(parts[0])[0]  # src/server.cpp
    return parts[0]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    src = os.path.join(root, "src")
    rank = {name: i for i, name in enumerate(LAYERS)}
    violations = []
    for folder, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".cpp", ".hpp")):
                continue
            path = os.path.relpath(os.path.join(folder, name), src)
            here = layer_of(path)
            if here not in rank:
                violations.append(f"src/{path}: folder '{here}' has no place in LAYERS")
                continue
            with open(os.path.join(src, path), encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    if target == "teapot/server.hpp" and here not in ("cli", "server"):
                        violations.append(f"src/{path}:{number}: includes <teapot/server.hpp>; inner code "
                                          "includes <teapot/options.hpp> or <teapot/version.hpp>")
                        continue
                    if "/" not in target or target.startswith("teapot/") or not os.path.exists(
                            os.path.join(src, target)):
                        continue  # a system, library or public header
                    there = layer_of(target)
                    if rank.get(there, -1) < rank[here]:
                        violations.append(f"src/{path}:{number}: {here} includes {target} ({there}, above it)")
    for v in violations:
        print(v)
    edges = {tuple(re.findall(r": (\w+) includes \S+ \((\w+)", v)[0]) for v in violations if " includes " in v
             and "(" in v}
    print(f"{len(violations)} includes against the layering ({len(edges)} folder-to-folder edges)"
          if violations else "ok: every include follows the layering")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
