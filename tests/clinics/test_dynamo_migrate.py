"""``manage.py dynamo_migrate``: a table written by the previous layout keeps its data in the new one."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from booking import selectors
from booking.models import Booking
from clinics.models import Clinic
from clinics.selectors import clinic_get, clinic_list
from nexioq import dynamo
from tests.conftest import NOW, at

TABLE = "nexioq-layout-1"
TENANT = "t-old"
OLDER = "t-older"


def s(value: str) -> dict[str, str]:
    return {"S": value}


def layout_1_table(client: Any) -> None:
    """The table as the previous code created it: GSI1 (patients, clinic directory) and GSI2 (professionals)."""
    keys = [{"AttributeName": n, "KeyType": t} for n, t in (("PK", "HASH"), ("SK", "RANGE"))]
    indexes = [
        {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": f"{name}PK", "KeyType": "HASH"},
                {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for name in ("GSI1", "GSI2")
    ]
    names = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]
    client.create_table(
        TableName=TABLE,
        KeySchema=keys,
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in names],
        GlobalSecondaryIndexes=indexes,
        BillingMode="PAY_PER_REQUEST",
    )


def layout_1_items() -> list[dict[str, Any]]:
    """Two clinics (one from before the directory), a professional, a treatment, one booking with its cells,
    as layout 1 wrote them (key shapes from ``dynamo.Layout1``; no key string here)."""
    old = dynamo.Layout1
    pk = s(dynamo.tenant_pk(TENANT))
    start = at(9)
    end = start + dt.timedelta(minutes=20)
    hours = [{"M": {"weekday": {"N": str(d)}, "start": s("07:00"), "end": s("20:00")}} for d in range(7)]
    clinic = {"entity": s("clinic"), "time_zone": s("America/Bogota"), "version": {"N": "1"}}
    items = [
        {
            **clinic, "PK": pk, "SK": s(dynamo.CLINIC_SK), "tenant_id": s(TENANT), "name": s("Clínica Antigua"),
            "slug": s("antigua"), "created_at": s("2026-01-01T00:00:00Z"), "min_notice_minutes": {"N": "0"},
            "GSI1PK": s(dynamo.CLINIC_DIRECTORY_PK), "GSI1SK": s(dynamo.clinic_directory_sk("Clínica Antigua", TENANT)),
        },
        {"PK": s(dynamo.slug_pk("antigua")), "SK": s(dynamo.SLUG_SK), "entity": s("slug"), "tenant_id": s(TENANT)},
        # Written before the clinic directory existed: no index keys at all.
        {
            **clinic, "PK": s(dynamo.tenant_pk(OLDER)), "SK": s(dynamo.CLINIC_SK), "tenant_id": s(OLDER),
            "name": s("Clínica Más Antigua"), "slug": s("mas-antigua"), "created_at": s("2025-01-01T00:00:00Z"),
        },
        {
            "PK": pk, "SK": s(dynamo.treatment_sk("t1")), "entity": s("treatment"), "tenant_id": s(TENANT),
            "treatment_id": s("t1"), "name": s("Control"), "duration_minutes": {"N": "20"}, "price": s("50000"),
            "version": {"N": "1"},
        },
        {
            "PK": pk, "SK": s(dynamo.professional_sk("p1")), "entity": s("professional"), "tenant_id": s(TENANT),
            "professional_id": s("p1"), "name": s("Dra. Vieja"), "treatment_ids": {"SS": ["t1"]},
            "weekly_hours": {"L": hours}, "version": {"N": "1"},
        },
        {
            "PK": pk, "SK": s(dynamo.booking_sk("b1")), "entity": s("booking"), "tenant_id": s(TENANT),
            "booking_id": s("b1"), "reference": s("ABCDEFGH"), "patient_id": s("u1"), "patient_name": s("Ana"),
            "patient_email": s("a@x.co"), "patient_phone": s("+573001234567"), "treatment_id": s("t1"),
            "treatment_name": s("Control"), "price": s("50000"), "professional_id": s("p1"),
            "professional_name": s("Dra. Vieja"), "start": s(dynamo.iso_utc(start)), "end": s(dynamo.iso_utc(end)),
            "blocked_start": s(dynamo.iso_utc(start)), "blocked_end": s(dynamo.iso_utc(end)),
            "status": s("completed"), "created_at": s("2026-01-01T00:00:00Z"), "updated_at": s("2026-01-01T00:00:00Z"),
            "version": {"N": "1"},
            "GSI1PK": s(old.patient_pk("u1")), "GSI1SK": s(old.booking_index_sk(start)),
            "GSI2PK": s(old.professional_pk("p1")), "GSI2SK": s(old.booking_index_sk(start)),
        },
    ]  # fmt: skip
    for i in range(4):
        cell = start + dt.timedelta(minutes=5 * i)
        items.append(
            {
                "PK": pk, "SK": s(old.cell_sk("p1", cell)), "entity": s("cell"), "professional_id": s("p1"),
                "kind": s("booking"), "booking_id": s("b1"),
            }
        )  # fmt: skip
    return items


@pytest.fixture
def old_table(dynamodb_local: str) -> Iterator[Any]:
    client = dynamo.TableItem._get_connection().connection.client
    layout_1_table(client)
    for item in layout_1_items():
        client.put_item(TableName=TABLE, Item=item)
    test_table = dynamo.TableItem.Meta.table_name
    dynamo.configure(host=dynamodb_local, table_name=TABLE)
    yield client
    dynamo.configure(host=dynamodb_local, table_name=test_table)
    client.delete_table(TableName=TABLE)


def migrate() -> str:
    out = io.StringIO()
    call_command("dynamo_table", stdout=out)
    call_command("dynamo_migrate", stdout=out)
    return out.getvalue()


def test_it_rewrites_every_item_into_the_new_layout(old_table: Any) -> None:
    output = migrate()

    assert "version 1 -> 2 (4 cells, 1 bookings, 2 clinics rewritten)" in output
    keys = {(i["PK"]["S"], i["SK"]["S"]) for i in old_table.scan(TableName=TABLE)["Items"]}
    assert not any(dynamo.Layout1.CELL.match(sk) for _, sk in keys)  # no cell of layout 1 is left
    assert dynamo.index_names() == {
        "patient-bookings",
        "clinic-directory",
        "professional-agenda",
        "clinic-agenda",
        "outbox-due",
    }
    booking = selectors.booking_get(tenant_id=TENANT, booking_id="b1")
    assert booking.status == "attended"
    assert [b.booking_id for b in selectors.bookings_for_patient(patient_id="u1")] == ["b1"]
    assert [
        b.booking_id
        for b in selectors.bookings_in_range(tenant_id=TENANT, start=at(0), end=at(23), professional_id="p1")
    ] == ["b1"]
    assert [c.tenant_id for c in clinic_list(search="antigua").clinics] == [TENANT, OLDER]


def test_it_keeps_migrated_cells_occupied(old_table: Any) -> None:
    migrate()

    clinic = clinic_get(tenant_id=TENANT)
    taken = selectors.occupied_cells(tenant_id=TENANT, professional_id="p1", start=at(0), end=at(23), now=NOW)
    assert taken == {at(9) + dt.timedelta(minutes=5 * i) for i in range(4)}
    assert isinstance(clinic, Clinic)
    assert Booking.get(dynamo.tenant_pk(TENANT), dynamo.booking_sk("b1")).agenda_pk == dynamo.professional_agenda_pk(
        TENANT, "p1"
    )


def test_it_does_nothing_the_second_time(old_table: Any) -> None:
    migrate()

    assert "version 2, up to date" in migrate()
