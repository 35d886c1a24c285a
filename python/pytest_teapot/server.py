"""A teapot process and its admin API, from Python (standard library only).

    with Teapot.start() as teapot:
        teapot.load("name: flaky\\nroutes: ...")
        ...
        teapot.wait(route="orders", session="t1", count=3)
        assert teapot.verify(session="t1")

The admin API is documented in docs/admin.md; every method here is one call to it.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

READY_PREFIX = "teapot listening on "
START_TIMEOUT_S = 30.0  # a cold start mints a CA and a leaf; it takes well under a second


class TeapotError(RuntimeError):
    """The admin API refused a call: the status and teapot's own error text."""

    def __init__(self, method: str, path: str, status: int, body: str):
        self.status = status
        self.body = body
        try:
            answer = json.loads(body)
            detail = "\n".join([answer.get("error", "")] + answer.get("errors", []))  # errors: "posted:LINE:COL: why"
        except (ValueError, AttributeError, TypeError):
            detail = body
        super().__init__(f"{method} {path}: {status} {detail}".rstrip())


class TeapotTimeout(AssertionError):
    """GET /__teapot/wait gave up (408): fewer requests than wanted were served in time."""


@dataclass
class Verdict:
    """POST /__teapot/verify's answer. True when every rule passed; its repr shows the diff."""

    passed: bool
    rules: list = field(default_factory=list)
    diff: str = ""
    hint: str = ""
    session: Optional[str] = None

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        if self.passed:
            return f"Verdict(pass, {len(self.rules)} rules, session={self.session!r})"
        return f"Verdict(fail, session={self.session!r}):\n{self.diff}{self.hint and chr(10) + self.hint}"


def find_binary(start: Optional[pathlib.Path] = None) -> str:
    """The teapot to run: $TEAPOT_BIN, else `teapot` on PATH, else a build folder's teapot
    (build/, build-*/ beside this package's repository, or under the current directory)."""
    explicit = os.environ.get("TEAPOT_BIN")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise FileNotFoundError(f"TEAPOT_BIN={explicit}: not an executable file")
        return explicit
    on_path = shutil.which("teapot")
    if on_path:
        return on_path
    roots = [pathlib.Path.cwd(), pathlib.Path(__file__).resolve().parents[2]]
    if start:
        roots.insert(0, start)
    for root in roots:
        for folder in sorted(root.glob("build*")):
            candidate = folder / "teapot"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    raise FileNotFoundError(
        "no teapot binary: set TEAPOT_BIN, put teapot on PATH, or build it (cmake -B build) "
        f"under {' or '.join(str(r) for r in roots)}"
    )


