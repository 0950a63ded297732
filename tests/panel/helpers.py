"""Shared by the panel's catalogue tests: URLs and the form data the pages post."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from clinics.models import Professional
from tests.conftest import World


def url(name: str, world: World, *ids: str) -> str:
    return reverse(name, args=[world.slug, *ids])


def hours_data(hours: dict[int, list[tuple[str, str]]]) -> dict[str, str]:
    data = {}
    for weekday, ranges in hours.items():
        for row, (start, end) in enumerate(ranges):
            data[f"h-{weekday}-{row}-start"] = start
            data[f"h-{weekday}-{row}-end"] = end
    return data


def professional_data(professional: Professional, **changes: Any) -> dict[str, Any]:
    """What the edit page posts back for ``professional`` unchanged, with ``changes``."""
    hours: dict[int, list[tuple[str, str]]] = {}
    for work in professional.weekly_hours:
        hours.setdefault(work.weekday, []).append((work.start, work.end))
    data: dict[str, Any] = {
        "name": professional.name,
        "specialty": professional.specialty,
        "color": professional.color,
        "treatment_ids": sorted(professional.treatment_ids),
        "account": "",
        "version": professional.version,
    }
    data.update(hours_data(changes.pop("hours", hours)))
    data.update(changes)
    return data


def treatment_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Ortodoncia",
        "description": "Control de brackets",
        "duration_minutes": "45",
        "buffer_before_minutes": "5",
        "buffer_after_minutes": "10",
        "price": "80000",
    }
    data.update(changes)
    return data
