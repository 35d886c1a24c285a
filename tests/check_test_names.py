#!/usr/bin/env python3
"""Every Catch test name survives catch_discover_tests: CMake splits a name at ';',
mis-reads one whose '[' are not closed, and passes a '\\' on as an escape that Catch
then cannot find, and the test it meant silently never runs (it happened three times).
Lists each binary's names and fails on such a name.

    python3 tests/check_test_names.py BINARY...
"""
import subprocess
import sys

bad = []
for binary in sys.argv[1:]:
    # Catch exits with the number of tests listed: not an error.
    names = subprocess.run([binary, "--list-test-names-only"], capture_output=True, text=True).stdout
    for name in names.splitlines():
        if ";" in name or "\\" in name or name.count("[") != name.count("]"):
            bad.append(f"{binary}: {name}")
if bad:
    print("test names CTest would split or mis-read (no ';' or '\\', brackets closed):", *bad, sep="\n  ")
    sys.exit(1)
print(f"{len(sys.argv) - 1} binaries: every test name is safe for CTest")
