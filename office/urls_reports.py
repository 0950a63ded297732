"""Reports, ``/c/<slug>/reports/``: the figures of a period, its bookings as CSV, the printable day."""

from __future__ import annotations

from django.urls import URLPattern, path

from office.views import reports

urlpatterns: list[URLPattern] = [
    path("", reports.report_index, name="office-reports"),
    path("bookings.csv", reports.report_csv, name="office-report-csv"),
    path("day/", reports.report_day, name="office-report-day"),
]
