"""The patient directory's services and selectors against DynamoDB Local: terms, one-Query search, claims."""

from __future__ import annotations

import pytest

from booking import services
from booking.errors import PatientDetailsInvalid
from booking.models import Booking, ClinicPatient, PatientClaim, PatientDirectoryEntry
from booking.patient_selectors import (
    directory_term,
    patient_claims,
    patient_record_get,
    patient_search,
    record_bookings,
    record_terms,
)
from booking.patients import (
    patient_record_create,
    patient_record_for_user_ensure,
    patient_records_claim,
    user_record_id,
)
from booking.selectors import STAFF_HORIZON_DAYS, bookings_for_patient
from nexioq import dynamo
from tests.conftest import People, World, at, member, system

pytestmark = pytest.mark.django_db


def create(world: World, name: str = "Luisa Gómez Peña", phone: str = "300 123 4567", email: str = "", **kw):  # type: ignore[no-untyped-def]
    return patient_record_create(
        tenant_id=world.tenant_id, name=name, phone=phone, email=email, actor=system(world), **kw
    )


def entries(world: World) -> list[PatientDirectoryEntry]:
    return [
        e
        for e in PatientDirectoryEntry.query(
            dynamo.tenant_pk(world.tenant_id),
            PatientDirectoryEntry.sk.between(*dynamo.prefix_range(dynamo.PATIENT_DIRECTORY_PREFIX)),
            consistent_read=True,
        )
        if isinstance(e, PatientDirectoryEntry)
    ]


def test_it_normalises_terms_without_accents_case_or_separator() -> None:
    assert directory_term("  Gómez  PEÑA#1 ") == "gomez pena1"
    assert directory_term("Ñúñez\x00") == "nunez"
    assert record_terms(name="Luisa Gómez", phone="+573001234567", email="Luisa@Example.com") == [
        "luisa",
        "gomez",
        "luisa gomez",
        "luisa@example.com",
        "573001234567",
        "3001234567",
    ]


def test_it_keeps_the_staff_horizon_of_the_services_and_the_selectors_equal() -> None:
    assert STAFF_HORIZON_DAYS == services.STAFF_HORIZON_DAYS


def test_it_writes_the_record_its_terms_and_its_claim(world: World) -> None:
    created = create(world, email="Luisa@Example.com")

    record = created.record
    assert record is not None and created.similar == []
    stored = patient_record_get(tenant_id=world.tenant_id, record_id=record.record_id)
    assert (stored.name, stored.phone, stored.email) == ("Luisa Gómez Peña", "+573001234567", "luisa@example.com")
    assert sorted(e.sk for e in entries(world)) == sorted(
        dynamo.patient_directory_sk(t, record.record_id)
        for t in ["luisa", "gomez", "pena", "luisa gomez pena", "luisa@example.com", "573001234567", "3001234567"]
    )
    # The claim partition is the e-mail's across clinics (other tests' clinics use this address too).
    claims = [c for c in patient_claims(email="LUISA@example.com") if c.tenant_id == world.tenant_id]
    assert [c.record_id for c in claims] == [record.record_id]


def test_it_writes_no_claim_without_an_e_mail(world: World) -> None:
    create(world)

    assert patient_claims(email="") == []
    assert all(not isinstance(item, PatientClaim) for item in entries(world))


@pytest.mark.parametrize(
    ("name", "phone", "email", "field"),
    [
        ("", "300 123 4567", "", "name"),
        ("L", "300 123 4567", "", "name"),
        ("Luisa", "", "", "phone"),
        ("Luisa", "123", "", "phone"),
        ("Luisa", "300 123 4567", "not-an-address", "email"),
        ("#", "300 123 4567", "", "name"),
    ],
)
def test_it_refuses_bad_details_and_writes_nothing(world: World, name: str, phone: str, email: str, field: str) -> None:
    with pytest.raises(PatientDetailsInvalid) as refused:
        create(world, name=name, phone=phone, email=email)

    assert field in refused.value.errors
    assert entries(world) == []


def test_it_searches_with_one_query_and_one_line_per_record(world: World) -> None:
    luisa = create(world).record
    create(world, name="Luis Pérez", phone="310 555 1234")
    create(world, name="Marta Ruiz", phone="311 555 9876")

    with dynamo.count_requests() as requests:
        found = patient_search(tenant_id=world.tenant_id, query="lui")

    assert requests.value == 1 and requests.operations == ["Query"]
    assert [e.name for e in found] == ["Luis Pérez", "Luisa Gómez Peña"]
    # "luisa" and "luisa gomez pena" are both entries of Luisa's record: listed once.
    assert [e.record_id for e in patient_search(tenant_id=world.tenant_id, query="luisa")] == [luisa.record_id]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "query",
    [
        "gomez",
        "GÓMEZ",
        "Gómez",
        "peña",
        "luisa gómez",
        "gómez luisa",
        "300 123",
        "3001234567",
        "+57 300 123 4567",
        "luisa@ex",
    ],
)
def test_it_finds_a_patient_by_any_term(world: World, query: str) -> None:
    record = create(world, email="luisa@example.com").record
    create(world, name="Otro Paciente", phone="311 555 9876")

    assert [e.record_id for e in patient_search(tenant_id=world.tenant_id, query=query)] == [record.record_id]  # type: ignore[union-attr]


