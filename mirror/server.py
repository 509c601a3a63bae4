"""MirrorServer: the offline mirror on 127.0.0.1, one ThreadingHTTPServer (own port) per live host.

Serves GET/HEAD of the rendered files with ETag/Last-Modified and 304 on conditional requests,
POST to Hanweb's dataproxy.jsp (reads the form, answers XML like the real one), robots.txt, and
404 for anything else, the attachment files of documents (real PDFs, generated DOCX) and the files columns
list on their own (PDF-only entries). Tests can change what is
served (a document's text, a redesigned page, robots.txt) and inject faults at a URL (`fail`: any status
and headers, a body, a delay past the client's timeout, a connection dropped mid-body), and read the
request log. `running_mirror()` is the context manager; `serve_forever()` backs the CLI command.
"""

from __future__ import annotations

import email.utils
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mirror.build import build_site
from mirror.site import SITES_FILE, Request, SiteBuild, StaticFile, hanweb_dataproxy, load_sites

DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
MORE_PROXY_PATH = "/module/web/jpage/morecolumndataproxy.jsp"


@dataclass(frozen=True)
class LoggedRequest:
    host: str  # the live host the request was for
    method: str
    path: str  # without the query string
    status: int
    at: float = field(default_factory=time.monotonic)  # when it was answered (time.monotonic)


@dataclass
class _Failure:
    status: int
    remaining: int | None  # None: for ever
    headers: dict[str, str]
    body: bytes | None = None  # None: "HTTP <status>"
    delay: float = 0.0  # seconds to wait before answering (a slow server: the client times out)
    truncate: bool = False  # declare the whole body's length, send half of it, close the connection
    trickle: float = 0.0  # seconds between body bytes (a slowloris answer)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client that hung up (after a timeout, or refusing an oversized body) is no server error
        super().handle_error(request, client_address)


