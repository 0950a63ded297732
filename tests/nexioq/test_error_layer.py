"""The app's own refusals through the whole stack: in the product's layout, in the visitor's language,
with the domain error's own words (the templates themselves: ``tests/test_error_pages.py``).

Only the words and the layout are checked (``tests/pages.py``), never the markup: the error
templates get restyled.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from nexioq import dynamo
from nexioq.dynamo import iso_utc
from tests.conftest import People, World, at
from tests.pages import assert_error_page

pytestmark = pytest.mark.django_db

LANGUAGES = ["es", "en"]


def visitor(language: str, user: object = None) -> Client:
    client = Client()
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def words(language: str, spanish: str, english: str) -> str:
    return spanish if language == "es" else english


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_explains_a_403(language: str, world: World, people: People) -> None:
    response = visitor(language, people.patient).get(reverse("access-staff", args=[world.slug]))

    assert_error_page(
        response,
        403,
        words(language, "No puedes abrir esta página", "You cannot open this page"),
        words(
            language, "Tu rol en esta clínica no permite hacer esto.", "Your role at this clinic does not allow this."
        ),
        language=language,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_explains_a_404_for_an_unknown_address(language: str, world: World) -> None:
    response = visitor(language).get(f"/c/{world.slug}/no-such-page/")

    assert_error_page(
        response, 404, words(language, "No encontramos esa página", "We could not find that page"), language=language
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_explains_a_404_with_its_reason(language: str, world: World) -> None:
    """A time no longer held says so, instead of "page not found"."""
    client = visitor(language)
    hold_url = reverse("booking-hold", args=[world.slug, world.cleaning.treatment_id])
    details_url = client.post(hold_url, {"professional": world.ana.professional_id, "start": iso_utc(at(9))})[
        "Location"
    ]

    response = visitor(language).get(details_url)  # another browser

    assert_error_page(
        response,
        404,
        words(language, "Esta hora ya no está apartada para ti", "This time is no longer held for you"),
        language=language,
    )


@pytest.mark.parametrize("language", LANGUAGES)
@override_settings(HOLD_RATE_PER_SESSION="1/10m")
def test_it_explains_a_429(language: str, world: World) -> None:
    client = visitor(language)
    url = reverse("booking-hold", args=[world.slug, world.cleaning.treatment_id])
    first = client.post(url, {"professional": world.ana.professional_id, "start": iso_utc(at(9))})

    response = client.post(url, {"professional": world.ana.professional_id, "start": iso_utc(at(11))})

    assert first.status_code == 302
    assert_error_page(
        response,
        429,
        words(language, "Demasiadas solicitudes", "Too many requests"),
        words(language, "Has elegido muchas horas en poco tiempo.", "You have picked many times in a short while."),
        language=language,
    )


@pytest.fixture
def table_missing(world: World) -> Iterator[None]:
    meta = dynamo.TableItem.Meta
    host, table_name = meta.host, meta.table_name
    dynamo.configure(host=host, table_name=f"nexioq-missing-{uuid.uuid4().hex[:8]}")
    yield
    dynamo.configure(host=host, table_name=table_name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_explains_a_503(language: str, world: World, table_missing: None) -> None:
    response = visitor(language).get(reverse("booking-start", args=[world.slug]))

    assert_error_page(
        response,
        503,
        words(language, "No disponible por el momento", "Temporarily unavailable"),
        words(language, "Inténtalo de nuevo en un minuto.", "Please try again in a minute."),
        language=language,
    )
    assert response["Retry-After"]
