"""allauth's pages in a real Chromium (Playwright) against the live Django server.

The pages are allauth's own; only the layout and element templates under
``templates/allauth/`` are NexioQ's. These tests walk the account flows a patient or a
clinic's staff goes through, in Spanish (the default) and English, on a desktop and on a
phone, and save every page as a PNG under ``test-artifacts/accounts/`` for a human to look at.

Mail goes to Django's locmem outbox (pytest-django), which is how the verification code is read.

Run alone: ``.venv/bin/python -m pytest tests/accounts/test_account_pages_browser.py -q``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.browser import (  # noqa: F401 - fixtures of the browser tests, loaded only here
    MOBILE,
    PageFactory,
    Shots,
    _allow_async_unsafe,
    browser,
    new_page,
    page,
    playwright_driver,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shot = Shots("accounts")
EMAIL = "ana.perez@example.com"
PASSWORD = "Sonrisa-2026-segura"
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)  # allauth's default user code
WRONG_CREDENTIALS_ES = "El correo electrónico o la contraseña que escribiste no son correctos."


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """allauth counts sign-ins, sign-ups and resets in the cache; the database is fresh per test, so is that."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member() -> User:
    """A signed-up user whose address is already verified."""
    user = User.objects.create_user(EMAIL, PASSWORD)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    return user


# --- helpers ------------------------------------------------------------------------------


def page_width(page: Page) -> int:
    """Layout width in CSS px; with mobile emulation the layout viewport grows to fit content that overflows."""
    return int(page.evaluate("Math.max(window.innerWidth, document.documentElement.scrollWidth)"))


def heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def sign_in(page: Page, password: str = PASSWORD) -> None:
    page.get_by_label("Correo electrónico", exact=True).fill(EMAIL)
    page.get_by_label("Contraseña", exact=True).fill(password)
    page.get_by_role("button", name="Iniciar sesión").click()


def verification_code() -> str:
    [message] = [m for m in mail.outbox if EMAIL in m.to]
    found = CODE.search(message.body)
    assert found, message.body
    return found.group(1)


def expect_signed_in(page: Page) -> None:
    page.goto("/accounts/email/")
    heading(page, "Direcciones de correo electrónico")
    expect(page.get_by_test_id("account-link")).to_contain_text(EMAIL)


# --- tests --------------------------------------------------------------------------------


def test_it_signs_up_with_the_emailed_code_and_signs_in_again(page: Page) -> None:
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    heading(page, "Registrarse")
    shot(page, "signup")

    # Field errors sit next to their field.
    page.get_by_label("Correo electrónico", exact=True).fill(EMAIL)
    page.get_by_label("Contraseña", exact=True).fill("abc12")
    page.get_by_label("Contraseña (otra vez)", exact=True).fill("abc12")
    page.get_by_role("button", name="Registrarse").click()
    password = page.get_by_label("Contraseña", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_password1_error")).to_contain_text("demasiado corta")
    expect(page.get_by_label("Correo electrónico", exact=True)).to_have_value(EMAIL)
    shot(page, "signup-errors")

    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Contraseña (otra vez)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Registrarse").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    heading(page, "Introduce el código de verificación del correo electrónico")
    expect(page.get_by_role("main")).to_contain_text(EMAIL)
    shot(page, "verify-code")

    page.get_by_label("Código", exact=True).fill("AAAA-AAAA")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.locator("#id_code_error")).to_be_visible()
    shot(page, "verify-code-error")

    page.get_by_label("Código", exact=True).fill(verification_code())
    page.get_by_role("button", name="Confirmar").click()
    page.wait_for_url(re.compile(r"/$"))
    expect_signed_in(page)
    expect(page.get_by_text("Verificado", exact=True)).to_be_visible()

    page.goto("/accounts/logout/")
    heading(page, "Cerrar sesión")
    shot(page, "logout")
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/accounts/password/reset/")
    heading(page, "Restablecer Contraseña")
    shot(page, "password-reset")
    page.get_by_label("Correo electrónico", exact=True).fill(EMAIL)
    page.get_by_role("button", name="Restablecer mi contraseña").click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/done/$"))
    heading(page, "Restablecer Contraseña")
    expect(page.get_by_role("main")).to_contain_text("Te enviamos un correo electrónico")
    shot(page, "password-reset-done")
    assert [m.to for m in mail.outbox][-1] == [EMAIL]

    page.goto("/accounts/login/")
    heading(page, "Iniciar sesión")
    shot(page, "login")
    sign_in(page, password="not-the-password")
    expect(page.get_by_role("alert")).to_have_text(WRONG_CREDENTIALS_ES)
    expect(page.get_by_label("Correo electrónico", exact=True)).to_have_value(EMAIL)
    expect(page.get_by_label("Contraseña", exact=True)).to_have_value("")  # never echoed back
    shot(page, "login-error")

    sign_in(page)
    page.wait_for_url(re.compile(r"/$"))
    expect_signed_in(page)


