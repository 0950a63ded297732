"""The directory's pages and booking a phone patient in the wizard's picker, through the test client."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from booking.models import Booking, ClinicPatient
from booking.patient_selectors import PatientRecordNotFound, patient_record_get
from booking.patients import patient_record_create
from booking.selectors import bookings_for_patient
from nexioq.dynamo import iso_utc
from tests.booking.helpers import clinic_bookings, clinic_partition
from tests.conftest import DAY, People, World, at, book, make_world, system

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def reception(people: People) -> Client:
    return signed_in(people.reception)


@pytest.fixture
def luisa(world: World) -> ClinicPatient:
    record = patient_record_create(
        tenant_id=world.tenant_id,
        name="Luisa Gómez",
        phone="300 123 4567",
        email="luisa@example.com",
        actor=system(world),
    ).record
    assert record is not None
    return record


def book_url(world: World, record: ClinicPatient, treatment_id: str | None = None) -> str:
    return reverse(
        "office-patient-book-time", args=[world.slug, record.record_id, treatment_id or world.cleaning.treatment_id]
    )


def pick_url(page: str) -> str:
    """The booking form's action as the page rendered it (its booking id in the query)."""
    found = re.search(r'<form method="post" action="([^"]+\?booking=[0-9a-f]+)"', page)
    assert found, "no time picker on the page"
    return found.group(1).replace("&amp;", "&")


# ---------------------------------------------------------------- the directory


def test_it_finds_a_patient_by_a_name_without_accents(world: World, reception: Client, luisa: ClinicPatient) -> None:
    response = reception.get(reverse("office-patients", args=[world.slug]), {"q": "gomez"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Luisa Gómez" in page and "+57 300 1234567" in page and "luisa@example.com" in page
    assert reverse("office-patient-book", args=[world.slug, luisa.record_id]) in page


def test_it_answers_htmx_with_the_results_only(world: World, reception: Client, luisa: ClinicPatient) -> None:
    response = reception.get(
        reverse("office-patients", args=[world.slug]),
        {"q": "3001234"},
        headers={"HX-Request": "true", "HX-Target": "patient-results"},
    )

    page = response.content.decode()
    assert response.status_code == 200 and "Luisa Gómez" in page
    assert page.lstrip().startswith('<div id="patient-results"') and "<html" not in page


def test_it_says_when_nothing_matches(world: World, reception: Client) -> None:
    response = reception.get(reverse("office-patients", args=[world.slug]), {"q": "nadie"})

    assert response.status_code == 200
    assert "nadie" in response.content.decode()


def test_it_refuses_an_overlong_query(world: World, reception: Client) -> None:
    response = reception.get(reverse("office-patients", args=[world.slug]), {"q": "a" * 500})

    assert response.status_code == 400


def test_a_dentist_has_no_directory(world: World, people: People) -> None:
    assert signed_in(people.dentist).get(reverse("office-patients", args=[world.slug])).status_code == 403


def test_another_clinics_staff_get_404(world: World, people: People, luisa: ClinicPatient) -> None:
    outsider = signed_in(people.outsider)
    before = clinic_partition(world.tenant_id)

    for response in (
        outsider.get(reverse("office-patients", args=[world.slug]), {"q": "luisa"}),
        outsider.get(reverse("office-patient-book", args=[world.slug, luisa.record_id])),
        outsider.get(book_url(world, luisa)),
        outsider.post(
            book_url(world, luisa) + "?booking=abc",
            {"professional": world.ana.professional_id, "start": iso_utc(at(9))},
        ),
        outsider.post(
            reverse("office-patient-new", args=[world.slug]),
            {"name": "Intrusa", "phone": "300 111 2222", "record_id": "x1"},
        ),
    ):
        assert response.status_code == 404
    assert clinic_partition(world.tenant_id) == before


def test_another_clinics_record_is_not_found(world: World, reception: Client) -> None:
    other = make_world()
    theirs = patient_record_create(
        tenant_id=other.tenant_id, name="Ajena", phone="300 111 2222", actor=system(other)
    ).record
    assert theirs is not None

    assert reception.get(reverse("office-patient-book", args=[world.slug, theirs.record_id])).status_code == 404


# ---------------------------------------------------------------- a new patient


def new_patient(world: World, client: Client, **fields: str):  # type: ignore[no-untyped-def]
    data = {"name": "Pedro Páramo", "phone": "310 555 1234", "email": "", "record_id": uuid.uuid4().hex, **fields}
    return client.post(reverse("office-patient-new", args=[world.slug]), data)


def test_it_creates_a_patient_and_goes_on_to_book(world: World, reception: Client) -> None:
    response = new_patient(world, reception, record_id="new-record-1", email="Pedro@Example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("office-patient-book", args=[world.slug, "new-record-1"])
    record = patient_record_get(tenant_id=world.tenant_id, record_id="new-record-1")
    assert (record.name, record.phone, record.email) == ("Pedro Páramo", "+573105551234", "pedro@example.com")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"phone": "12"}, "Enter a valid phone number"),
        ({"phone": "999 999 9999"}, "Enter a valid phone number"),
        ({"email": "pedro@"}, "Enter a valid email address"),
        ({"record_id": "a b"}, "That is not valid"),
    ],
)
def test_it_answers_bad_input_in_place_and_writes_nothing(
    world: World, reception: Client, fields: dict[str, str], message: str
) -> None:
    reception.cookies["django_language"] = "en"
    before = clinic_partition(world.tenant_id)

    response = new_patient(world, reception, **fields)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="new-patient"' in page
    assert message in page or message.replace("email", "e-mail") in page, page[-3000:]
    assert clinic_partition(world.tenant_id) == before


