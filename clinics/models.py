"""Clinic catalogue items in the single DynamoDB table.

Time off and closures live inside the professional and clinic items, so the
availability of one professional costs one BatchGetItem for everything it
needs to know besides occupied time (DESIGN.md: a constant number of requests).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.constants import LIST

from nexioq.dynamo import DecimalAttribute, TableItem, UTCDateTimeAttribute


class TimeRange(MapAttribute[str, object]):
    """A [start, end) range in UTC with a reason: a professional's time off or a clinic closure."""

    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    reason = UnicodeAttribute(default="")


@dataclass(frozen=True)
class WorkRange:
    """One range of a weekly schedule, in the clinic's wall-clock time."""

    weekday: int  # 0 = Monday
    start: str  # "HH:MM"
    end: str


class WeeklyHoursAttribute(Attribute[list[WorkRange]]):
    """A professional's weekly ranges, stored as a list of maps ``{weekday, start, end}``.

    The same shape a ``ListAttribute`` of ``MapAttribute`` stores, read straight into small
    dataclasses: building a MapAttribute per range cost more than the Query that fetched them
    (about 10 ms for a 20-professional clinic's list, measured), and every step-2 page reads it.
    """

    attr_type = LIST

    def serialize(self, value: list[WorkRange]) -> list[dict[str, Any]]:
        return [{"M": {"weekday": {"N": str(r.weekday)}, "start": {"S": r.start}, "end": {"S": r.end}}} for r in value]

    def deserialize(self, value: list[dict[str, Any]]) -> list[WorkRange]:
        return [
            WorkRange(weekday=int(m["weekday"]["N"]), start=m["start"]["S"], end=m["end"]["S"])
            for m in (item["M"] for item in value)
        ]


class Clinic(TableItem, discriminator="clinic"):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    time_zone = UnicodeAttribute(default="America/Bogota")
    country = UnicodeAttribute(default="CO")
    address = UnicodeAttribute(default="")
    phone = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    grid_minutes = NumberAttribute(default=15)
    min_notice_minutes = NumberAttribute(default=120)
    max_advance_days = NumberAttribute(default=60)
    cancellation_cutoff_hours = NumberAttribute(default=24)
    language = UnicodeAttribute(default="es")
    currency = UnicodeAttribute(default="COP")
    closures = ListAttribute(of=TimeRange, default=list)
    # Minutes before an appointment when its reminders go out (the notifications read it).
    reminder_offsets = ListAttribute(of=NumberAttribute, default=lambda: [24 * 60, 2 * 60])
    # E-mail the clinic (at ``email``) about new bookings, cancellations and the next day's agenda.
    notify_clinic = BooleanAttribute(default=False)
    suspended = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class SlugClaim(TableItem, discriminator="slug"):
    """Makes a clinic slug unique: written with attribute_not_exists next to the clinic."""

    tenant_id = UnicodeAttribute()


class Treatment(TableItem, discriminator="treatment"):
    tenant_id = UnicodeAttribute()
    treatment_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    duration_minutes = NumberAttribute()
    buffer_before_minutes = NumberAttribute(default=0)
    buffer_after_minutes = NumberAttribute(default=0)
    price = DecimalAttribute()
    active = BooleanAttribute(default=True)
    version = VersionAttribute()


class Professional(TableItem, discriminator="professional"):
    tenant_id = UnicodeAttribute()
    professional_id = UnicodeAttribute()
    name = UnicodeAttribute()
    specialty = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    color = UnicodeAttribute(default="#0d9488")
    treatment_ids = UnicodeSetAttribute(default=set)
    weekly_hours = WeeklyHoursAttribute(default=list)
    time_off = ListAttribute(of=TimeRange, default=list)
    active = BooleanAttribute(default=True)
    version = VersionAttribute()

    def performs(self, treatment_id: str) -> bool:
        return self.active and treatment_id in self.treatment_ids
