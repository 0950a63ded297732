"""A clinic's settings, listed once: what clinic_create takes, clinic_update replaces and the admin edits."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from clinics.models import Clinic


@dataclass(frozen=True, kw_only=True)
class ClinicSettings:
    """Everything an admin may set on a clinic but its slug (fixed at creation), with a new clinic's defaults.

    clinic_create and clinic_update validate it (``clinics.services``); the booking engine
    trusts the values stored.
    """

    name: str
    time_zone: str = "America/Bogota"
    country: str = "CO"
    currency: str = "COP"
    address: str = ""
    phone: str = ""
    email: str = ""
    grid_minutes: int = 15
    min_notice_minutes: int = 120
    max_advance_days: int = 60
    cancellation_cutoff_hours: int = 24
    language: str = "es"
    # Minutes before the appointment, largest first: by default a day and two hours ahead.
    reminder_offsets: tuple[int, ...] = (24 * 60, 2 * 60)
    # New bookings, cancellations and a daily agenda summary by e-mail to the clinic's address.
    notify_clinic: bool = False

    @classmethod
    def of(cls, clinic: Clinic) -> ClinicSettings:
        """The settings a stored clinic has now."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = getattr(clinic, f.name)
            # NumberAttribute may hand back a float; these are whole minutes, days and hours.
            values[f.name] = int(value) if isinstance(value, float) else value
        values["notify_clinic"] = bool(clinic.notify_clinic)
        offsets: list[Any] = clinic.reminder_offsets or []
        values["reminder_offsets"] = tuple(int(m) for m in offsets)
        return cls(**values)

    def stored(self) -> dict[str, Any]:
        """The values as the clinic item stores them (lists, not tuples)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["reminder_offsets"] = list(self.reminder_offsets)
        return values