def test_it_warns_of_the_same_phone_and_offers_that_patient(
    world: World, reception: Client, luisa: ClinicPatient
) -> None:
    response = new_patient(world, reception, name="Luisa G.", phone="+57 300 123 4567", record_id="dup-1")

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("office-patient-book", args=[world.slug, luisa.record_id]) in page
    assert 'name="confirm"' in page
    with pytest.raises(PatientRecordNotFound):
        patient_record_get(tenant_id=world.tenant_id, record_id="dup-1")

    anyway = new_patient(world, reception, name="Luisa G.", phone="+57 300 123 4567", record_id="dup-1", confirm="on")
    assert anyway.status_code == 302
    assert patient_record_get(tenant_id=world.tenant_id, record_id="dup-1").name == "Luisa G."


# ---------------------------------------------------------------- booking a phone patient


def test_it_lists_the_treatments_to_book(world: World, reception: Client, luisa: ClinicPatient) -> None:
    response = reception.get(reverse("office-patient-book", args=[world.slug, luisa.record_id]))

    page = response.content.decode()
    assert response.status_code == 200
    for treatment in (world.cleaning, world.whitening, world.check):
        assert book_url(world, luisa, treatment.treatment_id) in page


def test_staff_see_times_inside_the_online_notice(people: People, frozen: object, luisa: ClinicPatient) -> None:
    strict = make_world(min_notice_minutes=24 * 60)
    record = patient_record_create(
        tenant_id=strict.tenant_id, name="Luisa", phone="300 123 4567", actor=system(strict)
    ).record
    assert record is not None
    from access.models import Membership, Role

    Membership.objects.create(user=people.reception, tenant_id=strict.tenant_id, role=Role.RECEPTION)

    response = signed_in(people.reception).get(book_url(strict, record, strict.cleaning.treatment_id))

    page = response.content.decode()
    assert response.status_code == 200
    # Now is 07:00 on Monday: online, the first time is a day away; the desk books 07:00 today.
    assert f'value="{iso_utc(at(7, day=DAY.replace(day=30, month=11)))}"' in page


def test_it_books_the_picked_time_once_however_often_it_is_sent(
    world: World, reception: Client, luisa: ClinicPatient
) -> None:
    page = reception.get(book_url(world, luisa) + f"?professional={world.ana.professional_id}&date={DAY}")
    assert page.status_code == 200
    url = pick_url(page.content.decode())
    data = {"professional": world.ana.professional_id, "start": iso_utc(at(9))}

    first = reception.post(url, data)
    second = reception.post(url, data)

    assert first.status_code == second.status_code == 302
    [booking] = clinic_bookings(world)
    assert first["Location"] == second["Location"]
    assert booking.booking_id in first["Location"] or "agenda" in first["Location"]
    assert (booking.channel, booking.patient_record_id, booking.patient_name) == (
        "phone",
        luisa.record_id,
        "Luisa Gómez",
    )
    assert booking.start == at(9) and booking.professional_id == world.ana.professional_id
    assert "phone" in booking.history[0].by_role or booking.history[0].by == str(reception.session["_auth_user_id"])


def test_any_professional_goes_to_the_next_free_one(world: World, reception: Client, luisa: ClinicPatient) -> None:
    book(world, at(9), professional=world.ana)
    page = reception.get(book_url(world, luisa) + f"?professional=any&date={DAY}")

    response = reception.post(pick_url(page.content.decode()), {"professional": "any", "start": iso_utc(at(9))})

    assert response.status_code == 302
    [mine] = [b for b in clinic_bookings(world) if b.patient_record_id == luisa.record_id]
    assert mine.professional_id == world.ben.professional_id


def test_a_time_taken_meanwhile_is_a_conflict_shown_in_place(
    world: World, reception: Client, luisa: ClinicPatient
) -> None:
    page = reception.get(book_url(world, luisa) + f"?professional={world.ana.professional_id}&date={DAY}")
    url = pick_url(page.content.decode())
    book(world, at(9), professional=world.ana)  # someone else, a moment before
    before = clinic_partition(world.tenant_id)

    response = reception.post(url, {"professional": world.ana.professional_id, "start": iso_utc(at(9))})

    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="times"' in body and 'role="alert"' in body
    assert f'value="{iso_utc(at(10))}"' in body  # the nearest free times are offered
    assert clinic_partition(world.tenant_id) == before


