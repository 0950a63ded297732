"""The notification tests send into the shared SMTP sink (``smtp_sink``, tests/servers.py) and read
it with ``tests.notifications.helpers.received``. Their messages' links name one site, which the
tests cut off to follow a link with the test client."""

from __future__ import annotations

from typing import Any

import pytest

SITE_URL = "https://citas.example"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE_URL
