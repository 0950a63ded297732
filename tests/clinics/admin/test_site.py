"""The admin site itself: installed as the default site, and open to active staff only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import resolve, reverse

from access.models import Membership, Role
from accounts.models import User
from clinics.admin.site import NexioqAdminSite
from clinics.models import Clinic
from tests.clinics.admin.conftest import CHANGELIST, change_url, new_clinic, reload, unique

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamodb_local", "frozen")]


def test_it_is_installed_as_the_default_site() -> None:
    site = admin.site._wrapped  # type: ignore[attr-defined]  # the instance behind Django's lazy default site

    assert type(site) is NexioqAdminSite  # by NexioqAdminConfig.default_site
    assert not {"get_urls", "get_app_list"} & set(vars(site))  # its class's methods, nothing patched in
    assert resolve(reverse(CHANGELIST)).namespace == "admin"


def test_it_shows_clinics_on_the_admin_index(staff_client: Client) -> None:
    body = staff_client.get(reverse("admin:index")).content.decode()

    assert reverse(CHANGELIST) in body
    assert reverse("admin:clinics_clinic_add") in body
    assert "Clínicas (DynamoDB)" in body or "Clinics (DynamoDB)" in body


def test_it_shows_clinics_on_the_app_index(staff_client: Client) -> None:
    response = staff_client.get(reverse("admin:clinics_app_index"))

    assert response.status_code == 200
    assert reverse(CHANGELIST) in response.content.decode()


def clinic_urls(clinic: Clinic) -> list[tuple[str, str]]:
    return [
        ("get", reverse(CHANGELIST)),
        ("get", reverse("admin:clinics_clinic_add")),
        ("post", reverse("admin:clinics_clinic_add")),
        ("get", change_url(clinic)),
        ("post", change_url(clinic)),
        ("post", reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id])),
        ("post", reverse("admin:clinics_clinic_unsuspend", args=[clinic.tenant_id])),
    ]


def test_it_sends_anonymous_users_to_the_admin_login(client: Client) -> None:
    clinic = new_clinic()

    for method, url in clinic_urls(clinic):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login") + "?next="), url
    assert reload(clinic).version == clinic.version


def test_it_sends_non_staff_users_to_the_admin_login(client: Client) -> None:
    clinic = new_clinic()
    user = User.objects.create_user(email=f"patient-{unique()}@example.com", password="x")
    Membership.objects.create(user=user, tenant_id=clinic.tenant_id, role=Role.ADMIN)  # a clinic admin is not staff
    client.force_login(user)

    for method, url in clinic_urls(clinic):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    assert reload(clinic).suspended is False
