"""Hostile input on the panel's settings and closures forms: whatever arrives, the answer is below 500.

The machinery is tests/test_fuzz.py's (a valid request with a few parts spoiled, wrong methods,
broken bodies, htmx and JSON headers); the families here are the settings work's URLs. A deeper
run: ``NEXIOQ_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/panel/test_settings_fuzz.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from clinics import services
from clinics.selectors import clinic_get
from tests.conftest import BOGOTA, DAY, World
from tests.test_fuzz import (  # noqa: F401 - fixtures of the fuzz, and its vocabulary
    DATES,
    EDGE_INSTANTS,
    FUZZ,
    INSTANT_MUTATIONS,
    NUMBERS,
    SLUG,
    TEXT,
    Family,
    Part,
    Targets,
    clients,
    fuzz,
    one_of,
    target,
    targets,
)

pytestmark = pytest.mark.django_db

VERSION = Part(target("version"), lambda t: NUMBERS | TEXT)
TIMES = st.sampled_from(["00:00", "23:59", "24:00", "02:30", "9:5", "12:00:00", "12:00:60", "-01:00", "noon"])
DATE_PART = Part(one_of(DAY.isoformat(), (DAY + dt.timedelta(days=3)).isoformat()), lambda t: DATES | TEXT)
TIME_PART = Part(one_of("", "08:00", "12:30"), lambda t: TIMES | TEXT)
INSTANT = Part(target("closure_start"), lambda t: st.sampled_from(EDGE_INSTANTS) | TEXT, INSTANT_MUTATIONS)

SETTINGS_FIELDS = {
    "name": Part(one_of("Clínica Fuzz", "Dental Ω")),
    "address": Part(one_of("Calle 1 # 2-3", "")),
    "phone": Part(
        one_of("+57 601 555 0100", "601 555 0100", ""),
        lambda t: TEXT | st.sampled_from(["+", "+0", "+999 999", "0" * 40, "+57 601 555 0100 ext. 9"]),
    ),
    "email": Part(one_of("hola@clinica.example", "")),
    "time_zone": Part(
        one_of("America/Bogota", "Pacific/Kiritimati", "UTC"),
        lambda t: TEXT | st.sampled_from(["posixrules", "Etc/GMT+99", "America/../Europe/Madrid", "localtime"]),
    ),
    "country": Part(one_of("CO", "MX", "ES"), lambda t: TEXT | st.sampled_from(["XA", "XB", "EU", "ZZ", "co"])),
    "language": Part(one_of("es", "en"), lambda t: TEXT | st.sampled_from(["fr", "ES", "es-CO"])),
    "currency": Part(
        one_of("COP", "MXN", "EUR"), lambda t: TEXT | st.sampled_from(["XAU", "ADP", "XTS", "XXX", "cop", "USN"])
    ),
    "grid_minutes": Part(one_of("5", "15", "30"), lambda t: NUMBERS | TEXT),
    "min_notice_minutes": Part(one_of("0", "120"), lambda t: NUMBERS | TEXT),
    "max_advance_days": Part(one_of("0", "60", "730"), lambda t: NUMBERS | TEXT),
    "cancellation_cutoff_hours": Part(one_of("0", "24"), lambda t: NUMBERS | TEXT),
    "reminder_offsets": Part(
        one_of("24 h, 2 h", "30 min", ""),
        lambda t: TEXT | st.sampled_from(["0", "-2 h", "9999 h", "1,2,3,4", "2 h, 2 h", ",,,", "1e9 min"]),
    ),
    "version": VERSION,
}
CLOSURE_FIELDS = {
    "start_date": DATE_PART,
    "start_time": TIME_PART,
    "end_date": Part(one_of("", (DAY + dt.timedelta(days=1)).isoformat()), lambda t: DATES | TEXT),
    "end_time": TIME_PART,
    "reason": Part(one_of("Festivo", "")),
    "version": VERSION,
    "decision": Part(one_of("keep", "cancel"), lambda t: TEXT | st.sampled_from(["KEEP", "delete"])),
    "cancel_reason": Part(one_of("Cierre", "")),
    "seen": Part(target("booking"), lambda t: TEXT | st.sampled_from([",", ",,x", "a" * 3000])),
}

FAMILIES = {
    family.name: family
    for family in [
        Family("panel-settings", ("GET",), {"clinic_slug": SLUG}),
        Family("panel-settings-save", ("POST",), {"clinic_slug": SLUG}, SETTINGS_FIELDS, weight=2),
        Family("panel-closures", ("GET",), {"clinic_slug": SLUG}),
        Family("panel-closures-add", ("POST",), {"clinic_slug": SLUG}, CLOSURE_FIELDS, weight=2),
        Family(
            "panel-closures-remove",
            ("POST",),
            {"clinic_slug": SLUG},
            {
                "start": INSTANT,
                "end": Part(target("closure_end"), INSTANT.hostile, INSTANT_MUTATIONS),
                "version": VERSION,
            },
        ),
    ]
}


@pytest.fixture
def settings_targets(targets: Targets, world: World) -> Targets:  # noqa: F811
    """The fuzz's targets plus the clinic's version and a closure to remove."""
    start = dt.datetime.combine(DAY + dt.timedelta(days=20), dt.time(0), tzinfo=BOGOTA)
    clinic = clinic_get(tenant_id=world.tenant_id)
    clinic = services.clinic_closure_add(
        tenant_id=world.tenant_id, version=clinic.version, start=start, end=start + dt.timedelta(days=1)
    )
    return {
        **targets,
        # Versions move on as the fuzz saves: a few ahead, so later valid requests still get through.
        "version": [str(clinic.version + i) for i in range(4)],
        "closure_start": [start.astimezone(dt.UTC).isoformat()],
        "closure_end": [(start + dt.timedelta(days=1)).astimezone(dt.UTC).isoformat()],
    }


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(
    family: Family,
    settings_targets: Targets,
    clients: dict[str, Client],  # noqa: F811
) -> None:
    fuzz(family, settings_targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
