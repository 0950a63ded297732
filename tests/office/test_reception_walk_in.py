"""Walk-in: the patient seen now by the first free professional, or at one of the day's next free times."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from booking.models import ClinicPatient
from booking.patients import patient_record_create
from nexioq.dynamo import iso_utc
from tests.booking.helpers import clinic_bookings, clinic_partition
from tests.conftest import NOW, People, World, book, system

pytestmark = pytest.mark.django_db

TODAY = NOW.date()  # Monday 30 November; it is 07:00 in Bogotá


def today_at(hour: int, minute: int = 0):  # type: ignore[no-untyped-def]
    from tests.conftest import at

    return at(hour, minute, day=TODAY)


@pytest.fixture
def reception(people: People) -> Client:
    client = Client()
    client.force_login(people.reception)
    return client


@pytest.fixture
def luisa(world: World) -> ClinicPatient:
    record = patient_record_create(
        tenant_id=world.tenant_id, name="Luisa Gómez", phone="300 123 4567", actor=system(world)
    ).record
    assert record is not None
    return record


def url(world: World) -> str:
    return reverse("office-walk-in", args=[world.slug])


def test_it_starts_with_finding_the_patient(world: World, reception: Client, luisa: ClinicPatient) -> None:
    response = reception.get(url(world), {"q": "luisa"})

    page = response.content.decode()
    assert response.status_code == 200
    assert f"?record={luisa.record_id}" in page and 'id="new-patient"' in page and 'name="then"' in page


def test_it_shows_who_is_free_now(world: World, reception: Client, luisa: ClinicPatient) -> None:
    response = reception.get(url(world), {"record": luisa.record_id, "treatment": world.cleaning.treatment_id})

    page = response.content.decode()
    assert response.status_code == 200
    # The clinic's order is by name: "Dr. Ben" comes before "Dra. Ana".
    assert 'data-testid="walk-in-now">07:00 · Dr. Ben<' in page


def test_it_books_now_with_the_first_free_professional(world: World, reception: Client, luisa: ClinicPatient) -> None:
    book(world, today_at(7), professional=world.ben)

    response = reception.post(
        url(world), {"record": luisa.record_id, "treatment": world.cleaning.treatment_id, "booking": "walk1"}
    )

    assert response.status_code == 302
    [mine] = [b for b in clinic_bookings(world) if b.patient_record_id == luisa.record_id]
    assert (mine.start, mine.professional_id, mine.channel) == (today_at(7), world.ana.professional_id, "walk_in")


def test_a_quick_new_patient_comes_back_to_the_walk_in(world: World, reception: Client) -> None:
    response = reception.post(
        reverse("office-patient-new", args=[world.slug]),
        {"name": "Pedro Páramo", "phone": "310 555 1234", "record_id": "walkin-new", "then": "walk_in"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url(world)}?record=walkin-new"


def test_a_bad_quick_patient_stays_on_the_walk_in_page(world: World, reception: Client) -> None:
    response = reception.post(
        reverse("office-patient-new", args=[world.slug]),
        {"name": "P", "phone": "310 555 1234", "record_id": "walkin-bad", "then": "walk_in"},
    )

    assert response.status_code == 400
    assert "office-walk-in" in response.wsgi_request.resolver_match.url_name or "walk" in response.content.decode()


def test_nobody_free_now_offers_the_next_free_times(world: World, reception: Client, luisa: ClinicPatient) -> None:
    book(world, today_at(7), professional=world.ana)
    book(world, today_at(7), professional=world.ben)
    before = clinic_partition(world.tenant_id)

    response = reception.post(
        url(world), {"record": luisa.record_id, "treatment": world.cleaning.treatment_id, "booking": "walk2"}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert 'role="alert"' in page and f'value="{iso_utc(today_at(8))}"' in page
    assert clinic_partition(world.tenant_id) == before

    picked = reception.post(
        url(world),
        {
            "record": luisa.record_id,
            "treatment": world.cleaning.treatment_id,
            "booking": "walk2",
            "start": iso_utc(today_at(8)),
            "professional": world.ben.professional_id,
        },
    )
    assert picked.status_code == 302
    [mine] = [b for b in clinic_bookings(world) if b.patient_record_id == luisa.record_id]
    assert (mine.start, mine.professional_id) == (today_at(8), world.ben.professional_id)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"record": "nobody", "treatment": "x", "booking": "k"},
        {"record": "a b", "treatment": "x", "booking": "k"},
    ],
)
def test_it_refuses_bad_input(world: World, reception: Client, data: dict[str, str]) -> None:
    response = reception.post(url(world), data)

    assert 400 <= response.status_code < 500


def test_a_dentist_has_no_walk_in_desk(world: World, people: People) -> None:
    client = Client()
    client.force_login(people.dentist)

    assert client.get(url(world)).status_code == 403
