"""What the Python tests that are scripts (not pytest) share: a failed check exits 1 with its reason."""
import sys


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