@pytest.mark.parametrize("query", ["", "   ", "#", "\u202e", "zzz", "luisa perez", "99"])
def test_it_finds_nothing_for_other_queries(world: World, query: str) -> None:
    create(world)

    assert patient_search(tenant_id=world.tenant_id, query=query) == []


def test_it_warns_of_a_record_with_the_same_phone_or_e_mail(world: World) -> None:
    first = create(world, email="luisa@example.com").record
    assert first is not None

    held_back = create(world, name="Luisa G.", phone="+57 300 123 4567", if_no_similar=True)
    assert held_back.record is None
    assert [e.record_id for e in held_back.similar] == [first.record_id]

    by_email = create(world, name="Luisa G.", phone="311 555 9876", email="LUISA@example.com")
    assert by_email.record is not None and [e.record_id for e in by_email.similar] == [first.record_id]


def test_it_makes_one_record_for_a_form_sent_twice(world: World) -> None:
    first = create(world, record_id="form-key-1").record
    again = create(world, record_id="form-key-1", if_no_similar=True).record

    assert first is not None and again is not None and again.record_id == first.record_id
    assert {e.record_id for e in entries(world)} == {"form-key-1"}


def test_an_online_patient_gets_one_record_at_their_first_booking(world: World, people: People) -> None:
    user = people.patient
    hold = services.hold_create(
        tenant_id=world.tenant_id,
        treatment_id=world.cleaning.treatment_id,
        professional_id=world.ana.professional_id,
        start=at(9),
        actor=member(world, user),
    )
    booking = services.booking_confirm(
        tenant_id=world.tenant_id,
        hold_id=hold.hold_id,
        actor=member(world, user),
        patient=services.PatientDetails(name="Paula Díaz", email="", phone="300 765 4321"),
    )
    patient_record_for_user_ensure(
        tenant_id=world.tenant_id, user_id=str(user.pk), name="Paula Díaz", phone="+573007654321", email=user.email
    )

    assert booking.channel == "online"
    record = patient_record_get(tenant_id=world.tenant_id, record_id=user_record_id(str(user.pk)))
    assert (record.name, record.user_id, record.email) == ("Paula Díaz", str(user.pk), user.email)
    assert [e.record_id for e in patient_search(tenant_id=world.tenant_id, query="diaz")] == [record.record_id]


def _phone_booking(world: World, record: ClinicPatient, hour: int) -> Booking:
    return services.booking_create(
        tenant_id=world.tenant_id,
        treatment_id=world.cleaning.treatment_id,
        professional_id=world.ana.professional_id,
        start=at(hour),
        patient=services.PatientDetails(record.name, record.email, record.phone),
        actor=system(world),
        channel="phone",
        patient_record_id=record.record_id,
    )


def test_a_claim_gives_the_patient_the_record_and_its_bookings(world: World, people: People) -> None:
    from access.models import Membership, Role
    from tests.conftest import make_user

    email = f"nueva-{world.tenant_id}@example.com"  # the claim partition is shared by every clinic
    record = create(world, email=email).record
    assert record is not None
    bookings = [_phone_booking(world, record, hour) for hour in (9, 11)]
    assert {b.booking_id for b in record_bookings(tenant_id=world.tenant_id, record_id=record.record_id)} == {
        b.booking_id for b in bookings
    }
    user = make_user(email)

    claimed = patient_records_claim(user=user, email=email)

    assert [r.record_id for r in claimed] == [record.record_id]
    assert patient_record_get(tenant_id=world.tenant_id, record_id=record.record_id).user_id == str(user.pk)
    assert {b.booking_id for b in bookings_for_patient(patient_id=str(user.pk), tenant_id=world.tenant_id)} == {
        b.booking_id for b in bookings
    }
    assert record_bookings(tenant_id=world.tenant_id, record_id=record.record_id) == []
    assert Membership.objects.filter(user=user, tenant_id=world.tenant_id, role=Role.PATIENT).exists()
    assert patient_claims(email=email) == []
    # Once more: nothing left to claim.
    assert patient_records_claim(user=user, email=email) == []


def test_a_booking_id_refused_for_one_professional_books_with_the_next(world: World) -> None:
    """ "Any professional" at the desk tries the next one with the same id after SlotTaken: the refused
    transaction must not have spent the id's request token."""
    from booking.errors import SlotTaken
    from tests.conftest import book

    book(world, at(9), professional=world.ana)
    details = services.PatientDetails("Luisa", "", "+573001234567")
    kwargs = {
        "tenant_id": world.tenant_id,
        "treatment_id": world.cleaning.treatment_id,
        "start": at(9),
        "patient": details,
        "actor": system(world),
        "booking_id": "desk-any-1",
    }
    with pytest.raises(SlotTaken):
        services.booking_create(professional_id=world.ana.professional_id, **kwargs)  # type: ignore[arg-type]

    booking = services.booking_create(professional_id=world.ben.professional_id, **kwargs)  # type: ignore[arg-type]

    assert booking.professional_id == world.ben.professional_id
