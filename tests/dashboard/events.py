#!/usr/bin/env python3
"""GET /__teapot/events on the wire: the dashboard's event stream (docs/dashboard.md).

    events.py TEAPOT_BINARY

Its head (200, text/event-stream, close-delimited), an event at once with the served count,
one after a request is served, coalesced under a burst (10 a second at most), a count that
drops after the journal is cleared, a heartbeat comment when nothing happens, the admin API's
access rules (a cross-site fetch refused), other methods refused, and over HTTP/2 the stream
asked for HTTP/1.1. Exits 1 on the first failed check.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http2"))
import h2_raw  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, fail  # noqa: E402


class EventStream:
    """A raw GET /__teapot/events: the head, then events as they come."""

    def __init__(self, port, extra=b""):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /__teapot/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n")
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.head = head.decode()

    def recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        return data

    def blocks(self, seconds):
        """The blocks (events or comments) that arrive within `seconds`."""
        found = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            while b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                found.append(block.decode())
            self.sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                self.buffer += self.recv()
            except socket.timeout:
                pass
        return found


def served_counts(blocks):
    return [int(m.group(1)) for b in blocks for m in [re.search(r'data: \{"served": (\d+)\}', b)] if m]


def main():
    binary = sys.argv[1]
    workdir = tempfile.mkdtemp(prefix="teapot-events-")
    process = subprocess.Popen([binary, "--port", "0", "--quiet", "--scenarios", workdir],
                               stdout=subprocess.PIPE, text=True)
    try:
        base = process.stdout.readline().split(" on ", 1)[1].strip()
        port = int(base.rsplit(":", 1)[1])
        for _ in range(2):
            requests.get(base + "/status/200")

        stream = EventStream(port)
        check(stream.head.startswith("HTTP/1.1 200 OK"), f"the head: {stream.head}")
        for field in ("Content-Type: text/event-stream", "Cache-Control: no-store", "Connection: close"):
            check(field in stream.head, f"the head has {field}: {stream.head}")
        check("Content-Length" not in stream.head and "Transfer-Encoding" not in stream.head,
              f"close-delimited: {stream.head}")
        first = stream.blocks(0.5)
        check(first and first[0].startswith("retry: 1000\nevent: journal\n"), f"the first event: {first}")
        check(served_counts(first) == [2], f"it says 2 served: {first}")

        requests.get(base + "/status/418")
        check(served_counts(stream.blocks(1.0)) == [3], "one event after one more request")

        # A burst of 300 requests: at most 10 events a second, the last saying all were served.
        started = time.monotonic()
        session = requests.Session()
        for _ in range(300):
            session.get(base + "/status/204")
        burst = served_counts(stream.blocks(1.0))
        elapsed = time.monotonic() - started
        check(burst and burst[-1] == 303, f"the burst's last event says 303 served: {burst}")
        check(len(burst) <= 10 * elapsed + 2, f"{len(burst)} events in {elapsed:.1f} s: at most 10 a second")

        requests.delete(base + "/__teapot/requests")
        check(served_counts(stream.blocks(6.0))[-1:] == [0], "after a clear, the count drops to 0 (with the heartbeat)")
        quiet = stream.blocks(5.5)
        check(": keep-alive" in quiet, f"a heartbeat comment when nothing happens: {quiet}")
        print(f"ok: the head, an event at once, one per change, {len(burst)} events for a 300-request burst "
              f"in {elapsed:.1f} s, a count that drops after a clear, a heartbeat")

        refused = EventStream(port, b"Sec-Fetch-Site: cross-site\r\n")
        check(refused.head.startswith("HTTP/1.1 403"), f"a cross-site fetch is refused: {refused.head}")
        check(requests.post(base + "/__teapot/events").status_code == 405, "POST is refused")
        check(requests.head(base + "/__teapot/events").status_code == 405, "HEAD is refused")

        sock, conn = h2_raw.client(port)
        headers = [(":method", "GET"), (":path", "/__teapot/events"), (":scheme", "http"), (":authority", "127.0.0.1")]
        conn.send_headers(1, headers, end_stream=True)
        sock.sendall(conn.data_to_send())
        sock.settimeout(5)
        reset_code = None
        while reset_code is None:
            data = sock.recv(65536)
            check(data, "the h2c connection closed before the stream was reset")
            for event in conn.receive_data(data):
                if isinstance(event, h2_raw.h2.events.StreamReset) and event.stream_id == 1:
                    reset_code = int(event.error_code)
            sock.sendall(conn.data_to_send())
        check(reset_code == 13, f"over HTTP/2 the stream asks for HTTP/1.1 (RST_STREAM 13): {reset_code}")
        sock.close()
        print("ok: a cross-site fetch gets 403, POST and HEAD 405, HTTP/2 HTTP_1_1_REQUIRED")
    finally:
        process.terminate()
        process.wait()
        os.rmdir(workdir)


if __name__ == "__main__":
    main()
