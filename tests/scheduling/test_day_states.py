"""day_states: free, full or closed, from the slots of a range and the rules alone (no I/O)."""

from __future__ import annotations

import datetime
import zoneinfo

from scheduling.availability import (
    DayState,
    Policy,
    ProfessionalSchedule,
    TreatmentSpec,
    available_slots,
    cells_for,
    day_states,
)

UTC = datetime.UTC
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
MONDAY = datetime.date(2026, 3, 23)  # the week Madrid springs forward (Sunday 29 March, 02:00 -> 03:00)
NOW = datetime.datetime(2026, 3, 22, 12, 0, tzinfo=UTC)
POLICY = Policy(tz=MADRID, grid_minutes=30, min_notice_minutes=0, max_advance_days=30)
HOUR = TreatmentSpec(duration_minutes=60, buffer_before_minutes=0, buffer_after_minutes=0)


def local(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=MADRID)


def states(
    schedules: list[ProfessionalSchedule],
    *,
    closures: list[tuple[datetime.datetime, datetime.datetime]] | None = None,
    occupied: dict[str, set[datetime.datetime]] | None = None,
) -> list[DayState]:
    last = MONDAY + datetime.timedelta(days=6)
    common = {"policy": POLICY, "treatment": HOUR, "schedules": schedules, "closures": closures or []}
    slots = available_slots(**common, occupied=occupied or {}, first_day=MONDAY, last_day=last, now=NOW)
    found = day_states(slots=slots, **common, first_day=MONDAY, last_day=last, now=NOW)
    assert list(found) == [MONDAY + datetime.timedelta(days=i) for i in range(7)]
    return list(found.values())


def test_it_tells_free_full_and_closed_days_apart() -> None:
    # Two hours on weekdays, none at the weekend; Tuesday booked solid; Wednesday a clinic closure.
    ana = ProfessionalSchedule("ana", {d: [(datetime.time(2), datetime.time(4))] for d in range(5)})
    tuesday = MONDAY + datetime.timedelta(days=1)
    wednesday = MONDAY + datetime.timedelta(days=2)
    taken = set(cells_for(start=local(tuesday, 2), end=local(tuesday, 4)))

    found = states([ana], closures=[(local(wednesday, 0), local(wednesday, 23))], occupied={"ana": taken})

    free, full, closed = DayState.FREE, DayState.FULL, DayState.CLOSED
    assert found == [free, full, closed, free, free, closed, closed]


def test_it_calls_a_day_whose_hours_do_not_exist_closed() -> None:
    # Sunday 29 March in Madrid has no 02:00-03:00: a professional working only then cannot be booked.
    night = ProfessionalSchedule("night", {6: [(datetime.time(2), datetime.time(3))]})

    assert states([night])[-1] is DayState.CLOSED


def test_it_calls_a_day_full_only_when_every_professional_is_taken() -> None:
    hours = {d: [(datetime.time(9), datetime.time(10))] for d in range(7)}
    ana, ben = ProfessionalSchedule("ana", hours), ProfessionalSchedule("ben", hours)
    monday_nine = set(cells_for(start=local(MONDAY, 9), end=local(MONDAY, 10)))

    assert states([ana, ben], occupied={"ana": monday_nine})[0] is DayState.FREE
    assert states([ana, ben], occupied={"ana": monday_nine, "ben": monday_nine})[0] is DayState.FULL


def test_it_calls_every_day_closed_without_professionals() -> None:
    assert set(states([])) == {DayState.CLOSED}
