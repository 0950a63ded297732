"""Spanish wording of the pages around the settings work: Django admin's names and messages, and
the account pages (allauth), which speak "tú" through our catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.models import Invitation, Membership
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

USTED = ("¿Ha olvidado su contraseña?", "regístrese", "inicie sesión", "Introduzca", "¿Ya tiene una cuenta?", " su ")


def superuser_client() -> Client:
    user = make_user("root@nexioq.example", staff=True)
    user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_names_apps_models_and_columns_in_spanish() -> None:
    client = superuser_client()
    member = make_user("columnas@example.com")
    Membership.objects.create(user=member, tenant_id="t-columns", role="reception")
    Invitation.objects.create(
        tenant_id="t-columns",
        email="x@example.com",
        role="reception",
        token="t",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )

    index = client.get(reverse("admin:index")).content.decode()
    memberships = client.get(reverse("admin:access_membership_changelist")).content.decode()
    invitations = client.get(reverse("admin:access_invitation_changelist")).content.decode()

    assert "Cuentas" in index and ">Accounts<" not in index
    assert "Panel de la clínica" in index or "panel" not in index.lower()
    for english in ("created at", "Created at", ">user<", ">User<"):
        assert english not in memberships
    assert "Creado el" in memberships or "creado el" in memberships
    assert "Invitado por" in invitations or "invitado por" in invitations


def test_the_admin_says_tu_too() -> None:
    client = superuser_client()

    index = client.get(reverse("admin:index")).content.decode()
    memberships = client.get(reverse("admin:access_membership_changelist")).content.decode()

    assert "Hola," in index and "Bienvenidos," not in index
    assert "Escribe para filtrar" in memberships and "Empiece a escribir" not in memberships
    assert "Elige membresía para modificar" in memberships and "Seleccione" not in memberships


def test_the_admin_message_has_no_gendered_article(dynamodb_local: str) -> None:
    from clinics import services
    from clinics.clinic_settings import ClinicSettings

    clinic = services.clinic_create(slug="genero-clinica", settings=ClinicSettings(name="Género"))
    member = make_user("miembro@example.com")
    client = superuser_client()

    response = client.post(
        reverse("admin:access_membership_add"),
        {"user": member.pk, "tenant_id": clinic.tenant_id, "role": "reception", "professional_id": ""},
        follow=True,
    )

    body = response.content.decode()
    assert "El membresía" not in body
    assert "Se añadió membresía" in body


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_the_account_pages_say_tu(name: str) -> None:
    body = Client().get(reverse(name)).content.decode()

    for phrase in USTED:
        assert phrase not in body, f"{name}: {phrase!r}"


def test_the_login_page_uses_our_wording() -> None:
    body = Client().get(reverse("account_login")).content.decode()

    assert "¿Olvidaste tu contraseña?" in body


def test_the_signup_page_uses_our_wording() -> None:
    body = Client().get(reverse("account_signup")).content.decode()

    assert "¿Ya tienes una cuenta?" in body
