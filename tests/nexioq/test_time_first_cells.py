"""Layout 1's time-first cell range: one Query of a clinic's range, as the benchmark times it."""

from __future__ import annotations

import datetime as dt
import uuid

from booking.models import Cell
from nexioq import dynamo
from nexioq.dynamo import Layout1

START = dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.UTC)


def minutes(n: int) -> dt.datetime:
    return START + dt.timedelta(minutes=n)


def test_it_bounds_every_professionals_cells_of_the_range(dynamodb_local: str) -> None:
    pk = dynamo.tenant_pk(uuid.uuid4().hex)
    with Cell.batch_write() as batch:
        for professional_id in ("a", "b", "zz"):
            for n in range(-10, 70, 5):
                sk = Layout1.cell_sk(professional_id, minutes(n))
                batch.save(Cell(pk, sk, professional_id=professional_id, kind="booking"))

    items = dynamo.query_keys(
        pk=pk, sk_between=Layout1.cell_range(minutes(0), minutes(60)), attributes=("SK",), consistent=True
    )

    # [start, end): 13:00 to 13:55 of every professional, nothing before, the 14:00 cells not.
    expected = {Layout1.cell_sk(p, minutes(n)) for p in ("a", "b", "zz") for n in range(0, 60, 5)}
    assert {item["SK"]["S"] for item in items} == expected
