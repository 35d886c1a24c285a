"""A test suite written for pytest-httpbin, unchanged: with pytest-teapot installed instead, its
fixtures (`httpbin`, `httpbin_secure`, `httpbin_both`, `httpbin_ca_bundle`, `class_based_httpbin`)
are answered by teapot. (pytest-httpbin's `@pytest_httpbin.use_class_based_httpbin` decorator is
`pytest.mark.usefixtures("class_based_httpbin")`, written out below.)"""
import http.client
import json
import unittest
import urllib.request

import pytest
import requests
from requests.auth import HTTPDigestAuth


def test_get_echoes_the_query(httpbin):
    answer = requests.get(httpbin + "/get", params={"q": "teapot", "n": ["1", "2"]})
    assert answer.status_code == 200
    assert answer.json()["args"] == {"q": "teapot", "n": ["1", "2"]}
    assert answer.json()["url"] == httpbin.url + "/get?q=teapot&n=1&n=2"


def test_post_echoes_json_and_forms(httpbin):
    assert requests.post(httpbin.url + "/post", json={"tea": "earl grey"}).json()["json"] == {"tea": "earl grey"}
    assert requests.post(httpbin.url + "/post", data={"cups": "2"}).json()["form"] == {"cups": "2"}


def test_redirects_are_followed(httpbin):
    answer = requests.get(httpbin.url + "/redirect/3")
    assert answer.status_code == 200
    assert [r.status_code for r in answer.history] == [302, 302, 302]


def test_cookies_persist_in_a_session(httpbin):
    client = requests.Session()
    client.get(httpbin.url + "/cookies/set?flavour=oolong")
    assert client.get(httpbin.url + "/cookies").json() == {"cookies": {"flavour": "oolong"}}


def test_basic_and_digest_auth(httpbin):
    assert requests.get(httpbin.url + "/basic-auth/user/pass", auth=("user", "pass")).json()["authenticated"]
    assert requests.get(httpbin.url + "/basic-auth/user/pass", auth=("user", "nope")).status_code == 401
    digest = requests.get(httpbin.url + "/digest-auth/auth/user/passwd", auth=HTTPDigestAuth("user", "passwd"))
    assert digest.status_code == 200


def test_gzip_is_decoded(httpbin):
    assert requests.get(httpbin.url + "/gzip").json()["gzipped"] is True


def test_stream_gives_one_json_per_line(httpbin):
    lines = list(requests.get(httpbin.url + "/stream/4", stream=True).iter_lines())
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 2, 3]


def test_status_codes_over_both_schemes(httpbin_both, httpbin_ca_bundle):
    assert requests.get(httpbin_both + "/status/418").status_code == 418


def test_https_with_the_ca_bundle(httpbin_secure, httpbin_ca_bundle):
    assert httpbin_secure.url.startswith("https://")
    assert requests.get(httpbin_secure.url + "/get").json()["url"] == httpbin_secure.url + "/get"


def test_host_and_port_for_a_raw_client(httpbin):
    connection = http.client.HTTPConnection(httpbin.host, httpbin.port, timeout=10)
    connection.request("GET", "/user-agent", headers={"User-Agent": "raw/1.0"})
    assert json.loads(connection.getresponse().read()) == {"user-agent": "raw/1.0"}


@pytest.mark.usefixtures("class_based_httpbin")
class TestClassBased(unittest.TestCase):
    def test_urllib(self):
        with urllib.request.urlopen(self.httpbin.url + "/get") as answer:
            self.assertEqual(answer.status, 200)
