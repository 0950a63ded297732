"""Rendering a clinic's page: the one place that puts the clinic in the context and its time zone on."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clinics.models import Clinic


def clinic_render(
    request: HttpRequest, clinic: Clinic, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """``template`` with ``clinic`` in its context and the clinic's time zone active, so every time on
    the page is the clinic's wall clock. The wizard, the portal, the back office and the admin panel
    add their own keys to ``context``."""
    with timezone.override(clinic.zone):
        return render(request, template, {"clinic": clinic, **context}, status=status)