class Mirror:
    """The running mirror. `base_urls` maps live host → "http://127.0.0.1:PORT"."""

    def __init__(self, sites_file: Path = SITES_FILE, ports: dict[str, int] | None = None) -> None:
        self._lock = threading.Lock()
        self._site_configs = load_sites(sites_file)
        self._texts: dict[str, str] = {}
        self._last_modified: dict[str, str] = {}
        self._overrides: dict[tuple[str, str], StaticFile | None] = {}
        self._failures: dict[tuple[str, str], _Failure] = {}
        self.log: list[LoggedRequest] = []
        self.sites: dict[str, SiteBuild] = {}  # by live host
        self._rebuild()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        ports = ports or {}
        for host in self.sites:
            server = _Server(("127.0.0.1", ports.get(host, 0)), _handler_for(self, host))
            server.daemon_threads = True
            self._servers[host] = server
        self.base_urls: dict[str, str] = {
            host: f"http://127.0.0.1:{server.server_address[1]}" for host, server in self._servers.items()
        }

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Mirror:
        for host, server in self._servers.items():
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"mirror:{host}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    # -- what is served -----------------------------------------------------------------------

    def _rebuild(self) -> None:
        with self._lock:
            self.sites = {
                cfg["host"]: build_site(key, cfg, texts=self._texts, last_modified=self._last_modified)
                for key, cfg in self._site_configs.items()
            }

    def replace_text(self, corpus_name: str, text: str, last_modified: str | None = None) -> None:
        """Serve a different text for the document made from `corpus_name` (a new version)."""
        self._texts[corpus_name] = text
        self._last_modified[corpus_name] = last_modified or email.utils.formatdate(usegmt=True)
        self._rebuild()

    def set_page(
        self, host: str, path: str, body: bytes, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        """Serve `body` at `path` instead of the rendered page (e.g. a redesigned layout)."""
        self._overrides[(host, path)] = StaticFile(body, content_type, email.utils.formatdate(usegmt=True))

    def set_robots(self, host: str, text: str) -> None:
        self.set_page(host, "/robots.txt", text.encode("utf-8"), "text/plain")

    def fail(
        self,
        host: str,
        path: str,
        status: int = 500,
        times: int | None = None,
        headers: dict[str, str] | None = None,
        *,
        body: bytes | None = None,
        delay: float = 0.0,
        truncate: bool = False,
        trickle: float = 0.0,
    ) -> None:
        """Answer `status` at `path` (for the next `times` requests, or always), with `headers` and `body`,
        after `delay` seconds; with `truncate`, the connection drops halfway through the declared body; with
        `trickle`, the body comes one byte every `trickle` seconds (a slowloris)."""
        self._failures[(host, path)] = _Failure(status, times, dict(headers or {}), body, delay, truncate, trickle)

    def reset(self) -> None:
        """Drop every override and failure and serve the corpus again; the log is kept."""
        self._texts.clear()
        self._last_modified.clear()
        self._overrides.clear()
        self._failures.clear()
        self._rebuild()

    def document_path(self, corpus_name: str) -> tuple[str, str]:
        """(live host, path) of the detail page made from `corpus_name`."""
        for cfg in self._site_configs.values():
            for doc in cfg.get("documents", []):
                if doc.get("corpus") == corpus_name:
                    return cfg["host"], doc["path"]
        raise KeyError(corpus_name)

    def requests(
        self, host: str | None = None, *, method: str | None = None, status: int | None = None
    ) -> list[LoggedRequest]:
        with self._lock:
            return [
                r
                for r in self.log
                if (host is None or r.host == host)
                and (method is None or r.method == method)
                and (status is None or r.status == status)
            ]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    # -- used by the handler ------------------------------------------------------------------

    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.log.append(entry)

    def _failure(self, host: str, path: str) -> _Failure | None:
        with self._lock:
            failure = self._failures.get((host, path))
            if failure is None:
                return None
            if failure.remaining is not None:
                if failure.remaining <= 0:
                    return None
                failure.remaining -= 1
            return failure

    def _file(self, host: str, path: str) -> StaticFile | None:
        with self._lock:
            if (host, path) in self._overrides:
                return self._overrides[(host, path)]
            files = self.sites[host].files
            if path in files:
                return files[path]
            if path.endswith("/") and path + "index.html" in files:
                return files[path + "index.html"]
            return None


def _not_modified(handler: BaseHTTPRequestHandler, file: StaticFile) -> bool:
    inm = handler.headers.get("If-None-Match")
    if inm is not None:  # RFC 9110 §13.1.2: If-None-Match wins over If-Modified-Since
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or file.etag in tags
    ims = handler.headers.get("If-Modified-Since")
    if ims:
        try:
            since = email.utils.parsedate_to_datetime(ims)
            modified = email.utils.parsedate_to_datetime(file.last_modified)
        except (TypeError, ValueError):
            return False
        return modified <= since
    return False


def _handler_for(mirror: Mirror, host: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "carbonpeak-mirror"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the mirror keeps its own log

        def _send(self, status: int, body: bytes, headers: dict[str, str], *, head: bool = False,
                  truncate: bool = False, trickle: float = 0.0) -> None:
            # Logged before answering: a client that has its answer must find the request in the log.
            mirror._record(LoggedRequest(host, self.command, urlsplit(self.path).path, status))
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head and status != 304 and trickle:
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(trickle)
                elif not head and status != 304:
                    self.wfile.write(body[: len(body) // 2] if truncate else body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout fault)
                self.close_connection = True
            if truncate:
                self.close_connection = True

        def _maybe_fail(self, path: str) -> bool:
            failure = mirror._failure(host, path)
            if failure is None:
                return False
            if failure.delay:
                time.sleep(failure.delay)
            headers = {"Content-Type": "text/plain", **failure.headers}
            body = failure.body if failure.body is not None else f"HTTP {failure.status}".encode()
            self._send(failure.status, body, headers, truncate=failure.truncate, trickle=failure.trickle)
            return True

        def _endpoint(self, method: str, body: bytes = b"") -> bool:
            """Answer from the site's endpoint for this path, if it has one."""
            parts = urlsplit(self.path)
            endpoint = mirror.sites[host].endpoints.get(parts.path)
            if endpoint is None:
                return False
            request = Request(method, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}, body,
                              {k.lower(): v for k, v in self.headers.items()})
            answer = endpoint(request)
            self._send(answer.status, answer.body, {"Content-Type": answer.content_type, **answer.headers},
                       head=method == "HEAD")
            return True

        def _get(self, head: bool) -> None:
            path = urlsplit(self.path).path
            if self._maybe_fail(path):
                return
            if self._endpoint("HEAD" if head else "GET"):
                return
            file = mirror._file(host, path)
            if file is None:
                self._send(
                    404, b"<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"}, head=head
                )
                return
            headers = {
                "Content-Type": file.content_type,
                "ETag": file.etag,
                "Last-Modified": file.last_modified,
            }
            if _not_modified(self, file):
                mirror._record(LoggedRequest(host, self.command, path, 304))
                self.send_response(304)
                for name, value in headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.end_headers()
                return
            self._send(200, file.body, headers, head=head)

        def do_GET(self) -> None:
            self._get(head=False)

        def do_HEAD(self) -> None:
            self._get(head=True)

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form_raw = self.rfile.read(length) if length else b""
            if self._maybe_fail(parts.path):
                return
            if self._endpoint("POST", form_raw):
                return
            site = mirror.sites[host]
            # A site serves the list API its sites.toml entry names (list_api), like a live column's jpage proxyUrl.
            api = MORE_PROXY_PATH if site.config.get("list_api") == "morecolumndataproxy" else DATAPROXY_PATH
            if parts.path != api or site.family != "hanweb":
                self._send(404, b"", {"Content-Type": "text/html"})
                return
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            form = {k: v[0] for k, v in parse_qs(form_raw.decode("utf-8", "replace")).items()}
            cfg = site.config
            # The real dataproxy answers an empty datastore for a column/unit/site it does not know.
            known = (form.get("columnid"), form.get("unitid"), form.get("webid")) == (
                str(cfg["column_id"]),
                str(cfg["unitid"]),
                str(cfg["webid"]),
            )
            if api == MORE_PROXY_PATH:  # one jpage page per request: ?page=N (1-based), columnid, unitid
                perpage = int(cfg.get("perpage", 15))
                page = int(query.get("page", "1") or 1)
                start, end = (page - 1) * perpage + 1, page * perpage
                known = known or (query.get("columnid"), query.get("unitid")) == (str(cfg["column_id"]),
                                                                                   str(cfg["unitid"]))
            else:
                start = int(query.get("startrecord", "1") or 1)
                end = int(query.get("endrecord", "0") or 0)
            with mirror._lock:
                body = (
                    hanweb_dataproxy(site, start, end)
                    if known
                    else hanweb_dataproxy(SiteBuild(site.key, site.host, site.family, cfg), 1, 0)
                )
            self._send(200, body, {"Content-Type": "text/xml;charset=UTF-8"})

    return Handler


@contextmanager
def running_mirror(sites_file: Path = SITES_FILE, ports: dict[str, int] | None = None) -> Iterator[Mirror]:
    """Start the mirror for the duration of a `with` block."""
    mirror = Mirror(sites_file, ports).start()
    try:
        yield mirror
    finally:
        mirror.stop()


def serve_forever(ports: dict[str, int] | None = None, sites_file: Path = SITES_FILE,
                  texts: dict[str, str] | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM, after printing the {live host: base URL} map (CARBONPEAK_BASE_URLS).
    `texts` serves other texts for corpus files (a revision), as `Mirror.replace_text` does."""
    import signal

    mirror = Mirror(sites_file, ports)
    for corpus_name, text in (texts or {}).items():
        mirror.replace_text(corpus_name, text)
    mirror.start()
    print(json.dumps(mirror.base_urls, ensure_ascii=False), flush=True)
    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a supervisor's stop (the deployment test) closes the ports cleanly
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        mirror.stop()
