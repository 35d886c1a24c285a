#!/usr/bin/env python3
"""deploy/nginx.conf as written: 3 teapot replicas behind a real nginx (Debian's nginx-light).

    nginx_cluster.py TEAPOT_BINARY

50 sessions of a retry sequence run in parallel through the balancer, with urllib3's Retry:
each session's requests reach one replica, and wait and verify through the balancer pass for
each. Then 50 more, and one replica is killed after each session's first request: the sessions
on the other two stay exact; those of the killed one start over on the next replica of the
ring (the client sees step 1 again) and verify there judges what that replica saw. Admin calls
that span sessions are refused by nginx with the reason. Exits 1 on the first failed check.
"""
import concurrent.futures
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from checks import check, fail  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SESSIONS = 50


def start_replica(binary, workdir, index):
    log = open(os.path.join(workdir, f"replica{index}.log"), "wb")
    process = subprocess.Popen([binary, "--port", "0", "--quiet", "--no-watch", "--scenarios",
                                str(HERE / "scenarios")], stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()
    check(line.startswith("teapot listening on http://"), f"replica {index} did not start: {line!r}")
    return process, int(line.rsplit(":", 1)[1])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(workdir, ports):
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = re.findall(r"server 127\.0\.0\.1:808[1-3]", config)
    check(len(servers) == 3, "deploy/nginx.conf names 3 replicas on 8081-8083")
    for old, port in zip(("8081", "8082", "8083"), ports):
        config = config.replace(f"server 127.0.0.1:{old}", f"server 127.0.0.1:{port}")
    log = pathlib.Path(workdir, "nginx.log")
    for attempt in range(3):  # free_port() can race another test taking the port before nginx binds it
        listen = free_port()
        attempt_config = config.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{listen};")
        path = os.path.join(workdir, "nginx.conf")
        pathlib.Path(path).write_text(attempt_config)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        process = subprocess.Popen([nginx, "-p", workdir, "-c", path, "-g", "daemon off;"],
                                   stderr=open(log, "wb"))
        if nginx_answers(process, listen):
            return process, f"http://127.0.0.1:{listen}"
        process.kill()
        process.wait()
    fail("nginx did not listen: " + log.read_text())


def nginx_answers(process, port):
    """True once nginx itself (not whoever else took the port) answers on it; False if it exits."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process.poll() is None:
        try:
            answer = requests.get(f"http://127.0.0.1:{port}/__teapot/health", timeout=2)
            if answer.headers.get("Server", "").startswith("nginx"):
                return True
        except requests.RequestException:
            pass
        time.sleep(0.05)
    return False


def replica_of(ports, session):
    """The replica whose journal holds the session's requests (asked directly, not through nginx)."""
    holders = []
    for i, port in enumerate(ports):
        try:
            page = requests.get(f"http://127.0.0.1:{port}/__teapot/requests", params={"session": session},
                                timeout=10).json()
        except requests.ConnectionError:
            continue  # the killed replica
        if page["requests"]:
            holders.append(i)
    return holders


def retrying_client(base, session):
    """requests with urllib3's Retry, as a client under test would be configured."""
    client = requests.Session()
    client.mount("http://", HTTPAdapter(max_retries=Retry(total=3, status_forcelist=[503], backoff_factor=0,
                                                          respect_retry_after_header=True)))
    answer = client.get(base + "/orders", headers={"X-Test-Id": session}, timeout=30)
    return answer.status_code


def verified_through(base, session):
    wait = requests.get(base + "/__teapot/wait", params={"session": session, "route": "orders", "count": 3,
                                                         "timeout": "10s"}, timeout=30)
    verdict = requests.post(base + "/__teapot/verify", params={"session": session}, timeout=30)
    return wait.status_code, verdict.status_code, verdict.json()


def first_run(base, ports):
    sessions = [f"run1-{i}" for i in range(SESSIONS)]
    with concurrent.futures.ThreadPoolExecutor(SESSIONS) as pool:
        statuses = list(pool.map(lambda s: retrying_client(base, s), sessions))
        verdicts = list(pool.map(lambda s: verified_through(base, s), sessions))
    check(statuses == [200] * SESSIONS, f"every session ends with 200: {statuses}")
    for session, (wait, status, verdict) in zip(sessions, verdicts):
        check(wait == 200, f"{session}: wait through nginx answered {wait}")
        check(status == 200 and verdict["verdict"] == "pass", f"{session}: verify through nginx: {verdict}")
    spread = [0, 0, 0]
    for session in sessions:
        holders = replica_of(ports, session)
        check(len(holders) == 1, f"{session}: its requests are on replicas {holders}, not on one")
        spread[holders[0]] += 1
    check(all(spread), f"every replica holds sessions: {spread}")
    print(f"ok: {SESSIONS} sessions through nginx, each on one replica (spread {spread}), waited and verified")


def polite_client(base, session, statuses):
    """Honours Retry-After and records every status, until a 200 (at most 6 requests)."""
    while len(statuses) < 6 and (not statuses or statuses[-1] != 200):
        answer = requests.get(base + "/orders", headers={"X-Test-Id": session}, timeout=30)
        statuses.append(answer.status_code)
        if answer.status_code == 503:
            time.sleep(int(answer.headers["Retry-After"]))


def run_with_a_replica_killed(base, ports, replicas):
    sessions = [f"run2-{i}" for i in range(SESSIONS)]
    firsts = {}
    for s in sessions:
        firsts[s] = requests.get(base + "/orders", headers={"X-Test-Id": s}, timeout=30).status_code
    check(set(firsts.values()) == {503}, f"each session's first answer is 503: {firsts}")
    before = {s: replica_of(ports, s)[0] for s in sessions}
    victim = max(range(3), key=lambda i: list(before.values()).count(i))
    replicas[victim].send_signal(signal.SIGKILL)
    replicas[victim].wait()
    time.sleep(1)  # Retry-After: 1, as the client would
    histories = {s: [firsts[s]] for s in sessions}
    with concurrent.futures.ThreadPoolExecutor(SESSIONS) as pool:
        list(pool.map(lambda s: polite_client(base, s, histories[s]), sessions))
        verdicts = dict(zip(sessions, pool.map(lambda s: verified_through(base, s), sessions)))
    moved = [s for s in sessions if before[s] == victim]
    stayed = [s for s in sessions if before[s] != victim]
    check(moved and stayed, f"the killed replica held some sessions and not all: {len(moved)} of {SESSIONS}")
    for s in stayed:
        check(histories[s] == [503, 503, 200], f"{s} (replica {before[s]}, alive): {histories[s]}")
        wait, status, verdict = verdicts[s]
        check(status == 200 and verdict["verdict"] == "pass", f"{s}: verify through nginx: {verdict}")
    for s in moved:
        # Its first request went down with the replica; the next replica starts the sequence over.
        check(histories[s] == [503, 503, 503, 200], f"{s} (on the killed replica): {histories[s]}")
        now = replica_of(ports, s)
        check(len(now) == 1 and now[0] != victim, f"{s} continues on one live replica: {now}")
        wait, status, verdict = verdicts[s]
        check(status == 200 and verdict["verdict"] == "pass",
              f"{s}: verify through nginx judges the new replica's 3 requests: {verdict}")
    print(f"ok: replica {victim} killed mid-run: {len(stayed)} sessions on the others stayed exact "
          f"(503, 503, 200); its {len(moved)} started over on the next replica (503, 503, 503, 200), verified there")


def spanning_calls_refused(base):
    posted = requests.post(base + "/__teapot/scenarios", data="name: x\nroutes: []\n",
                           headers={"Content-Type": "application/yaml"}, timeout=10)
    check(posted.status_code == 409 and "every replica" in posted.text, f"POST scenarios: {posted.status_code} "
          f"{posted.text}")
    reset_all = requests.post(base + "/__teapot/reset", timeout=10)
    check(reset_all.status_code == 409 and "names the session" in reset_all.text, f"reset: {reset_all.text}")
    reset_one = requests.post(base + "/__teapot/reset", params={"session": "run1-0"}, timeout=10)
    check(reset_one.status_code == 200, f"reset?session=: {reset_one.status_code} {reset_one.text}")
    print("ok: calls that span sessions are refused by nginx with the reason; reset?session= passes")


def main():
    binary = sys.argv[1]
    workdir = tempfile.mkdtemp(prefix="teapot-cluster-")
    os.chmod(workdir, 0o755)
    replicas, ports, nginx = [], [], None
    try:
        for i in range(3):
            process, port = start_replica(binary, workdir, i)
            replicas.append(process)
            ports.append(port)
        nginx, base = start_nginx(workdir, ports)
        first_run(base, ports)
        spanning_calls_refused(base)
        run_with_a_replica_killed(base, ports, replicas)
    finally:
        for process in replicas + ([nginx] if nginx else []):
            if process.poll() is None:
                process.terminate()
                process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
