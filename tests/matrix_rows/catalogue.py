"""Permission-matrix rows of the clinic admin panel: home, treatments, professionals, hours and time off."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import Row, everyone

# Placeholders until the pages exist: every role gets 404.
ROWS: list[Row] = [
    Row("panel-home", "GET", lambda w, p: reverse("panel-home", args=[w.slug]), everyone(404)),
    Row("panel-treatments", "GET", lambda w, p: reverse("panel-treatments", args=[w.slug]), everyone(404)),
    Row("panel-professionals", "GET", lambda w, p: reverse("panel-professionals", args=[w.slug]), everyone(404)),
]
