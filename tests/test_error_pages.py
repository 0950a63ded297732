"""The error pages: one layout (templates/_error.html inside _base.html), Spanish and English.

Requests go through the whole stack where Django or allauth renders the page; 500.html,
403_csrf.html and 503.html are also rendered directly, 500 and 403_csrf without any
request, as Django does. The module is its own URLconf so a view can raise.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.core.ratelimit import respond_429
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import translation

from access.models import Membership, Role
from nexioq.urls import urlpatterns as project_urlpatterns
from tests.conftest import People, World

pytestmark = pytest.mark.django_db


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not for you")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    *project_urlpatterns,
    path("test-errors/forbidden/", forbidden),
    path("test-errors/broken/", broken),
]

# What each page says by default, per language.
TEXT = {
    "es": {
        "footer": "Reservas en línea con NexioQ",
        "home": "Ir a la página de inicio",
        "retry": "Intentar de nuevo",
        400: "La solicitud no es válida",
        403: "No puedes abrir esta página",
        "csrf": "Este formulario expiró",
        404: "No encontramos esa página",
        429: "Demasiados intentos",
        500: "Algo salió mal",
        503: "NexioQ no está disponible en este momento",
    },
    "en": {
        "footer": "Online booking by NexioQ",
        "home": "Go to the home page",
        "retry": "Try again",
        400: "That request was not valid",
        403: "You cannot open this page",
        "csrf": "This form has expired",
        404: "We could not find that page",
        429: "Too many attempts",
        500: "Something went wrong",
        503: "NexioQ is not available right now",
    },
}
LANGUAGES = pytest.mark.parametrize("language", ["es", "en"])


@pytest.fixture
def own_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def client_in(language: str, **options: Any) -> Client:
    client = Client(**options)
    client.cookies["django_language"] = language
    return client


def assert_error_page(
    body: str, *, status: int, language: str, heading: str | int, clinic_slug: str | None = None
) -> None:
    """The product's layout (stylesheet, header, footer) around the error layout, in ``language``.

    The way back is NexioQ's home page, or the clinic's booking page when the address named a clinic.
    """
    text = TEXT[language]
    assert f'<html lang="{language}"' in body
    assert 'href="/static/css/app.css"' in body and text["footer"] in body  # _base.html
    assert f'data-error-page="{status}"' in body  # _error.html
    assert f">{text[heading]}</h1>" in body
    if clinic_slug is None:
        assert 'href="/" class="btn-' in body and text["home"] in body
    else:
        assert f'href="/c/{clinic_slug}/" class="btn-' in body


@LANGUAGES
def test_it_answers_a_missing_url_with_the_404_page(language: str) -> None:
    response = client_in(language).get("/no-such-page/")

    assert response.status_code == 404
    assert_error_page(response.content.decode(), status=404, language=language, heading=404)
    assert TEXT[language]["retry"] not in response.content.decode()


@LANGUAGES
def test_it_answers_permission_denied_with_the_403_page(own_urls: None, language: str) -> None:
    response = client_in(language).get("/test-errors/forbidden/")

    assert response.status_code == 403
    body = response.content.decode()
    assert_error_page(body, status=403, language=language, heading=403)
    assert "not for you" not in body  # the exception's text stays on the server


def test_it_shows_a_member_without_the_role_the_403_page(world: World, people: People) -> None:
    client = Client()
    client.force_login(people.dentist)  # type: ignore[arg-type]

    response = client.get(reverse("access-staff", args=[world.slug]))

    assert response.status_code == 403
    assert_error_page(response.content.decode(), status=403, language="es", heading=403, clinic_slug=world.slug)
    assert Membership.objects.filter(tenant_id=world.tenant_id, role=Role.DENTIST).count() == 1


@LANGUAGES
def test_it_answers_a_bad_host_with_the_400_page(language: str) -> None:
    response = client_in(language).get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert_error_page(response.content.decode(), status=400, language=language, heading=400)


@LANGUAGES
def test_it_answers_a_missing_csrf_token_with_the_csrf_page(language: str) -> None:
    client = client_in(language, enforce_csrf_checks=True)

    response = client.post(reverse("set_language"), {"language": "en"})

    assert response.status_code == 403
    assert_error_page(response.content.decode(), status=403, language=language, heading="csrf")


@LANGUAGES
def test_it_answers_an_unhandled_error_with_the_500_page(own_urls: None, language: str) -> None:
    response = client_in(language, raise_request_exception=False).get("/test-errors/broken/")

    assert response.status_code == 500
    body = response.content.decode()
    assert_error_page(body, status=500, language=language, heading=500)
    assert "a bug" not in body


@LANGUAGES
@pytest.mark.parametrize(("template", "status", "heading"), [("500.html", 500, 500), ("403_csrf.html", 403, "csrf")])
def test_it_renders_pages_django_renders_without_a_request(
    language: str, template: str, status: int, heading: str | int
) -> None:
    # As Django renders them: no request, so no context processors (no user, no CSRF token).
    with translation.override(language):
        body = loader.get_template(template).render()

    assert_error_page(body, status=status, language=language, heading=heading)
    assert 'action="/i18n/setlang/"' not in body  # no token to post the language switch with


@LANGUAGES
def test_it_answers_allauths_rate_limit_with_the_429_page(rf: RequestFactory, language: str) -> None:
    request = rf.post("/accounts/signup/")
    with translation.override(language):
        response = respond_429(request)

    assert response.status_code == 429
    body = response.content.decode()
    assert_error_page(body, status=429, language=language, heading=429)
    assert f'<a href="/accounts/signup/" class="btn-primary">{TEXT[language]["retry"]}</a>' in body


@LANGUAGES
def test_it_renders_the_503_page_with_a_way_to_try_again(rf: RequestFactory, language: str) -> None:
    request = rf.get("/c/sonrisa/?step=2")
    with translation.override(language):
        body = loader.render_to_string("503.html", request=request)

    assert_error_page(body, status=503, language=language, heading=503)
    assert f'<a href="/c/sonrisa/?step=2" class="btn-primary">{TEXT[language]["retry"]}</a>' in body
    assert 'action="/i18n/setlang/"' in body  # with a request, the language switch is there


@pytest.mark.parametrize("template", ["400.html", "403.html", "404.html", "429.html", "500.html", "503.html"])
def test_it_shows_the_title_and_message_it_is_given(rf: RequestFactory, template: str) -> None:
    # The error middleware renders a domain error's own title and message.
    context = {"title": "La clínica está suspendida", "message": "Llama al +57 601 555 0199.", "status": 409}

    body = loader.render_to_string(template, context, request=rf.get("/"))

    assert 'data-error-page="409"' in body
    assert ">La clínica está suspendida</h1>" in body
    assert "<title>La clínica está suspendida · NexioQ</title>" in body
    assert "Llama al +57 601 555 0199." in body
