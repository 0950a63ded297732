"""Layout 1's time-first cell keys: what the migration reads, and the benchmark's clinic-range Query."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from booking.models import Cell
from nexioq import dynamo

START = dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.UTC)


def minutes(n: int) -> dt.datetime:
    return START + dt.timedelta(minutes=n)


def test_it_writes_the_key_the_layout_migration_rewrites(dynamodb_local: str) -> None:
    pk = dynamo.tenant_pk("t1")
    old = {"PK": {"S": pk}, "SK": {"S": dynamo.time_first_cell_sk("p1", minutes(5))}, "entity": {"S": "cell"}}

    new = dynamo.LayoutMigration().rewritten(old)

    assert old["SK"]["S"] == "SLOT#2026-12-01#13:05#p1"
    assert new is not None and new["SK"]["S"] == dynamo.cell_sk("p1", minutes(5))


def test_it_bounds_every_professionals_cells_of_the_range(dynamodb_local: str) -> None:
    pk = dynamo.tenant_pk(uuid.uuid4().hex)
    with Cell.batch_write() as batch:
        for professional_id in ("a", "b", "zz"):
            for n in range(-10, 70, 5):
                sk = dynamo.time_first_cell_sk(professional_id, minutes(n))
                batch.save(Cell(pk, sk, professional_id=professional_id, kind="booking"))

    items = dynamo.query_keys(
        pk=pk, sk_between=dynamo.time_first_cell_range(minutes(0), minutes(60)), attributes=("SK",), consistent=True
    )

    expected = {dynamo.time_first_cell_sk(p, minutes(n)) for p in ("a", "b", "zz") for n in range(0, 60, 5)}
    assert {item["SK"]["S"] for item in items} == expected


@pytest.mark.parametrize("professional_id", ["a#b", "", "x" * 65])
def test_it_refuses_an_id_that_would_break_the_key(professional_id: str) -> None:
    with pytest.raises(dynamo.InvalidId):
        dynamo.time_first_cell_sk(professional_id, START)
