"""Pages of the project itself, outside any clinic."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "booking/home.html", {"demo_slug": settings.DEMO_CLINIC_SLUG})
