"""Where people land after signing in, and picking the clinic to work in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from access.models import Membership, Role
from office.views.start import CLINIC_COOKIE
from tests.conftest import PASSWORD, People, World, make_world

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user: object) -> str:
    """Sign in through allauth's form; the URL it sends the browser to."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})  # type: ignore[attr-defined]
    assert response.status_code == 302
    landing = client.get(response["Location"])
    assert landing.status_code == 302
    return str(landing["Location"])


def test_it_sends_a_patient_to_their_appointments(world: World, people: People) -> None:
    assert sign_in(Client(), people.patient) == reverse("portal-bookings")


@pytest.mark.parametrize("who", ["admin", "dentist", "reception"])
def test_it_sends_staff_of_one_clinic_to_its_agenda(world: World, people: People, who: str) -> None:
    assert sign_in(Client(), getattr(people, who)) == reverse("office-agenda", args=[world.slug])


def test_it_sends_the_platform_owner_without_a_clinic_to_the_platform_admin(world: World, people: People) -> None:
    assert sign_in(Client(), people.owner) == reverse("admin:index")


def test_it_keeps_the_page_asked_for_before_signing_in(world: World, people: People) -> None:
    client = Client()
    wanted = reverse("portal-profile")
    response = client.post(
        reverse("account_login"), {"login": people.reception.email, "password": PASSWORD, "next": wanted}
    )
    assert response["Location"] == wanted


def test_it_lets_staff_of_several_clinics_pick_once_and_switch(world: World, people: People) -> None:
    second = make_world()
    Membership.objects.create(user=people.reception, tenant_id=second.tenant_id, role=Role.ADMIN)
    client = Client()
    assert sign_in(client, people.reception) == reverse("office-clinics")

    picker = client.get(reverse("office-clinics"))
    assert picker.status_code == 200
    page = picker.content.decode()
    assert world.clinic.name in page and second.clinic.name in page

    picked = client.post(reverse("office-clinic-pick"), {"clinic": second.tenant_id})
    assert picked["Location"] == reverse("office-agenda", args=[second.slug])
    assert picked.cookies[CLINIC_COOKIE]["httponly"]

    # Signing in again goes straight to the clinic picked last (signing out keeps the browser's cookie;
    # the test client's logout forgets every cookie, so it is put back).
    remembered = client.cookies[CLINIC_COOKIE].value
    client.logout()
    client.cookies[CLINIC_COOKIE] = remembered
    assert sign_in(client, people.reception) == reverse("office-agenda", args=[second.slug])

    # Switching is picking another one.
    switched = client.post(reverse("office-clinic-pick"), {"clinic": world.tenant_id})
    assert switched["Location"] == reverse("office-agenda", args=[world.slug])
    assert client.get(reverse("office-start"))["Location"] == reverse("office-agenda", args=[world.slug])


def test_it_refuses_to_pick_a_clinic_without_a_staff_role_there(world: World, people: People) -> None:
    client = Client()
    client.force_login(people.patient)
    response = client.post(reverse("office-clinic-pick"), {"clinic": world.tenant_id})
    assert response.status_code == 404
    assert CLINIC_COOKIE not in response.cookies


def test_it_ignores_a_forged_clinic_cookie(world: World, people: People) -> None:
    second = make_world()
    Membership.objects.create(user=people.reception, tenant_id=second.tenant_id, role=Role.ADMIN)
    client = Client()
    client.force_login(people.reception)
    client.cookies[CLINIC_COOKIE] = second.tenant_id  # unsigned
    assert client.get(reverse("office-start"))["Location"] == reverse("office-clinics")


def test_it_shows_the_switch_on_staff_pages_only_to_people_of_several_clinics(world: World, people: People) -> None:
    client = Client()
    client.force_login(people.admin)
    settings_page = client.get(reverse("panel-settings", args=[world.slug])).content.decode()
    assert reverse("office-clinics") not in settings_page
    assert reverse("office-agenda", args=[world.slug]) in settings_page  # the staff navigation
    second = make_world()
    Membership.objects.create(user=people.admin, tenant_id=second.tenant_id, role=Role.RECEPTION)
    assert reverse("office-clinics") in client.get(reverse("panel-settings", args=[world.slug])).content.decode()
