"""The patient portal through Django's test client (DynamoDB Local behind it)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from access.models import Membership
from accounts.models import User
from booking import selectors, services
from booking.models import BookingStatus
from booking.views.portal import just_booked_remember
from clinics import services as clinic_services
from nexioq.dynamo import iso_utc
from tests.booking.helpers import clinic_partition
from tests.conftest import PASSWORD, People, World, anonymous, at, book, hold, make_world, member, system

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(client: Client, people: People) -> User:
    client.force_login(people.patient)
    return people.patient


def mine(world: World, user: User, start: dt.datetime, **kwargs: object):  # type: ignore[no-untyped-def]
    return book(world, start, patient_id=str(user.pk), **kwargs)  # type: ignore[arg-type]


def page_url(world: World, booking_id: str, name: str = "booking-done") -> str:
    return reverse(name, args=[world.slug, booking_id])


# ---------------------------------------------------------------- Mis citas


def test_it_lists_bookings_at_every_clinic_with_their_status(client: Client, world: World, patient: User) -> None:
    north = make_world(name="Clínica Norte", time_zone="America/Mexico_City")
    confirmed = mine(world, patient, at(9, day=dt.date(2026, 12, 3)))
    by_me = mine(world, patient, at(11, day=dt.date(2026, 12, 3)))
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=by_me.booking_id, actor=member(world, patient))
    by_clinic = mine(world, patient, at(13, day=dt.date(2026, 12, 3)))
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=by_clinic.booking_id, actor=system(world))
    there = book(north, at(10), patient_id=str(patient.pk), treatment=north.whitening)  # 09:00 in Mexico City
    attended = mine(world, patient, at(7, day=dt.date(2026, 11, 30)))
    no_show = mine(world, patient, at(8, day=dt.date(2026, 11, 30)), professional=world.ben)
    with time_machine.travel(at(12, day=dt.date(2026, 11, 30)), tick=False):
        services.booking_mark(
            tenant_id=world.tenant_id, booking_id=attended.booking_id, outcome="attended", actor=system(world)
        )
        services.booking_mark(
            tenant_id=world.tenant_id, booking_id=no_show.booking_id, outcome="no_show", actor=system(world)
        )
        book(world, at(15, day=dt.date(2026, 12, 3)), patient_id="someone-else")

        response = client.get(reverse("portal-bookings"))

    body = response.content.decode()
    assert response.status_code == 200
    assert response["X-Dynamo-Requests"] == "2"  # one Query of the patient index, one BatchGetItem of the clinics
    for label in ("Confirmada", "Cancelada por ti", "Cancelada por la clínica", "Asististe", "No asistió"):
        assert label in body, label
    assert "Clínica Norte" in body and reverse("booking-start", args=[north.slug]) in body
    assert "Blanqueamiento" in body and "09:00" in body and "America/Mexico_City" in body
    assert page_url(world, confirmed.booking_id) in body and page_url(north, there.booking_id) in body
    assert body.count('data-testid="booking-') == 6  # someone else's booking is not listed


def test_it_sends_anonymous_visitors_to_sign_in(client: Client) -> None:
    for name in ("portal-bookings", "portal-profile", "portal-export", "portal-delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_links_the_clinic_list_and_the_header_to_mis_citas(client: Client, world: World, patient: User) -> None:
    mine(world, patient, at(9))

    body = client.get(reverse("booking-mine", args=[world.slug])).content.decode()

    assert f'href="{reverse("portal-bookings")}"' in body


# ---------------------------------------------------------------- the booking's page


def test_it_shows_the_thank_you_only_right_after_booking(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9))
    # What the wizard's confirm sets on its redirect.
    client.cookies.load(just_booked_remember(HttpResponse(), booking.booking_id).cookies)

    first = client.get(page_url(world, booking.booking_id)).content.decode()
    again = client.get(page_url(world, booking.booking_id)).content.decode()

    assert "Tu cita quedó reservada" in first
    assert "Tu cita quedó reservada" not in again
    assert booking.reference in again
    assert "Cambiar fecha u hora" in again and "Cancelar esta cita" in again and "Añadir al calendario" in again


def test_it_cancels_before_the_cutoff(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))

    response = client.post(page_url(world, booking.booking_id, "booking-cancel"), {"reason": "viaje"})

    assert response.status_code == 302
    cancelled = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == ("cancelled", "patient", "viaje")
    page = client.get(response["Location"]).content.decode()
    assert "Tu cita quedó cancelada" in page and "Cancelada por ti" in page
    assert "Sí, cancelar la cita" not in page


def test_it_refuses_to_cancel_after_the_cutoff_and_shows_the_phone(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(15, day=dt.date(2026, 11, 30)))  # today 15:00, 8 h from now: the cutoff is 24 h
    before = clinic_partition(world.tenant_id)

    page = client.get(page_url(world, booking.booking_id)).content.decode()
    refused = client.post(page_url(world, booking.booking_id, "booking-cancel"))
    moved = client.post(
        page_url(world, booking.booking_id, "booking-reschedule"),
        {"professional": world.ana.professional_id, "start": iso_utc(at(13, day=dt.date(2026, 12, 3)))},
    )

    assert "Ya es tarde para cambiarla en línea" in page and "+57 601 5550100" in page
    assert "Sí, cancelar la cita" not in page and "Cambiar fecha u hora" not in page
    assert refused.status_code == 403 and moved.status_code == 403
    assert "+57 601 5550100" in refused.content.decode()
    assert clinic_partition(world.tenant_id) == before


def test_it_hides_someone_elses_booking(client: Client, world: World, people: People, patient: User) -> None:
    theirs = book(world, at(9, day=dt.date(2026, 12, 2)), patient_id=str(people.reception.pk))
    before = clinic_partition(world.tenant_id)

    for name in ("booking-done", "booking-calendar", "booking-reschedule"):
        assert client.get(page_url(world, theirs.booking_id, name)).status_code == 404, name
    assert client.post(page_url(world, theirs.booking_id, "booking-cancel")).status_code == 404
    assert clinic_partition(world.tenant_id) == before


def test_it_requires_csrf_to_cancel(world: World, people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.patient)
    booking = mine(world, people.patient, at(9, day=dt.date(2026, 12, 2)))

    assert client.post(page_url(world, booking.booking_id, "booking-cancel")).status_code == 403
    assert selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == "confirmed"


def test_it_shows_my_bookings_at_a_suspended_clinic(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))
    clinic_services.clinic_suspend(tenant_id=world.tenant_id)

    page = client.get(page_url(world, booking.booking_id)).content.decode()
    listing = client.get(reverse("booking-mine", args=[world.slug])).content.decode()

    assert booking.reference in page and "no está disponible" in page
    assert "Limpieza" in listing
    assert client.post(page_url(world, booking.booking_id, "booking-cancel")).status_code == 302


# ---------------------------------------------------------------- reschedule


def test_it_reschedules_with_the_wizard_picker(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))
    url = page_url(world, booking.booking_id, "booking-reschedule")

    picker = client.get(url)
    times = client.get(url + "?professional=any&date=2026-12-03", headers={"HX-Request": "true", "HX-Target": "times"})
    moved = client.post(
        url, {"professional": world.ana.professional_id, "start": iso_utc(at(13, day=dt.date(2026, 12, 3)))}
    )

    assert picker.status_code == 200 and "Ahora:" in picker.content.decode()
    assert f'action="{url}"' in picker.content.decode()
    assert times.status_code == 200 and times.content.decode().lstrip().startswith('<section id="times"')
    assert moved.status_code == 302
    after = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert after.start == at(13, day=dt.date(2026, 12, 3))
    assert [entry.action for entry in after.history] == ["created", "rescheduled"]
    taken = selectors.occupied_cells(
        tenant_id=world.tenant_id,
        professional_id=world.ana.professional_id,
        start=at(0, day=dt.date(2026, 12, 2)),
        end=at(23, day=dt.date(2026, 12, 3)),
        now=at(0),
    )
    assert min(taken) == at(13, day=dt.date(2026, 12, 3))  # the old time is free, no hold left behind


def test_it_moves_a_quarter_later_over_its_own_time(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))

    moved = client.post(
        page_url(world, booking.booking_id, "booking-reschedule"),
        {"professional": world.ana.professional_id, "start": iso_utc(at(9, 15, day=dt.date(2026, 12, 2)))},
    )

    assert moved.status_code == 302
    after = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert after.start == at(9, 15, day=dt.date(2026, 12, 2))


def test_it_offers_times_over_its_own_time_but_not_its_own_time(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))
    url = page_url(world, booking.booking_id, "booking-reschedule")

    body = client.get(f"{url}?professional={world.ana.professional_id}&date=2026-12-02").content.decode()

    assert f'value="{iso_utc(at(9, 15, day=dt.date(2026, 12, 2)))}"' in body
    assert f'value="{iso_utc(at(9, day=dt.date(2026, 12, 2)))}"' not in body


def test_it_answers_409_and_keeps_the_booking_when_the_new_time_is_taken(
    client: Client, world: World, patient: User
) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))
    wanted = at(13, day=dt.date(2026, 12, 3))
    hold(world, wanted, actor=anonymous(world, "someone-else"))  # taken a moment ago

    response = client.post(
        page_url(world, booking.booking_id, "booking-reschedule"),
        {"professional": world.ana.professional_id, "start": iso_utc(wanted)},
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "Tu cita conserva su horario" in body and "Dr. Ben" in body  # the nearest free times
    kept = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (kept.start, kept.status, len(kept.history)) == (booking.start, BookingStatus.CONFIRMED, 1)


def test_it_refuses_a_time_not_offered_with_400(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))
    url = page_url(world, booking.booking_id, "booking-reschedule")

    assert client.post(url, {"professional": "any", "start": "2026-12-03T13:00:00"}).status_code == 400
    assert (
        client.post(url, {"professional": "any", "start": iso_utc(at(3, day=dt.date(2026, 12, 3)))}).status_code == 400
    )
    assert client.get(url + "?date=1999-01-01").status_code == 400


# ---------------------------------------------------------------- calendar file


def test_it_downloads_a_calendar_file(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))

    response = client.get(page_url(world, booking.booking_id, "booking-calendar"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"{booking.booking_id}@nexioq"


# ---------------------------------------------------------------- profile and data


def test_it_saves_the_profile_and_applies_the_language(client: Client, world: World, patient: User) -> None:
    bad = client.post(reverse("portal-profile"), {"full_name": "Ana Pérez", "phone": "123", "language": "en"})
    good = client.post(reverse("portal-profile"), {"full_name": "Ana Pérez", "phone": "300 123 4567", "language": "en"})

    assert bad.status_code == 400 and "teléfono válido" in bad.content.decode()
    assert good.status_code == 302
    patient.refresh_from_db()
    assert (patient.full_name, patient.phone, patient.language) == ("Ana Pérez", "+573001234567", "en")
    assert good.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # Another browser, no language cookie: the profile's language applies once signed in.
    elsewhere = Client()
    elsewhere.force_login(patient)
    assert "My appointments" in elsewhere.get(reverse("portal-bookings")).content.decode()
    assert "¿Qué te gustaría reservar?" in Client().get(reverse("booking-start", args=[world.slug])).content.decode()


def test_it_exports_my_data_as_json(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))

    response = client.get(reverse("portal-export"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == patient.email
    assert [b["reference"] for b in data["bookings"]] == [booking.reference]


def test_it_deletes_my_account_after_the_password(client: Client, world: World, patient: User) -> None:
    booking = mine(world, patient, at(9, day=dt.date(2026, 12, 2)))

    wrong = client.post(reverse("portal-delete"), {"secret": "not-it"})
    assert wrong.status_code == 400 and User.objects.filter(pk=patient.pk).exists()

    right = client.post(reverse("portal-delete"), {"secret": PASSWORD})

    assert (right.status_code, right["Location"]) == (302, reverse("home"))
    assert not User.objects.filter(pk=patient.pk).exists()
    assert client.get(reverse("portal-bookings")).status_code == 302  # signed out
    gone = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (gone.status, gone.patient_id, gone.patient_email) == ("cancelled", None, "")


def test_it_refuses_to_delete_the_last_admin_with_a_message(client: Client, world: World, people: People) -> None:
    client.force_login(people.admin)

    page = client.get(reverse("portal-delete")).content.decode()
    refused = client.post(reverse("portal-delete"), {"secret": PASSWORD})

    assert "Eres el único administrador" in page and 'name="secret"' not in page
    assert refused.status_code == 409 and "Eres el único administrador" in refused.content.decode()
    assert Membership.objects.filter(user=people.admin).exists()
