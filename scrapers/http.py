"""PoliteSession: the only place carbonpeak talks HTTP (ruff bans `requests` everywhere else).

It owns everything a government web master would care about: a User-Agent naming the project
and a contact address, a timeout, robots.txt, a per-host rate limit, retries with exponential
backoff (honouring Retry-After), a maximum body size, conditional GET, and an allow-list of
hosts (and ports) so a scraper cannot wander off its site. Bodies come back as bytes plus `text` decoded by
the charset rule in `scrapers.parsing.decode_html` (gb2312/gbk are read as gb18030; a page that still
reads as mojibake raises `GarbledPage`).

Time is bounded three ways: the socket timeout (a connect or a stall), a total deadline per request
(connect, headers and body together: a body trickling one byte every few seconds is cut), and the
session's `deadline` (the source's and the run's budget, a `time.monotonic()` value). A wait the site asks
for that does not fit — a Crawl-delay or Retry-After above `max_wait`, or any wait past the deadline —
raises `SourceDeferred` instead of sleeping: the source stops, and the next run carries on.

The session is closed to the environment: `trust_env` is off, so no ~/.netrc credentials are sent and no
HTTP(S)_PROXY reroutes a request; a proxy is used only when given (`proxy`, CARBONPEAK_PROXY).
"""

from __future__ import annotations

import email.utils
import json
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3 import connection as urllib3_connection
from urllib3 import connectionpool as urllib3_pool
from urllib3 import exceptions as urllib3_exceptions

from scrapers.parsing import GarbledText, decode_html

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# Failures on the wire, retried like a refused connection: a body cut short of its Content-Length
# ("Connection broken: IncompleteRead") surfaces as ChunkedEncodingError, a bad gzip as ContentDecodingError.
TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError)
MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}


