"""Sends COUNT sequential keep-alive GETs of PATH and reads each answer whole; with
"fresh", each on a new connection that the answer closes (Connection: close).

Usage: drive.py HOST PORT COUNT PATH [EXTRA_HEADER_LINES [fresh]]
"""
import socket
import sys


def main():
    host, port, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    extra = sys.argv[5] if len(sys.argv) > 5 else ""
    if len(sys.argv) > 6 and sys.argv[6] == "fresh":
        return fresh_connections(host, port, count, path, extra)
    request = (f"GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: drive\r\n"
               f"Accept: */*\r\n{extra}\r\n").encode()
    sock = socket.create_connection((host, port))
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
    request = (f"GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: drive\r\n"
               f"Accept: */*\r\nConnection: close\r\n{extra}\r\n").encode()
    for _ in range(count):
        with socket.create_connection((host, port)) as sock:
            sock.sendall(request)
            while sock.recv(65536):
                pass


if __name__ == "__main__":
    main()
