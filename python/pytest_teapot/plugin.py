"""pytest fixtures for teapot (docs/pytest.md).

- `teapot` (session-scoped): one teapot for the run, on ephemeral ports, with HTTPS and its CA.
- `teapot_session` (per test): a session key named after the test, the headers, query parameters
  and cookies that carry it, and, at teardown, the expect rules of the scenarios it played verified.
- `@pytest.mark.teapot_scenarios("file.yaml", ...)`: scenarios loaded for one test only.
- pytest-httpbin's fixtures (`httpbin`, `httpbin_secure`, `httpbin_both`, `httpbin_ca_bundle`,
  `class_based_httpbin`, `class_based_httpbin_secure`), answered by the same teapot.
"""
from __future__ import annotations

import pathlib
import re
from typing import Optional

import pytest

from .server import Teapot, TeapotError

MAX_KEY_BYTES = 200  # teapot keeps 256 bytes of a key; a longer one is kept as its prefix and a digest
UNSAFE_KEY_BYTES = re.compile(r"[^A-Za-z0-9._:/\[\]=-]")  # safe in a header, a query and a cookie


def pytest_addoption(parser):
    group = parser.getgroup("teapot", "teapot, the mock HTTP server")
    group.addoption("--teapot-bin", help="the teapot binary (default: $TEAPOT_BIN, PATH, then ./build*/teapot)")
    group.addoption("--teapot-scenarios", action="append", default=[],
                    help="a scenario file or folder the teapot fixture loads at start (repeatable)")
    group.addoption("--teapot-arg", action="append", default=[],
                    help="one more flag for teapot, e.g. --teapot-arg=--seed=7 (repeatable)")
    parser.addini("teapot_scenarios", type="linelist", default=[],
                  help="scenario files or folders the teapot fixture loads at start, relative to the rootdir")
    parser.addini("teapot_args", type="args", default=[], help="more flags for teapot")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "teapot_scenarios(*paths_or_yaml): load these scenarios for this test, remove them after it")


@pytest.fixture(scope="session")
def teapot(request) -> Teapot:
    """One teapot for the whole run: `.url`, `.tls_url`, `.ca_bundle`, and the admin API."""
    config = request.config
    rootdir = pathlib.Path(str(config.rootpath))
    scenarios = [str(rootdir / s) for s in config.getini("teapot_scenarios")]
    scenarios += config.getoption("teapot_scenarios")
    args = list(config.getini("teapot_args")) + config.getoption("teapot_arg")
    server = Teapot.start(binary=config.getoption("teapot_bin"), scenarios=scenarios, args=args)
    yield server
    server.stop()


def session_key_of(nodeid: str) -> str:
    """The test's node id as a session key: bytes unsafe in a cookie or a header become '_'."""
    return UNSAFE_KEY_BYTES.sub("_", nodeid)[-MAX_KEY_BYTES:]


class TeapotSession:
    """One test's session: hand `headers`, `params` or `cookies` to the client under test."""

    def __init__(self, server: Teapot, key: str):
        self.teapot = server
        self.key = key
        self.verify_at_teardown = True

    def _carriers(self, kind: str) -> dict:
        # Every loaded scenario's isolate_by ("header X-Test-Id", "query session", "cookie sid"):
        # the key under each name of that kind, so one dict suits every scenario loaded.
        names = set()
        for scenario in self.teapot.scenarios():
            how, _, name = (scenario.get("isolate_by") or "global").partition(" ")
            if how == kind and name:
                names.add(name)
        return {name: self.key for name in sorted(names)}

    @property
    def headers(self) -> dict:
        return self._carriers("header")

    @property
    def params(self) -> dict:
        return self._carriers("query")

    @property
    def cookies(self) -> dict:
        return self._carriers("cookie")

    def requests(self, **filters):
        return self.teapot.requests(session=self.key, **filters)

    def wait(self, count: int = 1, timeout: str = "5s", **filters) -> int:
        return self.teapot.wait(count=count, timeout=timeout, session=self.key, **filters)

    def verify(self, scenario: Optional[str] = None, rules: Optional[list] = None):
        return self.teapot.verify(session=self.key, scenario=scenario, rules=rules)

    def reset(self, scenario: Optional[str] = None) -> None:
        self.teapot.reset(scenario=scenario, session=self.key)


