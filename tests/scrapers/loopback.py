"""A tiny scripted HTTP server on 127.0.0.1 for PoliteSession tests (retries, limits, robots)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between body bytes (a slowloris answer), 0: the body at once
    trickle_headers: bool = False  # trickle the status line and headers too


class Loopback:
    """`script[path]`: responses served in order (the last one repeats); `hits`: the requests seen."""

    def __init__(self) -> None:
        self.script: dict[str, list[Scripted]] = {}
        self.hits: list[tuple[str, str, dict[str, str]]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def count(self, path: str) -> int:
        return sum(1 for _, p, _ in self.hits if p == path)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                loopback.hits.append(("GET", path, dict(self.headers.items())))
                queue = loopback.script.get(path) or [Scripted(404, b"not found")]
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
                if reply.trickle_headers:
                    head = f"HTTP/1.1 {reply.status} OK\r\nContent-Length: {len(reply.body)}\r\n\r\n".encode()
                    try:
                        for i in range(len(head)):
                            self.wfile.write(head[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                    except OSError:
                        pass
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if reply.status != 304 and reply.trickle:
                    try:
                        for i in range(len(reply.body)):
                            self.wfile.write(reply.body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                    except OSError:  # the client hung up, as it should
                        return
                elif reply.status != 304:
                    self.wfile.write(reply.body)

        return Handler


@contextmanager
def loopback_server() -> Iterator[Loopback]:
    server = Loopback()
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=5)
