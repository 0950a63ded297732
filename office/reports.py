"""Reads of the clinic's reports: the figures of a range of days per professional and per treatment,
the range's bookings for the CSV export, and one day's agenda for printing. Never writes.

Every figure comes from one Query of the clinic's agenda per local day, issued side by side, plus
the professionals and the treatments: the number of requests follows the days of the range, never
its bookings (README, "Reports").
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from booking.models import Block, Booking, BookingStatus
from booking.selectors import local_day_bounds, schedule_for
from clinics.models import Clinic, Professional
from clinics.selectors import professional_list, treatment_list
from nexioq import dynamo
from nexioq.dynamo import TableItem
from nexioq.errors import Invalid, NotFound
from scheduling.availability import subtract_intervals, working_intervals

# A quarter and a bit: long enough for any month or quarter, short enough to answer in a second.
MAX_REPORT_DAYS = 93
# Days outside these are typing mistakes (9999-12-31 would also overflow the day's UTC bounds).
FIRST_REPORT_DAY = dt.date(2000, 1, 1)
LAST_REPORT_DAY = dt.date(2100, 12, 31)
# The days of a range are read this many at a time: a 31-day report is four rounds of Queries.
DAY_READERS = 8
_readers = ThreadPoolExecutor(max_workers=DAY_READERS, thread_name_prefix="report-days")

# A cancellation by anyone but the patient (staff, the system) is the clinic's.
BY_PATIENT = "patient"
BOOKING_ENTITY, BLOCK_ENTITY = "booking", "block"


class ReportRangeInvalid(Invalid):
    title = _("That period cannot be reported")


class ProfessionalUnknown(NotFound):
    title = _("We could not find that professional")
    message = _("This clinic has no professional with that id. Pick one from the list.")


def report_range_check(*, first_day: dt.date, last_day: dt.date) -> None:
    """Refuse a range the reports do not answer, with a message that says how to fix it."""
    for day in (first_day, last_day):
        if not FIRST_REPORT_DAY <= day <= LAST_REPORT_DAY:
            raise ReportRangeInvalid(
                _("Pick dates between %(first)s and %(last)s.")
                % {"first": FIRST_REPORT_DAY.isoformat(), "last": LAST_REPORT_DAY.isoformat()}
            )
    if last_day < first_day:
        raise ReportRangeInvalid(_("The end date is before the start date."))
    if (last_day - first_day).days + 1 > MAX_REPORT_DAYS:
        raise ReportRangeInvalid(
            _("A report covers at most %(days)s days. Pick a shorter period.") % {"days": MAX_REPORT_DAYS}
        )


def _in_parallel[T](task: Callable[[], T]) -> Future[T]:
    # Each task runs in a copy of this context, so request counting sees its queries.
    return _readers.submit(contextvars.copy_context().run, task)


# ---------------------------------------------------------------- reading the agenda, day by day


@dataclass
class AgendaDay:
    """What the clinic's agenda holds for one local day: bookings (any status) and blocks, by start."""

    day: dt.date
    bookings: list[Booking]
    blocks: list[Block]
    items_read: int


def _agenda_day(*, clinic: Clinic, day: dt.date) -> AgendaDay:
    """One local day of the clinic's agenda: one Query (paged by DynamoDB only past 1 MB).

    Entries are keyed by their UTC start, so the day's bounds select exactly what starts that day.
    """
    start, end = local_day_bounds(clinic, day, day)
    items = TableItem.clinic_agenda.query(
        dynamo.clinic_agenda_pk(clinic.tenant_id),
        TableItem.clinic_agenda_sk.between(dynamo.agenda_bound(start), dynamo.agenda_bound(end)),
    )
    bookings: list[Booking] = []
    blocks: list[Block] = []
    read = 0
    for item in items:
        read += 1
        if isinstance(item, Booking):
            bookings.append(item)
        elif isinstance(item, Block):
            blocks.append(item)
        # Holds are not bookings yet: a report leaves them out.
    return AgendaDay(day=day, bookings=bookings, blocks=blocks, items_read=read)


