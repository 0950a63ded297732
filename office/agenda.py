"""Reads of the staff calendar: the events of a range, the page's working hours, why a move was refused.

The events of any range cost two DynamoDB requests whatever the number of professionals: ONE
Query of the clinic's agenda index (or of one professional's, for a dentist or a filter) and ONE
BatchGetItem of the clinic and the professionals that query named (their colours). Bookings,
live holds and blocks are all entries of those indexes, one item each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.permissions import Action, Actor
from booking.models import BlockReason, Booking, BookingStatus, CellKind
from booking.selectors import booking_find
from clinics.models import Clinic, Professional
from nexioq import dynamo
from nexioq.dynamo import TableItem
from nexioq.errors import Forbidden, Invalid, NotFound

# The longest range the calendar asks for: a month view shows six weeks (42 days); a little more
# for custom views, and a bound on what one request may read.
MAX_RANGE_DAYS = 62
# Dates the calendar can show at all: far enough to page through years of history, near enough
# that no arithmetic on them overflows (year 9999 would).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
# A bound without an offset is in the clinic's zone, unknown until the clinic is read (after the
# Query): the Query reads this much more on each side, and the answer is trimmed afterwards.
_ZONE_SLACK = dt.timedelta(hours=15)
# An entry starts at most this long before the range and still overlaps it (agenda keys sort by start).
_LONGEST = dt.timedelta(minutes=dynamo.MAX_BLOCK_MINUTES)
_ATTRIBUTES = (
    "entity",
    "booking_id",
    "hold_id",
    "block_id",
    "occurrence_id",
    "professional_id",
    "professional_name",
    "patient_name",
    "treatment_name",
    "start",
    "end",
    "status",
    "locked_until",
    "reason",
    "note",
)
_PLACEHOLDER = "ID0"
_GREY = "#64748b"

BLOCK_REASONS = {
    BlockReason.MEETING: gettext_lazy("Meeting"),
    BlockReason.TRAINING: gettext_lazy("Training"),
    BlockReason.REPAIR: gettext_lazy("Repair"),
    BlockReason.OTHER: gettext_lazy("Blocked"),
}


class RangeInvalid(Invalid):
    """A calendar range that cannot be shown: 400 with what is wrong."""


class MoveConflict(Invalid):
    """The new time is taken: 409, naming what takes it (a booking, a block, an online hold)."""

    status = 409
    title = gettext_lazy("That time is taken")


# ---------------------------------------------------------------- the range and who sees what


@dataclass(frozen=True)
class AgendaRange:
    """The visible range; ``zoned`` when both bounds carried an offset (FullCalendar sends one)."""

    start: dt.datetime
    end: dt.datetime
    zoned: bool

    def query_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        if self.zoned:
            return self.start, self.end
        # Wall-clock bounds read as UTC, widened by the largest offset there is.
        start, end = self.start.replace(tzinfo=dt.UTC), self.end.replace(tzinfo=dt.UTC)
        return start - _ZONE_SLACK, end + _ZONE_SLACK

    def in_zone(self, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        if self.zoned:
            return self.start, self.end
        return self.start.replace(tzinfo=zone), self.end.replace(tzinfo=zone)


def _moment(value: str | None, name: str) -> tuple[dt.datetime, bool]:
    if not value:
        raise RangeInvalid(_("The calendar needs a start and an end date."), detail=f"{name} missing")
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise RangeInvalid(
            _("%(value)s is not a date the calendar understands.") % {"value": value[:40]}, detail=name
        ) from exc
    zoned = moment.tzinfo is not None
    # Compared in UTC; a naive bound is placed at UTC for the check (a day of slack either way).
    try:
        utc = moment.astimezone(dt.UTC) if zoned else moment.replace(tzinfo=dt.UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        utc = LATEST + dt.timedelta(days=1)
    if not EARLIEST <= utc <= LATEST:
        raise RangeInvalid(
            _("The calendar shows dates between %(first)s and %(last)s.")
            % {"first": EARLIEST.year, "last": LATEST.year - 1},
            detail=name,
        )
    return moment, zoned


def agenda_range(*, start: str | None, end: str | None) -> AgendaRange:
    """The range of a calendar request, refused with a clear message when it cannot be shown."""
    first, first_zoned = _moment(start, "start")
    last, last_zoned = _moment(end, "end")
    zoned = first_zoned and last_zoned
    if first_zoned != last_zoned:
        raise RangeInvalid(_("Give both dates with a time zone, or neither."))
    if last <= first:
        raise RangeInvalid(_("The end of the range must come after its start."))
    if last - first > dt.timedelta(days=MAX_RANGE_DAYS):
        raise RangeInvalid(
            _("The calendar shows at most %(days)s days at a time. Choose a shorter range.") % {"days": MAX_RANGE_DAYS}
        )
    if zoned:
        first, last = first.astimezone(dt.UTC), last.astimezone(dt.UTC)
    return AgendaRange(start=first, end=last, zoned=zoned)


@dataclass(frozen=True)
class Scope:
    """Whose agenda a request reads: ``None`` is the whole clinic."""

    professional_ids: frozenset[str] | None

    @property
    def key(self) -> str:
        return "all" if self.professional_ids is None else ",".join(sorted(self.professional_ids))


def agenda_scope(*, actor: Actor, professional: str | None) -> Scope:
    """Whole-clinic staff see everyone (or the professional they filter by); a dentist only their own."""
    wanted = dynamo.checked_id(professional) if professional else None
    if actor.sees_whole_clinic():
        return Scope(professional_ids=None if wanted is None else frozenset({wanted}))
    if wanted is not None:
        if wanted not in actor.professional_ids:
            raise Forbidden(detail=f"another professional's agenda {wanted}")
        return Scope(professional_ids=frozenset({wanted}))
    return Scope(professional_ids=actor.professional_ids)


# ---------------------------------------------------------------- events


def _url_template(name: str, slug: str, fallback: str) -> str:
    """A URL with ``ID0`` where the id goes, reversed once per request rather than once per event."""
    try:
        return reverse(name, args=[slug, _PLACEHOLDER])
    except NoReverseMatch:  # another part of the back office, not registered yet
        return fallback


def event_urls(slug: str) -> dict[str, str]:
    return {
        "booking": _url_template("office-booking", slug, f"/c/{slug}/agenda/bookings/{_PLACEHOLDER}/"),
        "block": _url_template("office-block", slug, f"/c/{slug}/agenda/blocks/{_PLACEHOLDER}/"),
        "move": reverse("office-agenda-move", args=[slug, _PLACEHOLDER]),
    }


def _s(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    return str(value["S"]) if value and "S" in value else ""


@dataclass(frozen=True)
class Events:
    events: list[dict[str, Any]]
    # When the answer changes by itself: the earliest live hold's expiry (epoch seconds), or None.
    valid_until: int | None


def _entries(*, tenant_id: str, scope: Scope, start: dt.datetime, end: dt.datetime) -> Iterable[dict[str, Any]]:
    """ONE Query (paged by DynamoDB past 1 MB): a professional's agenda, or the clinic's."""
    bounds = (dynamo.agenda_bound(start - _LONGEST), dynamo.agenda_bound(end))
    ids = scope.professional_ids
    if ids is not None and len(ids) == 1:
        [only] = ids
        return dynamo.query_keys(
            pk=dynamo.professional_agenda_pk(tenant_id, only),
            sk_between=bounds,
            attributes=_ATTRIBUTES,
            index=TableItem.professional_agenda,
        )
    items = dynamo.query_keys(
        pk=dynamo.clinic_agenda_pk(tenant_id), sk_between=bounds, attributes=_ATTRIBUTES, index=TableItem.clinic_agenda
    )
    return items if ids is None else (i for i in items if _s(i, "professional_id") in ids)


def agenda_events(
    *, tenant_id: str, slug: str, actor: Actor, scope: Scope, span: AgendaRange, now: dt.datetime
) -> Events:
    """The calendar's events overlapping ``span``: bookings (not cancelled), live holds, blocks. Two requests."""
    if scope.professional_ids is not None and not scope.professional_ids:
        return Events(events=[], valid_until=None)  # a dentist whose membership names no agenda
    query_start, query_end = span.query_bounds()
    now_epoch = int(now.timestamp())
    items = []
    for item in _entries(tenant_id=tenant_id, scope=scope, start=query_start, end=query_end):
        entity = _s(item, "entity")
        if entity == "booking" and _s(item, "status") == BookingStatus.CANCELLED:
            continue
        if entity == "hold" and int(item.get("locked_until", {}).get("N", "0")) <= now_epoch:
            continue  # expired: free again even before TTL removes it
        if entity in ("booking", "hold", "block"):
            items.append(item)
    # The clinic (its zone) and the professionals named (their colours): one BatchGetItem.
    pk = dynamo.tenant_pk(tenant_id)
    named = {_s(i, "professional_id") for i in items} | set(scope.professional_ids or ())
    keys = [(pk, dynamo.CLINIC_SK), *((pk, dynamo.professional_sk(p)) for p in sorted(named) if p)]
    found = {item.sk: item for item in TableItem.batch_get(keys)}
    clinic = found.get(dynamo.CLINIC_SK)
    if not isinstance(clinic, Clinic):
        raise NotFound(detail=f"clinic {tenant_id}")
    colours = {p.professional_id: p.color for p in found.values() if isinstance(p, Professional)}
    if scope.professional_ids is not None and actor.sees_whole_clinic():
        [wanted] = scope.professional_ids
        if wanted not in colours:
            raise NotFound(detail=f"professional {wanted}")
    zone = clinic.zone
    start, end = span.in_zone(zone)
    urls = event_urls(slug)
    events: list[dict[str, Any]] = []
    blocks: dict[str, dict[str, Any]] = {}
    valid_until: int | None = None
    for item in items:
        begins, ends = dynamo.parse_iso_utc(_s(item, "start")), dynamo.parse_iso_utc(_s(item, "end"))
        if not (begins < end and ends > start):
            continue
        entity = _s(item, "entity")
        professional_id = _s(item, "professional_id")
        colour = colours.get(professional_id, _GREY)
        event: dict[str, Any] = {
            "start": begins.astimezone(zone).isoformat(),
            "end": ends.astimezone(zone).isoformat(),
            "professional": professional_id,
            "professionalName": _s(item, "professional_name"),
            "kind": entity,
            "color": colour,
            "editable": False,
        }
        if entity == "booking":
            event |= _booking_fields(
                booking_id=_s(item, "booking_id"),
                patient_name=_s(item, "patient_name"),
                treatment_name=_s(item, "treatment_name"),
                status=_s(item, "status") or BookingStatus.CONFIRMED,
                professional_id=professional_id,
                actor=actor,
                urls=urls,
            )
        elif entity == "hold":
            expires = int(item["locked_until"]["N"])
            valid_until = expires if valid_until is None else min(valid_until, expires)
            event |= {
                "id": f"hold:{_s(item, 'hold_id')}",
                "title": _("Being booked online") + f" · {_s(item, 'treatment_name')}".rstrip(" ·"),
                "status": CellKind.HOLD,
                "classNames": ["nq-hold"],
            }
        else:
            # A block longer than one agenda entry may span is stored in segments: one event per occurrence.
            occurrence = _s(item, "occurrence_id") or _s(item, "block_id")
            earlier = blocks.get(occurrence)
            if earlier is not None:
                earlier["start"] = min(earlier["start"], event["start"], key=dt.datetime.fromisoformat)
                earlier["end"] = max(earlier["end"], event["end"], key=dt.datetime.fromisoformat)
                continue
            block_id = _s(item, "block_id")
            reason = str(BLOCK_REASONS.get(_s(item, "reason"), BLOCK_REASONS[BlockReason.OTHER]))
            note = _s(item, "note")
            event |= {
                "id": f"block:{block_id}",
                "title": f"{reason} · {note}" if note else reason,
                "status": CellKind.BLOCK,
                "url": urls["block"].replace(_PLACEHOLDER, block_id),
                "color": _GREY,
                "classNames": ["nq-block"],
            }
            blocks[occurrence] = event
        events.append(event)
    return Events(events=events, valid_until=valid_until)


