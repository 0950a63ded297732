from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.availability import (
    CELL_MINUTES,
    Policy,
    ProfessionalSchedule,
    Slot,
    TreatmentSpec,
    available_slots,
    blocked_interval,
    cells_for,
    nearest_alternatives,
)

UTC = datetime.UTC
BOGOTA = zoneinfo.ZoneInfo("America/Bogota")
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
SANTIAGO = zoneinfo.ZoneInfo("America/Santiago")
STEP = datetime.timedelta(minutes=CELL_MINUTES)

# A Monday without any transition anywhere near it.
MONDAY = datetime.date(2026, 3, 2)
# Far enough before every tested date that notice never interferes.
LONG_AGO = datetime.datetime(2026, 1, 1, tzinfo=UTC)

MADRID_SPRING_FORWARD = datetime.date(2026, 3, 29)  # 02:00 -> 03:00
MADRID_FALL_BACK = datetime.date(2026, 10, 25)  # 03:00 -> 02:00
SANTIAGO_FALL_BACK = datetime.date(2026, 4, 4)  # 24:00 -> 23:00 (into 04-05)
SANTIAGO_SPRING_FORWARD = datetime.date(2026, 9, 6)  # 00:00 -> 01:00


def hm(text: str) -> datetime.time:
    hours, minutes = text.split(":")
    return datetime.time(int(hours), int(minutes))


def professional(
    professional_id: str,
    ranges: Iterable[tuple[str, str]],
    *,
    weekdays: Iterable[int] = range(7),
    time_off: Sequence[tuple[datetime.datetime, datetime.datetime]] = (),
) -> ProfessionalSchedule:
    parsed = [(hm(start), hm(end)) for start, end in ranges]
    return ProfessionalSchedule(
        professional_id=professional_id,
        weekly_hours={weekday: parsed for weekday in weekdays},
        time_off=time_off,
    )


def treatment(duration: int, *, before: int = 0, after: int = 0) -> TreatmentSpec:
    return TreatmentSpec(duration_minutes=duration, buffer_before_minutes=before, buffer_after_minutes=after)


def slots_for(
    *,
    tz: zoneinfo.ZoneInfo,
    spec: TreatmentSpec,
    schedules: Sequence[ProfessionalSchedule],
    first_day: datetime.date,
    last_day: datetime.date | None = None,
    grid: int = 15,
    notice: int = 0,
    advance: int = 3650,
    closures: Sequence[tuple[datetime.datetime, datetime.datetime]] = (),
    occupied: Mapping[str, Set[datetime.datetime]] | None = None,
    now: datetime.datetime = LONG_AGO,
) -> list[Slot]:
    return available_slots(
        policy=Policy(tz=tz, grid_minutes=grid, min_notice_minutes=notice, max_advance_days=advance),
        treatment=spec,
        schedules=schedules,
        closures=closures,
        occupied=occupied or {},
        first_day=first_day,
        last_day=first_day if last_day is None else last_day,
        now=now,
    )


def at(tz: zoneinfo.ZoneInfo, day: datetime.date, text: str, *, fold: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, hm(text), tzinfo=tz).replace(fold=fold)


def local_walls(slots: Iterable[Slot], tz: zoneinfo.ZoneInfo) -> list[str]:
    return [slot.start.astimezone(tz).strftime("%H:%M") for slot in slots]


def cells_between(start: datetime.datetime, end: datetime.datetime) -> set[datetime.datetime]:
    return set(cells_for(start=start, end=end))


def assert_utc(slots: Iterable[Slot]) -> None:
    for slot in slots:
        assert slot.start.tzinfo is UTC
        assert slot.end.tzinfo is UTC


# --- basic shape -----------------------------------------------------------


def test_it_offers_grid_starts_around_a_lunch_break() -> None:
    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(30),
        schedules=[professional("ana", [("08:00", "12:00"), ("14:00", "18:00")])],
        first_day=MONDAY,
    )

    walls = local_walls(slots, BOGOTA)
    morning = [wall for wall in walls if wall < "12:00"]
    afternoon = [wall for wall in walls if wall >= "12:00"]
    assert morning[0] == "08:00"
    assert morning[-1] == "11:30"
    assert not [wall for wall in walls if "12:00" <= wall < "14:00"]
    assert afternoon[0] == "14:00"
    assert afternoon[-1] == "17:30"
    assert len(walls) == 2 * 15
    assert all(wall[3:] in {"00", "15", "30", "45"} for wall in walls)
    assert_utc(slots)
    assert all(slot.end - slot.start == datetime.timedelta(minutes=30) for slot in slots)


def test_it_uses_no_dst_offset_in_bogota_for_a_whole_week() -> None:
    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(60),
        schedules=[professional("ana", [("09:00", "17:00")], weekdays=range(5))],
        first_day=MONDAY,
        last_day=MONDAY + datetime.timedelta(days=6),
        grid=60,
    )

    per_day: dict[datetime.date, int] = {}
    for slot in slots:
        local = slot.start.astimezone(BOGOTA)
        per_day[local.date()] = per_day.get(local.date(), 0) + 1
        assert slot.start - local.replace(tzinfo=UTC) == datetime.timedelta(hours=5)
    assert per_day == {MONDAY + datetime.timedelta(days=i): 8 for i in range(5)}


