from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from booking import errors, selectors, services
from booking.models import Booking, CellKind
from nexioq import dynamo
from nexioq.errors import Forbidden
from tests.booking.helpers import cells_of
from tests.conftest import DAY, People, World, anonymous, at, book, hold, member, system

pytestmark = pytest.mark.django_db


def move(world: World, booking: Booking, start: dt.datetime, actor, **changes: object) -> Booking:  # type: ignore[no-untyped-def]
    return services.booking_reschedule(
        tenant_id=world.tenant_id,
        booking_id=booking.booking_id,
        new_start=start,
        actor=actor,
        **changes,  # type: ignore[arg-type]
    )


def stored(world: World, booking: Booking) -> Booking:
    return selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)


def cell_starts(world: World, professional_id: str) -> list[dt.datetime]:
    return sorted(dynamo.parse_cell_sk(c.sk)[1] for c in cells_of(world, professional_id))


def day_of(world: World, professional_id: str | None = None) -> list[str]:
    bookings = selectors.bookings_in_range(
        tenant_id=world.tenant_id,
        start=at(0),
        end=at(0, day=DAY + dt.timedelta(days=1)),
        professional_id=professional_id,
    )
    return [b.booking_id for b in bookings]


def test_it_lets_a_patient_move_their_booking_and_moves_the_cells(world: World, people: People) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))

    moved = move(world, booking, at(14), member(world, people.patient))

    assert (moved.start, moved.end) == (at(14), at(15))
    assert cell_starts(world, world.ana.professional_id) == [at(14) + dt.timedelta(minutes=5 * i) for i in range(12)]
    assert stored(world, booking).history[-1].action == "rescheduled"
    assert book(world, at(9)).start == at(9)


def test_it_moves_onto_an_overlapping_time_of_its_own(world: World) -> None:
    booking = book(world, at(9))

    moved = move(world, booking, at(9, 30), system(world))

    assert moved.start == at(9, 30)
    assert cell_starts(world, world.ana.professional_id)[0] == at(9, 30)


def test_it_leaves_the_booking_untouched_when_the_new_time_is_taken(world: World, people: People) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    book(world, at(14))

    with pytest.raises(errors.SlotTaken):
        move(world, booking, at(14, 30), member(world, people.patient))

    kept = stored(world, booking)
    assert (kept.start, kept.version) == (at(9), booking.version)
    assert cell_starts(world, world.ana.professional_id)[0] == at(9)


def test_it_moves_the_booking_between_professionals_agendas(world: World, people: People) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))

    move(world, booking, at(11), member(world, people.patient), professional_id=world.ben.professional_id)

    assert day_of(world, world.ana.professional_id) == []
    assert day_of(world, world.ben.professional_id) == [booking.booking_id]
    assert day_of(world) == [booking.booking_id]
    assert cells_of(world, world.ana.professional_id) == []


def test_it_uses_the_patients_own_hold_on_the_new_time(world: World, people: People) -> None:
    me = member(world, people.patient)
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    held = hold(world, at(15), actor=me)

    moved = move(world, booking, at(15), me, hold_id=held.hold_id)

    assert moved.start == at(15)
    assert {c.kind for c in cells_of(world, world.ana.professional_id)} == {CellKind.BOOKING}
    with pytest.raises(errors.HoldNotFound):
        selectors.hold_get(tenant_id=world.tenant_id, hold_id=held.hold_id)


def test_it_refuses_someone_elses_hold(world: World, people: People) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    held = hold(world, at(15), actor=anonymous(world, "a-stranger"))

    with pytest.raises(errors.HoldNotYours):
        move(world, booking, at(15), member(world, people.patient), hold_id=held.hold_id)
    assert stored(world, booking).start == at(9)


def test_it_refuses_a_hold_for_another_time(world: World, people: People) -> None:
    me = member(world, people.patient)
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    held = hold(world, at(15), actor=me)

    with pytest.raises(errors.HoldMismatch):
        move(world, booking, at(16), me, hold_id=held.hold_id)
    assert stored(world, booking).start == at(9)


def test_it_keeps_the_treatment_unless_staff_change_it(world: World, people: People) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))

    with pytest.raises(errors.TreatmentChangeNotAllowed):
        move(world, booking, at(14), member(world, people.patient), treatment_id=world.whitening.treatment_id)
    changed = move(world, booking, at(14), member(world, people.reception), treatment_id=world.whitening.treatment_id)

    assert (changed.treatment_name, changed.price, changed.end) == ("Blanqueamiento", world.whitening.price, at(14, 30))


def test_it_refuses_a_patient_after_the_cutoff_but_not_staff(
    world: World, people: People, frozen: time_machine.Coordinates
) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))
    frozen.shift(dt.timedelta(hours=5))

    with pytest.raises(errors.CancellationCutoffPassed):
        move(world, booking, at(14), member(world, people.patient))
    moved = move(world, booking, at(14), member(world, people.reception))

    assert moved.cutoff_overridden


def test_it_refuses_a_dentist_moving_into_another_agenda(world: World, people: People) -> None:
    booking = book(world, at(9))  # Dra. Ana's, the dentist's own

    with pytest.raises(Forbidden):
        move(world, booking, at(9), member(world, people.dentist), professional_id=world.ben.professional_id)
    assert move(world, booking, at(12), member(world, people.dentist)).start == at(12)


def test_it_says_why_a_new_time_is_not_offered(world: World, people: People) -> None:
    booking = book(world, at(9), patient_id=str(people.patient.pk))

    with pytest.raises(errors.OutsideHours):
        move(world, booking, at(21), member(world, people.patient))
    with pytest.raises(errors.TooFarAhead):
        move(world, booking, dt.datetime(9999, 12, 31, tzinfo=dt.UTC), member(world, people.patient))
    assert stored(world, booking).start == at(9)