def _load_marked_scenarios(request, server: Teapot) -> list:
    names = []
    base = pathlib.Path(str(request.node.fspath)).parent
    for marker in request.node.iter_markers("teapot_scenarios"):
        for scenario in marker.args:
            text = str(scenario)
            if "\n" not in text and not pathlib.Path(text).is_absolute() and (base / text).is_file():
                scenario = base / text  # relative to the test file
            names.append(server.load(scenario))
    return names


@pytest.fixture
def teapot_session(request, teapot) -> TeapotSession:
    """A fresh session named after the test; its scenarios' expect rules are verified at teardown."""
    session = TeapotSession(teapot, session_key_of(request.node.nodeid))
    loaded = _load_marked_scenarios(request, teapot)
    session.reset()  # a rerun of the same test starts from the first step
    yield session
    try:
        if session.verify_at_teardown and not _test_failed(request):
            _verify(session, loaded)
    finally:
        for name in loaded:
            teapot.remove(name)


def _test_failed(request) -> bool:
    report = getattr(request.node, "teapot_call_report", None)
    return report is not None and report.failed


def _verify(session: TeapotSession, marked: list) -> None:
    # A scenario this test loaded is judged whether or not the client reached it (a client that
    # sent no session key fails its count rules); a scenario loaded for the run only when played.
    failures = []
    for name in marked:
        try:
            verdict = session.verify(scenario=name)
        except TeapotError as e:
            if "has no expect rules" in e.body:
                continue
            raise
        if not verdict:
            failures.append(verdict.diff)
    if not marked:
        try:
            verdict = session.verify()
        except TeapotError as e:
            if e.status == 400 and ("played no scenario" in e.body or "no loaded scenario has" in e.body
                                    or "no scenario is loaded" in e.body):
                return
            raise
        if not verdict:
            failures.append(verdict.diff + ("\n" + verdict.hint if verdict.hint else ""))
    if failures:
        pytest.fail(f"teapot: session {session.key!r} broke its scenarios' expect rules:\n" + "".join(failures),
                    pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.teapot_call_report = outcome.get_result()  # a failed test is not verified on top


# --- pytest-httpbin's fixtures, answered by teapot's httpbin endpoints (docs/httpbin.md) ---------

class HttpbinServer:
    """pytest-httpbin's server object: `.url`, `.host`, `.port`, and `server + "/get"`."""

    def __init__(self, url: str):
        self.url = url
        scheme, _, authority = url.partition("://")
        self.host, _, port = authority.rpartition(":")
        self.port = int(port)
        self.protocol = scheme

    def __add__(self, path: str) -> str:
        return self.url + path

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"<teapot as httpbin at {self.url}>"


@pytest.fixture(scope="session")
def httpbin(teapot) -> HttpbinServer:
    return HttpbinServer(teapot.url)


@pytest.fixture(scope="session")
def httpbin_secure(teapot) -> HttpbinServer:
    return HttpbinServer(teapot.tls_url)


@pytest.fixture(scope="session", params=["http", "https"])
def httpbin_both(request, httpbin, httpbin_secure) -> HttpbinServer:
    return httpbin if request.param == "http" else httpbin_secure


@pytest.fixture(scope="class")
def class_based_httpbin(request, httpbin):
    request.cls.httpbin = httpbin


@pytest.fixture(scope="class")
def class_based_httpbin_secure(request, httpbin_secure):
    request.cls.httpbin_secure = httpbin_secure


@pytest.fixture
def httpbin_ca_bundle(monkeypatch, teapot):
    """requests trusts teapot's CA for this test (REQUESTS_CA_BUNDLE), as with pytest-httpbin's own."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", teapot.ca_bundle)
