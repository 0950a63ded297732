"""What every error page must show, whatever its markup: the product's layout, the language, the words.

The error templates are restyled from time to time; these checks look only at what a visitor
relies on: the site's own layout around the message (the footer's language switch of
``templates/_base.html``), the page's language, and the message itself.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.urls import reverse


def assert_error_page(response: HttpResponse, status: int, *texts: str, language: str = "es") -> None:
    body = response.content.decode()
    assert response.status_code == status, body[:500]
    assert response["Content-Type"].startswith("text/html")
    assert f'lang="{language}"' in body, "not in the visitor's language"
    assert f'action="{reverse("set_language")}"' in body, "not in the product's layout (templates/_base.html)"
    for text in texts:
        assert text in body, f"{text!r} missing from the {status} page"


def assert_error_json(response: HttpResponse, status: int, *texts: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert isinstance(data.get("error"), str) and data["error"]
    for text in texts:
        assert text in data["error"]