def test_it_counts_the_grid_from_each_range_start() -> None:
    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(20),
        schedules=[professional("ana", [("08:10", "09:30")])],
        first_day=MONDAY,
        grid=30,
    )

    assert local_walls(slots, BOGOTA) == ["08:10", "08:40", "09:10"]


def test_it_returns_nothing_when_last_day_precedes_first_day() -> None:
    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(30),
        schedules=[professional("ana", [("08:00", "12:00")])],
        first_day=MONDAY,
        last_day=MONDAY - datetime.timedelta(days=1),
    )

    assert slots == []


# --- occupancy, buffers, time off, closures ---------------------------------


def test_it_blocks_overlapping_starts_only_for_the_booked_professional() -> None:
    booking = cells_between(at(BOGOTA, MONDAY, "09:00"), at(BOGOTA, MONDAY, "10:00"))
    schedules = [
        professional("ana", [("08:00", "12:00")]),
        professional("bob", [("08:00", "12:00")]),
    ]

    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(60),
        schedules=schedules,
        first_day=MONDAY,
        occupied={"ana": booking},
    )

    by_wall = {wall: slot.professional_ids for wall, slot in zip(local_walls(slots, BOGOTA), slots, strict=True)}
    blocked = ["08:15", "08:30", "08:45", "09:00", "09:15", "09:30", "09:45"]
    for wall in blocked:
        assert by_wall[wall] == ("bob",)
    for wall in ["08:00", "10:00", "10:15", "11:00"]:
        assert by_wall[wall] == ("ana", "bob")
    assert len(slots) == len(set(by_wall)) == 13

    ana_only = slots_for(
        tz=BOGOTA,
        spec=treatment(60),
        schedules=schedules[:1],
        first_day=MONDAY,
        occupied={"ana": booking},
    )
    assert not set(blocked) & set(local_walls(ana_only, BOGOTA))


def test_it_keeps_schedule_order_in_merged_slots() -> None:
    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(30),
        schedules=[
            professional("bob", [("09:00", "10:00")]),
            professional("ana", [("08:30", "09:30")]),
        ],
        first_day=MONDAY,
        grid=30,
    )

    assert [(wall, slot.professional_ids) for wall, slot in zip(local_walls(slots, BOGOTA), slots, strict=True)] == [
        ("08:30", ("ana",)),
        ("09:00", ("bob", "ana")),
        ("09:30", ("bob",)),
    ]


def test_it_lists_a_professional_once_when_ranges_overlap() -> None:
    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(30),
        schedules=[professional("ana", [("08:00", "10:00"), ("09:00", "11:00")])],
        first_day=MONDAY,
        grid=30,
    )

    assert local_walls(slots, BOGOTA) == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"]
    assert all(slot.professional_ids == ("ana",) for slot in slots)


def test_it_applies_buffers_around_existing_bookings() -> None:
    booking = cells_between(at(BOGOTA, MONDAY, "10:00"), at(BOGOTA, MONDAY, "10:30"))

    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(30, before=10, after=10),
        schedules=[professional("ana", [("08:00", "12:00")])],
        first_day=MONDAY,
        grid=5,
        occupied={"ana": booking},
    )

    walls = local_walls(slots, BOGOTA)
    # Blocked interval [S-10, S+40) must avoid [10:00, 10:30).
    assert "09:20" in walls
    assert "10:40" in walls
    assert not [wall for wall in walls if "09:25" <= wall <= "10:35"]
    # Buffers may hang outside working hours.
    assert walls[0] == "08:00"
    assert walls[-1] == "11:30"


def test_it_applies_buffers_to_time_off_and_closures() -> None:
    ana = professional(
        "ana",
        [("08:00", "12:00")],
        time_off=[(at(BOGOTA, MONDAY, "09:00"), at(BOGOTA, MONDAY, "09:05"))],
    )

    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(30, before=15, after=15),
        schedules=[ana],
        first_day=MONDAY,
        closures=[(at(BOGOTA, MONDAY, "11:00"), at(BOGOTA, MONDAY, "11:05"))],
    )

    # [S-15, S+45) must stay clear of [09:00, 09:05) and [11:00, 11:05).
    assert local_walls(slots, BOGOTA) == [
        "08:00", "08:15", "09:30", "09:45", "10:00", "10:15", "11:30",
    ]  # fmt: skip


def test_it_removes_time_off_and_closures() -> None:
    ana = professional(
        "ana",
        [("08:00", "18:00")],
        time_off=[(at(BOGOTA, MONDAY, "10:00"), at(BOGOTA, MONDAY, "11:00"))],
    )
    bob = professional("bob", [("08:00", "18:00")])
    tuesday = MONDAY + datetime.timedelta(days=1)
    closures = [
        # Unaligned on purpose: a closure need not follow the cell grid.
        (at(BOGOTA, MONDAY, "15:07"), at(BOGOTA, MONDAY, "15:08")),
        # Given in another zone on purpose: only the instant matters.
        (at(MADRID, tuesday, "00:00"), at(MADRID, tuesday + datetime.timedelta(days=1), "12:00")),
    ]

    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(30),
        schedules=[ana, bob],
        first_day=MONDAY,
        last_day=tuesday,
        closures=closures,
    )

    by_wall = {slot.start.astimezone(BOGOTA).strftime("%a %H:%M"): slot.professional_ids for slot in slots}
    for wall in ["Mon 09:45", "Mon 10:00", "Mon 10:45"]:
        assert by_wall[wall] == ("bob",)
    assert by_wall["Mon 09:30"] == ("ana", "bob")
    assert by_wall["Mon 11:00"] == ("ana", "bob")
    assert "Mon 14:30" in by_wall
    assert "Mon 14:45" not in by_wall
    assert "Mon 15:00" not in by_wall
    assert "Mon 15:15" in by_wall
    assert not [wall for wall in by_wall if wall.startswith("Tue")]


