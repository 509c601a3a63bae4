"""PoliteSession against a scripted loopback server: retries, Retry-After, limits, robots, allow-list."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from scrapers.http import (
    BodyTooLarge,
    FetchError,
    HostNotAllowed,
    PoliteSession,
    RobotsDisallowed,
    Validators,
)
from tests.scrapers.loopback import Loopback, Scripted, loopback_server

UA = "carbonpeak-test/0.1 (+https://example.org; test@example.org)"


@pytest.fixture
def server() -> Iterator[Loopback]:
    with loopback_server() as running:
        running.script["/robots.txt"] = [Scripted(200, b"User-agent: *\nDisallow: /private/\n")]
        yield running


def session(**overrides: object) -> PoliteSession:
    options: dict[str, object] = {
        "user_agent": UA,
        "allowed_hosts": ["127.0.0.1"],
        "rate_limit": 0,
        "max_retries": 3,
        "backoff_base": 0.01,
        "timeout": 5,
    }
    options.update(overrides)
    return PoliteSession(**options)  # type: ignore[arg-type]


def test_user_agent_is_sent(server: Loopback) -> None:
    server.script["/page"] = [Scripted(200, b"hello")]
    with session() as http:
        assert http.get(server.base_url + "/page").content == b"hello"
    assert all(headers.get("User-Agent") == UA for _, _, headers in server.hits)


def test_503_with_retry_after_is_retried(server: Loopback) -> None:
    server.script["/flaky"] = [Scripted(503, b"busy", {"Retry-After": "1"}), Scripted(200, b"fine")]
    with session() as http:
        started = time.monotonic()
        response = http.get(server.base_url + "/flaky")
        elapsed = time.monotonic() - started
    assert response.status == 200 and response.content == b"fine"
    assert server.count("/flaky") == 2
    assert elapsed >= 0.9  # waited for Retry-After, not for the 10 ms backoff


def test_429_honours_retry_after_and_gives_up_after_max_retries(server: Loopback) -> None:
    server.script["/limited"] = [Scripted(429, b"slow down", {"Retry-After": "1"}), Scripted(200, b"ok")]
    with session() as http:
        started = time.monotonic()
        assert http.get(server.base_url + "/limited").status == 200
        assert time.monotonic() - started >= 0.9
    server.script["/always"] = [Scripted(429, b"no", {"Retry-After": "0"})]
    with session(max_retries=2) as http, pytest.raises(FetchError, match="HTTP 429"):
        http.get(server.base_url + "/always")
    assert server.count("/always") == 3


def test_retry_after_is_capped(server: Loopback) -> None:
    server.script["/slow"] = [Scripted(503, b"", {"Retry-After": "3600"}), Scripted(200, b"ok")]
    with session(retry_after_cap=0.2) as http:
        started = time.monotonic()
        assert http.get(server.base_url + "/slow").status == 200
        assert time.monotonic() - started < 2


def test_max_body_size_is_refused(server: Loopback) -> None:
    server.script["/big"] = [Scripted(200, b"x" * 5000)]
    with session(max_body_bytes=1000) as http, pytest.raises(BodyTooLarge):
        http.get(server.base_url + "/big")
    # no Content-Length to go by: the streamed body is counted and refused as well
    server.script["/chunked"] = [Scripted(200, b"y" * 5000, {"Connection": "close", "Content-Length": ""})]
    with session(max_body_bytes=1000) as http, pytest.raises(BodyTooLarge):
        http.get(server.base_url + "/chunked")


def test_host_not_in_allow_list_is_refused(server: Loopback) -> None:
    with session(allowed_hosts=["fgw.jiaxing.gov.cn"]) as http, pytest.raises(HostNotAllowed):
        http.get(server.base_url + "/page")
    assert server.hits == []
    with session() as http, pytest.raises(HostNotAllowed):
        http.get("http://www.example.com/")


def test_redirect_off_the_allow_list_is_refused(server: Loopback) -> None:
    server.script["/moved"] = [Scripted(302, b"", {"Location": "http://www.example.com/elsewhere"})]
    with session() as http, pytest.raises(HostNotAllowed):
        http.get(server.base_url + "/moved")


def test_robots_disallow_is_respected_and_cached(server: Loopback) -> None:
    server.script["/private/doc.html"] = [Scripted(200, b"secret")]
    server.script["/public.html"] = [Scripted(200, b"open")]
    with session() as http:
        with pytest.raises(RobotsDisallowed):
            http.get(server.base_url + "/private/doc.html")
        assert http.get(server.base_url + "/public.html").content == b"open"
        http.get(server.base_url + "/public.html")
    assert server.count("/private/doc.html") == 0
    assert server.count("/robots.txt") == 1


def test_conditional_get_returns_not_modified(server: Loopback) -> None:
    server.script["/doc"] = [Scripted(304, b"", {"ETag": '"abc"'})]
    with session() as http:
        validators = Validators(etag='"abc"', last_modified="Fri, 05 May 2023 08:30:00 GMT")
        response = http.get(server.base_url + "/doc", validators=validators)
    assert response.not_modified
    _, _, headers = server.hits[-1]
    assert headers["If-None-Match"] == '"abc"'
    assert headers["If-Modified-Since"] == "Fri, 05 May 2023 08:30:00 GMT"


def test_404_raises_fetch_error_without_retrying(server: Loopback) -> None:
    with session() as http, pytest.raises(FetchError, match="HTTP 404") as info:
        http.get(server.base_url + "/missing")
    assert info.value.status == 404
    assert server.count("/missing") == 1


def test_rate_limit_spaces_requests(server: Loopback) -> None:
    server.script["/a"] = [Scripted(200, b"a")]
    with session(rate_limit=10) as http:
        started = time.monotonic()
        for _ in range(4):
            http.get(server.base_url + "/a")
        assert time.monotonic() - started >= 0.3  # robots + 4 pages at 10/s


def test_gbk_page_without_header_charset_decodes(server: Loopback) -> None:
    text = (
        '<html><head><meta charset="gb2312"><title>嘉興市發展和改革委員會</title></head>'
        "<body>海宁市节能减排</body></html>"
    )
    server.script["/gbk.html"] = [Scripted(200, text.encode("gbk"), {"Content-Type": "text/html"})]
    with session() as http:
        response = http.get(server.base_url + "/gbk.html")
    assert "嘉興市發展和改革委員會" in response.text
    assert "海宁市节能减排" in response.text
