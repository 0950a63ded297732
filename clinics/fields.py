"""Form fields shared by the clinic forms of the panel and of the Django admin."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clinics import services

REMINDER_RE = re.compile(r"^(\d{1,4})\s*(h|hours?|horas?|m|min|minutes?|minutos?)?$", re.IGNORECASE)


def reminders_text(minutes: tuple[int, ...] | list[int]) -> str:
    """Reminder offsets as a person types them: ``24 h, 2 h`` or ``30 min``."""
    return ", ".join(f"{m // 60} h" if m % 60 == 0 else f"{m} min" for m in minutes)


def reminders_parse(text: str) -> tuple[int, ...]:
    """``24 h, 2 h, 30 min`` -> minutes; a bare number is hours. Raises ValidationError."""
    values: list[int] = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        match = REMINDER_RE.match(part)
        if not match:
            raise ValidationError(_("Write reminders like “24 h, 2 h” or “30 min”."), code="invalid")
        number, unit = int(match.group(1)), (match.group(2) or "h").lower()
        values.append(number if unit.startswith("m") else number * 60)
    return tuple(values)


class RemindersField(forms.CharField):
    def to_python(self, value: Any) -> tuple[int, ...]:  # type: ignore[override]
        text = super().to_python(value)
        offsets = reminders_parse(text or "")
        return services.reminder_offsets_clean(offsets)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, tuple | list):
            return reminders_text(list(value))
        return value
