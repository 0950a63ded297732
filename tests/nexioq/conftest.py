"""Fixtures of the project-level tests. mail_dir: turning /dev/mail/ on for a test (the URLconf routes it only when MAIL_SINK_DIR is set)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import clear_url_caches
from pytest_django.fixtures import Settings

from nexioq.mailsink import MailSink


def reload_urls() -> None:
    import nexioq.urls

    importlib.reload(nexioq.urls)
    clear_url_caches()


@pytest.fixture
def mail_dir(smtp_sink: MailSink, settings: Settings) -> Iterator[Path]:
    """The sink's directory, shown at /dev/mail/ for this test as `make run` shows var/mail/."""
    assert smtp_sink.directory is not None
    settings.MAIL_SINK_DIR = str(smtp_sink.directory)
    reload_urls()
    yield smtp_sink.directory
    settings.MAIL_SINK_DIR = None
    reload_urls()