def test_it_respects_min_notice() -> None:
    now = at(BOGOTA, MONDAY, "09:07")

    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(30),
        schedules=[professional("ana", [("08:00", "12:00")])],
        first_day=MONDAY,
        notice=60,
        now=now,
    )

    assert local_walls(slots, BOGOTA)[0] == "10:15"


def test_it_respects_max_advance_in_local_dates() -> None:
    # 22:00 Monday in Bogota is already Tuesday in UTC; the local date counts.
    now = at(BOGOTA, MONDAY, "22:00")

    slots = slots_for(
        tz=BOGOTA,
        spec=treatment(60),
        schedules=[professional("ana", [("08:00", "12:00")])],
        first_day=MONDAY,
        last_day=MONDAY + datetime.timedelta(days=10),
        grid=60,
        advance=2,
        now=now,
    )

    days = sorted({slot.start.astimezone(BOGOTA).date() for slot in slots})
    assert days == [MONDAY + datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=2)]


def test_it_accepts_occupied_cells_in_any_zone() -> None:
    # Ambiguous local cells: the second 02:00-03:00 in Madrid on fall-back day.
    second_pass = {
        datetime.datetime(2026, 10, 25, 2, minute, tzinfo=MADRID, fold=1) for minute in range(0, 60, CELL_MINUTES)
    }

    slots = slots_for(
        tz=MADRID,
        spec=treatment(60),
        schedules=[professional("ana", [("00:00", "04:00")])],
        first_day=MADRID_FALL_BACK,
        grid=60,
        occupied={"ana": second_pass},
    )

    folds = [(slot.start.astimezone(MADRID).strftime("%H:%M"), slot.start.astimezone(MADRID).fold) for slot in slots]
    assert folds == [("00:00", 0), ("01:00", 0), ("02:00", 0), ("03:00", 0)]


# --- DST --------------------------------------------------------------------


def real_minutes(slots: Iterable[Slot]) -> int:
    return sum(int((slot.end - slot.start).total_seconds()) // 60 for slot in slots)


def test_it_gives_three_real_hours_on_madrid_spring_forward() -> None:
    schedules = [professional("ana", [("00:00", "04:00")])]

    hourly = slots_for(tz=MADRID, spec=treatment(60), schedules=schedules, first_day=MADRID_SPRING_FORWARD, grid=60)
    fine = slots_for(tz=MADRID, spec=treatment(5), schedules=schedules, first_day=MADRID_SPRING_FORWARD, grid=5)

    assert local_walls(hourly, MADRID) == ["00:00", "01:00", "03:00"]
    assert [slot.start for slot in hourly] == [
        datetime.datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
        datetime.datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    ]
    assert real_minutes(fine) == 180
    assert not [wall for wall in local_walls(fine, MADRID) if wall.startswith("02:")]
    assert_utc(hourly + fine)


def test_it_fits_long_treatments_in_real_time_on_madrid_spring_forward() -> None:
    slots = slots_for(
        tz=MADRID,
        spec=treatment(60),
        schedules=[professional("ana", [("00:00", "04:00")])],
        first_day=MADRID_SPRING_FORWARD,
    )

    # 01:45 + 60 real minutes is 03:45 local; 03:15 would end after 04:00.
    assert local_walls(slots, MADRID) == [
        "00:00", "00:15", "00:30", "00:45", "01:00", "01:15", "01:30", "01:45", "03:00",
    ]  # fmt: skip
    assert slots[-1].end == at(MADRID, MADRID_SPRING_FORWARD, "04:00")


def test_it_moves_range_ends_in_the_gap_to_the_transition() -> None:
    starts_in_gap = slots_for(
        tz=MADRID,
        spec=treatment(30),
        schedules=[professional("ana", [("02:30", "05:00")])],
        first_day=MADRID_SPRING_FORWARD,
        grid=30,
    )
    ends_in_gap = slots_for(
        tz=MADRID,
        spec=treatment(30),
        schedules=[professional("ana", [("00:00", "02:30")])],
        first_day=MADRID_SPRING_FORWARD,
        grid=30,
    )

    odd_length = slots_for(
        tz=MADRID,
        spec=treatment(35),
        schedules=[professional("ana", [("00:00", "02:30")])],
        first_day=MADRID_SPRING_FORWARD,
        grid=5,
    )

    transition = datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert local_walls(starts_in_gap, MADRID) == ["03:00", "03:30", "04:00", "04:30"]
    assert local_walls(ends_in_gap, MADRID) == ["00:00", "00:30", "01:00", "01:30"]
    assert ends_in_gap[-1].end == transition
    # 01:30 + 35 real minutes would run past the transition into 03:05.
    assert local_walls(odd_length, MADRID)[-1] == "01:25"
    assert odd_length[-1].end == transition


def test_it_yields_both_instants_of_an_ambiguous_time_on_madrid_fall_back() -> None:
    schedules = [professional("ana", [("00:00", "04:00")])]

    hourly = slots_for(tz=MADRID, spec=treatment(60), schedules=schedules, first_day=MADRID_FALL_BACK, grid=60)
    fine = slots_for(tz=MADRID, spec=treatment(5), schedules=schedules, first_day=MADRID_FALL_BACK, grid=5)

    assert [slot.start for slot in hourly] == [
        datetime.datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 25, 2, 0, tzinfo=UTC),
    ]
    assert local_walls(hourly, MADRID) == ["00:00", "01:00", "02:00", "02:00", "03:00"]
    assert [slot.start.astimezone(MADRID).fold for slot in hourly] == [0, 0, 0, 1, 0]
    assert real_minutes(fine) == 300
    assert len({slot.start for slot in fine}) == 60


