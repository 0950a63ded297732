"""The time picker's day strip and its navigation, shared by the wizard's step 2 and the portal's reschedule page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from booking import selectors
from booking.selectors import STRIP_DAYS


def strip_context(*, strip: selectors.Strip | None, day: dt.date, today: dt.date, last_day: dt.date) -> dict[str, Any]:
    """The strip's days with their state (None when unknown: a strip of plain days) and the links around ``day``."""
    if strip is None:
        first = selectors.strip_first_day(today=today, day=day)
        days: list[tuple[dt.date, Any]] = [
            (first + dt.timedelta(days=i), None) for i in range(min(STRIP_DAYS, (last_day - first).days + 1))
        ]
    else:
        days = list(strip.states.items())
    strip_first, strip_last = days[0][0], days[-1][0]
    return {
        "day": day,
        "days": days,
        "day_state": strip.states.get(day) if strip is not None else None,
        "previous_day": day - dt.timedelta(days=1) if day > today else None,
        "next_day": day + dt.timedelta(days=1) if day < last_day else None,
        "previous_week": max(strip_first - dt.timedelta(days=STRIP_DAYS), today) if strip_first > today else None,
        "next_week": strip_last + dt.timedelta(days=1) if strip_last < last_day else None,
        "today": today,
        "last_day": last_day,
    }
