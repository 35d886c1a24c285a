#!/usr/bin/env python3
"""Real HTTPS clients against the teapot binary (issue 16): curl, Python's requests and
ssl, and Node each trust the CA that --ca-out writes (the way docs/tls.md tells), get
the status they ask for, and fail verification without it, each with its own error;
and each case of --tls-cases fails (or passes) in each client as docs/tls.md says.
Exit 0 on success.

    /usr/bin/python3 tests/clients/tls_clients.py BUILD/teapot

Debian 12's Python, requests and urllib3 (1.26) are what the expected words are for, as CTest runs it.
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
    assert ok.returncode == 0 and ok.stdout == "418 2", ok  # curl offers h2 and http/1.1: teapot picks h2
    # curl's own name check: localhost and 127.0.0.1 are both in the leaf.
    local = https.replace("127.0.0.1", "localhost")
    ok = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}", f"{local}/status/201"])
    assert ok.returncode == 0 and ok.stdout == "201", ok
    # Without the CA: exit 60, "SSL certificate problem: unable to get local issuer certificate".
    bad = run(["curl", "-sS", "-o", "/dev/null", f"{https}/status/418"])
    assert bad.returncode == 60 and "unable to get local issuer certificate" in bad.stderr, bad
    # A truncated body over TLS is still curl's exit 18: the TLS stream ends cleanly, the framing does not.
    # (HTTP/1.1: the wire faults are HTTP/1's here, docs/http2.md.)
    cut = run(["curl", "-sS", "--http1.1", "--cacert", ca, "-o", "/dev/null", f"{https}/status/200?fault=truncate:5"])
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


def check_record_faults(https, ca):
    """The tls- faults after the head, as docs/tls.md's "Record faults" table says each client reports them."""
    port = https.rsplit(":", 1)[1]

    def curl(fault, *flags):
        r = run(["curl", "-sS", "--http1.1", "--cacert", ca, *flags, "-o", "-", "-w", "\n%{http_code}",
                 f"{https}/status/200?fault={fault}"])
        body, _, status = r.stdout.rpartition("\n")
        return r.returncode, status, len(body), r.stderr

    whole = requests.get(f"{https}/status/200", verify=ca, timeout=5).content
    # curl: a body framed by the end takes the FIN for the end, whole or cut (it ignores a missing close_notify).
    assert curl("tls-no-close-notify")[:3] == (0, "200", len(whole))
    assert curl("tls-no-close-notify:5")[:3] == (0, "200", 5)
    code, status, size, err = curl("tls-bad-record")
    assert (code, status, size) == (56, "200", len(whole) // 2) and "decryption failed or bad record mac" in err, err
    code, _, _, err = curl("tls-bad-record", "--tls-max", "1.2")  # AES-GCM under TLS 1.2: the provider's words
    assert code == 56 and "cipher operation failed" in err, err
    assert curl("tls-key-update")[:3] == (0, "200", len(whole))
    for flags in [(), ("--tls-max", "1.2")]:  # an alert teapot seals, under TLS 1.3's keys and 1.2's
        code, status, size, err = curl("tls-alert:internal_error", *flags)
        assert (code, status, size) == (56, "200", len(whole) // 2) and "tlsv1 alert internal error" in err, err
    assert curl("tls-renegotiate", "--tls-max", "1.2")[:3] == (0, "200", len(whole))
    # requests (urllib3 1.26) reads to the FIN and takes a cut body as whole; a bad record is an SSLError.
    r = requests.get(f"{https}/status/200?fault=tls-no-close-notify:5", verify=ca, timeout=5)
    assert r.status_code == 200 and len(r.content) == 5, r
    try:
        requests.get(f"{https}/status/200?fault=tls-bad-record", verify=ca, timeout=5)
        raise AssertionError("requests read past a record no key decrypts")
    except requests.exceptions.SSLError as e:
        assert "DECRYPTION_FAILED_OR_BAD_RECORD_MAC" in str(e), e
    try:
        requests.get(f"{https}/status/200?fault=tls-alert:access_denied", verify=ca, timeout=5)
        raise AssertionError("requests read past a fatal alert")
    except requests.exceptions.SSLError as e:
        assert "TLSV1_ALERT_ACCESS_DENIED" in str(e), e
    r = requests.get(f"{https}/status/200?fault=tls-key-update", verify=ca, timeout=5)
    assert r.status_code == 200 and r.content == whole, r
    # Python's ssl ignores a missing close_notify by default (OP_IGNORE_UNEXPECTED_EOF); without it, an SSLError.
    script = ("import socket, ssl, sys\n"
              f"ctx = ssl.create_default_context(cafile={ca!r})\n"
              "if sys.argv[1] == 'strict': ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF\n"
              "ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[3])\n"
              f"s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', {port})), server_hostname='localhost')\n"
              "s.sendall(b'GET /status/200?fault=' + sys.argv[2].encode() + b' HTTP/1.1\\r\\nHost: x\\r\\n"
              "Connection: close\\r\\n\\r\\n')\n"
              "got = b''\n"
              "try:\n"
              "    while (part := s.recv(4096)): got += part\n"
              "    print('end', len(got.split(b'\\r\\n\\r\\n', 1)[1]))\n"
              "except ssl.SSLError as e: print(e.reason)\n")

    def python_ssl(mode, fault, version="TLSv1_3"):
        return run([sys.executable, "-c", script, mode, fault, version]).stdout.strip()

    assert python_ssl("default", "tls-no-close-notify:5") == "end 5"
    assert python_ssl("strict", "tls-no-close-notify:5") == "UNEXPECTED_EOF_WHILE_READING"
    assert python_ssl("default", "tls-bad-record") == "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"
    assert python_ssl("default", "tls-renegotiate", "TLSv1_2") == f"end {len(whole)}"
    assert python_ssl("default", "tls-alert:internal_error", "TLSv1_2") == "TLSV1_ALERT_INTERNAL_ERROR"
    # Node: a cut body framed by the end is complete to it; a bad record is an error on the socket.
    node = shutil.which("node") or shutil.which("nodejs")
    script = ("const [url, max] = process.argv.slice(1);"
              "require('https').get(url, {maxVersion: max}, r => { let n = 0; r.on('data', d => n += d.length);"
              " r.on('end', () => console.log(r.statusCode, n)); }).on('error', e => console.log('error', e.code));")
    for fault, max_version, expected in [
            ("tls-no-close-notify:5", "TLSv1.3", "200 5"),
            ("tls-bad-record", "TLSv1.3", "error ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC"),
            ("tls-key-update", "TLSv1.3", f"200 {len(whole)}"),
            ("tls-renegotiate", "TLSv1.2", f"200 {len(whole)}"),
            ("tls-alert:internal_error", "TLSv1.3", "error ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR")]:
        out = run([node, "-e", script, f"{https}/status/200?fault={fault}", max_version],
                  env={"NODE_EXTRA_CA_CERTS": ca}).stdout.strip()
        assert out.splitlines()[0] == expected, (fault, out)


# What each client reports for each case of --tls-cases, measured on Debian 12 (docs/tls.md): curl's exit
# code and message; the words of Python's requests and ssl ("" where they pass); Node's error code, or
# a status for a case it accepts. Node's verdict on weak-key and sha1 follows the OpenSSL it was built
# with (its own or Debian's, each with its security level): either is accepted there, and shown.
CASES = {
    "expired": (60, "certificate has expired", "certificate has expired", "certificate has expired", "CERT_HAS_EXPIRED"),
    "not-yet-valid": (60, "certificate is not yet valid", "certificate is not yet valid",
                      "certificate is not yet valid", "CERT_NOT_YET_VALID"),
    # urllib3 1.26 (Debian 12's) matches the name itself, in its own words.
    "wrong-host": (60, "no alternative certificate subject name matches target host name 'localhost'",
                   "hostname 'localhost' doesn't match 'wrong-host.invalid'", "Hostname mismatch",
                   "ERR_TLS_CERT_ALTNAME_INVALID"),
    "self-signed": (60, "SSL certificate problem: self-signed certificate", "self-signed certificate",
                    "self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT"),
    "untrusted-root": (60, "self-signed certificate in certificate chain",
                       "self-signed certificate in certificate chain", "self-signed certificate in certificate chain",
                       "SELF_SIGNED_CERT_IN_CHAIN"),
    "incomplete-chain": (60, "unable to get local issuer certificate", "unable to get local issuer certificate",
                         "unable to get local issuer certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
    "reversed-chain": (0, "", "", "", "418"),
    # Every client here still reads the common name (urllib3 1.26 with a SubjectAltNameWarning; urllib3 2 would not).
    "no-san": (0, "", "", "", "418"),
    "weak-key": (60, "EE certificate key too weak", "EE certificate key too weak", "EE certificate key too weak",
                 ("418", "too weak")),
    "sha1": (60, "CA signature digest algorithm too weak", "CA signature digest algorithm too weak",
             "CA signature digest algorithm too weak", ("418", "too weak")),
    # curl and Python still offer TLS 1.0 (then refuse its SHA-1 signatures); Node's minimum is TLS 1.2.
    "tls1.0": (35, "legacy sigalg disallowed or unsupported", "legacy sigalg disallowed or unsupported",
               "legacy sigalg disallowed or unsupported", "EPROTO"),
    "tls1.1": (35, "legacy sigalg disallowed or unsupported", "legacy sigalg disallowed or unsupported",
               "legacy sigalg disallowed or unsupported", "EPROTO"),
    "tls1.2": (0, "", "", "", "418"),
    "tls1.3": (0, "", "", "", "418"),
    # Without a client certificate; with one, below. Under TLS 1.3 the refusal comes on the first read.
    "client-cert-required": (56, "tlsv13 alert certificate required", "TLSV13_ALERT_CERTIFICATE_REQUIRED",
                             "TLSV13_ALERT_CERTIFICATE_REQUIRED", "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"),
    "client-cert-other-ca": (56, "tlsv13 alert certificate required", "TLSV13_ALERT_CERTIFICATE_REQUIRED",
                             "TLSV13_ALERT_CERTIFICATE_REQUIRED", "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"),
    # Resumption off: nothing fails (the integration tests show no session is resumed).
    "no-resumption": (0, "", "", "", "418"),
    # Each client's own timeout (2 s here), then its report.
    "handshake-hang": (28, "Connection timed out after", "Read timed out", "timed out", ("timeout", "ECONNRESET")),
    # About 1.1 s to the answer: within every timeout here (curl's --max-time 1 fails it: docs/tls.md).
    "handshake-slow": (0, "", "", "", "418"),
    "handshake-reset": (35, "Connection reset by peer", "Connection reset by peer", "Connection reset by peer",
                        "ECONNRESET"),
    "handshake-alert-handshake-failure": (35, "sslv3 alert handshake failure", "SSLV3_ALERT_HANDSHAKE_FAILURE",
                                          "SSLV3_ALERT_HANDSHAKE_FAILURE", "EPROTO"),
    "handshake-alert-internal-error": (35, "tlsv1 alert internal error", "TLSV1_ALERT_INTERNAL_ERROR",
                                       "TLSV1_ALERT_INTERNAL_ERROR", "EPROTO"),
    "handshake-alert-protocol-version": (35, "tlsv1 alert protocol version", "TLSV1_ALERT_PROTOCOL_VERSION",
                                         "TLSV1_ALERT_PROTOCOL_VERSION", "EPROTO"),
    # ALPN h2 alone: curl speaks h2 (tests/http2/connection_start.py has the SETTINGS); urllib3 offers
    # http/1.1 alone and gets the no_application_protocol alert; Python's ssl and Node's https offer none.
    "h2-settings-no-ack": (0, "", "tlsv1 alert no application protocol", "", "418"),
}


def python_ssl_verdict(url, ca):
    # A request and the first bytes of its answer: mutual TLS under TLS 1.3 refuses on the first read.
    import socket
    import ssl
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    try:
        ctx = ssl.create_default_context(cafile=ca)
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port)), timeout=2), server_hostname=host) as s:
            s.sendall(b"GET /status/418 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            return "" if s.recv(12) == b"HTTP/1.1 418" else "no 418"
    except (OSError, ssl.SSLError) as e:
        return str(e)


def check_cases(binary):
    with tempfile.TemporaryDirectory() as tmp:
        ca = os.path.join(tmp, "ca.pem")
        client = os.path.join(tmp, "client.pem")
        proc = start(binary, "--tls-port", "0", "--tls-cases", "--ca-out", ca, "--client-cert-out", client,
                     "--max-delay", "5s")
        try:
            (main,) = ready_lines(proc, 1)
            https_port = main.rsplit(":", 1)[1]
            listed = {}
            for _ in CASES:
                _, _, _, name, url = proc.stdout.readline().split()  # "teapot tls case NAME URL"
                listed[name] = url
            assert list(listed) == list(CASES), listed
            node = shutil.which("node") or shutil.which("nodejs")
            script = ("const req = require('https').get(process.argv[1], { timeout: 2000 }, r => {"
                      " console.log(r.statusCode); r.resume(); });"
                      " req.on('timeout', () => { console.log('timeout'); req.destroy(); });"
                      " req.on('error', e => console.log(e.code, e.message));")
            for name, (curl_exit, curl_says, requests_says, ssl_says, node_says) in CASES.items():
                url = listed[name]
                got = run(["curl", "-sS", "--max-time", "2", "--cacert", ca, "-o", "/dev/null", f"{url}/status/418"])
                assert got.returncode == curl_exit and curl_says in got.stderr, (name, got)
                try:
                    r = requests.get(f"{url}/status/418", verify=ca, timeout=2)
                    said = str(r.status_code)
                except requests.exceptions.RequestException as e:
                    said = str(e)
                assert (requests_says in said) if requests_says else said == "418", (name, said)
                said = python_ssl_verdict(url, ca)
                assert (ssl_says in said) if ssl_says else said == "", (name, said)
                out = run([node, "-e", script, f"{url}/status/418"], env={"NODE_EXTRA_CA_CERTS": ca}).stdout.strip()
                accepted = node_says if isinstance(node_says, tuple) else (node_says,)
                assert any(out.startswith(a) or a in out for a in accepted), (name, out)
                print(f"  {name}: curl {got.returncode}, node {out[:60]}")
            # The certificate cases by name on the main port: curl resolves *.localhost to loopback itself.
            main_port = https_port
            for name, says in (("expired", "certificate has expired"),
                               ("wrong-host", "matches target host name 'wrong-host.localhost'"),
                               ("incomplete-chain", "unable to get local issuer certificate")):
                got = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null",
                           f"https://{name}.localhost:{main_port}/status/418"])
                assert got.returncode == 60 and says in got.stderr, (name, got)
            got = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}",
                       f"https://reversed-chain.localhost:{main_port}/status/418"])
            assert got.returncode == 0 and got.stdout == "418", got
            # Mutual TLS: the client certificate of --client-cert-out (key and certificate in one file, mode 0600).
            assert os.stat(client).st_mode & 0o777 == 0o600, oct(os.stat(client).st_mode)
            got = run(["curl", "-sS", "--cacert", ca, "--cert", client, "-o", "/dev/null", "-w", "%{http_code}",
                       f"{listed['client-cert-required']}/status/418"])
            assert got.returncode == 0 and got.stdout == "418", got
            r = requests.get(f"{listed['client-cert-required']}/status/418", verify=ca, cert=client, timeout=5)
            assert r.status_code == 418, r
            got = run(["curl", "-sS", "--cacert", ca, "--cert", client, "-o", "/dev/null",
                       f"{listed['client-cert-other-ca']}/status/418"])
            assert got.returncode == 56 and "tlsv1 alert unknown ca" in got.stderr, got
            mtls = ("const fs = require('fs'); const pem = fs.readFileSync(process.argv[2]);"
                    "require('https').get(process.argv[1], { cert: pem, key: pem }, r => { console.log(r.statusCode);"
                    " r.resume(); }).on('error', e => console.log(e.code));")
            out = run([node, "-e", mtls, f"{listed['client-cert-required']}/status/418", client],
                      env={"NODE_EXTRA_CA_CERTS": ca}).stdout.strip()
            assert out == "418", out
            # A client that still speaks TLS 1.0 reaches the pinned case: curl at security level 0.
            got = run(["curl", "-sS", "--cacert", ca, "--tlsv1.0", "--tls-max", "1.0", "--ciphers",
                       "DEFAULT@SECLEVEL=0", "-o", "/dev/null", "-w", "%{http_code}", f"{listed['tls1.0']}/status/418"])
            assert got.returncode == 0 and got.stdout == "418", got
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        ca = os.path.join(tmp, "ca.pem")
        proc = start(binary, "--port", "0", "--tls-port", "0", "--tls-alerts", "--ca-out", ca)
        try:
            plain, https = ready_lines(proc, 2)
            assert plain.startswith("http://") and https.startswith("https://"), (plain, https)
            with open(ca) as f:
                assert f.read() == requests.get(f"{plain}/__teapot/ca.pem", timeout=5).text
            check_curl(https, ca)
            check_requests(https, ca)
            check_python_ssl(https, ca)
            check_node(https, ca)
            check_record_faults(https, ca)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        # --tls-on-plain-port: one port, both schemes, named by two ready lines.
        proc = start(binary, "--port", "0", "--tls-on-plain-port", "--ca-out", ca)
        try:
            plain, https = ready_lines(proc, 2)
            assert plain.startswith("http://") and https == plain.replace("http://", "https://"), (plain, https)
            for url in (plain, https):
                got = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}", f"{url}/status/418"])
                assert got.returncode == 0 and got.stdout == "418", (url, got)
            r = requests.get(f"{https}/status/429", verify=ca, timeout=5)
            assert r.status_code == 429, r
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
    check_cases(binary)
    print("curl, requests, ssl and node: HTTPS verified with the CA teapot wrote, refused without it; "
          "each TLS case reported as docs/tls.md says")


if __name__ == "__main__":
    main()