# What the figures need of an agenda entry: a Query that projects these skips each booking's
# history and patient details and the building of a model per item (a third of a 30-day report's
# time with full models, measured: README, "Reports").
FIGURE_ATTRIBUTES = (
    "entity",
    "professional_id",
    "professional_name",
    "treatment_id",
    "treatment_name",
    "status",
    "cancelled_by",
    "start",
    "end",
    "blocked_start",
    "blocked_end",
)


@dataclass(frozen=True)
class AgendaEntry:
    """A booking or a block as the figures read it (``FIGURE_ATTRIBUTES``)."""

    entity: str
    professional_id: str
    professional_name: str
    treatment_id: str
    treatment_name: str
    status: str
    cancelled_by: str | None
    start: dt.datetime
    end: dt.datetime
    blocked_start: dt.datetime
    blocked_end: dt.datetime

    @classmethod
    def of(cls, item: dict[str, Any]) -> AgendaEntry:
        def text(name: str) -> str:
            return str(item.get(name, {}).get("S", ""))

        def moment(name: str) -> dt.datetime:
            return dynamo.parse_iso_utc(text(name))

        return cls(
            entity=text("entity"),
            professional_id=text("professional_id"),
            professional_name=text("professional_name"),
            treatment_id=text("treatment_id"),
            treatment_name=text("treatment_name"),
            status=text("status"),
            cancelled_by=text("cancelled_by") or None,
            start=moment("start"),
            end=moment("end"),
            blocked_start=moment("blocked_start"),
            blocked_end=moment("blocked_end"),
        )


def _entries_of_day(*, clinic: Clinic, day: dt.date) -> list[AgendaEntry]:
    """One local day of the clinic's agenda, bookings and blocks, only what the figures need: one Query."""
    start, end = local_day_bounds(clinic, day, day)
    items = dynamo.query_keys(
        pk=dynamo.clinic_agenda_pk(clinic.tenant_id),
        sk_between=(dynamo.agenda_bound(start), dynamo.agenda_bound(end)),
        attributes=FIGURE_ATTRIBUTES,
        index=TableItem.clinic_agenda,
    )
    return [AgendaEntry.of(item) for item in items if item["entity"]["S"] in (BOOKING_ENTITY, BLOCK_ENTITY)]


