"""A raw HTTP/2 client for the tests: Python's h2 writing the frames, a plain socket carrying
them, and what the server sends read back as h2's event names (tests/http2/*.py)."""
import socket
import struct
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions


def client(port, settings=None):
    """An h2c connection past its preface and SETTINGS (`settings`: the client's own)."""
    sock = socket.create_connection(("127.0.0.1", port))
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    if settings:
        conn.update_settings(settings)
    sock.sendall(conn.data_to_send())
    return sock, conn


def request_headers(path, method="GET"):
    return [(":method", method), (":path", path), (":scheme", "http"), (":authority", "t")]


def frame(kind, flags, stream_id, payload):
    """One frame's bytes (RFC 9113 §4.1), for what h2 would refuse to write."""
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream_id) + payload


def events_until_closed(sock, conn, seconds):
    """What the server sends until it closes the connection (or `seconds` pass): event names,
    each response's status after its ResponseReceived, each GOAWAY's code as "goaway:N", and
    "closed" (a FIN), "reset" (an RST) or "protocol error: ..." at the end."""
    seen = []
    sock.settimeout(0.2)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            seen.append("reset")
            break
        if not data:
            seen.append("closed")
            break
        try:
            events = conn.receive_data(data)
        except h2.exceptions.ProtocolError as e:
            seen.append(f"protocol error: {e}")
            break
        for event in events:
            seen.append(type(event).__name__)
            if isinstance(event, h2.events.ResponseReceived):
                seen.append(dict(event.headers)[b":status"].decode())
            if isinstance(event, h2.events.ConnectionTerminated):
                seen.append(f"goaway:{int(event.error_code)}")
        try:
            sock.sendall(conn.data_to_send())
        except OSError:
            pass
    return seen
