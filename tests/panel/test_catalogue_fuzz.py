"""Hostile input on every URL of the panel's catalogue: whatever arrives, the answer is below 500.

The same machinery as ``tests/test_fuzz.py`` (a valid request with a few parts spoiled, as
anonymous, the clinic's patient and its admin), with a family per catalogue URL: its id segments
and every field of its forms, the hours editor's rows and the orphan step's fields included.
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import settings
from hypothesis import strategies as st

from tests.test_fuzz import (  # noqa: F401 - the fixtures the families aim at
    DATES,
    FUZZ,
    INSTANT_MUTATIONS,
    INSTANTS,
    NUMBERS,
    PLATFORM_STAFF,
    SLUG,
    TENANT,
    TEXT,
    TREATMENT,
    Family,
    Part,
    Targets,
    clients,
    fuzz,
    one_of,
    targets,
)

pytestmark = pytest.mark.django_db

PROFESSIONAL = Part(lambda t: st.sampled_from(t["professional"][:2]))
VERSION = Part(one_of("1", "2", "3"), lambda t: NUMBERS | TEXT)
TIME = Part(one_of("09:00", "13:00", "15:00", "18:00"), lambda t: TEXT | st.sampled_from(["24:00", "9:0", "09:03"]))
DATE = Part(one_of("2026-12-07", "2026-12-08"), lambda t: DATES | TEXT)
TREATMENT_FIELDS = {
    "name": Part(one_of("Ortodoncia", "Limpieza Ω")),
    "description": Part(one_of("", "Control")),
    "duration_minutes": Part(one_of("15", "45", "60"), lambda t: NUMBERS | TEXT),
    "buffer_before_minutes": Part(one_of("0", "5"), lambda t: NUMBERS | TEXT),
    "buffer_after_minutes": Part(one_of("0", "10"), lambda t: NUMBERS | TEXT),
    "price": Part(one_of("80000", "0", "12.50"), lambda t: NUMBERS | TEXT),
    "professional_ids": Part(lambda t: st.sampled_from(t["professional"][:2])),
}
PROFESSIONAL_FIELDS = {
    "name": Part(one_of("Dra. Carla", "Dr. José")),
    "specialty": Part(one_of("", "Ortodoncia")),
    "color": Part(one_of("#2563eb", "#0d9488")),
    "treatment_ids": TREATMENT,
    "account": Part(one_of(""), lambda t: NUMBERS | TEXT),
    "h-1-0-start": TIME,
    "h-1-0-end": TIME,
    "h-1-1-start": TIME,
    "h-1-1-end": TIME,
    "add_range": Part(one_of("", "1"), lambda t: NUMBERS | TEXT),
}
ORPHAN_FIELDS = {
    "orphans": Part(one_of("keep", "cancel"), lambda t: TEXT),
    "cancel_reason": Part(one_of("Cambio de horario")),
    "seen": Part(lambda t: st.sampled_from(t["booking"])),
}

FAMILIES = {
    family.name: family
    for family in [
        Family("panel-home", ("GET",), {"clinic_slug": SLUG}),
        Family("panel-treatments", ("GET",), {"clinic_slug": SLUG}),
        Family("panel-professionals", ("GET",), {"clinic_slug": SLUG}),
        Family("panel-treatment-add", ("GET", "POST"), {"clinic_slug": SLUG}, TREATMENT_FIELDS),
        Family(
            "panel-treatment-edit",
            ("GET", "POST"),
            {"clinic_slug": SLUG, "treatment_id": TREATMENT},
            {**TREATMENT_FIELDS, "version": VERSION},
        ),
        Family(
            "panel-treatment-active",
            ("POST",),
            {"clinic_slug": SLUG, "treatment_id": TREATMENT},
            {"active": Part(one_of("0", "1")), "version": VERSION},
        ),
        Family("panel-professional-add", ("GET", "POST"), {"clinic_slug": SLUG}, PROFESSIONAL_FIELDS),
        Family(
            "panel-professional-edit",
            ("GET", "POST"),
            {"clinic_slug": SLUG, "professional_id": PROFESSIONAL},
            {**PROFESSIONAL_FIELDS, "version": VERSION, **ORPHAN_FIELDS},
            weight=2,
        ),
        Family(
            "panel-professional-active",
            ("POST",),
            {"clinic_slug": SLUG, "professional_id": PROFESSIONAL},
            {"active": Part(one_of("0", "1")), "version": VERSION, **ORPHAN_FIELDS},
        ),
        Family(
            "panel-professional-time-off",
            ("POST",),
            {"clinic_slug": SLUG, "professional_id": PROFESSIONAL},
            {
                "kind": Part(one_of("days", "hours")),
                "from_date": DATE,
                "to_date": DATE,
                "date": DATE,
                "start_time": TIME,
                "end_time": TIME,
                "reason": Part(one_of("", "Congreso")),
                "version": VERSION,
                **ORPHAN_FIELDS,
            },
            weight=2,
        ),
        Family(
            "panel-professional-time-off-remove",
            ("POST",),
            {"clinic_slug": SLUG, "professional_id": PROFESSIONAL},
            {
                "start": Part(one_of("2026-12-07T05:00:00Z"), lambda t: INSTANTS | TEXT, INSTANT_MUTATIONS),
                "end": Part(one_of("2026-12-08T05:00:00Z"), lambda t: INSTANTS | TEXT, INSTANT_MUTATIONS),
                "version": VERSION,
            },
        ),
        # The platform owner's pages of one clinic's catalogue in Django admin.
        Family("admin:clinics_clinic_catalogue", ("GET",), {"tenant_id": TENANT}, roles=PLATFORM_STAFF),
        Family(
            "admin:clinics_clinic_treatment_change",
            ("GET", "POST"),
            {"tenant_id": TENANT, "treatment_id": TREATMENT},
            {**TREATMENT_FIELDS, "version": VERSION},
            roles=PLATFORM_STAFF,
        ),
        Family(
            "admin:clinics_clinic_professional_change",
            ("GET", "POST"),
            {"tenant_id": TENANT, "professional_id": PROFESSIONAL},
            {**PROFESSIONAL_FIELDS, "version": VERSION},
            roles=PLATFORM_STAFF,
        ),
    ]
}
ADMIN_PAGES = {
    "admin:clinics_clinic_catalogue",
    "admin:clinics_clinic_treatment_change",
    "admin:clinics_clinic_professional_change",
}


def test_it_has_a_family_for_every_catalogue_url() -> None:
    from panel.urls_catalogue import urlpatterns

    assert {p.name for p in urlpatterns} | ADMIN_PAGES == set(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_it_answers_hostile_input_below_500(family: Family, targets: Targets, clients: dict[str, Client]) -> None:  # noqa: F811
    fuzz(family, targets, clients, settings(FUZZ, max_examples=FUZZ.max_examples * family.weight))