def test_it_uses_the_safe_reading_of_ambiguous_range_ends() -> None:
    # Leaving "at 02:30" means the first 02:30; starting "at 02:00" the second 02:00.
    ends_ambiguous = slots_for(
        tz=MADRID,
        spec=treatment(30),
        schedules=[professional("ana", [("00:00", "02:30")])],
        first_day=MADRID_FALL_BACK,
        grid=30,
    )
    starts_ambiguous = slots_for(
        tz=MADRID,
        spec=treatment(30),
        schedules=[professional("ana", [("02:00", "03:00")])],
        first_day=MADRID_FALL_BACK,
        grid=30,
    )

    assert local_walls(ends_ambiguous, MADRID) == ["00:00", "00:30", "01:00", "01:30", "02:00"]
    assert {slot.start.astimezone(MADRID).fold for slot in ends_ambiguous} == {0}
    assert local_walls(starts_ambiguous, MADRID) == ["02:00", "02:30"]
    assert {slot.start.astimezone(MADRID).fold for slot in starts_ambiguous} == {1}


def test_it_starts_the_santiago_spring_forward_day_at_one() -> None:
    schedules = [professional("ana", [("00:00", "04:00"), ("08:00", "10:00")])]

    hourly = slots_for(
        tz=SANTIAGO,
        spec=treatment(60),
        schedules=schedules,
        first_day=SANTIAGO_SPRING_FORWARD,
        grid=60,
    )
    fine = slots_for(
        tz=SANTIAGO,
        spec=treatment(5),
        schedules=[professional("ana", [("00:00", "04:00")])],
        first_day=SANTIAGO_SPRING_FORWARD,
        grid=5,
    )

    assert local_walls(hourly, SANTIAGO) == ["01:00", "02:00", "03:00", "08:00", "09:00"]
    assert hourly[0].start == datetime.datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert hourly[3].start == datetime.datetime(2026, 9, 6, 11, 0, tzinfo=UTC)
    assert real_minutes(fine) == 180
    assert not [wall for wall in local_walls(fine, SANTIAGO) if wall.startswith("00:")]


def test_it_handles_the_repeated_hour_before_santiago_fall_back() -> None:
    late_saturday = slots_for(
        tz=SANTIAGO,
        spec=treatment(5),
        schedules=[professional("ana", [("22:00", "23:55")])],
        first_day=SANTIAGO_FALL_BACK,
        grid=5,
    )
    sunday = slots_for(
        tz=SANTIAGO,
        spec=treatment(60),
        schedules=[professional("ana", [("00:00", "02:00")])],
        first_day=SANTIAGO_FALL_BACK + datetime.timedelta(days=1),
        grid=60,
    )

    # 22:00 -03 until the first 23:55 -03: 115 real minutes.
    assert late_saturday[0].start == datetime.datetime(2026, 4, 5, 1, 0, tzinfo=UTC)
    assert late_saturday[-1].end == datetime.datetime(2026, 4, 5, 2, 55, tzinfo=UTC)
    assert real_minutes(late_saturday) == 115
    # The new day starts once, at 00:00 -04.
    assert [slot.start for slot in sunday] == [
        datetime.datetime(2026, 4, 5, 4, 0, tzinfo=UTC),
        datetime.datetime(2026, 4, 5, 5, 0, tzinfo=UTC),
    ]


def test_it_returns_both_ambiguous_santiago_starts_inside_a_range() -> None:
    # Ranges cannot end at 24:00, so only treatments crossing the repeat fit.
    slots = slots_for(
        tz=SANTIAGO,
        spec=treatment(30),
        schedules=[professional("ana", [("22:00", "23:55")])],
        first_day=SANTIAGO_FALL_BACK,
        grid=30,
    )

    assert local_walls(slots, SANTIAGO) == ["22:00", "22:30", "23:00"]
    assert_utc(slots)


# --- helpers ----------------------------------------------------------------


def test_it_computes_the_blocked_interval_in_real_time() -> None:
    # 01:30 +02 plus 90 real minutes crosses the fall-back into 02:00 +01.
    start = at(MADRID, MADRID_FALL_BACK, "01:30")

    blocked = blocked_interval(start=start, treatment=treatment(60, before=10, after=30))

    assert blocked == (
        datetime.datetime(2026, 10, 24, 23, 20, tzinfo=UTC),
        datetime.datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    )
    assert all(bound.tzinfo is UTC for bound in blocked)


