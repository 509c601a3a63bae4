"""PoliteSession against a scripted loopback server: retries, Retry-After, limits, robots, allow-list."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrapers.http import (
    BodyTooLarge,
    FetchError,
    HostNotAllowed,
    PoliteSession,
    RequestDeadline,
    RobotsDisallowed,
    SourceDeferred,
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


def test_a_retry_after_above_the_cap_defers_the_source_at_once(server: Loopback) -> None:
    server.script["/slow"] = [Scripted(503, b"", {"Retry-After": "100000"}), Scripted(200, b"ok")]
    with session(max_wait=5) as http:
        started = time.monotonic()
        with pytest.raises(SourceDeferred, match=r"Retry-After 100000 s, above the cap of 5 s"):
            http.get(server.base_url + "/slow")
        assert time.monotonic() - started < 2
    assert server.count("/slow") == 1  # no retry: the wait it asks for is not honoured, the source stops


def test_a_retry_after_that_does_not_fit_the_budget_defers_the_source(server: Loopback) -> None:
    server.script["/busy"] = [Scripted(503, b"", {"Retry-After": "30"}), Scripted(200, b"ok")]
    with session(max_wait=60, deadline=time.monotonic() + 3) as http:
        started = time.monotonic()
        with pytest.raises(SourceDeferred, match="does not fit in the"):
            http.get(server.base_url + "/busy")
        assert time.monotonic() - started < 2


def test_a_huge_crawl_delay_defers_the_source_instead_of_waiting(server: Loopback) -> None:
    server.script["/robots.txt"] = [Scripted(200, b"User-agent: *\nCrawl-delay: 100000\n")]
    server.script["/page"] = [Scripted(200, b"hello")]
    with session(rate_limit=1.0, max_wait=60) as http:
        started = time.monotonic()
        with pytest.raises(SourceDeferred, match="Crawl-delay 100000 s, above the cap of 60 s"):
            http.get(server.base_url + "/page")
        assert time.monotonic() - started < 2
    assert server.count("/page") == 0


def test_a_slowloris_body_is_cut_at_the_request_deadline(server: Loopback) -> None:
    # Headers at once, then one byte every 0.5 s: the socket timeout (5 s) never fires, the deadline does.
    server.script["/trickle"] = [Scripted(200, b"x" * 100, trickle=0.5)]
    with session(request_deadline=2, max_retries=3) as http:
        started = time.monotonic()
        with pytest.raises(RequestDeadline, match=r"no complete answer within 2 s"):
            http.get(server.base_url + "/trickle")
        elapsed = time.monotonic() - started
    assert 1.9 <= elapsed < 3.5
    assert server.count("/trickle") == 1  # not retried: it would trickle again


def test_headers_trickled_byte_by_byte_are_cut_at_the_request_deadline(server: Loopback) -> None:
    server.script["/slow-headers"] = [Scripted(200, b"hello", trickle=0.5, trickle_headers=True)]
    with session(request_deadline=2, max_retries=3) as http:
        started = time.monotonic()
        with pytest.raises(RequestDeadline, match="no complete status line and headers"):
            http.get(server.base_url + "/slow-headers")
        assert time.monotonic() - started < 3.5
    assert server.count("/slow-headers") == 1


def test_the_source_deadline_bounds_a_request_and_then_every_next_one(server: Loopback) -> None:
    server.script["/trickle"] = [Scripted(200, b"x" * 100, trickle=0.5)]
    server.script["/page"] = [Scripted(200, b"hello")]
    with session(request_deadline=60, deadline=time.monotonic() + 1.5) as http:
        started = time.monotonic()
        with pytest.raises(SourceDeferred, match="ran out during this request"):  # the source's budget cut it
            http.get(server.base_url + "/trickle")
        assert time.monotonic() - started < 2.5
        with pytest.raises(SourceDeferred, match="time budget is spent"):
            http.get(server.base_url + "/page")
    assert server.count("/page") == 0


def test_the_session_ignores_netrc_and_proxy_variables(server: Loopback, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    # A proxy that does not exist: a session that obeyed it would fail to connect.
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server.script["/page"] = [Scripted(200, b"hello")]
    with session() as http:
        assert http.get(server.base_url + "/page").content == b"hello"
    assert all("Authorization" not in headers for _, _, headers in server.hits)
    # the same session trusting the environment, as before, sends the credentials (so the check above can fail)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name)
    with session() as http:
        http._session.trust_env = True
        http.get(server.base_url + "/page")
    assert server.hits[-1][2].get("Authorization", "").startswith("Basic ")


def test_a_proxy_is_used_only_when_configured(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    with session(proxy="http://127.0.0.1:9", max_retries=0, obey_robots=False) as http, \
            pytest.raises(FetchError, match="ProxyError"):
        http.get(server.base_url + "/page")
    assert server.hits == []


def test_a_redirect_to_another_port_or_scheme_is_refused(server: Loopback) -> None:
    port = int(server.base_url.rsplit(":", 1)[1])
    server.script["/to-port"] = [Scripted(302, b"", {"Location": f"http://127.0.0.1:{port + 1}/elsewhere"})]
    server.script["/to-ftp"] = [Scripted(302, b"", {"Location": "ftp://127.0.0.1/file"})]
    with session(allowed_hosts=[f"127.0.0.1:{port}"]) as http:
        with pytest.raises(HostNotAllowed, match=f"port {port + 1} of 127.0.0.1 is not in the allow-list"):
            http.get(server.base_url + "/to-port")
        with pytest.raises(HostNotAllowed, match="scheme 'ftp'"):
            http.get(server.base_url + "/to-ftp")
    # even with the bare host allowed, a redirect may not move to another port of it
    with session() as http, pytest.raises(HostNotAllowed, match="changes the scheme or port"):
        http.get(server.base_url + "/to-port")


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
