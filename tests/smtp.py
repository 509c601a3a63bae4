"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives, for alert tests."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Inbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    accounts: _Accounts | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls handle_DATA by name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)

    def bodies(self) -> list[str]:
        return [m.get_content() for m in self.messages]  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class _Accounts:
    """aiosmtpd authenticator: accepts exactly one user and password, and records who logged in."""

    user: str
    password: str
    logins: list[str] = field(default_factory=list)

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            self.user.encode(), self.password.encode()
        ):
            self.logins.append(self.user)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_inbox(*, user: str | None = None, password: str | None = None) -> Iterator[Inbox]:
    """With user and password, the server requires AUTH (over plain TCP: loopback only)."""
    inbox = Inbox(host="127.0.0.1", port=_free_port())
    auth: dict[str, Any] = {}
    if user is not None:
        inbox.accounts = _Accounts(user, password or "")
        auth = {"authenticator": inbox.accounts, "auth_required": True, "auth_require_tls": False}
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port, **auth)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
