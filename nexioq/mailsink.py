"""A local SMTP server that keeps the mail NexioQ sends instead of delivering it.

``make run`` starts it as ``python -m nexioq.mailsink --port N --dir var/mail`` so the
demo's mail can be read at /dev/mail/ (``nexioq.views_mail``) or as .eml files; the
suite runs it in a thread (``tests/servers.py``) and asserts on ``messages``. It can be
told to refuse mail, so tests see what an SMTP outage does to a send. Loopback only:
nothing here ever relays a message anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email
import email.policy
import os
import signal
import threading
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

LOOPBACK = "127.0.0.1"


def message_from_bytes(data: bytes) -> EmailMessage:
    """A message as a mail client reads it: the default policy gives ``EmailMessage`` with get_body()."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def eml_name(now: dt.datetime | None = None) -> str:
    """A file name that sorts by arrival (newest last) and never collides."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{uuid.uuid4().hex[:8]}.eml"


@dataclass(frozen=True)
class Refusal:
    code: int
    text: str
    remaining: int | None  # how many more messages to refuse; None until accept() is called

    @property
    def reply(self) -> str:
        return f"{self.code} {self.text}"


class MailSink:
    """An SMTP server on ``host:port`` that stores every message it accepts.

    ``messages`` holds each one parsed with the default policy, in arrival order;
    ``envelopes`` the matching SMTP recipients (which include Bcc). With ``directory``
    each message is also written there as ``<UTC time>-<random>.eml``, whole or not at all.
    """

    def __init__(self, *, host: str = LOOPBACK, port: int, directory: Path | None = None) -> None:
        self.host = host
        self.port = port
        self.directory = directory
        self.messages: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self._lock = threading.Lock()
        self.refused = 0  # messages refused since the start, for assertions on retries
        self._refusal: Refusal | None = None
        self._stall = threading.Event()
        self.stalled = 0  # messages that arrived while stalled, for a test to act mid-send
        self._controller: Controller | None = None

    # ------------------------------------------------------------------ running

    def start(self) -> MailSink:
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
        # aiosmtpd runs its own event loop in a thread; start() returns once it answers.
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ what tests use

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    def refuse(
        self, code: int = 451, text: str = "4.3.0 Mail sink refusing on purpose", *, times: int | None = None
    ) -> None:
        """Answer the next messages' DATA with ``code`` (4xx: try later, 5xx: rejected).

        ``times`` refuses that many messages and then accepts again; without it the sink
        refuses until ``accept()``.
        """
        if not 400 <= code <= 599:
            raise ValueError("a refusal is a 4xx or 5xx SMTP reply")
        with self._lock:
            self._refusal = Refusal(code=code, text=text, remaining=times)

    def accept(self) -> None:
        with self._lock:
            self._refusal = None

    def stall(self) -> None:
        """Hold every message's DATA without a reply until ``release()``: a sender is then caught
        mid-send (a test kills it there). A sender that hangs up meanwhile never got its "250", so
        its message is dropped, as a mail server drops a transaction cut short."""
        self._stall.set()

    def release(self) -> None:
        self._stall.clear()

    # ------------------------------------------------------------------ the handler's side

    def _take_refusal(self) -> str | None:
        with self._lock:
            refusal = self._refusal
            if refusal is None:
                return None
            if refusal.remaining is not None:
                left = refusal.remaining - 1
                self._refusal = Refusal(refusal.code, refusal.text, left) if left > 0 else None
            self.refused += 1
            return refusal.reply

    def _receive(self, data: bytes, recipients: list[str]) -> None:
        message = message_from_bytes(data)
        if self.directory is not None:
            name = eml_name()
            partial = self.directory / f".{name}.part"
            partial.write_bytes(data)
            os.replace(partial, self.directory / name)  # the viewer never reads half a message
        with self._lock:
            self.messages.append(message)
            self.envelopes.append(recipients)


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.sink._stall.is_set():
            with self.sink._lock:
                self.sink.stalled += 1
            # aiosmtpd cancels this coroutine when the client's connection is lost: nothing is kept.
            while self.sink._stall.is_set():
                await asyncio.sleep(0.02)
        refusal = self.sink._take_refusal()
        if refusal is not None:
            return refusal
        content: Any = envelope.original_content or envelope.content or b""
        data = content if isinstance(content, bytes) else str(content).encode()
        self.sink._receive(data, [str(address) for address in envelope.rcpt_tos])
        return "250 Message accepted for delivery"


def main() -> int:
    parser = argparse.ArgumentParser(description="Keep NexioQ's outgoing mail as .eml files (make run).")
    parser.add_argument("--host", default=LOOPBACK)
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAIL_SINK_PORT", "8025")))
    parser.add_argument("--dir", type=Path, default=Path("var") / "mail")
    args = parser.parse_args()
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    with MailSink(host=args.host, port=args.port, directory=args.dir):
        print(f"Mail sink on {args.host}:{args.port}, keeping messages in {args.dir}", flush=True)
        stopped.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
