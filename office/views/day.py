"""The side-by-side day view: one column per professional, server-rendered, for the desk and the tablet.

Reads the clinic, its professionals and ONE Query of the clinic's agenda for the day, whatever the
number of professionals. Whole-clinic staff see every active professional (or the one they filter
on); a Dentist sees only their own column. A booking opens its details in ``#agenda-panel``
(htmx) or as its own page (a plain link).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from access.permissions import Action, clinic_access
from booking.selectors import local_day_bounds
from clinics.selectors import professional_list
from nexioq.errors import Forbidden, Invalid
from nexioq.http import HtmxHttpRequest
from office.day import agenda_day, day_grid
from office.forms_booking import DayForm
from office.nav import render_office

TEMPLATE = "office/day.html"


@require_GET
def agenda_day_view(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_AGENDA)
    clinic = context.clinic
    now = timezone.now()
    today = now.astimezone(clinic.zone).date()
    everyone = professional_list(tenant_id=clinic.tenant_id)
    form = DayForm(request.GET, today=today, professional_ids={p.professional_id for p in everyone})
    if not form.is_valid():
        raise Invalid(" ".join(str(e) for errors in form.errors.values() for e in errors))
    day: dt.date = form.cleaned_data["date"]
    chosen: str = form.cleaned_data["professional"]
    if chosen and not actor.manages_professional(chosen):
        raise Forbidden(detail="another professional's agenda")
    visible = [p for p in everyone if actor.manages_professional(p.professional_id)]
    columns = [p for p in visible if not chosen or p.professional_id == chosen]
    start, end = local_day_bounds(clinic, day, day)
    entries = agenda_day(tenant_id=clinic.tenant_id, start=start, end=end, now=now) if columns else []
    grid = day_grid(clinic=clinic, day=day, professionals=columns, entries=entries, now=now)
    base = reverse("office-agenda-day", args=[clinic.slug])

    def day_url(other: dt.date) -> str:
        query = {"date": other.isoformat(), **({"professional": chosen} if chosen else {})}
        return f"{base}?{urlencode(query)}"

    page = {
        "wide": True,
        "grid": grid,
        "day": day,
        "today": today,
        "visible": visible,
        "chosen": chosen,
        "whole_clinic": actor.sees_whole_clinic(),
        "here_url": day_url(day),
        "prev_url": day_url(day - dt.timedelta(days=1)),
        "next_url": day_url(day + dt.timedelta(days=1)),
        "today_url": day_url(today),
        "base_url": base,
    }
    template = f"{TEMPLATE}#day" if request.htmx and request.htmx.target == "agenda-day" else TEMPLATE
    return render_office(request, clinic, actor, template, page)