def _booking_fields(
    *,
    booking_id: str,
    patient_name: str,
    treatment_name: str,
    status: str,
    professional_id: str,
    actor: Actor,
    urls: dict[str, str],
) -> dict[str, Any]:
    movable = status == BookingStatus.CONFIRMED and actor.allows(Action.MANAGE_BOOKINGS)
    return {
        "id": f"booking:{booking_id}",
        "title": f"{patient_name} · {treatment_name}",
        "status": status,
        "url": urls["booking"].replace(_PLACEHOLDER, booking_id),
        "moveUrl": urls["move"].replace(_PLACEHOLDER, booking_id),
        # A dentist moves only their own bookings; the server decides anyway.
        "editable": movable and actor.manages_professional(professional_id),
        "classNames": [f"nq-status-{status}"],
    }


def booking_event(*, booking: Booking, clinic: Clinic, colour: str, actor: Actor) -> dict[str, Any]:
    """One booking as the calendar's event (the answer to a move)."""
    return {
        "start": booking.start.astimezone(clinic.zone).isoformat(),
        "end": booking.end.astimezone(clinic.zone).isoformat(),
        "professional": booking.professional_id,
        "professionalName": booking.professional_name,
        "kind": "booking",
        "color": colour,
    } | _booking_fields(
        booking_id=booking.booking_id,
        patient_name=booking.patient_name,
        treatment_name=booking.treatment_name,
        status=booking.status,
        professional_id=booking.professional_id,
        actor=actor,
        urls=event_urls(clinic.slug),
    )


