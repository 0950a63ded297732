"""Raw DynamoDB baselines: the app's own requests, replayed by a bare botocore client.

Every baseline starts from a request the app really sends: ``recorded()`` captures, in this
process, the botocore parameters PynamoDB passes for a selector or a service call (key
condition, projection, conditions and all), and ``Bare`` sends them again straight to DynamoDB
Local with no PynamoDB, no models and no Django. So "the same Query" is the same by
construction, and no expression or key string is written here; keys come from ``nexioq.dynamo``.
"""

from __future__ import annotations

import contextvars
import copy
import datetime as dt
import itertools
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from bench.stack import REGION
from nexioq import dynamo


@dataclass(frozen=True)
class Call:
    """One DynamoDB request as botocore parameters."""

    operation: str
    params: dict[str, Any]


# ---------------------------------------------------------------- recording the app's requests

_recording: contextvars.ContextVar[list[Call] | None] = contextvars.ContextVar("bench_recording", default=None)
_installed: set[int] = set()


def _record(params: dict[str, Any], model: Any, **kwargs: Any) -> None:
    calls = _recording.get()
    if calls is not None:
        calls.append(Call(model.name, copy.deepcopy(params)))


def _install() -> None:
    """Listen on the botocore client of every model class (PynamoDB keeps one connection per class)."""
    classes: list[type[dynamo.TableItem]] = [dynamo.TableItem]
    for cls in classes:  # grows as it goes: every subclass, at any depth
        classes.extend(cls.__subclasses__())
    for cls in classes:
        client = cls._get_connection().connection.client
        if id(client) not in _installed:
            client.meta.events.register("provide-client-params.dynamodb", _record)
            _installed.add(id(client))


@contextmanager
def recorded() -> Iterator[list[Call]]:
    """The requests PynamoDB sends inside the block, from this context (and tasks it hands a copy of it)."""
    _install()
    calls: list[Call] = []
    token = _recording.set(calls)
    try:
        yield calls
    finally:
        _recording.reset(token)


def only(calls: Sequence[Call], operation: str) -> Call:
    found = [c for c in calls if c.operation == operation]
    if len(found) != 1:
        raise RuntimeError(f"expected one {operation}, recorded {[c.operation for c in calls]}")
    return found[0]


# ---------------------------------------------------------------- the bare client


@dataclass
class Sent:
    """What one replay cost: milliseconds, requests sent, items returned and read (Query only)."""

    ms: float
    requests: int = 0
    items: int = 0
    scanned: int = 0
    ok: bool = True


class Bare:
    """A botocore client straight to DynamoDB Local, set up like PynamoDB's (no parameter validation)."""

    def __init__(self, endpoint: str, *, pool: int = 256) -> None:
        config = Config(
            parameter_validation=False,
            max_pool_connections=pool,
            retries={"total_max_attempts": 1},
            connect_timeout=5,
            read_timeout=120,
        )
        self.client = botocore.session.get_session().create_client(
            "dynamodb",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=dynamo.LOCAL_CREDENTIAL,
            aws_secret_access_key=dynamo.LOCAL_CREDENTIAL,
            config=config,
        )

    def send(self, call: Call) -> dict[str, Any]:
        method: Any = getattr(self.client, xform_name(call.operation))
        response: dict[str, Any] = method(**call.params)
        return response

    def replay(self, calls: Sequence[Call]) -> Sent:
        """Send ``calls`` one after the other, as the app did. A cancelled transaction is ``ok=False``."""
        sent = Sent(ms=0.0)
        began = time.perf_counter()
        for call in calls:
            try:
                response = self.send(call)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                sent.ok = False
                response = {}
            sent.requests += 1
            sent.items += int(response.get("Count", 0))
            sent.scanned += int(response.get("ScannedCount", 0))
        sent.ms = (time.perf_counter() - began) * 1000
        return sent

    def replay_parallel(self, calls: Sequence[Call], pool: ThreadPoolExecutor) -> Sent:
        """Send ``calls`` side by side on ``pool``; the time is until the last answer."""
        began = time.perf_counter()
        parts = list(pool.map(lambda call: self.replay([call]), calls))
        return Sent(
            ms=(time.perf_counter() - began) * 1000,
            requests=sum(p.requests for p in parts),
            items=sum(p.items for p in parts),
            scanned=sum(p.scanned for p in parts),
        )


# ---------------------------------------------------------------- scratch transactions


