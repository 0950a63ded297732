"""Shared by the clinic admin tests: a plain staff user, clinics of their own, the form's data.

Clinic pages need staff status only, so most tests sign in a plain staff user (no
superuser, no model permissions). Each test makes its own clinics: the table is shared.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from clinics import selectors, services
from clinics.clinic_settings import ClinicSettings
from clinics.models import Clinic
from nexioq import dynamo
from nexioq.dynamo import TableItem

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
        "language": "es",
        "reminder_offsets": "24 h, 2 h",
    }
    if clinic is not None:
        data.update(name=clinic.name, version=str(clinic.version))
    data.update(changes)
    return data


def reload(clinic: Clinic) -> Clinic:
    return selectors.clinic_get(tenant_id=clinic.tenant_id)


@contextmanager
def queries_sent() -> Iterator[list[dict[str, Any]]]:
    """The parameters of every Query sent in this block, from botocore's own event: nothing is mocked.

    Every model class has its own botocore client, so the event is heard on all of them.
    """
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **kwargs: Any) -> None:
        sent.append(params)

    models: list[type[TableItem]] = [TableItem]
    for model in models:  # grows while it is walked: every subclass, at any depth
        models.extend(model.__subclasses__())
    events = [model._get_connection().connection.client.meta.events for model in models]
    for emitter in events:
        emitter.register("provide-client-params.dynamodb.Query", record)
    try:
        yield sent
    finally:
        for emitter in events:
            emitter.unregister("provide-client-params.dynamodb.Query", record)


def of_the_directory(query: dict[str, Any]) -> bool:
    """Whether a Query's parameters read the clinic directory: its index, partition CLINICS."""
    partition = {"S": dynamo.CLINIC_DIRECTORY_PK}
    index = TableItem.clinic_directory.Meta.index_name
    return query.get("IndexName") == index and partition in query.get("ExpressionAttributeValues", {}).values()
