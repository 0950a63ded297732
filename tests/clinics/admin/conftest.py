"""Shared by the clinic admin tests: a plain staff user, clinics of their own, the form's data.

Clinic pages need staff status only, so most tests sign in a plain staff user (no
superuser, no model permissions). Each test makes its own clinics: the table is shared.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from clinics import selectors, services
from clinics.clinic_settings import ClinicSettings
from clinics.models import Clinic

CHANGELIST = "admin:clinics_clinic_changelist"


def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = User.objects.create_user(email=f"staff-{unique()}@example.com", password="x", is_staff=True)
    client.force_login(user)
    return client


def new_clinic(name: str | None = None, **settings: Any) -> Clinic:
    tag = unique()
    return services.clinic_create(
        slug=f"adm-{tag}",
        settings=ClinicSettings(name=name or f"Clínica {tag}", time_zone="America/Bogota", **settings),
    )


def change_url(clinic: Clinic) -> str:
    return reverse("admin:clinics_clinic_change", args=[clinic.tenant_id])


def form_data(clinic: Clinic | None = None, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Sonrisa Centro",
        "time_zone": "America/Bogota",
        "country": "CO",
        "currency": "COP",
        "address": "Cra 7 # 12-34",
        "phone": "+57 601 555 0101",
        "email": "hola@sonrisa.example",
        "grid_minutes": "15",
        "min_notice_minutes": "120",
        "max_advance_days": "60",
        "cancellation_cutoff_hours": "24",
    }
    if clinic is not None:
        data.update(name=clinic.name, version=str(clinic.version))
    data.update(changes)
    return data


def reload(clinic: Clinic) -> Clinic:
    return selectors.clinic_get(tenant_id=clinic.tenant_id)
