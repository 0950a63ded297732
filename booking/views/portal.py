"""The patient's own bookings ("Mis citas")."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from access.permissions import Action, clinic_access
from booking import selectors
from nexioq.http import HtmxHttpRequest


@require_GET
def my_bookings(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    """The signed-in patient's bookings at this clinic: one query of their index, never a scan of the clinic."""
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_OWN_BOOKINGS)
    assert actor.user_id is not None
    bookings = selectors.bookings_for_patient(patient_id=actor.user_id, tenant_id=actor.tenant_id)
    now = timezone.now()
    page = {
        "clinic": context.clinic,
        "upcoming": [b for b in bookings if b.end > now],
        "past": [b for b in reversed(bookings) if b.end <= now],
    }
    with timezone.override(context.clinic.zone):
        return render(request, "booking/my_bookings.html", page)
