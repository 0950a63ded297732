"""Suspending a clinic's online booking from the admin, and resuming it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clinics import services
from nexioq import dynamo
from tests.clinics.admin.conftest import CHANGELIST, change_url, new_clinic, reload
from tests.conftest import World, at, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamodb_local", "frozen")]


def hold(client: Client, world: World) -> Any:
    url = reverse("booking-hold", args=[world.slug, world.cleaning.treatment_id])
    return client.post(url, {"professional": world.ana.professional_id, "start": dynamo.iso_utc(at(9))})


def test_it_suspends_a_clinic_so_its_pages_refuse_bookings(staff_client: Client) -> None:
    world = make_world()
    public = Client()
    assert "no está disponible" not in public.get(f"/c/{world.slug}/").content.decode()

    response = staff_client.post(reverse("admin:clinics_clinic_suspend", args=[world.tenant_id]))

    assert response.status_code == 302
    assert response["Location"] == change_url(world.clinic)
    assert reload(world.clinic).suspended is True
    page = public.get(f"/c/{world.slug}/")
    assert page.status_code == 200
    assert "no está disponible" in page.content.decode()
    assert hold(public, world).status_code == 409


def test_it_lets_a_suspended_clinic_take_bookings_again(staff_client: Client) -> None:
    world = make_world()
    services.clinic_suspend(tenant_id=world.tenant_id)

    staff_client.post(reverse("admin:clinics_clinic_unsuspend", args=[world.tenant_id]))

    assert reload(world.clinic).suspended is False
    assert "no está disponible" not in Client().get(f"/c/{world.slug}/").content.decode()
    assert hold(Client(), world).status_code == 302


def test_it_returns_to_the_list_it_came_from(staff_client: Client) -> None:
    clinic = new_clinic()
    back = f"{reverse(CHANGELIST)}?q={clinic.slug}"

    response = staff_client.post(reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]), {"next": back})

    assert response["Location"] == back
    assert "clinic-status--suspended" in staff_client.get(back).content.decode()


def test_it_does_not_redirect_off_site(staff_client: Client) -> None:
    clinic = new_clinic()

    response = staff_client.post(
        reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == change_url(clinic)


def test_it_asks_for_confirmation_before_suspending(staff_client: Client) -> None:
    clinic = new_clinic()
    back = f"{reverse(CHANGELIST)}?q={clinic.slug}"

    response = staff_client.get(reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]), {"next": back})

    body = response.content.decode()
    assert response.status_code == 200
    assert "¿Suspender la reserva en línea de" in body
    assert f'action="{reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id])}"' in body
    assert f'name="next" value="{back}"' in body
    assert reload(clinic).suspended is False  # only the POST of the confirmation suspends


def test_it_links_to_the_confirmation_from_the_list_and_the_clinic(staff_client: Client) -> None:
    clinic = new_clinic()
    confirm = reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id])

    listing = staff_client.get(reverse(CHANGELIST), {"q": clinic.slug}).content.decode()
    change = staff_client.get(change_url(clinic)).content.decode()

    assert f'href="{confirm}?next=' in listing
    assert f'<form method="post" action="{confirm}"' not in listing  # no one-click suspension
    assert f'href="{confirm}"' in change


def test_it_shows_a_suspended_clinic_with_a_red_badge_not_a_tick(staff_client: Client) -> None:
    new_clinic()  # an active one next to it
    paused = new_clinic()
    services.clinic_suspend(tenant_id=paused.tenant_id)

    body = staff_client.get(reverse(CHANGELIST)).content.decode()

    assert "icon-yes.svg" not in body and "icon-no.svg" not in body
    assert body.count("clinic-status--suspended") >= 1
    assert "Suspendida" in body and "Activa" in body


def test_it_requires_the_csrf_token(staff_client: Client) -> None:
    clinic = new_clinic()
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = staff_client.cookies

    response = strict.post(reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]))

    assert response.status_code == 403
    assert reload(clinic).suspended is False
