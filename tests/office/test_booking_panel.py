"""A booking's details panel for staff: what it shows, who opens it, and each action from it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from booking import services
from booking.models import BookingStatus
from booking.selectors import booking_get
from tests.booking.helpers import clinic_partition
from tests.conftest import NOW, PATIENT_PHONE, People, World, at, book, member

pytestmark = pytest.mark.django_db

TODAY = NOW.date()  # Monday 30 November 2026 in Bogotá too (07:00 there)
HTMX = {"HX-Request": "true", "HX-Target": "agenda-panel"}


def client_of(user: object) -> Client:
    """Signed in, reading English (the site speaks Spanish unless the visitor chose otherwise)."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name: str, world: World, booking_id: str) -> str:
    return reverse(name, args=[world.slug, booking_id])


# ---------------------------------------------------------------- the details


def test_it_shows_everything_staff_need(world: World, people: People) -> None:
    booking = book(world, at(9, 30), professional=world.ana)
    services.booking_note_set(
        tenant_id=world.tenant_id,
        booking_id=booking.booking_id,
        note="Alérgica a la penicilina",
        version=booking.version,
        actor=member(world, people.admin),
    )
    services.booking_reschedule(
        tenant_id=world.tenant_id,
        booking_id=booking.booking_id,
        new_start=at(10),
        actor=member(world, people.reception),
    )

    response = client_of(people.reception).get(url("office-booking", world, booking.booking_id))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Luis Gómez" in html
    assert f'href="tel:{PATIENT_PHONE}"' in html
    assert "+57 300 1234567" in html  # the `phone` filter
    assert 'href="mailto:luis@example.com"' in html
    assert "Limpieza" in html and "Dra. Ana" in html
    assert "10:00\u201311:00" in html  # Bogotá wall clock, not UTC (15:00)
    assert "America/Bogota" in html
    assert "1 h" in html  # duration
    assert booking.reference in html
    assert "Alérgica a la penicilina" in html
    # History, newest first, with who did it (one SQL query for every user id).
    history = html[html.index('data-testid="history"') :]
    assert history.index("Moved") < history.index("Booked")
    assert "reception@clinic-a.example" in history
    assert "from 2026-12-01 09:30" in history
    assert "the system" in history  # the booking was made by the system actor in `book()`


def test_it_resolves_every_user_of_the_history_in_one_query(
    world: World, people: People, django_assert_num_queries: object
) -> None:
    booking = book(world, at(9), professional=world.ana)
    for user, hour in ((people.reception, 10), (people.admin, 11), (people.reception, 12)):
        services.booking_reschedule(
            tenant_id=world.tenant_id, booking_id=booking.booking_id, new_start=at(hour), actor=member(world, user)
        )
    client = client_of(people.admin)
    client.get(url("office-booking", world, booking.booking_id))  # the session is warm

    # session, user, memberships (roles), staff nav's other clinics, history users.
    with django_assert_num_queries(5):  # type: ignore[operator]
        response = client.get(url("office-booking", world, booking.booking_id))

    assert response.status_code == 200
    assert response.content.decode().count("admin@clinic-a.example") >= 1


