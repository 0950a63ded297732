"""Permission-matrix rows of landing after sign-in and picking the clinic to work in."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import SIGN_IN, Row, everyone


def signed_in(status: int) -> dict[str, int]:
    return {**everyone(status), "anonymous": SIGN_IN}


ROWS: list[Row] = [
    Row("office-start", "GET", lambda w, p: reverse("office-start"), signed_in(302)),
    Row("office-clinics", "GET", lambda w, p: reverse("office-clinics"), signed_in(200)),
    # Only a clinic where one has a staff role can be picked; anyone else learns nothing of it.
    Row(
        "office-clinic-pick",
        "POST",
        lambda w, p: reverse("office-clinic-pick"),
        {**signed_in(404), "admin": 302, "dentist": 302, "reception": 302},
        lambda w, p, i: {"clinic": w.tenant_id},
    ),
]
