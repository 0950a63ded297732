"""/dev/mail/: the mail the local SMTP sink kept (``nexioq.mailsink``), for the demo.

Routed only when ``settings.MAIL_SINK_DIR`` is set, which ``make run`` does and production
never does (see nexioq/urls.py); the views refuse as well when it is unset. A newcomer who
just booked reads their confirmation here. The messages are our own, but their HTML is still
shown in a sandboxed iframe with no scripts, so a page of the app never runs mail content.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from nexioq.errors import NotFound

# The sink's names (``mailsink.eml_name``) and any plain .eml dropped in by hand; never a path.
EML_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.eml")
LIST_LIMIT = 200
# Links in a message open in a new tab: the sandbox lets them out, never scripts or forms.
BASE_TARGET = '<base target="_blank">'


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Mail:
    name: str
    to: str
    sender: str
    subject: str
    date: dt.datetime
    html: str | None = None
    text: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def _directory() -> Path:
    if not settings.MAIL_SINK_DIR:
        raise NotFound(detail="MAIL_SINK_DIR is not set")
    return Path(settings.MAIL_SINK_DIR).resolve()


def _date(message: EmailMessage, path: Path) -> dt.datetime:
    header = message["Date"]
    stamp = getattr(header, "datetime", None) if header is not None else None
    if isinstance(stamp, dt.datetime) and stamp.tzinfo is not None:
        return stamp
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)


def _summary(path: Path, message: EmailMessage) -> Mail:
    return Mail(
        name=path.name,
        to=str(message["To"] or ""),
        sender=str(message["From"] or ""),
        subject=str(message["Subject"] or ""),
        date=_date(message, path),
    )


def sink_mail_list(*, directory: Path, limit: int = LIST_LIMIT) -> list[Mail]:
    """The newest ``limit`` messages of the sink's directory, newest first (headers only)."""
    if not directory.is_dir():
        return []
    paths = [
        path
        for path in directory.iterdir()
        if EML_NAME.fullmatch(path.name) and not path.is_symlink() and path.is_file()
    ]
    paths.sort(key=lambda path: (path.stat().st_mtime, path.name), reverse=True)
    parser = BytesParser(policy=email.policy.default)
    found = []
    for path in paths[:limit]:
        with path.open("rb") as handle:
            headers = parser.parse(handle, headersonly=True)
        assert isinstance(headers, EmailMessage)
        found.append(_summary(path, headers))
    return found


def sink_mail_get(*, directory: Path, name: str) -> Mail:
    """One message of the directory by file name; NotFound for anything else, links and '..' included."""
    if not EML_NAME.fullmatch(name):
        raise NotFound(detail=f"not a message name: {name!r}")
    path = (directory / name).resolve()
    if path.parent != directory or not path.is_file():
        raise NotFound(detail=f"no message {name!r} in {directory}")
    message = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    attachments = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        attachments.append(
            Attachment(
                filename=part.get_filename() or "",
                content_type=part.get_content_type(),
                size=len(payload) if isinstance(payload, bytes) else 0,
            )
        )
    summary = _summary(path, message)
    return Mail(
        name=summary.name,
        to=summary.to,
        sender=summary.sender,
        subject=summary.subject,
        date=summary.date,
        html=str(html_part.get_content()) if isinstance(html_part, EmailMessage) else None,
        text=str(text_part.get_content()) if isinstance(text_part, EmailMessage) else None,
        attachments=attachments,
    )


@require_GET
def mail_list(request: HttpRequest) -> HttpResponse:
    directory = _directory()
    return render(request, "dev_mail.html", {"mails": sink_mail_list(directory=directory), "directory": directory})


@require_GET
def mail_message(request: HttpRequest, name: str) -> HttpResponse:
    mail = sink_mail_get(directory=_directory(), name=name)
    srcdoc = BASE_TARGET + mail.html if mail.html is not None else None
    return render(request, "dev_mail_message.html", {"mail": mail, "srcdoc": srcdoc})
