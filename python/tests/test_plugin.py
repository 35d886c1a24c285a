"""The plugin's fixtures with real clients: requests with urllib3's Retry, httpx sync and async,
each against a scenario through teapot_session; and, through pytester, the verdicts a test gets."""
import asyncio
import pathlib

import httpx
import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pytest_teapot import Teapot, TeapotError, TeapotTimeout

SCENARIOS = pathlib.Path(__file__).parent / "scenarios"


def test_teapot_serves_http_and_https_with_its_ca(teapot):
    assert requests.get(teapot.url + "/status/418").status_code == 418
    answer = requests.get(teapot.tls_url + "/status/200", verify=teapot.ca_bundle)
    assert answer.status_code == 200
    with open(teapot.ca_bundle) as f:
        assert teapot.ca_pem() == f.read()
    assert "BEGIN CERTIFICATE" in teapot.ca_pem()


@pytest.mark.teapot_scenarios("scenarios/flaky-orders.yaml")
def test_requests_with_urllib3_retry_honours_retry_after(teapot_session):
    retry = Retry(total=3, status_forcelist=[503], backoff_factor=0, respect_retry_after_header=True)
    client = requests.Session()
    client.mount("http://", HTTPAdapter(max_retries=retry))
    answer = client.get(teapot_session.teapot.url + "/orders", headers=teapot_session.headers)
    assert answer.status_code == 200
    assert answer.json() == {"orders": [1, 2]}
    assert teapot_session.headers == {"X-Test-Id": teapot_session.key}
    assert [e["status"] for e in teapot_session.requests(route="orders")] == [503, 503, 200]
    # The teardown verifies the scenario's rules: 3 requests, each retry after Retry-After.


@pytest.mark.teapot_scenarios("scenarios/polling-job.yaml")
def test_httpx_polls_a_job_with_its_session_in_the_query(teapot_session):
    assert teapot_session.params == {"run": teapot_session.key}
    statuses = []
    with httpx.Client(base_url=teapot_session.teapot.url, params=teapot_session.params) as client:
        while not statuses or statuses[-1] != 200:
            statuses.append(client.get("/job").status_code)
            assert len(statuses) <= 4
    assert statuses == [202, 202, 200]


@pytest.mark.teapot_scenarios("scenarios/cookie-login.yaml")
def test_httpx_async_over_https_with_its_session_in_a_cookie(teapot_session):
    teapot = teapot_session.teapot

    async def log_in_twice():
        async with httpx.AsyncClient(base_url=teapot.tls_url, verify=teapot.ca_bundle,
                                     cookies=teapot_session.cookies) as client:
            first = await client.get("/me")
            second = await client.get("/me")
            return first.status_code, second.json()

    assert asyncio.run(log_in_twice()) == (401, {"user": "alice"})
    assert [e["tls"]["version"] for e in teapot_session.requests()] == ["TLSv1.3", "TLSv1.3"]


@pytest.mark.parametrize("run", range(3))
@pytest.mark.teapot_scenarios("scenarios/flaky-orders.yaml")
def test_each_test_starts_its_own_sequence(teapot_session, run):
    url = teapot_session.teapot.url + "/orders"
    assert requests.get(url, headers=teapot_session.headers).status_code == 503
    teapot_session.verify_at_teardown = False  # this test asks once: the rules are about a whole run


@pytest.mark.teapot_scenarios("scenarios/flaky-orders.yaml")
def test_wait_returns_once_served_and_times_out_saying_how_many(teapot_session):
    teapot_session.verify_at_teardown = False
    with pytest.raises(TeapotTimeout, match="0 served"):
        teapot_session.wait(route="orders", timeout="200ms")
    requests.get(teapot_session.teapot.url + "/orders", headers=teapot_session.headers)
    assert teapot_session.wait(route="orders") == 1


def test_a_broken_scenario_is_refused_with_its_line_and_column(teapot):
    with pytest.raises(TeapotError, match=r"(?s)400 invalid scenario.*posted:\d+:\d+"):
        teapot.load("name: broken\nroutes:\n  - id: x\n    steps: [{status: 999}]\n")
    assert "broken" not in [s["name"] for s in teapot.scenarios()]


def test_load_and_remove_by_name(teapot):
    name = teapot.load(SCENARIOS / "cookie-login.yaml")
    assert name == "cookie-login"
    teapot.remove(name)
    with pytest.raises(TeapotError, match="404"):
        teapot.remove(name)


def test_a_bad_flag_fails_the_start_with_teapot_s_own_words():
    with pytest.raises(RuntimeError, match="--no-such-flag"):
        Teapot.start(args=["--no-such-flag"])


def test_pytest_httpbin_fixtures_are_answered_by_teapot(httpbin, httpbin_secure, httpbin_ca_bundle):
    assert requests.get(httpbin + "/get", params={"a": "1"}).json()["args"] == {"a": "1"}
    assert httpbin.host == "127.0.0.1" and httpbin.port > 0
    assert requests.get(httpbin_secure.url + "/get").status_code == 200  # REQUESTS_CA_BUNDLE trusts teapot's CA


INNER_TEST = '''
import pytest, requests
@pytest.mark.teapot_scenarios({scenario!r})
def test_client(teapot_session):
    url = teapot_session.teapot.url + "/orders"
{body}
'''


def run_inner(pytester, body):
    pytester.makepyfile(test_inner=INNER_TEST.format(scenario=str(SCENARIOS / "flaky-orders.yaml"), body=body))
    return pytester.runpytest_subprocess("-p", "no:cacheprovider")


def test_a_client_that_ignores_retry_after_errors_at_teardown_with_the_diff(pytester):
    result = run_inner(pytester, "    for _ in range(3): requests.get(url, headers=teapot_session.headers)")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*broke its scenarios' expect rules*", "*honors_retry_after*"])


def test_a_client_that_sends_no_session_key_fails_the_count(pytester):
    result = run_inner(pytester, "    for _ in range(3): requests.get(url)")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*count: 3*"])


def test_a_client_that_honours_retry_after_passes(pytester):
    result = run_inner(pytester, "    import time\n"
                                 "    for _ in range(3):\n"
                                 "        r = requests.get(url, headers=teapot_session.headers)\n"
                                 "        time.sleep(int(r.headers.get('Retry-After', 0)))")
    result.assert_outcomes(passed=1)


def test_a_failing_test_is_not_verified_on_top(pytester):
    result = run_inner(pytester, "    assert requests.get(url).status_code == 200")
    result.assert_outcomes(failed=1)
