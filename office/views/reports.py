"""Reports for a clinic's Admins: the figures of a period, its bookings as CSV, the printable day.

Every page reads the clinic's agenda one Query per local day (``office.reports``); times are the
clinic's wall clock whatever the viewer's browser says.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from access.permissions import Action, clinic_access
from booking.models import Booking
from booking.templatetags.nexioq import booking_status
from clinics.models import Clinic
from nexioq.http import HtmxHttpRequest
from office import reports
from office.forms_reports import DaySheetForm, ReportRangeForm
from office.nav import render_office


def _today(clinic: Clinic) -> dt.date:
    return timezone.now().astimezone(clinic.zone).date()


def _presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Ranges one click away: the usual questions ("how did last month go?")."""
    month_start = today.replace(day=1)
    last_month_end = month_start - dt.timedelta(days=1)
    week_start = today - dt.timedelta(days=today.weekday())
    return [
        (_("This week"), week_start, today),
        (_("Last 7 days"), today - dt.timedelta(days=6), today),
        (_("This month"), month_start, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
        (_("Last 30 days"), today - dt.timedelta(days=29), today),
        (_("Last 90 days"), today - dt.timedelta(days=89), today),
    ]


@require_GET
def report_index(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_REPORTS)
    clinic = context.clinic
    today = _today(clinic)
    form = ReportRangeForm(request.GET, today=today)
    page: dict[str, Any] = {"form": form, "today": today, "max_days": reports.MAX_REPORT_DAYS}
    if not form.is_valid():
        return render_office(request, clinic, actor, "office/report.html", page, status=400)
    first_day, last_day = form.first_day, form.last_day
    query = f"from={first_day.isoformat()}&to={last_day.isoformat()}"
    page |= {
        "report": reports.report_figures(clinic=clinic, first_day=first_day, last_day=last_day),
        "csv_url": f"{reverse('office-report-csv', args=[clinic.slug])}?{query}",
        "day_form": DaySheetForm(None, today=today),
        "presets": [
            (label, f"?from={first.isoformat()}&to={last.isoformat()}", (first, last) == (first_day, last_day))
            for label, first, last in _presets(today)
        ],
    }
    return render_office(request, clinic, actor, "office/report.html", page)


# ---------------------------------------------------------------- CSV

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection): a
# patient named "=HYPERLINK(...)" must stay a name. Tab and carriage return start one too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A phone in E.164 ("+57...") is digits only, so no formula: it stays as the clinic would type it.
PLAIN_PHONE = re.compile(r"\+[0-9]{6,15}")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if PLAIN_PHONE.fullmatch(text):
        return text
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _channel(value: str | None) -> str:
    labels = {"online": _("Online"), "phone": _("Phone"), "walk_in": _("Walk-in"), "staff": _("Staff")}
    return str(labels.get(value or "", value or ""))


def _cancelled_by(booking: Booking) -> str:
    if not booking.cancelled_by:
        return ""
    return _("Patient") if booking.cancelled_by == reports.BY_PATIENT else _("Clinic")


def _csv_row(booking: Booking, zone: dt.tzinfo) -> list[object]:
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    return [
        booking.reference,
        start.date().isoformat(),
        f"{start:%H:%M}",
        f"{end:%H:%M}",
        booking.professional_name,
        booking.treatment_name,
        booking.patient_name,
        booking.patient_phone,
        booking.patient_email,
        booking_status(booking.status),
        _cancelled_by(booking),
        booking.cancel_reason or "",
        _channel(booking.channel),
        booking.price,
    ]


@require_GET
def report_csv(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, _actor = clinic_access(request, clinic_slug, Action.VIEW_REPORTS)
    clinic = context.clinic
    form = ReportRangeForm(request.GET, today=_today(clinic))
    if not form.is_valid():
        raise reports.ReportRangeInvalid(form.first_error())
    first_day, last_day = form.first_day, form.last_day
    bookings = reports.report_bookings(clinic=clinic, first_day=first_day, last_day=last_day)
    filename = f"{clinic.slug}-bookings-{first_day.isoformat()}-{last_day.isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte-order mark tells Excel the file is UTF-8 (names with accents open as written).
    response.write("\ufeff")
    writer = csv.writer(response)
    header = [
        _("Reference"),
        _("Date"),
        _("Start"),
        _("End"),
        _("Professional"),
        _("Treatment"),
        _("Patient"),
        _("Phone"),
        _("E-mail"),
        _("Status"),
        _("Cancelled by"),
        _("Cancellation reason"),
        _("Channel"),
        _("Price"),
    ]
    writer.writerow(header)
    for booking in bookings:
        writer.writerow([csv_cell(value) for value in _csv_row(booking, clinic.zone)])
    return response


# ---------------------------------------------------------------- the printable day


@require_GET
def report_day(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    context, actor = clinic_access(request, clinic_slug, Action.VIEW_REPORTS)
    clinic = context.clinic
    today = _today(clinic)
    form = DaySheetForm(request.GET, today=today)
    if not form.is_valid():
        refused: dict[str, Any] = {"form": form, "agenda": None}
        return render_office(request, clinic, actor, "office/report_day.html", refused, status=400)
    day, professional_id = form.cleaned_data["day"], form.cleaned_data["professional"]
    agenda = reports.day_agenda(clinic=clinic, day=day, professional_id=professional_id)
    choices = [(p.professional_id, p.name) for p in agenda.professionals]
    shown = DaySheetForm(
        None, today=today, professionals=choices, initial={"date": day, "professional": professional_id or ""}
    )
    step = dt.timedelta(days=1)

    def on(other: dt.date) -> str:
        query = {"date": other.isoformat(), **({"professional": professional_id} if professional_id else {})}
        return f"?{urlencode(query)}"

    page: dict[str, Any] = {
        "form": shown,
        "agenda": agenda,
        "day": day,
        "previous_url": on(day - step),
        "next_url": on(day + step),
        "printed_at": timezone.now(),
    }
    return render_office(request, clinic, actor, "office/report_day.html", page)
