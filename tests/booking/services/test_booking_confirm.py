from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine

from access.models import Membership, Role
from booking import errors, selectors, services
from booking.models import BookingStatus, CellKind, Hold
from clinics.models import Clinic
from nexioq import dynamo
from nexioq.errors import SignInRequired
from tests.booking.helpers import before_dynamodb, cells_of, clinic_bookings, overlapping_pairs
from tests.conftest import People, World, anonymous, at, book, hold, member

pytestmark = pytest.mark.django_db(transaction=True)

DETAILS = services.PatientDetails(name="Luis Gómez", email="", phone="300 123 4567")


def confirm(world: World, hold_id: str, actor, details=DETAILS):  # type: ignore[no-untyped-def]
    return services.booking_confirm(tenant_id=world.tenant_id, hold_id=hold_id, actor=actor, patient=details)


def test_it_turns_my_hold_into_my_booking(world: World, people: People) -> None:
    """Held anonymously, then signed in: the same browser's hold is still mine."""
    held = hold(world, at(9), actor=anonymous(world, "b-1"))
    me = member(world, people.outsider, browser_key="b-1")  # no membership here yet

    booking = confirm(world, held.hold_id, me)

    assert booking.booking_id == held.hold_id
    assert booking.patient_id == str(people.outsider.pk)
    assert booking.patient_email == people.outsider.email
    assert booking.patient_phone == "+573001234567"  # E.164 for the clinic's country
    assert [(h.action, h.by_role) for h in booking.history] == [("created", "patient")]
    assert {c.kind for c in cells_of(world, world.ana.professional_id)} == {CellKind.BOOKING}
    with pytest.raises(errors.HoldNotFound):
        selectors.hold_get(tenant_id=world.tenant_id, hold_id=held.hold_id)
    assert Membership.objects.filter(user=people.outsider, tenant_id=world.tenant_id, role=Role.PATIENT).exists()
    people.outsider.refresh_from_db()
    assert (people.outsider.full_name, people.outsider.phone) == ("Luis Gómez", "+573001234567")


def test_it_asks_an_anonymous_browser_to_sign_in(world: World) -> None:
    held = hold(world, at(9), actor=anonymous(world, "b-1"))

    with pytest.raises(SignInRequired):
        confirm(world, held.hold_id, anonymous(world, "b-1"))
    assert selectors.hold_get(tenant_id=world.tenant_id, hold_id=held.hold_id)


def test_it_refuses_someone_elses_hold(world: World, people: People) -> None:
    held = hold(world, at(9), actor=anonymous(world, "theirs"))

    with pytest.raises(errors.HoldNotYours):
        confirm(world, held.hold_id, member(world, people.patient, browser_key="mine"))

    assert clinic_bookings(world) == []
    assert {c.kind for c in cells_of(world, world.ana.professional_id)} == {CellKind.HOLD}


def test_it_refuses_an_invalid_phone_and_writes_nothing(world: World, people: People) -> None:
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)

    with pytest.raises(errors.PatientDetailsInvalid) as refused:
        confirm(world, held.hold_id, me, services.PatientDetails(name="Luis", email="", phone="12"))

    assert set(refused.value.errors) == {"phone"}
    assert clinic_bookings(world) == []


def test_it_confirms_my_expired_hold_while_the_time_is_still_free(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)
    frozen.shift(dt.timedelta(minutes=10))

    assert confirm(world, held.hold_id, me).status == BookingStatus.CONFIRMED


def test_it_says_my_hold_expired_once_someone_else_took_the_time(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)
    frozen.shift(dt.timedelta(minutes=10))
    book(world, at(9, 30), treatment=world.check)

    with pytest.raises(errors.HoldExpired):
        confirm(world, held.hold_id, me)
    assert len(clinic_bookings(world)) == 1


def test_it_gives_one_booking_for_a_double_confirm(world: World, people: People) -> None:
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)

    first = confirm(world, held.hold_id, me)
    again = confirm(world, held.hold_id, me)

    assert again.booking_id == first.booking_id
    assert len(clinic_bookings(world)) == 1


def test_it_hides_a_consumed_hold_from_another_person(world: World, people: People) -> None:
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)
    confirm(world, held.hold_id, me)

    with pytest.raises(errors.HoldNotFound):
        confirm(world, held.hold_id, member(world, people.reception, browser_key="other"))


def test_it_answers_ten_simultaneous_confirms_with_the_same_booking(world: World, people: People) -> None:
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)

    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = list(pool.map(lambda _: confirm(world, held.hold_id, me).booking_id, range(10)))

    assert set(ids) == {held.hold_id}
    assert len(clinic_bookings(world)) == 1


def test_it_answers_a_confirm_whose_twin_committed_first_with_the_twins_booking(world: World, people: People) -> None:
    """Same ClientRequestToken, different content: DynamoDB reports a mismatch; the twin's booking is the answer."""
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)
    twin = services.PatientDetails(name="Luisa Twin", email="", phone="300 123 4567")

    with before_dynamodb("TransactWriteItems", lambda: confirm(world, held.hold_id, me, twin)) as ran:
        answer = confirm(world, held.hold_id, me)

    assert ran[0].booking_id == answer.booking_id == held.hold_id  # type: ignore[attr-defined]
    assert answer.patient_name == "Luisa Twin"
    assert [b.patient_name for b in clinic_bookings(world)] == ["Luisa Twin"]


def test_it_checks_the_suspension_inside_the_transaction(world: World, people: People) -> None:
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)
    suspend = lambda: Clinic(dynamo.tenant_pk(world.tenant_id), dynamo.CLINIC_SK).update(  # noqa: E731
        actions=[Clinic.suspended.set(True)], add_version_condition=False
    )

    with before_dynamodb("TransactWriteItems", suspend), pytest.raises(errors.ClinicSuspended):
        confirm(world, held.hold_id, me)

    assert clinic_bookings(world) == []
    assert selectors.hold_get(tenant_id=world.tenant_id, hold_id=held.hold_id)  # still held, nothing half-done


def test_it_lets_exactly_one_of_fifty_patients_hold_and_book_one_time(world: World, people: People) -> None:
    def attempt(i: int) -> str:
        me = anonymous(world, f"browser-{i}")
        try:
            held = hold(world, at(9), actor=me)
        except errors.SlotTaken:
            return "409"
        confirm(world, held.hold_id, member(world, people.patient, browser_key=f"browser-{i}"))
        return "booked"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    assert outcomes.count("booked") == 1
    assert outcomes.count("409") == 49
    bookings = clinic_bookings(world)
    assert len(bookings) == 1
    assert overlapping_pairs(bookings) == []


def test_it_confirms_a_hold_made_before_holds_recorded_what_was_picked(world: World, people: People) -> None:
    me = member(world, people.patient)
    held = hold(world, at(9), actor=me)
    held.update(actions=[Hold.treatment_name.remove(), Hold.price.remove(), Hold.professional_name.remove()])

    booking = confirm(world, held.hold_id, me)

    assert (booking.treatment_name, booking.professional_name, booking.price) == (
        world.cleaning.name,
        world.ana.name,
        world.cleaning.price,
    )