class FetchError(Exception):
    """A request that could not be completed; names the URL."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class HostNotAllowed(FetchError):
    pass


class RobotsDisallowed(FetchError):
    pass


class BodyTooLarge(FetchError):
    pass


class RequestDeadline(FetchError):
    """One request took longer than its total deadline (connect, headers and body together)."""


class GarbledPage(FetchError):
    """A page whose text reads as mojibake under every charset tried: it is not landed."""


class SourceDeferred(Exception):
    """The source's time budget is spent, or the site asks for a wait beyond the cap: stop now, keep what was
    fetched, and let the next run carry on. Not a FetchError: nothing on the page failed."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Validators:
    """What the server said about a body last time, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Response:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @cached_property
    def text(self) -> str:
        """The body decoded by its declared charset, verified, re-detected if it reads as mojibake; GarbledPage
        when no charset gives plausible text."""
        try:
            return decode_html(self.content, self.content_type)
        except GarbledText as exc:
            raise GarbledPage(self.url, str(exc), status=self.status) from exc

    @property
    def validators(self) -> Validators:
        return Validators(etag=self.headers.get("etag"), last_modified=self.headers.get("last-modified"))


@dataclass
class _HostState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_allowed: float = 0.0
    robots: urllib.robotparser.RobotFileParser | None = None


class PoliteSession:
    """A requests session with manners. One per source run; `allowed_hosts` is that source's host(s)."""

    def __init__(
        self,
        *,
        user_agent: str,
        allowed_hosts: Iterable[str],
        timeout: float = 30.0,
        rate_limit: float = 1.0,
        max_retries: int = 4,
        max_body_bytes: int = 50 * 1024 * 1024,
        backoff_base: float = 1.0,
        retry_after_cap: float = 120.0,
        obey_robots: bool = True,
        request_deadline: float = 300.0,
        deadline: float | None = None,
        max_wait: float = 60.0,
        proxy: str | None = None,
    ) -> None:
        self.user_agent = user_agent
        # "host" allows that host on its scheme's default port; "host:port" that port (the offline mirror).
        self.allowed_hosts: set[str] = set()
        self.allowed_ports: dict[str, set[int]] = {}
        for entry in allowed_hosts:
            host, _, port = entry.lower().rpartition(":") if _has_port(entry) else (entry.lower(), "", "")
            self.allowed_hosts.add(host)
            if port:
                self.allowed_ports.setdefault(host, set()).add(int(port))
        self.timeout = timeout
        self.request_deadline = request_deadline
        self.deadline = deadline  # time.monotonic() by which the source must stop (None: no budget)
        self.max_wait = max_wait
        self.rate_limit = rate_limit
        self.max_retries = max(0, max_retries)
        self.max_body_bytes = max_body_bytes
        self.backoff_base = backoff_base
        self.retry_after_cap = retry_after_cap
        self.obey_robots = obey_robots
        self.requests_made = 0  # HTTP exchanges on the wire, robots.txt and retries included
        self.bytes_received = 0
        self._hosts: dict[str, _HostState] = {}
        self._hosts_lock = threading.Lock()
        self._session = requests.Session()
        # No ~/.netrc credentials sent to scraped sites, no HTTP(S)_PROXY / REQUESTS_CA_BUNDLE from the environment.
        self._session.trust_env = False
        if proxy:
            self._session.proxies = {"http": proxy, "https": proxy}
        for adapter in self._session.adapters.values():  # connections the deadline watchdog can reach
            adapter.poolmanager.pool_classes_by_scheme = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}
        self._session.headers.update({"User-Agent": user_agent, "Accept-Language": "zh-CN,zh;q=0.9"})

    # -- public API -------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """GET `url`. With `validators`, a 304 comes back as a Response with `not_modified` True.
        `max_bytes` lowers the body cap for this request (an attachment's own cap)."""
        extra = dict(headers or {})
        if validators is not None:
            if validators.etag:
                extra["If-None-Match"] = validators.etag
            if validators.last_modified:
                extra["If-Modified-Since"] = validators.last_modified
        return self.request("GET", url, headers=extra, params=params, max_bytes=max_bytes)

    def post(
        self, url: str, *, data: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> Response:
        return self.request("POST", url, data=data, headers=headers)

    def post_json(self, url: str, payload: Any, *, headers: Mapping[str, str] | None = None) -> Response:
        """POST a JSON body (APIs such as the NBS data portal's stream/esData)."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self.request("POST", url, data=body, headers={"Content-Type": "application/json", **(headers or {})})

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | bytes | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """One logical request: allow-list, robots, throttle, retries, redirects (within the allow-list).

        Raises FetchError for anything but 2xx/304 once retries are spent.
        """
        if params:
            url = requests.Request("GET", url, params=params).prepare().url or url
        for _ in range(MAX_REDIRECTS + 1):
            self._check_host(url)
            self._check_robots(url)
            response = self._with_retries(method, url, headers=headers, data=data, max_bytes=max_bytes)
            if response.status in (301, 302, 303, 307, 308) and "location" in response.headers:
                target = urljoin(url, response.headers["location"])
                self._check_redirect(url, target)
                url = target
                if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                continue
            if response.status == 304 or 200 <= response.status < 300:
                return response
            raise FetchError(url, f"HTTP {response.status}", status=response.status)
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> PoliteSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------

    def _host_state(self, host: str) -> _HostState:
        with self._hosts_lock:
            return self._hosts.setdefault(host, _HostState())

    def _check_host(self, url: str) -> None:
        """Scheme http(s), a host of the allow-list, and a port it allows (the default one, or one listed)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise HostNotAllowed(url, f"scheme {parts.scheme!r} is not fetched")
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            raise HostNotAllowed(url, f"host {host!r} is not in the allow-list {sorted(self.allowed_hosts)}")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError as exc:
            raise HostNotAllowed(url, f"port of {parts.netloc!r} is not a number") from exc
        listed = self.allowed_ports.get(host)
        if listed is not None and port not in listed:
            raise HostNotAllowed(url, f"port {port} of {host} is not in the allow-list {sorted(listed)}")

    def _check_redirect(self, origin: str, target: str) -> None:
        """A redirect stays on the allow-list (checked again for the next request) and keeps its scheme and port:
        never https → http, and on the same host only http → https on the default ports. Another allowed host
        is reached on a port the allow-list gives it."""
        here, there = urlsplit(origin), urlsplit(target)
        if here.scheme == "https" and there.scheme != "https":
            raise HostNotAllowed(target, f"redirect from {origin} downgrades https to {there.scheme}")
        self._check_host(target)
        if (here.hostname or "").lower() != (there.hostname or "").lower():
            return
        here_port = here.port or DEFAULT_PORTS.get(here.scheme)
        there_port = there.port or DEFAULT_PORTS.get(there.scheme)
        upgrade = (here.scheme, here_port, there.scheme, there_port) == ("http", 80, "https", 443)
        if (here.scheme, here_port) != (there.scheme, there_port) and not upgrade:
            raise HostNotAllowed(target, f"redirect from {origin} changes the scheme or port of the host")

    def _remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def _wait(self, seconds: float, url: str, why: str) -> None:
        """Sleep `seconds` for the site's sake, unless that is above `max_wait` or past the deadline: then
        SourceDeferred saying which wait and what limit."""
        if seconds > self.max_wait:
            raise SourceDeferred(url, f"{why} {seconds:g} s exceeds the cap of {self.max_wait:g} s "
                                      "(CARBONPEAK_MAX_WAIT); deferred to the next run")
        remaining = self._remaining()
        if remaining is not None and seconds > remaining:
            raise SourceDeferred(url, f"{why} {seconds:g} s does not fit in the {max(remaining, 0):.0f} s left of "
                                      "the source's time budget (CARBONPEAK_SOURCE_BUDGET / CARBONPEAK_RUN_BUDGET); "
                                      "deferred to the next run")
        if seconds > 0:
            time.sleep(seconds)

    def _check_budget(self, url: str) -> None:
        remaining = self._remaining()
        if remaining is not None and remaining <= 0:
            raise SourceDeferred(url, "the source's time budget is spent (CARBONPEAK_SOURCE_BUDGET / "
                                      "CARBONPEAK_RUN_BUDGET); deferred to the next run")

    def _netloc_key(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    def _check_robots(self, url: str) -> None:
        if not self.obey_robots:
            return
        key = self._netloc_key(url)
        state = self._host_state(key)
        if state.robots is None:
            state.robots = self._fetch_robots(key)
        if not state.robots.can_fetch(self.user_agent, url):
            raise RobotsDisallowed(url, "disallowed by robots.txt")

    def _fetch_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            response = self._with_retries("GET", origin + "/robots.txt", headers=None, data=None)
        except FetchError:
            # RFC 9309 §2.3.1.4: an unreachable robots.txt means "assume complete disallow".
            parser.disallow_all = True
            return parser
        if 200 <= response.status < 300:
            parser.parse(decode_html(response.content, response.content_type).splitlines())
        elif 400 <= response.status < 500:
            parser.allow_all = True  # RFC 9309: robots.txt unavailable (4xx) -> crawl allowed
        else:
            parser.disallow_all = True
        return parser

    def _throttle(self, url: str) -> None:
        rate = self.rate_limit
        state = self._host_state(self._netloc_key(url))
        interval = 1.0 / rate if rate > 0 else 0.0
        if rate > 0 and state.robots is not None:
            delay = state.robots.crawl_delay(self.user_agent)
            if delay:
                if float(delay) > self.max_wait:  # honoured as asked, it would hold the night on one host
                    raise SourceDeferred(url, f"robots.txt asks for Crawl-delay {float(delay):g} s, above the cap of "
                                              f"{self.max_wait:g} s (CARBONPEAK_MAX_WAIT); deferred to the next run")
                interval = max(interval, float(delay))
        if interval <= 0:
            return
        with state.lock:
            now = time.monotonic()
            wait = state.next_allowed - now
            if wait > 0:
                self._wait(wait, url, "the politeness delay of")
            state.next_allowed = max(now, state.next_allowed) + interval

    def _with_retries(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | bytes | None,
        max_bytes: int | None = None,
    ) -> Response:
        attempt = 0
        while True:
            self._check_budget(url)
            self._throttle(url)
            try:
                response = self._send(method, url, headers=headers, data=data, max_bytes=max_bytes)
            except (RequestDeadline, *TRANSPORT_ERRORS) as exc:
                remaining = self._remaining()
                if remaining is not None and remaining <= 0.05:  # cut by the source's budget, not by the site
                    raise SourceDeferred(url, "the source's time budget ran out during this request "
                                              "(CARBONPEAK_SOURCE_BUDGET / CARBONPEAK_RUN_BUDGET); deferred to the "
                                              "next run") from exc
                if isinstance(exc, RequestDeadline):
                    raise  # a trickle is not retried: the next attempt would trickle as well
                if attempt >= self.max_retries:
                    raise FetchError(
                        url, f"{type(exc).__name__} after {attempt + 1} attempts: {exc}"
                    ) from exc
                self._wait(self._backoff(attempt), url, "a retry backoff of")
                attempt += 1
                continue
            if response.status in RETRY_STATUSES and attempt < self.max_retries:
                asked = self._retry_after(response.headers.get("retry-after"))
                if asked is not None and asked > self.max_wait:
                    raise SourceDeferred(url, f"HTTP {response.status} with Retry-After {asked:g} s, above the cap "
                                              f"of {self.max_wait:g} s (CARBONPEAK_MAX_WAIT); deferred to the next run")
                wait = min(asked, self.retry_after_cap) if asked is not None else self._backoff(attempt)
                self._wait(wait, url, f"HTTP {response.status}: a retry wait of")
                attempt += 1
                continue
            return response

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_base * (2**attempt), self.retry_after_cap)

    def _retry_after(self, value: str | None) -> float | None:
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            seconds = when.timestamp() - time.time()
        return max(seconds, 0.0)  # uncapped: a wait above max_wait defers the source instead

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | bytes | None,
        max_bytes: int | None = None,
    ) -> Response:
        self.requests_made += 1
        cap = min(self.max_body_bytes, max_bytes) if max_bytes else self.max_body_bytes
        started = time.monotonic()
        limit = self.request_deadline
        remaining = self._remaining()
        if remaining is not None:
            limit = min(limit, max(remaining, 0.01))
        # connect and each wait for bytes: the socket timeout, never beyond what is left of the deadline
        socket_timeout = min(self.timeout, limit)
        # Headers or a body trickled byte by byte never trip the socket timeout: a watchdog shuts the connection's
        # socket down at the request's deadline, which ends the blocked read in this thread.
        thread = threading.get_ident()
        watchdog = threading.Timer(limit, _cut_connection, args=(thread,))
        watchdog.daemon = True
        watchdog.start()
        size = 0

        def too_late(what: str) -> RequestDeadline:
            elapsed = time.monotonic() - started
            self.bytes_received += size
            return RequestDeadline(url, f"no complete answer within {limit:.0f} s ({what} in {elapsed:.0f} s; "
                                        "CARBONPEAK_REQUEST_DEADLINE): the site is too slow or trickling its answer")

        try:
            try:
                raw = self._session.request(method, url, headers=dict(headers or {}), data=data,
                                            timeout=socket_timeout, stream=True, allow_redirects=False)
            except TRANSPORT_ERRORS as exc:
                if time.monotonic() - started >= limit:
                    raise too_late("no complete status line and headers") from exc
                raise
            with raw:
                response_headers = {k.lower(): v for k, v in raw.headers.items()}
                declared = response_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise BodyTooLarge(url, f"Content-Length {declared} exceeds {cap} bytes")
                chunks: list[bytes] = []
                try:
                    while time.monotonic() - started <= limit:
                        chunk = raw.raw.read1(64 * 1024, decode_content=True)
                        if not chunk:
                            break
                        size += len(chunk)
                        if size > cap:
                            raise BodyTooLarge(url, f"body exceeds {cap} bytes")
                        chunks.append(chunk)
                except (*TRANSPORT_ERRORS, OSError, urllib3_exceptions.HTTPError) as exc:
                    if time.monotonic() - started < limit:
                        raise _transport_error(exc) from exc
                if time.monotonic() - started >= limit:
                    raise too_late(f"{size} bytes of the body")
                self.bytes_received += size
                return Response(url=url, status=raw.status_code, headers=response_headers,
                                content=b"".join(chunks))
        finally:
            watchdog.cancel()
            _IN_FLIGHT.pop(thread, None)


# thread id -> the urllib3 connection sending that thread's current request, for the deadline watchdog.
_IN_FLIGHT: dict[int, urllib3_connection.HTTPConnection] = {}


def _cut_connection(thread: int) -> None:
    """Shut down the socket of `thread`'s request in flight (safe from another thread: the blocked recv returns)."""
    sock = getattr(_IN_FLIGHT.get(thread), "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _TrackedHTTPConnection(urllib3_connection.HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _IN_FLIGHT[threading.get_ident()] = self
        super().request(*args, **kwargs)


class _TrackedHTTPSConnection(urllib3_connection.HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _IN_FLIGHT[threading.get_ident()] = self
        super().request(*args, **kwargs)


class _TrackedHTTPPool(urllib3_pool.HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _TrackedHTTPSPool(urllib3_pool.HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


def _has_port(entry: str) -> bool:
    host, sep, port = entry.rpartition(":")
    return bool(sep and host and port.isdigit())


def _transport_error(exc: BaseException) -> BaseException:
    """urllib3's errors while reading a streamed body, as the requests errors the retry loop knows."""
    if isinstance(exc, TRANSPORT_ERRORS):
        return exc
    if isinstance(exc, urllib3_exceptions.ReadTimeoutError | TimeoutError):
        return requests.Timeout(str(exc))
    if isinstance(exc, urllib3_exceptions.DecodeError):
        return requests.exceptions.ContentDecodingError(str(exc))
    return requests.exceptions.ChunkedEncodingError(str(exc))
