"""The panel's clinic settings page: who may open it, saving, bad input and a stale version."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import BookingStatus
from booking.selectors import booking_get
from clinics import services
from clinics.clinic_settings import ClinicSettings
from clinics.selectors import clinic_get
from tests.booking.helpers import clinic_partition
from tests.conftest import People, World, at, book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Clínica Renovada",
        "address": "Cra 7 # 12-34",
        "phone": "601 555 0123",
        "email": "hola@renovada.example",
        "time_zone": "America/Bogota",
        "country": "CO",
        "language": "es",
        "currency": "COP",
        "grid_minutes": "30",
        "min_notice_minutes": "60",
        "max_advance_days": "90",
        "cancellation_cutoff_hours": "12",
        "reminder_offsets": "48 h, 30 min",
        "version": str(clinic_get(tenant_id=world.tenant_id).version),
    }
    data.update(changes)
    return data


def save_url(world: World) -> str:
    return reverse("panel-settings-save", args=[world.slug])


def test_it_shows_the_settings_with_the_version(world: World, people: People) -> None:
    response = signed_in(people.admin).get(reverse("panel-settings", args=[world.slug]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Configuración de la clínica" in body
    assert f'name="version" value="{world.clinic.version}"' in body
    assert 'value="24 h, 2 h"' in body  # the default reminders, as typed
    assert '<option value="COP" selected>' in body


def test_it_saves_every_setting_and_redirects(world: World, people: People) -> None:
    response = signed_in(people.admin).post(save_url(world), form(world))

    assert response.status_code == 302
    assert response["Location"] == reverse("panel-settings", args=[world.slug])
    stored = ClinicSettings.of(clinic_get(tenant_id=world.tenant_id))
    assert stored.name == "Clínica Renovada"
    assert stored.phone == "+576015550123"  # E.164, read as a number of the clinic's country
    assert (stored.grid_minutes, stored.min_notice_minutes, stored.max_advance_days) == (30, 60, 90)
    assert stored.cancellation_cutoff_hours == 12
    assert stored.reminder_offsets == (48 * 60, 30)


def test_it_answers_htmx_with_the_form_fragment(world: World, people: People) -> None:
    response = signed_in(people.owner).post(save_url(world), form(world), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Configuración guardada." in body
    assert "<html" not in body
    assert f'name="version" value="{world.clinic.version + 1}"' in body  # ready for the next save


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"currency": "XAU"}, "currency"),
        ({"currency": "ADP"}, "currency"),
        ({"currency": "XTS"}, "currency"),
        ({"currency": "NOPE"}, "currency"),
        ({"country": "XA"}, "country"),
        ({"country": "EU"}, "country"),
        ({"phone": "not a phone"}, "phone"),
        ({"phone": "+57 1"}, "phone"),
        ({"reminder_offsets": "2 h, 2 h"}, "reminder_offsets"),
        ({"reminder_offsets": "1 h, 2 h, 3 h, 4 h"}, "reminder_offsets"),
        ({"reminder_offsets": "0 h"}, "reminder_offsets"),
        ({"reminder_offsets": "tomorrow"}, "reminder_offsets"),
        ({"language": "fr"}, "language"),
        ({"max_advance_days": "99999999999999999999"}, "max_advance_days"),
        ({"name": "   "}, "name"),
    ],
)
def test_it_refuses_bad_input_on_its_field(world: World, people: People, changes: dict[str, str], field: str) -> None:
    before = clinic_partition(world.tenant_id)

    response = signed_in(people.admin).post(save_url(world), form(world, **changes))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert clinic_partition(world.tenant_id) == before


def test_it_refuses_a_stale_version_with_409_and_keeps_the_newer_edit(world: World, people: People) -> None:
    stale = form(world, name="Mía")
    current = clinic_get(tenant_id=world.tenant_id)
    services.clinic_update(
        tenant_id=world.tenant_id,
        version=current.version,
        settings=ClinicSettings(**{**ClinicSettings.of(current).__dict__, "name": "De otra persona"}),
    )

    response = signed_in(people.admin).post(save_url(world), stale)

    body = response.content.decode()
    assert response.status_code == 409
    assert "Alguien más" in body or "Someone else" in body or "otra persona" in body
    assert clinic_get(tenant_id=world.tenant_id).name == "De otra persona"


def test_it_offers_only_real_current_currencies_and_countries(world: World, people: People) -> None:
    body = signed_in(people.admin).get(reverse("panel-settings", args=[world.slug])).content.decode()

    for code in ("COP", "EUR", "USD", "MXN"):
        assert f'<option value="{code}"' in body
    for code in ("ADP", "XAU", "XTS", "XXX", "USN", "CLF", "ESP"):
        assert f'<option value="{code}"' not in body
    for code in ("CO", "ES", "MX"):
        assert f'<option value="{code}"' in body
    for code in ("XA", "XB", "EU", "UN", "ZZ", "QO"):
        assert f'<option value="{code}"' not in body


@pytest.mark.parametrize("role", ["dentist", "reception", "patient"])
def test_it_refuses_other_roles_and_writes_nothing(world: World, people: People, role: str) -> None:
    before = clinic_partition(world.tenant_id)
    client = signed_in(getattr(people, role))

    assert client.get(reverse("panel-settings", args=[world.slug])).status_code == 403
    assert client.post(save_url(world), form(world)).status_code == 403
    assert clinic_partition(world.tenant_id) == before


def test_it_hides_the_clinic_from_another_clinics_admin(world: World, people: People) -> None:
    client = signed_in(people.outsider)

    assert client.get(reverse("panel-settings", args=[world.slug])).status_code == 404
    assert client.post(save_url(world), form(world)).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(world: World, people: People) -> None:
    response = Client().get(reverse("panel-settings", args=[world.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# ---------------------------------------------------------------- a new time zone never orphans silently


def test_a_new_time_zone_lists_the_bookings_it_moves_out_of_hours_before_saving(world: World, people: People) -> None:
    # Hours are 07:00-20:00 wall-clock: in Madrid, 15:00 in Bogotá is 21:00, after closing.
    moved = book(world, at(15), name="Tarde")
    book(world, at(9), name="Mañana")  # 15:00 in Madrid: still within hours
    before = clinic_partition(world.tenant_id)

    response = signed_in(people.admin).post(save_url(world), form(world, time_zone="Europe/Madrid"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Tarde" in body and "Mañana" not in body
    assert "21:00" in body  # shown in the new zone, where it falls outside the hours
    assert f'name="seen" value="{moved.booking_id}"' in body
    assert clinic_partition(world.tenant_id) == before


def test_it_saves_the_new_time_zone_once_the_admin_has_seen_them(world: World, people: People) -> None:
    moved = book(world, at(15))

    response = signed_in(people.admin).post(
        save_url(world), form(world, time_zone="Europe/Madrid", seen=moved.booking_id)
    )

    assert response.status_code == 302
    assert clinic_get(tenant_id=world.tenant_id).time_zone == "Europe/Madrid"
    assert booking_get(tenant_id=world.tenant_id, booking_id=moved.booking_id).status == BookingStatus.CONFIRMED


def test_it_asks_again_when_another_booking_would_move_out(world: World, people: People) -> None:
    seen = book(world, at(15))
    book(world, at(16), professional=world.ben, name="Nuevo")
    before = clinic_partition(world.tenant_id)

    response = signed_in(people.admin).post(
        save_url(world), form(world, time_zone="Europe/Madrid", seen=seen.booking_id)
    )

    assert response.status_code == 409
    assert "Nuevo" in response.content.decode()
    assert clinic_partition(world.tenant_id) == before