def test_it_is_a_fragment_for_htmx(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)

    response = client_of(people.admin).get(url("office-booking", world, booking.booking_id), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<section")
    assert 'id="booking-panel"' in html
    assert "<html" not in html


def test_it_shows_the_channel_or_says_it_is_unknown(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)
    html = client_of(people.admin).get(url("office-booking", world, booking.booking_id)).content.decode()
    assert "Not recorded" in html  # old bookings have no channel

    stored = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    stored.channel = "walk_in"
    stored.save()
    html = client_of(people.admin).get(url("office-booking", world, booking.booking_id)).content.decode()
    assert "Walk-in" in html


def test_it_lets_a_dentist_open_only_their_own_professionals_bookings(world: World, people: People) -> None:
    own = book(world, at(9), professional=world.ana)
    other = book(world, at(9), professional=world.ben)
    dentist = client_of(people.dentist)

    assert dentist.get(url("office-booking", world, own.booking_id)).status_code == 200
    assert dentist.get(url("office-booking", world, other.booking_id)).status_code == 403


def test_it_hides_bookings_from_patients_and_other_clinics(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana, patient_id=str(people.patient.pk))

    assert client_of(people.patient).get(url("office-booking", world, booking.booking_id)).status_code == 403
    assert client_of(people.outsider).get(url("office-booking", world, booking.booking_id)).status_code == 404
    assert client_of(people.admin).get(url("office-booking", world, "no-such-booking")).status_code == 404
    assert client_of(people.admin).get(url("office-booking", world, "bad%00id")).status_code == 404


# ---------------------------------------------------------------- cancel


def test_it_cancels_with_a_reason_and_tells_the_calendar(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)

    response = client_of(people.reception).post(
        url("office-booking-cancel", world, booking.booking_id), {"reason": "Llamó: está enferma"}, headers=HTMX
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "agenda-changed"
    stored = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert stored.status == BookingStatus.CANCELLED
    assert stored.cancel_reason == "Llamó: está enferma"
    assert stored.cancelled_by == "clinic"
    html = response.content.decode()
    assert "Cancelled by the clinic" in html and "Llamó: está enferma" in html
    assert "The appointment is cancelled" in html


def test_it_redirects_back_to_the_page_without_javascript(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)
    client = client_of(people.admin)

    response = client.post(url("office-booking-cancel", world, booking.booking_id), {"reason": "Duplicada"})

    assert response.status_code == 302
    assert response["Location"] == url("office-booking", world, booking.booking_id)
    assert "The appointment is cancelled" in client.get(response["Location"]).content.decode()


def test_it_requires_a_reason_to_cancel(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)
    before = clinic_partition(world.tenant_id)

    response = client_of(people.admin).post(
        url("office-booking-cancel", world, booking.booking_id), {"reason": "  \u202e "}, headers=HTMX
    )

    assert response.status_code == 400
    assert "Say why the appointment is cancelled" in response.content.decode()
    assert clinic_partition(world.tenant_id) == before


def test_it_refuses_a_dentist_cancelling_another_dentists_booking(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ben)
    before = clinic_partition(world.tenant_id)

    response = client_of(people.dentist).post(url("office-booking-cancel", world, booking.booking_id), {"reason": "x"})

    assert response.status_code == 403
    assert clinic_partition(world.tenant_id) == before


def test_it_says_a_cancelled_booking_cannot_be_cancelled_again(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)
    client = client_of(people.admin)
    client.post(url("office-booking-cancel", world, booking.booking_id), {"reason": "Una"})

    response = client.post(url("office-booking-cancel", world, booking.booking_id), {"reason": "Dos"})

    assert response.status_code == 409
    assert "cannot be changed" in response.content.decode()


# ---------------------------------------------------------------- reschedule


def move(world: World, hour: int, minute: int = 0, professional: str | None = None) -> dict[str, str]:
    return {
        "date": "2026-12-01",
        "time": f"{hour:02d}:{minute:02d}",
        "professional": professional or world.ana.professional_id,
    }


def test_it_reschedules_in_the_clinics_wall_clock(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)

    response = client_of(people.reception).post(
        url("office-booking-reschedule", world, booking.booking_id),
        move(world, 14, 30, world.ben.professional_id),
        headers=HTMX,
    )

    assert response.status_code == 200, response.content
    assert response["HX-Trigger"] == "agenda-changed"
    stored = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert stored.start == at(14, 30)
    assert stored.professional_id == world.ben.professional_id
    assert "Moved to 01/12/2026 14:30 with Dr. Ben" in response.content.decode()


def test_it_shows_a_taken_time_in_place_with_alternatives_and_keeps_the_booking(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)
    book(world, at(14), professional=world.ana, name="Otra Paciente")

    response = client_of(people.admin).post(
        url("office-booking-reschedule", world, booking.booking_id), move(world, 14), headers=HTMX
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "That time is taken. The appointment keeps its time." in html
    assert 'data-testid="alternatives"' in html
    assert "14:00 · Dr. Ben" in html  # the same hour with someone else
    assert "15:00 · Dra. Ana" in html  # the same professional, as soon as she is free
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).start == at(9)


def test_it_explains_a_time_nobody_works(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)

    response = client_of(people.admin).post(
        url("office-booking-reschedule", world, booking.booking_id), move(world, 21)
    )

    assert response.status_code == 400
    assert "Nobody works at that time" in response.content.decode()
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).start == at(9)


@pytest.mark.parametrize(
    "data",
    [
        {"date": "2026-13-01", "time": "09:00"},
        {"date": "9999-12-31", "time": "23:59"},
        {"date": "2026-12-01", "time": "25:00"},
        {"date": "", "time": ""},
    ],
)
def test_it_refuses_bad_dates_and_times_in_place(world: World, people: People, data: dict[str, str]) -> None:
    booking = book(world, at(9), professional=world.ana)

    response = client_of(people.admin).post(
        url("office-booking-reschedule", world, booking.booking_id),
        {**data, "professional": world.ana.professional_id},
    )

    assert response.status_code == 400


def test_it_keeps_a_dentist_in_their_own_agenda_when_moving(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)
    before = clinic_partition(world.tenant_id)

    response = client_of(people.dentist).post(
        url("office-booking-reschedule", world, booking.booking_id), move(world, 11, 0, world.ben.professional_id)
    )

    assert response.status_code == 400  # Dr. Ben is not among the dentist's choices
    assert clinic_partition(world.tenant_id) == before


# ---------------------------------------------------------------- attendance


def test_it_marks_a_no_show_on_the_day(world: World, people: People) -> None:
    booking = book(world, at(9, day=TODAY), professional=world.ana)

    response = client_of(people.dentist).post(
        url("office-booking-mark", world, booking.booking_id), {"outcome": "no_show"}, headers=HTMX
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "agenda-changed"
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.NO_SHOW
    assert "Marked as a no-show." in response.content.decode()


def test_it_says_attendance_waits_for_the_day(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)  # tomorrow
    html = client_of(people.admin).get(url("office-booking", world, booking.booking_id)).content.decode()
    assert "Attendance can be marked from the day of the appointment" in html

    response = client_of(people.admin).post(
        url("office-booking-mark", world, booking.booking_id), {"outcome": "attended"}, headers=HTMX
    )

    assert response.status_code == 400
    assert "Attendance can be marked from the day of the appointment. This one is on 01/12/2026." in (
        response.content.decode()
    )
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.CONFIRMED


def test_it_refuses_an_unknown_outcome(world: World, people: People) -> None:
    booking = book(world, at(9, day=TODAY), professional=world.ana)

    response = client_of(people.admin).post(url("office-booking-mark", world, booking.booking_id), {"outcome": "gone"})

    assert response.status_code == 400
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.CONFIRMED


# ---------------------------------------------------------------- internal note


def test_it_saves_the_note_at_the_version_read(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)

    response = client_of(people.admin).post(
        url("office-booking-note", world, booking.booking_id),
        {"note": "Trae radiografías", "version": booking.version},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "agenda-changed"
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).internal_note == "Trae radiografías"


def test_it_shows_the_current_note_when_someone_saved_first(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana)
    services.booking_note_set(
        tenant_id=world.tenant_id,
        booking_id=booking.booking_id,
        note="Nota de recepción",
        version=booking.version,
        actor=member(world, people.reception),
    )

    response = client_of(people.admin).post(
        url("office-booking-note", world, booking.booking_id),
        {"note": "Nota del admin", "version": booking.version},
        headers=HTMX,
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Your note was not saved" in html
    assert "Nota de recepción" in html  # the current note, in the textarea
    assert "Nota del admin" in html  # what was typed, kept beside it
    stored = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert stored.internal_note == "Nota de recepción"
    assert f'name="version" value="{stored.version}"' in html


def test_the_note_is_never_shown_to_the_patient(world: World, people: People) -> None:
    booking = book(world, at(9), professional=world.ana, patient_id=str(people.patient.pk))
    secret = "Paciente difícil: confirmar pago"
    services.booking_note_set(
        tenant_id=world.tenant_id,
        booking_id=booking.booking_id,
        note=secret,
        version=booking.version,
        actor=member(world, people.admin),
    )
    patient = client_of(people.patient)

    pages = [
        patient.get(reverse("portal-bookings")),
        patient.get(reverse("booking-mine", args=[world.slug])),
        patient.get(reverse("booking-done", args=[world.slug, booking.booking_id])),
        patient.get(reverse("booking-calendar", args=[world.slug, booking.booking_id])),
    ]
    export = patient.get(reverse("portal-export"))

    for page in pages:
        assert page.status_code == 200
        assert "Limpieza" in page.content.decode()  # the booking is on it
        assert secret not in page.content.decode()
    assert export.status_code == 200
    data = json.loads(export.content)
    assert [b["booking_id"] for b in data["bookings"]] == [booking.booking_id]
    assert secret not in export.content.decode()
    assert "internal_note" not in json.dumps(data)


# ---------------------------------------------------------------- the service


def test_booking_note_set_refuses_a_stale_version(world: World, people: People) -> None:
    from booking.errors import BookingChangedMeanwhile

    booking = book(world, at(9), professional=world.ana)
    admin = member(world, people.admin)
    saved = services.booking_note_set(
        tenant_id=world.tenant_id, booking_id=booking.booking_id, note="uno", version=booking.version, actor=admin
    )
    assert saved.version == booking.version + 1

    with pytest.raises(BookingChangedMeanwhile):
        services.booking_note_set(
            tenant_id=world.tenant_id, booking_id=booking.booking_id, note="dos", version=booking.version, actor=admin
        )
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).internal_note == "uno"


def test_booking_note_set_refuses_another_professionals_dentist_and_outsiders(world: World, people: People) -> None:
    from booking.errors import BookingNotFound
    from nexioq.errors import Forbidden

    booking = book(world, at(9), professional=world.ben)
    for user, error in (
        (people.dentist, Forbidden),
        (people.patient, BookingNotFound),
        (people.outsider, BookingNotFound),
    ):
        with pytest.raises(error):
            services.booking_note_set(
                tenant_id=world.tenant_id,
                booking_id=booking.booking_id,
                note="x",
                version=booking.version,
                actor=member(world, user),
            )
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).internal_note is None


def test_booking_note_set_marks_the_agenda_changed(world: World, people: People) -> None:
    from booking.changes import agenda_generation

    booking = book(world, at(9), professional=world.ana)
    before = agenda_generation(tenant_id=world.tenant_id)

    services.booking_note_set(
        tenant_id=world.tenant_id,
        booking_id=booking.booking_id,
        note="  con\x00trol \u202e",
        version=booking.version,
        actor=member(world, people.reception),
        now=NOW + dt.timedelta(minutes=1),
    )

    assert agenda_generation(tenant_id=world.tenant_id) != before
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).internal_note == "control"
