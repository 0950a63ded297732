"""Permission-matrix rows of the clinic admin panel: settings, closures and onboarding."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import Row, everyone

# Placeholders until the pages exist: every role gets 404.
ROWS: list[Row] = [
    Row("panel-settings", "GET", lambda w, p: reverse("panel-settings", args=[w.slug]), everyone(404)),
    Row("panel-closures", "GET", lambda w, p: reverse("panel-closures", args=[w.slug]), everyone(404)),
]
