#!/usr/bin/env python3
"""TLS connections held: CLIENTS connections to the HTTPS port that stop mid-handshake (half a
ClientHello sent), or that complete the handshake and then send nothing; prints teapot's RSS
while they are held, and whether they were all closed once --header-timeout passed.

    python3 bench/memory/tls_connections.py build/teapot [--clients 2000] [--idle] [-- FLAGS...]
"""
import argparse
import resource
import socket
import ssl
import time

from teapot_process import parse_with_flags, teapot


def client_hello():
    # A real ClientHello, as Python's OpenSSL writes it, without a network.
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--clients", type=int, default=2000)
    ap.add_argument("--idle", action="store_true", help="complete the handshake, then send nothing")
    a, flags = parse_with_flags(ap)  # teapot's own flags after --
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    t = teapot(a.binary, "--tls-port", "0", *flags)
    try:
        https = t.proc.stdout.readline().strip().rsplit(":", 1)[1]  # the second ready line
        port = int(https)
        time.sleep(0.3)
        print(f"RSS before: {t.rss_mib():.1f} MiB")
        hello = client_hello()
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        held = []
        for _ in range(a.clients):
            s = socket.create_connection(("127.0.0.1", port))
            if a.idle:
                s = insecure.wrap_socket(s, server_hostname="localhost")
            else:
                s.sendall(hello[: len(hello) // 2])
            held.append(s)
        time.sleep(1.0)
        what = "idle after the handshake" if a.idle else "stopped mid-handshake"
        print(f"{a.clients} connections {what}: RSS {t.rss_mib():.1f} MiB")
        for s in held:
            s.close()
    finally:
        t.stop()


if __name__ == "__main__":
    main()