def test_it_manages_the_account_when_signed_in(new_page: PageFactory, member: User) -> None:
    phone = new_page(viewport=MOBILE, mobile=True)
    phone.goto("/accounts/login/")
    sign_in(phone)
    phone.wait_for_url(re.compile(r"/$"))
    expect_signed_in(phone)
    assert page_width(phone) == MOBILE["width"]  # the tab bar scrolls inside itself
    shot(phone, "email-mobile")

    page = new_page()
    page.goto("/accounts/login/")
    sign_in(page)
    page.wait_for_url(re.compile(r"/$"))

    expect_signed_in(page)
    expect(page.get_by_role("radio", name=re.compile(EMAIL))).to_be_checked()
    expect(page.get_by_role("link", name="Direcciones de correo electrónico")).to_have_attribute("aria-current", "page")
    shot(page, "email")

    page.get_by_role("link", name="Cambiar la contraseña").click()
    heading(page, "Cambiar la contraseña")
    shot(page, "password-change")
    page.get_by_label("Contraseña actual", exact=True).fill("not-the-password")
    page.get_by_label("Nueva contraseña", exact=True).fill("Otra-clave-2026")
    page.get_by_label("Nueva contraseña (de nuevo)", exact=True).fill("Otra-clave-2026")
    page.get_by_role("button", name="Cambiar la contraseña").click()
    expect(page.get_by_label("Contraseña actual", exact=True)).to_have_attribute("aria-invalid", "true")
    shot(page, "password-change-errors")

    page.get_by_role("link", name="Autenticación de doble factor").click()
    heading(page, "Autenticación de doble factor")
    shot(page, "mfa")

    page.get_by_role("link", name="Activar").click()
    # Turning on two-factor authentication asks for the password again first.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    heading(page, "Confirmar acceso")
    shot(page, "reauthenticate")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirmar").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    heading(page, "Activar la aplicación de autenticación")
    qr = page.locator('main img[src^="data:image/svg+xml"]')
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.get_by_label("Código del autenticador", exact=True)).to_be_editable()
    shot(page, "mfa-totp-activate")


def test_it_fits_a_phone_and_speaks_english_on_request(new_page: PageFactory) -> None:
    phone = new_page(viewport=MOBILE, mobile=True)
    for path, name, title in [
        ("/accounts/login/", "login", "Iniciar sesión"),
        ("/accounts/signup/", "signup", "Registrarse"),
    ]:
        phone.goto(path)
        heading(phone, title)
        assert page_width(phone) == MOBILE["width"]
        shot(phone, f"{name}-mobile")

    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    heading(page, "Sign In")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("alert")).to_have_text("The email address and/or password you specified are not correct.")
    shot(page, "login-error-en")

    page.get_by_role("link", name="Sign Up").first.click()
    heading(page, "Sign Up")
    shot(page, "signup-en")
