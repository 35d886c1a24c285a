"""What the journal costs under the inputs of issue 13 (findings 6, 7 and 8).

Starts BINARY (`--port 0 --quiet --threads 1 --no-watch`, then EXTRA teapot
arguments), drives one workload and prints what it measured as one JSON line.

Usage: journal-load.py BINARY WORKLOAD [N] [-- EXTRA...]

  fields N     N requests (default 10000), each with 3 200 header fields (`a:x`, 16 KB on
               the wire), on one keep-alive connection; then the RSS. Since --max-header-fields
               (default 100) such a request is a 431: pass `-- --max-header-fields 10000`
  bodies N     N requests (default 10000) with a 1 MiB body; then the RSS
  listing N [KIND]
               N requests (default 10000) with a 64 KiB body (KIND: binary, the default, bytes 0-255
               in turn, sent as base64; text, all 'x'; control, all 0x01, each escaped as \u0001), then the whole
               journal listed page by page (following next_since) while a bystander
               sends GET /status/418 in a loop: the slowest page, the largest reply,
               the bystander's slowest answer, and the peak RSS
  waiters W    W clients long-poll GET /__teapot/wait (for a path nobody requests),
               then wrk -t1 -c64 -d5 on /status/418: requests per second
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time


def start(binary, extra):
    proc = subprocess.Popen([binary, "--port", "0", "--quiet", "--threads", "1", "--no-watch", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        m = re.search(r"listening on http://[^ ]*:(\d+)", line)
        if m:
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
            return proc, int(m.group(1))
    sys.exit("teapot did not start")


def memory(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(value.split()[0]) / 1024, 1)  # MiB
    return out


def read_response(sock, pending):
    """One response from `sock` (Content-Length framing): (status, body, rest)."""
    pending = bytearray(pending)
    while True:
        end = pending.find(b"\r\n\r\n")
        if end >= 0:
            head = pending[:end].decode("latin-1")
            length = int(re.search(r"(?i)\r\ncontent-length: *(\d+)", head).group(1))
            while len(pending) < end + 4 + length:
                data = sock.recv(1 << 20)
                if not data:
                    sys.exit("the server closed the connection")
                pending += data
            status = int(head.split(" ", 2)[1])
            return status, bytes(pending[end + 4:end + 4 + length]), bytes(pending[end + 4 + length:])
        data = sock.recv(1 << 20)
        if not data:
            sys.exit("the server closed the connection")
        pending += data


def send_all(port, requests):
    sock = socket.create_connection(("127.0.0.1", port))
    pending = b""
    for r in requests:
        sock.sendall(r)
        status, _, pending = read_response(sock, pending)
        if status >= 400:
            sys.exit(f"unexpected status {status}")
    sock.close()


def fields(proc, port, n):
    names = "".join(f"{chr(97 + i % 26)}:x\r\n" for i in range(3200))
    request = f"GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\n{names}\r\n".encode()
    send_all(port, (request for _ in range(n)))
    return {"requests": n, "request_bytes": len(request), **memory(proc.pid)}


def bodies(proc, port, n, size=1 << 20, kind="text"):
    body = {"text": b"x" * size, "binary": bytes(range(256)) * (size // 256), "control": b"\x01" * size}[kind]
    head = f"POST /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    send_all(port, (head + body for _ in range(n)))
    return {"requests": n, "body_bytes": size, **memory(proc.pid)}


def get(sock, pending, target):
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{sock.getpeername()[1]}\r\n\r\n".encode())
    return read_response(sock, pending)


def listing(proc, port, n, kind="binary"):
    filled = bodies(proc, port, n, 64 * 1024, kind)
    stop = threading.Event()
    worst = [0.0]

    def bystander():
        sock = socket.create_connection(("127.0.0.1", port))
        pending = b""
        while not stop.is_set():
            t = time.monotonic()
            _, _, pending = get(sock, pending, "/status/418")
            worst[0] = max(worst[0], time.monotonic() - t)
        sock.close()

    by = threading.Thread(target=bystander)
    by.start()
    sock = socket.create_connection(("127.0.0.1", port))
    pending, since, pages, entries, slowest, largest = b"", 0, 0, 0, 0.0, 0
    started = time.monotonic()
    while True:
        t = time.monotonic()
        status, body, pending = get(sock, pending, f"/__teapot/requests?path=/status/200&since={since}")
        slowest = max(slowest, time.monotonic() - t)
        largest = max(largest, len(body))
        pages += 1
        try:
            page = json.loads(body)  # strict: bytes that are not UTF-8 raise here
        except ValueError:
            invalid_json = True
            break
        invalid_json = False
        entries += len(page["requests"])
        if not page.get("more"):
            break
        since = page["next_since"]
    total = time.monotonic() - started
    stop.set()
    by.join()
    return {"filled": filled, "pages": pages, "entries": entries, "listing_s": round(total, 3),
            "slowest_page_ms": round(slowest * 1000, 1), "largest_reply_bytes": largest,
            "bystander_worst_ms": round(worst[0] * 1000, 1), "invalid_json": invalid_json, **memory(proc.pid)}


def waiters(proc, port, w):
    socks = []
    for _ in range(w):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(f"GET /__teapot/wait?path=/never&timeout=60s HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        socks.append(s)
    time.sleep(0.5)
    out = subprocess.run(["wrk", "-t1", "-c64", "-d5", f"http://127.0.0.1:{port}/status/418"],
                         capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    for s in socks:
        s.close()
    return {"waiters": w, "requests_per_s": rate}


def main():
    args = sys.argv[1:]
    extra = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    binary, workload = args[0], args[1]
    n = int(args[2]) if len(args) > 2 else (0 if workload == "waiters" else 10000)
    more = args[3:]
    proc, port = start(os.path.realpath(binary), extra)
    try:
        work = {"fields": fields, "bodies": bodies, "listing": listing, "waiters": waiters}[workload]
        result = work(proc, port, n, *more)
        print(json.dumps({"workload": workload, **result}))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
