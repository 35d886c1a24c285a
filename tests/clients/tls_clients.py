#!/usr/bin/env python3
"""Real HTTPS clients against the teapot binary (issue 16): curl, Python's requests and
ssl, and Node each trust the CA that --ca-out writes (the way docs/tls.md tells), get
the status they ask for, and fail verification without it, each with its own error.
Exit 0 on success.

    python3 tests/clients/tls_clients.py BUILD/teapot
"""
import os
import shutil
import subprocess
import sys
import tempfile

import requests


def start(binary, *flags):
    proc = subprocess.Popen([binary, "--quiet", "--no-watch", *flags], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    return proc


def ready_lines(proc, count):
    # "teapot listening on URL", one line per listener, plain HTTP's first.
    return [proc.stdout.readline().strip().rsplit(" ", 1)[1] for _ in range(count)]


def run(args, env=None):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, env={**os.environ, **(env or {})})


def check_curl(https, ca):
    ok = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
              f"{https}/status/418"])
    assert ok.returncode == 0 and ok.stdout == "418 1.1", ok
    # curl's own name check: localhost and 127.0.0.1 are both in the leaf.
    local = https.replace("127.0.0.1", "localhost")
    ok = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}", f"{local}/status/201"])
    assert ok.returncode == 0 and ok.stdout == "201", ok
    # Without the CA: exit 60, "SSL certificate problem: unable to get local issuer certificate".
    bad = run(["curl", "-sS", "-o", "/dev/null", f"{https}/status/418"])
    assert bad.returncode == 60 and "unable to get local issuer certificate" in bad.stderr, bad
    # A truncated body over TLS is still curl's exit 18: the TLS stream ends cleanly, the framing does not.
    cut = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", f"{https}/status/200?fault=truncate:5"])
    assert cut.returncode == 18, cut


def check_requests(https, ca):
    os.environ["REQUESTS_CA_BUNDLE"] = ca  # requests reads it at each request (trust_env)
    try:
        r = requests.get(f"{https}/status/418", timeout=5)
        assert r.status_code == 418 and "teapot" in r.text, r
    finally:
        del os.environ["REQUESTS_CA_BUNDLE"]
    r = requests.get(f"{https}/status/429", verify=ca, timeout=5)
    assert r.status_code == 429 and r.headers["Retry-After"], r.headers
    try:
        requests.get(f"{https}/status/418", timeout=5)
        raise AssertionError("requests trusted a CA it was never given")
    except requests.exceptions.SSLError as e:
        assert "CERTIFICATE_VERIFY_FAILED" in str(e), e


def check_python_ssl(https, ca):
    # SSL_CERT_FILE: OpenSSL's default verify paths, read by ssl.create_default_context().
    port = https.rsplit(":", 1)[1]
    script = ("import socket, ssl\n"
              "ctx = ssl.create_default_context()\n"
              f"s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', {port})), server_hostname='localhost')\n"
              "s.sendall(b'GET /status/418 HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n')\n"
              "print(s.version(), s.recv(64).split(b'\\r\\n')[0].decode())\n")
    ok = run([sys.executable, "-c", script], env={"SSL_CERT_FILE": ca})
    assert ok.returncode == 0 and ok.stdout.split(" ", 1)[1].strip() == "HTTP/1.1 418 I'm a teapot", ok
    assert ok.stdout.startswith("TLSv1.3 "), ok
    bad = run([sys.executable, "-c", script], env={"SSL_CERT_FILE": "/nonexistent"})
    assert bad.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in bad.stderr, bad


def check_node(https, ca):
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "node is not installed (bash .ci/deps installs nodejs)"
    script = ("require('https').get(process.argv[1], r => { console.log(r.statusCode, r.socket.alpnProtocol);"
              " r.resume(); }).on('error', e => { console.log('error', e.code); process.exitCode = 3; });")
    ok = run([node, "-e", script, f"{https}/status/418"], env={"NODE_EXTRA_CA_CERTS": ca})
    assert ok.returncode == 0 and ok.stdout.strip() == "418 false", ok  # Node's https offers no ALPN
    bad = run([node, "-e", script, f"{https}/status/418"])
    assert bad.returncode == 3 and bad.stdout.strip() == "error UNABLE_TO_VERIFY_LEAF_SIGNATURE", bad


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        ca = os.path.join(tmp, "ca.pem")
        proc = start(binary, "--port", "0", "--tls-port", "0", "--ca-out", ca)
        try:
            plain, https = ready_lines(proc, 2)
            assert plain.startswith("http://") and https.startswith("https://"), (plain, https)
            with open(ca) as f:
                assert f.read() == requests.get(f"{plain}/__teapot/ca.pem", timeout=5).text
            check_curl(https, ca)
            check_requests(https, ca)
            check_python_ssl(https, ca)
            check_node(https, ca)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        # --tls-port alone: HTTPS only, one ready line.
        proc = start(binary, "--tls-port", "0", "--ca-out", ca)
        try:
            (https,) = ready_lines(proc, 1)
            assert https.startswith("https://"), https
            r = requests.get(f"{https}/status/418", verify=ca, timeout=5)
            assert r.status_code == 418, r
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print("curl, requests, ssl and node: HTTPS verified with the CA teapot wrote, refused without it")


if __name__ == "__main__":
    main()