class Teapot:
    """A running teapot: its URLs, its CA, and its admin API."""

    def __init__(self, process: subprocess.Popen, url: str, tls_url: Optional[str], ca_bundle: Optional[str],
                 workdir: tempfile.TemporaryDirectory, log_path: str):
        self.process = process
        self.url = url
        self.tls_url = tls_url
        self.ca_bundle = ca_bundle
        self.log_path = log_path
        self._workdir = workdir

    # --- starting and stopping -------------------------------------------------------------

    @classmethod
    def start(cls, binary: Optional[str] = None, tls: bool = True, scenarios: Iterable[str] = (),
              args: Iterable[str] = ()) -> "Teapot":
        """Starts teapot on ephemeral ports (127.0.0.1), with HTTPS and its CA written to a temporary
        file when `tls`; `scenarios`: files or folders to load at start; `args`: any other flags."""
        binary = binary or find_binary()
        workdir = tempfile.TemporaryDirectory(prefix="teapot-")
        command = [binary, "--host", "127.0.0.1", "--port", "0", "--quiet"]
        ca_bundle = None
        if tls:
            ca_bundle = os.path.join(workdir.name, "ca.pem")
            command += ["--tls-port", "0", "--ca-out", ca_bundle]
        scenarios = list(scenarios)
        if not scenarios:
            empty = os.path.join(workdir.name, "scenarios")  # not the current directory's scenarios/
            os.mkdir(empty)
            scenarios = [empty]
        for s in scenarios:
            command += ["--scenarios", str(s)]
        command += list(args)
        log_path = os.path.join(workdir.name, "teapot.log")
        log = open(log_path, "wb")
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        log.close()
        urls = cls._read_ready_lines(process, 2 if tls else 1, log_path, command)
        return cls(process, urls[0], urls[1] if tls else None, ca_bundle, workdir, log_path)

    @staticmethod
    def _read_ready_lines(process: subprocess.Popen, wanted: int, log_path: str, command: list) -> list:
        urls: list = []
        done = threading.Event()

        def read():
            for line in process.stdout:
                if line.startswith(READY_PREFIX):
                    urls.append(line[len(READY_PREFIX):].strip())
                    if len(urls) == wanted:
                        break
            done.set()

        threading.Thread(target=read, daemon=True).start()
        if not done.wait(START_TIMEOUT_S) or len(urls) < wanted:
            process.kill()
            process.wait()
            with open(log_path, errors="replace") as f:
                tail = f.read()[-4000:]
            raise RuntimeError(f"teapot did not start ({' '.join(command)}), exit {process.returncode}:\n{tail}")
        return urls

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s; the temporary folder (CA, log) goes too."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self._workdir.cleanup()

    def __enter__(self) -> "Teapot":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the admin API ---------------------------------------------------------------------

    def _call(self, method: str, path: str, query: Optional[dict] = None, body: Optional[bytes] = None,
              content_type: Optional[str] = None, ok: Iterable[int] = (200, 201)) -> tuple:
        url = self.url + "/__teapot/" + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode(errors="replace")
        if status not in ok:
            raise TeapotError(method, path, status, text)
        return status, json.loads(text) if text else None

    def load(self, scenario: Union[str, os.PathLike]) -> str:
        """Loads (or replaces) a scenario: YAML text, or the path of a file holding one. Returns its name."""
        text = scenario
        if isinstance(scenario, os.PathLike) or ("\n" not in scenario and os.path.isfile(scenario)):
            text = pathlib.Path(scenario).read_text()
        _, answer = self._call("POST", "scenarios", body=text.encode(), content_type="application/yaml")
        return answer["loaded"]

    def remove(self, name: str) -> None:
        """Removes a loaded scenario by name."""
        self._call("DELETE", "scenarios/" + urllib.parse.quote(name, safe=""))

    def scenarios(self) -> list:
        """Every loaded scenario, with its sessions' cursors (GET /__teapot/scenarios)."""
        return self._call("GET", "scenarios")[1]["scenarios"]

    def requests(self, **filters: Any) -> list:
        """The journal's entries that match the filters (session, scenario, route, path, since), every page."""
        entries: list = []
        query = dict(filters, limit=1000)
        while True:
            page = self._call("GET", "requests", query)[1]
            entries += page["requests"]
            if not page.get("more"):
                return entries
            query["since"] = page["next_since"]

    def wait(self, count: int = 1, timeout: str = "5s", **filters: Any) -> int:
        """Returns once `count` matching requests are served; raises TeapotTimeout when `timeout` passes."""
        status, answer = self._call("GET", "wait", dict(filters, count=count, timeout=timeout), ok=(200, 408))
        if status == 408:
            raise TeapotTimeout(f"waited {timeout} for {count} requests matching {filters}: {answer['count']} served")
        return answer["count"]

    def verify(self, session: Optional[str] = None, scenario: Optional[str] = None,
               rules: Optional[list] = None) -> Verdict:
        """Evaluates expect rules for one session (None: the global one): the scenarios' own, or `rules`."""
        body = json.dumps(rules).encode() if rules is not None else None
        query = {"session": session if session is not None else "", "scenario": scenario}
        _, answer = self._call("POST", "verify", query, body=body,
                               content_type="application/json" if body else None, ok=(200, 409))
        return Verdict(passed=answer["verdict"] == "pass", rules=answer.get("rules", []),
                       diff=answer.get("diff", ""), hint=answer.get("hint", ""), session=session)

    def reset(self, scenario: Optional[str] = None, session: Optional[str] = None) -> None:
        """Starts sequences over (and empties their journal entries), narrowed to a scenario or a session."""
        self._call("POST", "reset", {"scenario": scenario, "session": session})

    def ca_pem(self) -> str:
        """The CA certificate that the HTTPS listener's certificate chains to (PEM)."""
        with urllib.request.urlopen(self.url + "/__teapot/ca.pem", timeout=30) as response:
            return response.read().decode()