def test_it_lists_cells_in_utc() -> None:
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    assert cells_for(start=start, end=start + datetime.timedelta(minutes=20)) == [start + i * STEP for i in range(4)]
    assert cells_for(start=start, end=start) == []
    across_gap = cells_for(
        start=at(MADRID, MADRID_SPRING_FORWARD, "01:55"),
        end=at(MADRID, MADRID_SPRING_FORWARD, "03:05"),
    )
    assert across_gap == [
        datetime.datetime(2026, 3, 29, 0, 55, tzinfo=UTC),
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    ]
    assert all(cell.tzinfo is UTC for cell in across_gap)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.datetime(2026, 3, 2, 10, 1, tzinfo=UTC), datetime.datetime(2026, 3, 2, 11, 0, tzinfo=UTC)),
        (datetime.datetime(2026, 3, 2, 10, 0, tzinfo=UTC), datetime.datetime(2026, 3, 2, 11, 0, 30, tzinfo=UTC)),
        (datetime.datetime(2026, 3, 2, 11, 0, tzinfo=UTC), datetime.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        (datetime.datetime(2026, 3, 2, 10, 0), datetime.datetime(2026, 3, 2, 11, 0)),
    ],
)
def test_it_rejects_bad_cell_bounds(start: datetime.datetime, end: datetime.datetime) -> None:
    with pytest.raises(ValueError):
        cells_for(start=start, end=end)


@pytest.mark.parametrize(
    "ranges",
    [
        [(datetime.time(22, 0), datetime.time(0, 0))],
        [(datetime.time(10, 0), datetime.time(10, 0))],
        [(datetime.time(11, 0), datetime.time(10, 0))],
        [(datetime.time(10, 0), datetime.time(10, 7))],
        [(datetime.time(10, 0, 30), datetime.time(11, 0))],
    ],
)
def test_it_rejects_invalid_working_ranges(
    ranges: list[tuple[datetime.time, datetime.time]],
) -> None:
    with pytest.raises(ValueError):
        ProfessionalSchedule(professional_id="ana", weekly_hours={0: ranges})


def test_it_rejects_invalid_specs_and_inputs() -> None:
    with pytest.raises(ValueError):
        TreatmentSpec(duration_minutes=0, buffer_before_minutes=0, buffer_after_minutes=0)
    with pytest.raises(ValueError):
        TreatmentSpec(duration_minutes=30, buffer_before_minutes=7, buffer_after_minutes=0)
    with pytest.raises(ValueError):
        Policy(tz=BOGOTA, grid_minutes=7, min_notice_minutes=0, max_advance_days=1)
    with pytest.raises(ValueError):
        ProfessionalSchedule(professional_id="ana", weekly_hours={7: []})
    schedules = [professional("ana", [("08:00", "12:00")])]
    with pytest.raises(ValueError, match="duplicate"):
        slots_for(tz=BOGOTA, spec=treatment(30), schedules=schedules * 2, first_day=MONDAY)
    with pytest.raises(ValueError, match="aware"):
        slots_for(
            tz=BOGOTA,
            spec=treatment(30),
            schedules=schedules,
            first_day=MONDAY,
            occupied={"ana": {datetime.datetime(2026, 3, 2, 14, 0)}},
        )
    with pytest.raises(ValueError, match="aligned"):
        slots_for(
            tz=BOGOTA,
            spec=treatment(30),
            schedules=schedules,
            first_day=MONDAY,
            occupied={"ana": {datetime.datetime(2026, 3, 2, 14, 1, tzinfo=UTC)}},
        )
    with pytest.raises(ValueError, match="aware"):
        slots_for(
            tz=BOGOTA,
            spec=treatment(30),
            schedules=schedules,
            first_day=MONDAY,
            now=datetime.datetime(2026, 1, 1),
        )


# --- nearest alternatives ---------------------------------------------------


def make_slot(start: datetime.datetime, *professional_ids: str) -> Slot:
    return Slot(start=start, end=start + datetime.timedelta(minutes=30), professional_ids=professional_ids)


WANTED = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ALTERNATIVE_SLOTS = [
    make_slot(WANTED + datetime.timedelta(hours=48), "ana"),
    make_slot(WANTED + datetime.timedelta(minutes=60), "ana", "bob"),
    make_slot(WANTED, "ana", "bob"),
    make_slot(WANTED + datetime.timedelta(minutes=30), "bob", "ana"),
    make_slot(WANTED - datetime.timedelta(minutes=30), "ana"),
    make_slot(WANTED + datetime.timedelta(hours=20), "ana"),
    make_slot(WANTED + datetime.timedelta(minutes=15), "bob"),
]