@pytest.mark.parametrize(
    "data",
    [
        {"professional": "any", "start": "2026-12-01T09:00:00"},  # no zone
        {"professional": "any", "start": "2026-11-29T14:00:00Z"},  # the past
        {"professional": "any", "start": "2026-12-01T09:07:00Z"},  # off the grid
        {"professional": "nobody", "start": "2026-12-01T14:00:00Z"},
        {"professional": "any"},
    ],
)
def test_it_refuses_a_bad_pick_with_a_message(
    world: World, reception: Client, luisa: ClinicPatient, data: dict[str, str]
) -> None:
    before = clinic_partition(world.tenant_id)

    response = reception.post(book_url(world, luisa) + "?booking=key1", data)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert clinic_partition(world.tenant_id) == before


def test_a_dentist_books_only_their_own_agenda(world: World, people: People, luisa: ClinicPatient) -> None:
    dentist = signed_in(people.dentist)
    page = dentist.get(book_url(world, luisa))
    assert page.status_code == 200
    body = page.content.decode()
    assert world.ana.name in body and world.ben.name not in body

    refused = dentist.post(
        book_url(world, luisa) + "?booking=key2", {"professional": world.ben.professional_id, "start": iso_utc(at(9))}
    )
    assert refused.status_code == 400
    assert clinic_bookings(world) == []


def test_the_booked_page_shows_the_booking(world: World, reception: Client, luisa: ClinicPatient) -> None:
    page = reception.get(book_url(world, luisa) + f"?professional={world.ana.professional_id}&date={DAY}")
    done = reception.post(
        pick_url(page.content.decode()), {"professional": world.ana.professional_id, "start": iso_utc(at(9))}
    )
    [booking] = clinic_bookings(world)
    url = reverse("office-patient-booked", args=[world.slug, luisa.record_id, booking.booking_id])

    response = reception.get(url)

    assert response.status_code == 200
    assert booking.reference in response.content.decode()
    # Booked, reception goes on to the booking in the agenda (its details page).
    assert done["Location"] == reverse("office-booking", args=[world.slug, booking.booking_id])
    other = book(world, at(12))
    assert (
        reception.get(
            reverse("office-patient-booked", args=[world.slug, luisa.record_id, other.booking_id])
        ).status_code
        == 404
    )


# ---------------------------------------------------------------- claiming the record at sign-up


def rosa(world: World) -> str:
    """An address of this test only: claims are keyed by the e-mail across every clinic of the table."""
    return f"rosa-{world.tenant_id}@example.com"


def test_a_phone_patient_signs_up_with_the_same_e_mail_and_sees_the_booking(world: World, people: People) -> None:
    record = patient_record_create(
        tenant_id=world.tenant_id, name="Rosa Díaz", phone="300 999 8888", email=rosa(world), actor=system(world)
    ).record
    assert record is not None
    reception = signed_in(people.reception)
    page = reception.get(book_url(world, record) + f"?professional={world.ana.professional_id}&date={DAY}")
    reception.post(
        pick_url(page.content.decode()), {"professional": world.ana.professional_id, "start": iso_utc(at(9))}
    )
    [booking] = clinic_bookings(world)
    assert booking.patient_id is None

    patient = Client()
    signup = patient.post(
        reverse("account_signup"),
        {"email": rosa(world).upper(), "password1": "Sonrisa-2026-segura", "password2": "Sonrisa-2026-segura"},
    )
    assert signup.status_code == 302, signup.content.decode()[-2000:]
    [message] = [m for m in mail.outbox if rosa(world) in [t.lower() for t in m.to]]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert code
    confirmed = patient.post(reverse("account_email_verification_sent"), {"code": code.group(1)})
    assert confirmed.status_code == 302, confirmed.content.decode()[-2000:]

    mine = patient.get(reverse("portal-bookings"))
    assert mine.status_code == 200
    assert booking.reference in mine.content.decode() or "Limpieza" in mine.content.decode()
    [moved] = bookings_for_patient(patient_id=str(patient.session["_auth_user_id"]), tenant_id=world.tenant_id)
    assert moved.booking_id == booking.booking_id
    assert patient_record_get(tenant_id=world.tenant_id, record_id=record.record_id).user_id == str(
        patient.session["_auth_user_id"]
    )


def test_a_later_booking_of_a_claimed_record_is_the_patients_at_once(world: World, people: People) -> None:
    from booking.patients import patient_records_claim
    from tests.conftest import make_user

    record = patient_record_create(
        tenant_id=world.tenant_id, name="Rosa Díaz", phone="300 999 8888", email=rosa(world), actor=system(world)
    ).record
    assert record is not None
    user = make_user(rosa(world))
    patient_records_claim(user=user, email=rosa(world))
    reception = signed_in(people.reception)
    record = patient_record_get(tenant_id=world.tenant_id, record_id=record.record_id)
    page = reception.get(book_url(world, record) + f"?professional={world.ana.professional_id}&date={DAY}")

    reception.post(
        pick_url(page.content.decode()), {"professional": world.ana.professional_id, "start": iso_utc(at(9))}
    )

    [booking] = bookings_for_patient(patient_id=str(user.pk), tenant_id=world.tenant_id)
    assert isinstance(booking, Booking) and booking.patient_record_id == record.record_id