# ---------------------------------------------------------------- the page


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def agenda_page_config(
    *, clinic: Clinic, professionals: list[Professional], actor: Actor, language: str
) -> dict[str, Any]:
    """What the page's script needs, computed once at page load: zone, language, professionals with
    their colours and weekly hours (FullCalendar's businessHours), closures and time off as shaded
    background events, the hours the time grid spans, and the endpoints."""
    hours = []
    background = []
    earliest, latest = 24 * 60, 0
    for professional in professionals:
        ranges = []
        for work in professional.weekly_hours:
            # FullCalendar counts Sunday as 0, Python's weekday() Monday as 0.
            ranges.append({"daysOfWeek": [(int(work.weekday) + 1) % 7], "startTime": work.start, "endTime": work.end})
            earliest, latest = min(earliest, _minutes(work.start)), max(latest, _minutes(work.end))
        hours.append(
            {
                "id": professional.professional_id,
                "name": professional.name,
                "color": professional.color,
                "hours": ranges,
            }
        )
        for off in professional.time_off:
            background.append(
                {
                    "start": off.start.astimezone(clinic.zone).isoformat(),
                    "end": off.end.astimezone(clinic.zone).isoformat(),
                    "display": "background",
                    "classNames": ["nq-time-off"],
                    "professional": professional.professional_id,
                    "title": off.reason or _("Time off"),
                }
            )
    for closure in clinic.closures:
        background.append(
            {
                "start": closure.start.astimezone(clinic.zone).isoformat(),
                "end": closure.end.astimezone(clinic.zone).isoformat(),
                "display": "background",
                "classNames": ["nq-closure"],
                "title": closure.reason or _("Clinic closed"),
            }
        )
    if earliest >= latest:
        earliest, latest = 7 * 60, 20 * 60
    return {
        "timeZone": clinic.time_zone,
        "locale": "es" if language.startswith("es") else "en",
        "professionals": hours,
        "background": background,
        "slotMinTime": _hhmm(max(0, earliest - 60) // 60 * 60),
        "slotMaxTime": _hhmm(min(24 * 60, latest + 60 + 59) // 60 * 60),
        "snapMinutes": int(clinic.grid_minutes),
        "wholeClinic": actor.sees_whole_clinic(),
        "eventsUrl": reverse("office-agenda-events", args=[clinic.slug]),
        "pollSeconds": 10,
    }


# ---------------------------------------------------------------- why a move was refused


def move_conflict(
    *,
    tenant_id: str,
    booking_id: str,
    start: dt.datetime,
    end: dt.datetime | None,
    professional_id: str | None,
    zone: dt.tzinfo,
    now: dt.datetime,
) -> MoveConflict:
    """The refusal of a move whose time is taken, naming what takes it.

    Read after the transaction was cancelled, strongly consistent, from the cells themselves (the
    one truth of who holds a time): the booking's own item, the professional's cells over the new
    time, and the booking that holds them. Three requests, on a refusal only.
    """
    booking = booking_find(tenant_id=tenant_id, booking_id=booking_id)
    fallback = MoveConflict(_("That time is taken. The appointment keeps its time."))
    if booking is None:
        return fallback
    professional_id = professional_id or booking.professional_id
    before, after = booking.start - booking.blocked_start, booking.blocked_end - booking.end
    length = (end - start) if end is not None else (booking.end - booking.start)
    low, high = start - before, start + length + after
    cells = dynamo.query_keys(
        pk=dynamo.tenant_pk(tenant_id),
        sk_between=dynamo.cell_range(professional_id, low, high),
        attributes=("kind", "booking_id", "locked_until"),
        consistent=True,
    )
    now_epoch = int(now.timestamp())
    other_booking = held = blocked = False
    other_id = ""
    for cell in cells:
        kind = _s(cell, "kind")
        if kind == CellKind.HOLD:
            if int(cell.get("locked_until", {}).get("N", "0")) > now_epoch:
                held = True
        elif kind == CellKind.BLOCK:
            blocked = True
        elif _s(cell, "booking_id") and _s(cell, "booking_id") != booking_id:
            other_booking, other_id = True, _s(cell, "booking_id")
            break
    if other_booking:
        other = booking_find(tenant_id=tenant_id, booking_id=other_id)
        if other is not None:
            return MoveConflict(
                _(
                    "That time is taken by %(patient)s (%(treatment)s, %(start)s to %(end)s). The appointment keeps its time."
                )
                % {
                    "patient": other.patient_name,
                    "treatment": other.treatment_name,
                    "start": other.start.astimezone(zone).strftime("%H:%M"),
                    "end": other.end.astimezone(zone).strftime("%H:%M"),
                }
            )
    if blocked:
        return MoveConflict(_("That time is taken by a block. The appointment keeps its time."))
    if held:
        return MoveConflict(_("Someone is booking that time online right now. The appointment keeps its time."))
    return fallback
