#!/usr/bin/env python3
"""Hostile HTTP/2 clients, with Python's h2 writing the frames (and raw bytes where h2 would
refuse to): rapid reset (CVE-2023-44487), a CONTINUATION flood (CVE-2024-28182), a client that
never opens its window, clients that trickle (a window opened a byte at a time, a body sent a byte
at a time, PINGs on a connection with no stream), and many idle h2c connections. Each must cost teapot a bounded amount
and leave it serving everyone else. Exit 0 when every bound holds.

    /usr/bin/python3 tests/http2/hostile.py BUILD/teapot [--sanitized]

--sanitized: the binary is built with a sanitizer, whose shadow memory makes RSS no measure.
"""
import os
import re
import resource
import socket
import subprocess
import sys
import time

import h2.settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2_raw import client, events_until_closed, frame, request_headers as headers  # noqa: E402


def start(binary, *flags):
    proc = subprocess.Popen([binary, "--port", "0", "--quiet", *flags], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
    if not match:
        proc.kill()
        sys.exit(f"teapot did not start: {line!r}")
    return proc, int(match.group(1))


def rss_kib(proc):
    with open(f"/proc/{proc.pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def ends_and_others_served(sock, conn, port):
    """The hostile connection ends (a GOAWAY, a close or a reset), and a fresh client is served."""
    seen = events_until_closed(sock, conn, 10)
    assert any(s.startswith("goaway:") for s in seen) or "closed" in seen or "reset" in seen, seen[-5:]
    sock.close()
    assert still_serves(port)


def still_serves(port):
    sock, conn = client(port)
    conn.send_headers(1, headers("/status/204"), end_stream=True)
    sock.sendall(conn.data_to_send())
    seen = events_until_closed(sock, conn, 3)
    sock.close()
    return "ResponseReceived" in seen


def check_rapid_reset(port):
    # Streams opened and reset at once, thousands of them: nghttp2's limit (1 000 at once, then 33 a
    # second) ends the connection with a GOAWAY, and nobody else notices.
    sock, conn = client(port)
    for i in range(3000):
        sid = 1 + 2 * i
        conn.send_headers(sid, headers("/status/200?delay=1s"), end_stream=True)
        conn.reset_stream(sid)
    try:
        sock.sendall(conn.data_to_send())
    except OSError:
        pass
    ends_and_others_served(sock, conn, port)
    print("rapid reset: 3 000 streams opened and reset end the connection; others are served")


def check_continuation_flood(port):
    # A HEADERS frame without END_HEADERS, then CONTINUATION frames without end: nghttp2 stops after 8.
    sock, conn = client(port)
    block = conn.encoder.encode(headers("/status/200"))
    flood = frame(0x1, 0x1, 1, block)  # HEADERS, END_STREAM, no END_HEADERS
    for _ in range(10000):
        flood += frame(0x9, 0x0, 1, b"\x40\x01a\x01b")  # CONTINUATION: a literal field a: b, no END_HEADERS
    try:
        sock.sendall(flood)
    except OSError:
        pass
    ends_and_others_served(sock, conn, port)
    print("CONTINUATION flood: the connection ends after a few frames; others are served")


def check_window_never_opened(binary):
    # The client's window is 0: teapot's DATA cannot leave. Held as HTTP/1's write timeout holds a
    # client that does not read: GOAWAY, then the close.
    proc, port = start(binary, "--write-timeout", "1s", "--idle-timeout", "30s")
    try:
        sock, conn = client(port, {h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
        conn.send_headers(1, headers("/bytes/10000"), end_stream=True)
        sock.sendall(conn.data_to_send())
        started = time.monotonic()
        seen = events_until_closed(sock, conn, 15)
        assert "ResponseReceived" in seen and "DataReceived" not in seen, seen
        assert "goaway:0" in seen and seen[-1] == "closed", seen
        assert time.monotonic() - started < 10, seen  # the write timeout, not the idle one
        assert still_serves(port)
    finally:
        proc.kill()
    print("a window never opened: the write timeout ends the connection")


def closes_while_trickling(sock, conn, tick, seconds):
    """Calls `tick` (a frame a trickling client sends) every 0.2 s, reading in between, until the
    server ends the connection; how long that took, or None when it was still open after `seconds`."""
    started = time.monotonic()
    sock.settimeout(0.05)
    next_tick = started
    while time.monotonic() - started < seconds:
        try:
            if time.monotonic() >= next_tick:
                tick()
                sock.sendall(conn.data_to_send())
                next_tick += 0.2
            data = sock.recv(65536)
            if not data:
                return time.monotonic() - started
            conn.receive_data(data)
        except socket.timeout:
            continue
        except (OSError, h2.exceptions.ProtocolError):
            return time.monotonic() - started
    return None


def check_trickles(binary):
    # Each kind of trickle keeps bytes coming, so a deadline re-armed by every read would never
    # fire: each is bounded from when the client first owed, as HTTP/1 bounds a response's write,
    # a request's content and an idle connection.
    timeouts = {"--write-timeout": "1s", "--body-timeout": "1s", "--idle-timeout": "1s"}
    proc, port = start(binary, *[x for kv in timeouts.items() for x in kv])
    try:
        # A reader that opens its window a byte at a time.
        sock, conn = client(port, {h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
        conn.send_headers(1, headers("/bytes/10000"), end_stream=True)
        took = closes_while_trickling(sock, conn, lambda: conn.increment_flow_control_window(1, 1), 15)
        assert took is not None and took < 5, took
        sock.close()
        print(f"a window opened a byte at a time: closed after {took:.1f} s (--write-timeout 1s)")
        # A request whose content comes a byte at a time.
        sock, conn = client(port)
        conn.send_headers(1, headers("/anything", "POST"))
        took = closes_while_trickling(sock, conn, lambda: conn.send_data(1, b"x"), 15)
        assert took is not None and took < 5, took
        sock.close()
        print(f"content sent a byte at a time: closed after {took:.1f} s (--body-timeout 1s)")
        # A connection with no stream that PINGs.
        sock, conn = client(port)
        took = closes_while_trickling(sock, conn, lambda: conn.ping(os.urandom(8)), 15)
        assert took is not None and took < 5, took
        sock.close()
        print(f"PINGs and no stream: closed after {took:.1f} s (--idle-timeout 1s)")
        assert still_serves(port)
    finally:
        proc.kill()


def check_idle_connections(binary, count, bound_memory):
    # Many h2c connections past their preface and SETTINGS, then silent: each costs a bounded few KiB.
    proc, port = start(binary, "--idle-timeout", "120s", "--max-connections", str(count + 100))
    socks = []
    try:
        before = rss_kib(proc)
        preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(0x4, 0x0, 0, b"")
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(preface)
            socks.append(s)
        time.sleep(2)
        for s in socks[:: max(1, count // 100)]:  # a sample answered: the server took every one
            s.settimeout(5)
            assert s.recv(9)[3] == 0x4  # its SETTINGS
        assert still_serves(port)
        per_connection = (rss_kib(proc) - before) / count
        assert per_connection < 64 or not bound_memory, per_connection  # KiB each, nghttp2's session included
    finally:
        for s in socks:
            s.close()
        proc.kill()
    print(f"{count} idle h2c connections: {per_connection:.1f} KiB each; others are served")


def main():
    binary = sys.argv[1]
    proc, port = start(binary)
    try:
        check_rapid_reset(port)
        check_continuation_flood(port)
    finally:
        proc.kill()
    check_window_never_opened(binary)
    check_trickles(binary)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    check_idle_connections(binary, min(10000, hard - 512), "--sanitized" not in sys.argv)


if __name__ == "__main__":
    main()
