"""Permission-matrix rows of the clinic admin panel: home, treatments, professionals, hours and time off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from clinics import services
from clinics.selectors import professional_get
from tests.conftest import DAY, People, World, at
from tests.matrix import SIGN_IN, Row, everyone, staff_gate
from tests.panel.helpers import professional_data, treatment_data


def setup_gate(allowed: int) -> dict[str, int]:
    """``view_clinic_setup``: every staff role reads; patients 403, visitors sign in, outsiders 404."""
    return {
        "owner": allowed,
        "admin": allowed,
        "dentist": allowed,
        "reception": allowed,
        "patient": 403,
        "anonymous": SIGN_IN,
        "outsider": 404,
    }


def _url(name: str, *ids: str) -> Any:
    return lambda w, p: reverse(name, args=[w.slug, *(getattr_path(w, i) for i in ids)])


def getattr_path(world: World, path: str) -> str:
    obj: Any = world
    for part in path.split("."):
        obj = getattr(obj, part)
    return str(obj)


def _with_time_off(world: World, people: People) -> str:
    services.professional_time_off_put(
        tenant_id=world.tenant_id,
        professional_id=world.ben.professional_id,
        version=world.ben.version,
        start=at(8, day=DAY + dt.timedelta(days=3)),
        end=at(12, day=DAY + dt.timedelta(days=3)),
    )
    return reverse("panel-professional-time-off-remove", args=[world.slug, world.ben.professional_id])


def _remove_data(world: World, people: People, i: int) -> dict[str, Any]:
    ben = professional_get(tenant_id=world.tenant_id, professional_id=world.ben.professional_id)
    [off] = ben.time_off
    return {"start": off.start.isoformat(), "end": off.end.isoformat(), "version": ben.version}


ROWS: list[Row] = [
    Row("panel-home", "GET", _url("panel-home"), setup_gate(200)),
    Row("panel-treatments", "GET", _url("panel-treatments"), setup_gate(200)),
    Row("panel-professionals", "GET", _url("panel-professionals"), setup_gate(200)),
    Row("panel-treatment-add", "GET", _url("panel-treatment-add"), staff_gate(200)),
    Row(
        "panel-treatment-add",
        "POST",
        _url("panel-treatment-add"),
        staff_gate(302),
        lambda w, p, i: treatment_data(name=f"Nuevo {i}"),
    ),
    Row("panel-treatment-edit", "GET", _url("panel-treatment-edit", "cleaning.treatment_id"), staff_gate(200)),
    Row(
        "panel-treatment-edit",
        "POST",
        _url("panel-treatment-edit", "cleaning.treatment_id"),
        staff_gate(302),
        lambda w, p, i: treatment_data(name="Limpieza 2", version=w.cleaning.version),
    ),
    Row(
        "panel-treatment-active",
        "POST",
        _url("panel-treatment-active", "cleaning.treatment_id"),
        staff_gate(302),
        lambda w, p, i: {"active": "0", "version": w.cleaning.version},
    ),
    Row("panel-professional-add", "GET", _url("panel-professional-add"), staff_gate(200)),
    Row(
        "panel-professional-add",
        "POST",
        _url("panel-professional-add"),
        staff_gate(302),
        lambda w, p, i: {"name": f"Dra. Nueva {i}", "color": "#2563eb", "h-1-0-start": "09:00", "h-1-0-end": "13:00"},
    ),
    Row("panel-professional-edit", "GET", _url("panel-professional-edit", "ben.professional_id"), staff_gate(200)),
    Row(
        "panel-professional-edit",
        "POST",
        _url("panel-professional-edit", "ben.professional_id"),
        staff_gate(302),
        lambda w, p, i: professional_data(w.ben, name="Dr. Benjamín"),
    ),
    Row(
        "panel-professional-active",
        "POST",
        _url("panel-professional-active", "ben.professional_id"),
        staff_gate(302),
        lambda w, p, i: {"active": "0", "version": w.ben.version},
    ),
    Row(
        "panel-professional-time-off",
        "POST",
        _url("panel-professional-time-off", "ben.professional_id"),
        staff_gate(302),
        lambda w, p, i: {"kind": "days", "from_date": "2026-12-20", "version": w.ben.version},
    ),
    Row("panel-professional-time-off-remove", "POST", _with_time_off, staff_gate(302), _remove_data),
    # The platform owner's support pages of the same catalogue, in Django admin.
    Row(
        "admin:clinics_clinic_catalogue",
        "GET",
        lambda w, p: reverse("admin:clinics_clinic_catalogue", args=[w.tenant_id]),
        {**everyone(SIGN_IN), "owner": 200},
    ),
    Row(
        "admin:clinics_clinic_treatment_change",
        "POST",
        lambda w, p: reverse("admin:clinics_clinic_treatment_change", args=[w.tenant_id, w.cleaning.treatment_id]),
        {**everyone(SIGN_IN), "owner": 302},
        lambda w, p, i: treatment_data(name="Limpieza 3", version=w.cleaning.version),
    ),
    Row(
        "admin:clinics_clinic_professional_change",
        "POST",
        lambda w, p: reverse("admin:clinics_clinic_professional_change", args=[w.tenant_id, w.ben.professional_id]),
        {**everyone(SIGN_IN), "owner": 302},
        lambda w, p, i: professional_data(w.ben, name="Dr. Ben 2"),
    ),
]