def describe(pairs: Iterable[tuple[Slot, str]]) -> list[tuple[int, str]]:
    return [(int((slot.start - WANTED).total_seconds()) // 60, pid) for slot, pid in pairs]


def test_it_orders_alternatives_same_professional_first() -> None:
    pairs = nearest_alternatives(slots=ALTERNATIVE_SLOTS, wanted_start=WANTED, professional_id="ana", limit=20)

    assert describe(pairs) == [
        # Same professional within 24 h, ties broken by the earlier start.
        (-30, "ana"),
        (30, "ana"),
        (60, "ana"),
        (20 * 60, "ana"),
        # Everyone else by distance, the wanted time itself included.
        (0, "bob"),
        (15, "bob"),
        (30, "bob"),
        (60, "bob"),
        # Same professional further away still beats an empty list.
        (48 * 60, "ana"),
    ]
    assert describe(
        nearest_alternatives(slots=ALTERNATIVE_SLOTS, wanted_start=WANTED, professional_id="ana")
    ) == describe(pairs[:6])


def test_it_never_offers_the_conflicting_start_again() -> None:
    wanted_in_madrid = WANTED.astimezone(MADRID)

    pairs = nearest_alternatives(
        slots=ALTERNATIVE_SLOTS, wanted_start=wanted_in_madrid, professional_id="ana", limit=50
    )

    assert (0, "ana") not in describe(pairs)
    assert nearest_alternatives(slots=ALTERNATIVE_SLOTS, wanted_start=WANTED, professional_id="ana", limit=0) == []


def test_it_offers_one_pair_per_slot_for_any_professional() -> None:
    pairs = nearest_alternatives(slots=ALTERNATIVE_SLOTS, wanted_start=WANTED, professional_id=None, limit=4)

    assert describe(pairs) == [(0, "ana"), (15, "bob"), (-30, "ana"), (30, "bob")]


# --- properties -------------------------------------------------------------

ZONES = [BOGOTA, MADRID, SANTIAGO]


@dataclass(frozen=True)
class Scenario:
    policy: Policy
    spec: TreatmentSpec
    schedules: tuple[ProfessionalSchedule, ...]
    closures: tuple[tuple[datetime.datetime, datetime.datetime], ...]
    occupied: dict[str, frozenset[datetime.datetime]]
    first_day: datetime.date
    last_day: datetime.date
    now: datetime.datetime

    @functools.cached_property
    def taken(self) -> dict[str, frozenset[int]]:
        # Epoch minutes: the oracle checks a lot of cells, ints keep it fast.
        return {pid: frozenset(epoch_minute(c) for c in cells) for pid, cells in self.occupied.items()}

    @functools.cached_property
    def unavailable(self) -> dict[str, list[tuple[datetime.datetime, datetime.datetime]]]:
        closures = utc_intervals(self.closures)
        return {s.professional_id: closures + utc_intervals(s.time_off) for s in self.schedules}

    def run(self) -> list[Slot]:
        return available_slots(
            policy=self.policy,
            treatment=self.spec,
            schedules=self.schedules,
            closures=self.closures,
            occupied=self.occupied,
            first_day=self.first_day,
            last_day=self.last_day,
            now=self.now,
        )


def minutes_to_time(minutes: int) -> datetime.time:
    return datetime.time(minutes // 60, minutes % 60)


# Strategies with data-dependent bounds are cached: building a fresh one per
# draw costs more than the code under test.
ints = functools.cache(st.integers)


def in_five_minute_steps(start: str, end: str) -> list[int]:
    """Indices (minute // 5) of the wall-clock times in [start, end)."""
    return list(range(hm(start).hour * 12 + hm(start).minute // 5, hm(end).hour * 12 + hm(end).minute // 5))


# Uniform dates and ranges almost never meet a transition, so each zone gets
# its transition days and the wall-clock hours around them as favourites.
ZONE_DAYS = {
    BOGOTA: [MONDAY],
    MADRID: [MADRID_SPRING_FORWARD, MADRID_FALL_BACK],
    SANTIAGO: [SANTIAGO_FALL_BACK, SANTIAGO_FALL_BACK + datetime.timedelta(days=1), SANTIAGO_SPRING_FORWARD],
}
ZONE_STEPS = {
    BOGOTA: in_five_minute_steps("07:00", "20:00"),
    MADRID: in_five_minute_steps("00:30", "04:30"),
    SANTIAGO: [*in_five_minute_steps("21:30", "23:55"), 287, *in_five_minute_steps("00:00", "02:30")],
}
ANY_DAY = st.dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
ANCHOR_DAYS = {tz: st.one_of(st.sampled_from(days), ANY_DAY) for tz, days in ZONE_DAYS.items()}
# One draw per range end (draws dominate the run time); the favourites are
# repeated so that they make up a good share of the choices.
RANGE_ENDS = {tz: st.sampled_from([*range(288), *steps * 4]) for tz, steps in ZONE_STEPS.items()}
MAX_RUN_CELLS = 24
GRIDS = st.sampled_from([5, 10, 15, 20, 30, 60])
BOOLEANS = st.booleans()


def working_range(draw: st.DrawFn, tz: zoneinfo.ZoneInfo) -> tuple[datetime.time, datetime.time]:
    # Ends on the 5-minute grid, at most 23:55, never empty.
    first, second = draw(RANGE_ENDS[tz]), draw(RANGE_ENDS[tz])
    start, end = sorted((first, second))
    if start == end:
        start, end = (start, end + 1) if end < 287 else (start - 1, end)
    return minutes_to_time(start * 5), minutes_to_time(end * 5)


@st.composite
def scenarios(draw: st.DrawFn, *, zones: Sequence[zoneinfo.ZoneInfo] = ZONES) -> Scenario:
    tz = draw(st.sampled_from(zones))
    anchor = draw(ANCHOR_DAYS[tz])
    first_day = anchor - datetime.timedelta(days=draw(ints(0, 2)))
    last_day = first_day + datetime.timedelta(days=draw(ints(0, 2)))
    # Everything random is placed relative to this, one day before first_day.
    base = datetime.datetime.combine(first_day, datetime.time(), tzinfo=UTC) - datetime.timedelta(days=1)
    window_minutes = ((last_day - first_day).days + 3) * 24 * 60

    def interval() -> tuple[datetime.datetime, datetime.datetime]:
        start = base + datetime.timedelta(minutes=draw(ints(0, window_minutes)))
        end = start + datetime.timedelta(minutes=draw(ints(1, 8 * 60)))
        # Mixed zones on purpose: only the instants may matter.
        return (start, end) if draw(BOOLEANS) else (start.astimezone(tz), end.astimezone(tz))

    day_count = (last_day - first_day).days + 1
    weekdays = sorted({(first_day + datetime.timedelta(days=i)).weekday() for i in range(day_count)})
    schedules = []
    occupied: dict[str, frozenset[datetime.datetime]] = {}
    for index in range(draw(ints(1, 3))):
        professional_id = f"p{index}"
        # Only the requested days' weekdays can matter; drawing the rest is waste.
        weekly_hours = {weekday: [working_range(draw, tz) for _ in range(draw(ints(0, 2)))] for weekday in weekdays}
        time_off = tuple(interval() for _ in range(draw(ints(0, 2))))
        schedules.append(
            ProfessionalSchedule(professional_id=professional_id, weekly_hours=weekly_hours, time_off=time_off)
        )
        cells: set[datetime.datetime] = set()
        for _ in range(draw(ints(0, 6))):
            # A run of taken cells: start and length packed into one draw.
            start, length = divmod(draw(ints(0, window_minutes // CELL_MINUTES * MAX_RUN_CELLS)), MAX_RUN_CELLS)
            cells.update(base + STEP * (start + i) for i in range(length + 1))
        occupied[professional_id] = frozenset(cells)
    closures = tuple(interval() for _ in range(draw(ints(0, 2))))
    # Mostly before the requested days so that notice trims only some slots.
    now = base + datetime.timedelta(seconds=draw(ints(0, 36 * 3600)))
    return Scenario(
        policy=Policy(
            tz=tz,
            grid_minutes=draw(GRIDS),
            min_notice_minutes=draw(ints(0, 600)),
            max_advance_days=draw(ints(0, 4)),
        ),
        spec=TreatmentSpec(
            duration_minutes=5 * draw(ints(1, 24)),
            buffer_before_minutes=5 * draw(ints(0, 6)),
            buffer_after_minutes=5 * draw(ints(0, 6)),
        ),
        schedules=tuple(schedules),
        closures=closures,
        occupied=occupied,
        first_day=first_day,
        last_day=last_day,
        now=now,
    )


def epoch_minute(instant: datetime.datetime) -> int:
    return int(instant.timestamp()) // 60


def utc_intervals(
    intervals: Iterable[tuple[datetime.datetime, datetime.datetime]],
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    return [(start.astimezone(UTC), end.astimezone(UTC)) for start, end in intervals]


def is_free(
    *,
    scenario: Scenario,
    schedule: ProfessionalSchedule,
    start: datetime.datetime,
    end: datetime.datetime,
) -> bool:
    blocked_start = start - datetime.timedelta(minutes=scenario.spec.buffer_before_minutes)
    blocked_end = end + datetime.timedelta(minutes=scenario.spec.buffer_after_minutes)
    taken = scenario.taken[schedule.professional_id]
    if not taken.isdisjoint(range(epoch_minute(blocked_start), epoch_minute(blocked_end), CELL_MINUTES)):
        return False
    unavailable = scenario.unavailable[schedule.professional_id]
    return not any(s < blocked_end and blocked_start < e for s, e in unavailable)


def oracle(scenario: Scenario) -> dict[datetime.datetime, list[str]]:
    """Brute force over every UTC cell, using only the unambiguous UTC -> local direction."""
    tz = scenario.policy.tz
    grid = datetime.timedelta(minutes=scenario.policy.grid_minutes)
    duration = datetime.timedelta(minutes=scenario.spec.duration_minutes)
    earliest = scenario.now.astimezone(UTC) + datetime.timedelta(minutes=scenario.policy.min_notice_minutes)
    last_allowed = scenario.now.astimezone(tz).date() + datetime.timedelta(days=scenario.policy.max_advance_days)
    last_day = min(scenario.last_day, last_allowed)
    # Every 5-minute instant whose local date can fall in the requested days.
    first_midnight = datetime.datetime.combine(scenario.first_day, datetime.time(), tzinfo=UTC)
    count = ((last_day - scenario.first_day).days * 24 + 24 + 2 * 16) * 12
    instant = first_midnight - datetime.timedelta(hours=16)
    walls: list[tuple[datetime.datetime, datetime.datetime]] = []
    for _ in range(count):
        walls.append((instant, instant.astimezone(tz).replace(tzinfo=None)))
        instant += STEP
    showing: dict[datetime.datetime, list[datetime.datetime]] = {}
    for instant, wall in walls:
        showing.setdefault(wall, []).append(instant)

    def first_after(wall: datetime.datetime) -> datetime.datetime:
        # Only used for wall times that never show, i.e. fall in a gap.
        return next(i for i, w in walls if w > wall)

    expected: dict[datetime.datetime, list[str]] = {}
    day = scenario.first_day
    while day <= last_day:
        for schedule in scenario.schedules:
            for range_start, range_end in schedule.weekly_hours.get(day.weekday(), ()):
                start_wall = datetime.datetime.combine(day, range_start)
                end_wall = datetime.datetime.combine(day, range_end)
                # The last instant showing the start and the first showing the end.
                low = showing[start_wall][-1] if start_wall in showing else first_after(start_wall)
                high = showing[end_wall][0] if end_wall in showing else first_after(end_wall)
                wall = start_wall
                while wall < end_wall:
                    for instant in showing.get(wall, []):
                        if instant < low or instant + duration > high or instant < earliest:
                            continue
                        if not is_free(scenario=scenario, schedule=schedule, start=instant, end=instant + duration):
                            continue
                        ids = expected.setdefault(instant, [])
                        if schedule.professional_id not in ids:
                            ids.append(schedule.professional_id)
                    wall += grid
        day += datetime.timedelta(days=1)
    return expected


# No example database: the run must not leave files behind in the work tree.
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
# The extra checks below overlap the two main properties; fewer examples keep the file fast.
SECONDARY_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=100)


@PROPERTY_SETTINGS
@given(scenario=scenarios())
def test_it_only_returns_valid_slots(scenario: Scenario) -> None:
    slots = scenario.run()
    tz = scenario.policy.tz
    duration = datetime.timedelta(minutes=scenario.spec.duration_minutes)
    grid = datetime.timedelta(minutes=scenario.policy.grid_minutes)
    by_id = {schedule.professional_id: schedule for schedule in scenario.schedules}
    order = [schedule.professional_id for schedule in scenario.schedules]
    today = scenario.now.astimezone(tz).date()
    walls: dict[datetime.datetime, datetime.datetime] = {}

    def wall_of(instant: datetime.datetime) -> datetime.datetime:
        if instant not in walls:
            walls[instant] = instant.astimezone(tz).replace(tzinfo=None)
        return walls[instant]

    # (d) sorted, unique, UTC.
    starts = [slot.start for slot in slots]
    assert starts == sorted(set(starts))
    for slot in slots:
        assert slot.start.tzinfo is UTC
        assert slot.end - slot.start == duration
        assert slot.professional_ids
        assert list(slot.professional_ids) == [p for p in order if p in slot.professional_ids]

        local_start = slot.start.astimezone(tz)
        day = local_start.date()
        # (c) notice and advance, within the requested days.
        assert slot.start >= scenario.now + datetime.timedelta(minutes=scenario.policy.min_notice_minutes)
        assert scenario.first_day <= day <= scenario.last_day
        assert day <= today + datetime.timedelta(days=scenario.policy.max_advance_days)

        # (a) setup: the local time shown at every cell of the appointment;
        # transitions fall on cell boundaries, so cells are fine enough.
        shown = [wall_of(slot.start + STEP * i) for i in range(duration // STEP)]
        earliest_shown, latest_shown = min(shown), max(shown)
        for professional_id in slot.professional_ids:
            schedule = by_id[professional_id]
            # (a) on the grid of one working range, and the clock shows a time
            # inside that range, on that day, during the whole appointment.
            assert any(
                (shown[0] - datetime.datetime.combine(day, a)) % grid == datetime.timedelta(0)
                and datetime.datetime.combine(day, a) <= earliest_shown
                and latest_shown < datetime.datetime.combine(day, b)
                for a, b in schedule.weekly_hours.get(day.weekday(), ())
            )
            # (b) nothing taken, off or closed inside the blocked interval.
            assert is_free(scenario=scenario, schedule=schedule, start=slot.start, end=slot.end)


@PROPERTY_SETTINGS
@given(scenario=scenarios(zones=[BOGOTA]))
def test_it_returns_every_free_grid_start_without_dst(scenario: Scenario) -> None:
    expected = oracle(scenario)

    assert {slot.start: list(slot.professional_ids) for slot in scenario.run()} == expected


@SECONDARY_SETTINGS
@given(scenario=scenarios(zones=[MADRID, SANTIAGO]))
def test_it_matches_the_brute_force_oracle_across_dst(scenario: Scenario) -> None:
    expected = oracle(scenario)

    assert {slot.start: list(slot.professional_ids) for slot in scenario.run()} == expected


@SECONDARY_SETTINGS
@given(scenario=scenarios(), professional_index=st.integers(-1, 2), limit=st.integers(0, 8))
def test_it_keeps_alternatives_consistent(scenario: Scenario, professional_index: int, limit: int) -> None:
    slots = scenario.run()
    wanted = scenario.now + datetime.timedelta(hours=6)
    ids = [schedule.professional_id for schedule in scenario.schedules]
    professional_id = ids[professional_index] if 0 <= professional_index < len(ids) else None

    pairs = nearest_alternatives(slots=slots, wanted_start=wanted, professional_id=professional_id, limit=limit)

    assert len(pairs) <= limit
    assert len(set((slot.start, pid) for slot, pid in pairs)) == len(pairs)
    for slot, pid in pairs:
        assert pid in slot.professional_ids
        assert not (pid == professional_id and slot.start == wanted)
    if professional_id is not None:
        tiers = [
            0 if pid == professional_id and abs(slot.start - wanted) < datetime.timedelta(hours=24)
            else 2 if pid == professional_id
            else 1
            for slot, pid in pairs
        ]  # fmt: skip
        assert tiers == sorted(tiers)
