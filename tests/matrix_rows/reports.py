"""Permission-matrix rows of the reports (``/c/<slug>/reports/``): Admins and the platform owner only.

A dentist, reception and a patient are members without the right (403); another clinic's admin
does not learn the clinic exists (404).
"""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import DAY, People, World, at, book
from tests.matrix import Row, staff_gate


def _period(world: World, name: str) -> str:
    book(world, at(9), professional=world.ana)
    return f"{reverse(name, args=[world.slug])}?from={DAY.isoformat()}&to={DAY.isoformat()}"


def _day(world: World, people: People) -> str:
    book(world, at(9), professional=world.ana)
    query = f"date={DAY.isoformat()}&professional={world.ana.professional_id}"
    return f"{reverse('office-report-day', args=[world.slug])}?{query}"


ROWS: list[Row] = [
    Row("office-reports", "GET", lambda w, p: _period(w, "office-reports"), staff_gate(200)),
    Row("office-report-csv", "GET", lambda w, p: _period(w, "office-report-csv"), staff_gate(200)),
    Row("office-report-day", "GET", _day, staff_gate(200)),
]
