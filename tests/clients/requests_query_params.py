#!/usr/bin/env python3
"""Python requests, as a client under test uses it, adding its own query parameters to
every request (a cache buster, an API key): each /status/<code> still answers that code
(issue 14), and X-Teapot-Ignored-Params names what was ignored; with urllib3's Retry on
503 the retries carry the parameters too. Exit 0 on success.

    python3 tests/clients/requests_query_params.py BUILD/teapot
"""
import subprocess
import sys
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def main():
    proc = subprocess.Popen([sys.argv[1], "--port", "0", "--quiet", "--no-admin"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        base = proc.stdout.readline().strip().rsplit(" ", 1)[1]  # "teapot listening on http://127.0.0.1:PORT"
        client = requests.Session()
        client.params = {"api_key": "x", "sdk": "py-1.2"}  # sent with every request
        for code in (200, 201, 204, 301, 404, 418, 429, 500, 503):
            r = client.get(f"{base}/status/{code}", params={"_": str(time.time_ns())}, allow_redirects=False,
                           timeout=5)
            assert r.status_code == code, (code, r.status_code, r.text)
            assert r.headers["X-Teapot-Ignored-Params"] == "api_key, sdk, _", r.headers
        # A typo of a knob is still a 200, and the answer says what it looks like.
        r = client.get(f"{base}/status/200", params={"dealy": "1s"}, timeout=5)
        assert r.status_code == 200 and "dealy (did you mean delay?)" in r.headers["X-Teapot-Ignored-Params"], r.headers
        # urllib3's Retry: 503 twice (a list drawn in turn is not what this tests: a fixed 503),
        # then the client gives up with the last answer, every attempt with its parameters.
        retrying = requests.Session()
        retrying.params = {"cache_bust": "1"}
        retrying.mount("http://", HTTPAdapter(max_retries=Retry(total=2, status_forcelist=[503], backoff_factor=0,
                                                                 respect_retry_after_header=False,
                                                                 raise_on_status=False)))
        r = retrying.get(f"{base}/status/503", timeout=5)
        assert r.status_code == 503 and r.headers["X-Teapot-Ignored-Params"] == "cache_bust", r.headers
        print("python requests with its own query parameters: every status as asked")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
