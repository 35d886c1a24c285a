"""Sends COUNT sequential keep-alive GETs of PATH and reads each answer whole; with
"fresh", each on a new connection that the answer closes (Connection: close).
With TLS=1 in the environment, over TLS (certificate unchecked), a full handshake per
connection; with TLS=resume, every connection resumes the first one's session.

With BODY_FILE in the environment, each request is a POST (METHOD= another method) of
that file's bytes, as application/json (CONTENT_TYPE= another type).

Usage: drive.py HOST PORT COUNT PATH [EXTRA_HEADER_LINES [fresh]]
"""
import os
import socket
import ssl
import sys

TLS = os.environ.get("TLS", "")
_context = ssl.create_default_context()
_context.check_hostname = False
_context.verify_mode = ssl.CERT_NONE
_session = None


def connect(host, port):
    """A TCP connection, or a TLS one as TLS= says; the first TLS session is kept for TLS=resume."""
    global _session
    sock = socket.create_connection((host, port))
    if not TLS:
        return sock
    wrapped = _context.wrap_socket(sock, server_hostname="localhost",
                                   session=_session if TLS == "resume" else None)
    if TLS == "resume" and _session is None:
        wrapped.sendall(b"GET /status/204 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        wrapped.recv(65536)  # TLS 1.3's ticket comes after the handshake: read once to have it
        _session = wrapped.session
    elif TLS == "resume" and not wrapped.session_reused:
        sys.exit("the server did not resume the session")
    return wrapped


def request_bytes(path, extra):
    body = b""
    method = "GET"
    if os.environ.get("BODY_FILE"):
        with open(os.environ["BODY_FILE"], "rb") as f:
            body = f.read()
        method = os.environ.get("METHOD", "POST")
        extra += (f"Content-Type: {os.environ.get('CONTENT_TYPE', 'application/json')}\r\n"
                  f"Content-Length: {len(body)}\r\n")
    return (f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: drive\r\n"
            f"Accept: */*\r\n{extra}\r\n").encode() + body


def main():
    host, port, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    extra = sys.argv[5] if len(sys.argv) > 5 else ""
    if len(sys.argv) > 6 and sys.argv[6] == "fresh":
        return fresh_connections(host, port, count, path, extra)
    request = request_bytes(path, extra)
    sock = connect(host, port)
    pending = b""
    for _ in range(count):
        sock.sendall(request)
        while True:
            end = pending.find(b"\r\n\r\n")
            if end >= 0:
                length = 0
                for line in pending[:end].decode("latin-1").split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                if len(pending) >= end + 4 + length:
                    pending = pending[end + 4 + length:]
                    break
            data = sock.recv(65536)
            if not data:
                sys.exit("the server closed the connection")
            pending += data


def fresh_connections(host, port, count, path, extra):
    request = request_bytes(path, "Connection: close\r\n" + extra)
    for _ in range(count):
        with connect(host, port) as sock:
            sock.sendall(request)
            while sock.recv(65536):
                pass


if __name__ == "__main__":
    main()
