"""Permission-matrix rows of the clinic admin panel: settings, closures and onboarding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from clinics import services
from clinics.selectors import clinic_get
from tests.conftest import BOGOTA, People, World
from tests.matrix import SIGN_IN, Row, everyone, staff_gate

# A day with no booking in any matrix row: a closure there affects nothing.
FREE_DAY = dt.date(2026, 12, 20)


def settings_data(world: World, people: People, index: int) -> dict[str, Any]:
    return {
        "name": "Clínica Matriz",
        "address": "Calle 1 # 2-3",
        "phone": "+57 601 555 0100",
        "email": "",
        "time_zone": "America/Bogota",
        "country": "CO",
        "language": "es",
        "currency": "COP",
        "grid_minutes": "15",
        "min_notice_minutes": "0",
        "max_advance_days": "60",
        "cancellation_cutoff_hours": "24",
        "reminder_offsets": "24 h, 2 h",
        "version": str(clinic_get(tenant_id=world.tenant_id).version),
    }


def closure_data(world: World, people: People, index: int) -> dict[str, Any]:
    return {
        "start_date": FREE_DAY.isoformat(),
        "reason": "Matriz",
        "version": str(clinic_get(tenant_id=world.tenant_id).version),
    }


def existing_closure(world: World, people: People, index: int) -> dict[str, Any]:
    start = dt.datetime.combine(FREE_DAY, dt.time(0), tzinfo=BOGOTA)
    clinic = clinic_get(tenant_id=world.tenant_id)
    clinic = services.clinic_closure_add(
        tenant_id=world.tenant_id, version=clinic.version, start=start, end=start + dt.timedelta(days=1)
    )
    return {
        "start": start.astimezone(dt.UTC).isoformat(),
        "end": (start + dt.timedelta(days=1)).isoformat(),
        "version": str(clinic.version),
    }


def panel_url(name: str) -> Any:
    return lambda w, p: reverse(name, args=[w.slug])


ROWS: list[Row] = [
    Row("panel-settings", "GET", panel_url("panel-settings"), staff_gate(200)),
    Row("panel-settings-save", "POST", panel_url("panel-settings-save"), staff_gate(302), settings_data),
    Row("panel-closures", "GET", panel_url("panel-closures"), staff_gate(200)),
    Row("panel-closures-add", "POST", panel_url("panel-closures-add"), staff_gate(302), closure_data),
    Row("panel-closures-remove", "POST", panel_url("panel-closures-remove"), staff_gate(302), existing_closure),
    # Django admin: platform staff only.
    Row(
        "admin:clinics_clinic_add",
        "GET",
        lambda w, p: reverse("admin:clinics_clinic_add"),
        {**everyone(SIGN_IN), "owner": 200},
    ),
    Row(
        "admin:clinics_clinic_suspend (confirm page)",
        "GET",
        lambda w, p: reverse("admin:clinics_clinic_suspend", args=[w.tenant_id]),
        {**everyone(SIGN_IN), "owner": 200},
    ),
]
