"""A real SMTP server for the notification tests: aiosmtpd on a free loopback port, per test.

Django sends through its SMTP backend to it (``settings`` points EMAIL_* there), so what the tests
read is what a mail server received: envelope, headers, both bodies, the attachments. ``refuse``
makes it answer every message with 554, as a mail server refusing would.
(The lead switches these tests to the shared sink of ``nexioq.mailsink`` after merging.)
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from nexioq import devservers


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]

    def attachments(self) -> dict[str, tuple[str, bytes]]:
        found = {}
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            found[str(part.get_filename())] = (part.get_content_type(), payload if isinstance(payload, bytes) else b"")
        return found


@dataclass
class Inbox:
    """What the server received, in order; ``refuse`` turns every DATA into a 554."""

    port: int
    received: list[Received] = field(default_factory=list)
    refuse: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "554 5.7.1 Message refused"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    port = devservers.free_port()
    inbox = Inbox(port=port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://citas.example"
    try:
        yield inbox
    finally:
        controller.stop()
