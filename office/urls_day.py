"""The side-by-side day view (mounted at ``/c/<slug>/agenda/day/``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from office.views import day

urlpatterns: list[URLPattern] = [
    path("", day.agenda_day_view, name="office-agenda-day"),
]