@dataclass(frozen=True)
class TransactionSizes:
    """Items in the app's hold and confirm transactions, and one of its conditional cell puts."""

    hold: int
    confirm: int
    cell_put: dict[str, Any]


def transaction_sizes(hold: Call, confirm: Call) -> TransactionSizes:
    """From the recorded TransactWriteItems of a hold and of its confirmation."""
    puts = [item["Put"] for item in hold.params["TransactItems"] if "Put" in item]
    cell_puts = [put for put in puts if put["Item"].get("entity", {}).get("S") == "cell"]
    if not cell_puts or "ConditionExpression" not in cell_puts[0]:
        raise RuntimeError("the recorded hold has no conditional cell put")
    return TransactionSizes(
        hold=len(hold.params["TransactItems"]),
        confirm=len(confirm.params["TransactItems"]),
        cell_put=copy.deepcopy(cell_puts[0]),
    )


class ScratchTransactions:
    """TransactWriteItems of N copies of the app's conditional cell put, in a partition of their own.

    ``fresh`` uses keys never written before (every put's condition holds); ``contested`` uses the
    same keys every time (the first wins, the others are cancelled, like 200 patients on one time).
    """

    def __init__(self, sizes: TransactionSizes) -> None:
        self.sizes = sizes
        self.pk = dynamo.tenant_pk(f"bench-scratch-{uuid.uuid4().hex[:12]}")
        self._serial = itertools.count()
        self._moment = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

    def fresh(self, size: int) -> Call:
        return self._transaction(size, owner=f"scratch{next(self._serial)}")

    def contested(self, size: int) -> Call:
        return self._transaction(size, owner="contested")

    def _transaction(self, size: int, *, owner: str) -> Call:
        items = []
        for index in range(size):
            put = copy.deepcopy(self.sizes.cell_put)
            cell_start = self._moment + dt.timedelta(minutes=dynamo.CELL_MINUTES * index)
            put["Item"]["PK"] = {"S": self.pk}
            put["Item"]["SK"] = {"S": dynamo.cell_sk(owner, cell_start)}
            put["Item"]["professional_id"] = {"S": owner}
            items.append({"Put": put})
        params = {"TransactItems": items, "ClientRequestToken": uuid.uuid4().hex, "ReturnConsumedCapacity": "TOTAL"}
        return Call("TransactWriteItems", params)


# ---------------------------------------------------------------- layout 1: cells by time


def time_first_copy(*, tenant_id: str, professional_ids: Sequence[str], start: dt.datetime, end: dt.datetime) -> str:
    """Copy a clinic's cells starting in [start, end) into a scratch partition, keyed time-first
    (``dynamo.Layout1.cell_sk``), the order of layout 1; returns the scratch partition key."""
    from booking.models import Cell

    scratch_pk = dynamo.tenant_pk(f"bench-timefirst-{uuid.uuid4().hex[:12]}")
    pk = dynamo.tenant_pk(tenant_id)

    def copy_one(professional_id: str) -> int:
        cells = Cell.query(pk, Cell.sk.between(*dynamo.cell_range(professional_id, start, end)))
        copied = 0
        with Cell.batch_write() as batch:
            for cell in cells:
                _, cell_start = dynamo.parse_cell_sk(cell.sk)
                batch.save(
                    Cell(
                        scratch_pk,
                        dynamo.Layout1.cell_sk(professional_id, cell_start),
                        professional_id=cell.professional_id,
                        kind=cell.kind,
                        booking_id=cell.booking_id,
                        hold_id=cell.hold_id,
                        locked_until=cell.locked_until,
                        expires_at=cell.expires_at,
                    )
                )
                copied += 1
        return copied

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(copy_one, professional_ids))
    return scratch_pk


def time_first_query(
    *, scratch_pk: str, professional_ids: Sequence[str], start: dt.datetime, end: dt.datetime
) -> list[Call]:
    """Record the clinic-range Query of the time-first copy: the app's projection, a filter on the
    candidates, every page."""
    from booking.models import Cell

    connection = dynamo.TableItem._get_connection()
    with recorded() as calls:
        start_key = None
        while True:
            page = connection.query(
                scratch_pk,
                range_key_condition=dynamo.TableItem.sk.between(*dynamo.Layout1.cell_range(start, end)),
                filter_condition=Cell.professional_id.is_in(*professional_ids),
                attributes_to_get=["SK", "kind", "locked_until"],
                exclusive_start_key=start_key,
            )
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                break
    return calls
