"""The staff calendar: the page, its events feed, and moves (drag and drop, resize)."""

from __future__ import annotations

from django.urls import URLPattern, path

from office.views import agenda

urlpatterns: list[URLPattern] = [
    path("", agenda.agenda_page, name="office-agenda"),
    path("events.json", agenda.agenda_events, name="office-agenda-events"),
    path("moves/<str:booking_id>/", agenda.agenda_move, name="office-agenda-move"),
]