def _days(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    return [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]


def _bookings_of(*, clinic: Clinic, first_day: dt.date, last_day: dt.date) -> list[Booking]:
    """Every booking starting in the range, as models: one Query per day, side by side."""
    report_range_check(first_day=first_day, last_day=last_day)
    days = [_in_parallel(partial(_agenda_day, clinic=clinic, day=day)) for day in _days(first_day, last_day)]
    return [booking for future in days for booking in future.result().bookings]


# ---------------------------------------------------------------- figures


@dataclass
class Figures:
    """Counts of one professional, one treatment or the whole clinic over the range."""

    bookings: int = 0
    cancelled_by_patient: int = 0
    cancelled_by_clinic: int = 0
    no_shows: int = 0
    attended: int = 0
    booked_minutes: int = 0
    # Only professionals (and the clinic) work; None for a treatment.
    working_minutes: int | None = None

    def add(self, booking: Booking | AgendaEntry) -> None:
        self.bookings += 1
        if booking.status == BookingStatus.CANCELLED:
            if booking.cancelled_by == BY_PATIENT:
                self.cancelled_by_patient += 1
            else:
                self.cancelled_by_clinic += 1
            return
        if booking.status == BookingStatus.NO_SHOW:
            self.no_shows += 1
        elif booking.status == BookingStatus.ATTENDED:
            self.attended += 1
        self.booked_minutes += int((booking.end - booking.start).total_seconds()) // 60

    @property
    def cancellations(self) -> int:
        return self.cancelled_by_patient + self.cancelled_by_clinic

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the bookings whose outcome was marked; None before any was."""
        marked = self.attended + self.no_shows
        return self.no_shows / marked if marked else None

    @property
    def occupancy(self) -> float | None:
        """Booked minutes over working minutes; None without working time."""
        if not self.working_minutes:
            return None
        return self.booked_minutes / self.working_minutes


@dataclass
class ReportRow:
    key: str
    name: str
    figures: Figures
    active: bool = True
    color: str = ""


@dataclass
class Report:
    first_day: dt.date
    last_day: dt.date
    professionals: list[ReportRow]
    treatments: list[ReportRow]
    total: Figures
    # For the benchmark: agenda entries, professionals and treatments read.
    items_read: int = 0

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def _minutes(intervals: Sequence[tuple[dt.datetime, dt.datetime]]) -> int:
    return sum(int((end - start).total_seconds()) // 60 for start, end in intervals)


def professional_working_minutes(
    *,
    clinic: Clinic,
    professional: Professional,
    first_day: dt.date,
    last_day: dt.date,
    blocks: Sequence[Block | AgendaEntry] = (),
) -> int:
    """Minutes ``professional`` works over the local days: weekly hours in the clinic's zone, less
    time off, the clinic's closures, and their blocks (a meeting is not time patients can book)."""
    worked = working_intervals(
        schedule=schedule_for(professional),
        closures=[(r.start, r.end) for r in clinic.closures],
        tz=clinic.zone,
        first_day=first_day,
        last_day=last_day,
    )
    mine = [(b.blocked_start, b.blocked_end) for b in blocks if b.professional_id == professional.professional_id]
    return _minutes(subtract_intervals(worked, mine))


def _by_name(rows: dict[str, ReportRow]) -> list[ReportRow]:
    return sorted(rows.values(), key=lambda row: (not row.active, row.name.casefold()))


def report_figures(*, clinic: Clinic, first_day: dt.date, last_day: dt.date) -> Report:
    """The range's figures per professional, per treatment and for the clinic.

    Rows: every active professional and treatment, and inactive ones that had bookings in the range
    (named as the booking recorded them if they no longer exist). Working time is counted for
    active professionals only.
    """
    report_range_check(first_day=first_day, last_day=last_day)
    tenant_id = clinic.tenant_id
    staff = _in_parallel(partial(professional_list, tenant_id=tenant_id, active_only=False))
    catalogue = _in_parallel(partial(treatment_list, tenant_id=tenant_id, active_only=False))
    days = [_in_parallel(partial(_entries_of_day, clinic=clinic, day=day)) for day in _days(first_day, last_day)]
    entries = [entry for future in days for entry in future.result()]
    professionals, all_treatments = staff.result(), catalogue.result()
    blocks = [e for e in entries if e.entity == BLOCK_ENTITY]
    bookings = [e for e in entries if e.entity == BOOKING_ENTITY]
    people: dict[str, ReportRow] = {}
    for professional in professionals:
        working = (
            professional_working_minutes(
                clinic=clinic, professional=professional, first_day=first_day, last_day=last_day, blocks=blocks
            )
            if professional.active
            else None
        )
        people[professional.professional_id] = ReportRow(
            key=professional.professional_id,
            name=professional.name,
            figures=Figures(working_minutes=working),
            active=professional.active,
            color=professional.color,
        )
    treatments = {
        t.treatment_id: ReportRow(key=t.treatment_id, name=t.name, figures=Figures(), active=t.active)
        for t in all_treatments
    }
    total = Figures(working_minutes=sum(row.figures.working_minutes or 0 for row in people.values()))
    for booking in bookings:
        person = people.setdefault(
            booking.professional_id,
            ReportRow(key=booking.professional_id, name=booking.professional_name, figures=Figures(), active=False),
        )
        treatment = treatments.setdefault(
            booking.treatment_id,
            ReportRow(key=booking.treatment_id, name=booking.treatment_name, figures=Figures(), active=False),
        )
        person.figures.add(booking)
        treatment.figures.add(booking)
        total.add(booking)
    shown = {k: row for k, row in people.items() if row.active or row.figures.bookings}
    listed = {k: row for k, row in treatments.items() if row.active or row.figures.bookings}
    return Report(
        first_day=first_day,
        last_day=last_day,
        professionals=_by_name(shown),
        treatments=_by_name(listed),
        total=total,
        items_read=len(entries) + len(professionals) + len(all_treatments),
    )


def report_bookings(*, clinic: Clinic, first_day: dt.date, last_day: dt.date) -> list[Booking]:
    """Every booking (any status) starting in the range, by start and professional: one Query a day."""
    bookings = _bookings_of(clinic=clinic, first_day=first_day, last_day=last_day)
    return sorted(bookings, key=lambda b: (b.start, b.professional_name.casefold(), b.reference))


# ---------------------------------------------------------------- the printable day


@dataclass
class DaySheet:
    """One professional's page of the printable day."""

    professional_id: str
    name: str
    hours: list[tuple[dt.datetime, dt.datetime]]
    entries: list[Booking | Block] = field(default_factory=list)

    @property
    def bookings(self) -> list[Booking]:
        return [e for e in self.entries if isinstance(e, Booking)]


@dataclass
class DayAgenda:
    day: dt.date
    sheets: list[DaySheet]
    # Active professionals, for the page's picker.
    professionals: list[Professional]


def day_agenda(*, clinic: Clinic, day: dt.date, professional_id: str | None = None) -> DayAgenda:
    """The day's agenda per professional, for printing: their hours, bookings and blocks by start.

    Cancelled bookings are left out (nobody is coming). Every active professional who works that
    day or has something on it gets a sheet; with ``professional_id``, only theirs (even if empty).
    One Query of the day and one of the professionals, side by side.
    """
    report_range_check(first_day=day, last_day=day)
    tenant_id = clinic.tenant_id
    people = _in_parallel(partial(professional_list, tenant_id=tenant_id, active_only=False))
    agenda = _agenda_day(clinic=clinic, day=day)
    everyone = people.result()
    professionals = everyone
    if professional_id is not None:
        professionals = [p for p in everyone if p.professional_id == professional_id]
        if not professionals:
            raise ProfessionalUnknown(detail=f"professional {professional_id[:80]!r}")
    closures = [(r.start, r.end) for r in clinic.closures]
    sheets: dict[str, DaySheet] = {}
    for professional in professionals:
        hours = working_intervals(
            schedule=schedule_for(professional), closures=closures, tz=clinic.zone, first_day=day, last_day=day
        )
        sheets[professional.professional_id] = DaySheet(
            professional_id=professional.professional_id, name=professional.name, hours=hours
        )
    entries: list[Booking | Block] = [b for b in agenda.bookings if b.status != BookingStatus.CANCELLED]
    entries += agenda.blocks
    for entry in sorted(entries, key=lambda e: e.start):
        if professional_id is not None and entry.professional_id != professional_id:
            continue
        sheet = sheets.get(entry.professional_id)
        if sheet is None:  # a professional since deleted: their day still prints
            sheet = sheets[entry.professional_id] = DaySheet(
                professional_id=entry.professional_id, name=entry.professional_name, hours=[]
            )
        sheet.entries.append(entry)
    active = {p.professional_id for p in everyone if p.active}
    kept = [
        sheet
        for sheet in sheets.values()
        if professional_id is not None or sheet.entries or (sheet.hours and sheet.professional_id in active)
    ]
    return DayAgenda(
        day=day,
        sheets=sorted(kept, key=lambda sheet: sheet.name.casefold()),
        professionals=[p for p in everyone if p.active],
    )
