"""The one transaction runner: all or nothing, failures named by key, the item budget, idempotency."""

from __future__ import annotations

import uuid

import pytest
from pynamodb.exceptions import TransactWriteError

from booking.models import Cell
from nexioq import dynamo


def cell(pk: str, n: int) -> Cell:
    return Cell(pk, f"{dynamo.CELL_PREFIX}p#{n:04d}", professional_id="p", kind="booking")


@pytest.fixture
def pk(dynamodb_local: str) -> str:
    return dynamo.tenant_pk(uuid.uuid4().hex)


def stored(pk: str) -> list[str]:
    return [c.sk for c in Cell.query(pk, consistent_read=True)]


def test_it_names_the_item_whose_condition_failed_by_key(pk: str) -> None:
    dynamo.transact(lambda tx: tx.put(cell(pk, 3)))
    items = [cell(pk, n) for n in range(5)]

    with pytest.raises(dynamo.TransactionCancelled) as cancelled:
        dynamo.transact(lambda tx: [tx.put(item, condition=Cell.pk.does_not_exist()) for item in items])

    assert cancelled.value.reasons == {dynamo.key_of(items[3]): dynamo.CONDITION_FAILED}
    assert cancelled.value.failed(dynamo.key_of(items[3]))
    assert not cancelled.value.failed(dynamo.key_of(items[0]))
    assert stored(pk) == [items[3].sk]  # nothing of the cancelled transaction was written


def test_it_names_a_failed_check_among_deletes_and_puts_by_key(pk: str) -> None:
    """DynamoDB answers by position in its own order (checks, deletes, puts, updates); callers ask by key."""
    dynamo.transact(lambda tx: tx.put(cell(pk, 1)))
    missing = cell(pk, 9)

    def build(tx: dynamo.Transaction) -> None:
        tx.put(cell(pk, 2))
        tx.delete(cell(pk, 1))
        tx.check(Cell, dynamo.key_of(missing), Cell.pk.exists())

    with pytest.raises(dynamo.TransactionCancelled) as cancelled:
        dynamo.transact(build)

    assert set(cancelled.value.reasons) == {dynamo.key_of(missing)}
    assert stored(pk) == [cell(pk, 1).sk]


def test_it_refuses_more_items_than_dynamodb_takes(pk: str) -> None:
    with pytest.raises(ValueError, match="101 items"):
        dynamo.transact(lambda tx: [tx.put(cell(pk, n)) for n in range(101)])
    dynamo.transact(lambda tx: [tx.put(cell(pk, n)) for n in range(100)])

    assert len(stored(pk)) == 100


def test_it_reports_a_reused_request_token_with_other_content_as_a_mismatch(pk: str) -> None:
    token = dynamo.request_token("test", tenant_id="t", item_id=uuid.uuid4().hex)
    dynamo.transact(lambda tx: tx.put(cell(pk, 1)), token=token)
    dynamo.transact(lambda tx: tx.put(cell(pk, 1)), token=token)  # the same request again: applied once

    with pytest.raises(dynamo.TransactionCancelled) as cancelled:
        dynamo.transact(lambda tx: tx.put(cell(pk, 2)), token=token)

    assert cancelled.value.idempotency_mismatch
    assert stored(pk) == [cell(pk, 1).sk]


def test_it_lets_any_other_dynamodb_error_through_for_the_error_layer(pk: str) -> None:
    """Two operations on one item are a request DynamoDB rejects outright: not a conflict, not swallowed."""

    def build(tx: dynamo.Transaction) -> None:
        tx.put(cell(pk, 1))
        tx.delete(cell(pk, 1))

    with pytest.raises(TransactWriteError) as error:
        dynamo.transact(build)

    assert error.value.cause_response_code == "ValidationException"
    assert stored(pk) == []
