#!/usr/bin/env python3
"""Python requests probe: requests.get(url, timeout=3) (per-socket-op timeout, not overall);
reads the whole body (requests does by default, stream=False). One output line.
usage: probe_requests.py [--upload] URL"""
import sys, requests

def chain(e):
    # innermost causes, e.g. ProtocolError -> ConnectionResetError
    parts, seen, c = [], set(), e.__context__ or e.__cause__
    while c is not None and id(c) not in seen:
        seen.add(id(c)); parts.append(type(c).__name__); c = c.__cause__ or c.__context__
    return parts

def main():
    args = sys.argv[1:]
    upload = args and args[0] == "--upload"
    url = args[-1]
    try:
        if upload:
            r = requests.post(url, data=b"a" * (5 * 1024 * 1024), timeout=3)
        else:
            r = requests.get(url, timeout=3)
        print(f"ok status={r.status_code} body_len={len(r.content)}")
    except Exception as e:
        msg = " ".join(str(e).split())
        causes = chain(e)
        print(f"{type(e).__name__}: {msg}" + (f" [causes: {' <- '.join(causes)}]" if causes else ""))

main()
