"""DynamoDB capacity consumed per action: as DynamoDB Local reports it, and by DynamoDB's billing rules.

``install()`` adds two botocore handlers to every session made afterwards (PynamoDB makes one per
connection): ``before-parameter-build`` asks every read and write for ``ReturnConsumedCapacity=TOTAL``
(unless the caller asked for something already), and ``after-call`` adds up the ``ConsumedCapacity``
of the answer. ``consumed()`` collects what the calls inside the block consumed.

DynamoDB Local reports reads as DynamoDB bills them (0.5 unit per 4 KB of an eventually consistent
read, per item in a BatchGetItem), but not transactions: an 11-item TransactWriteItems of a booking
(a condition check, 6 cells, the booking, 3 outbox items) reports 6 table units where DynamoDB's
rules give 2 per KB per item. So writes are also counted here by the rules themselves
(``billed_write_units``), from the items written: every item ``ceil(size / 1 KB)`` units, twice in
a transaction (a ConditionCheck counted like a transactional write of the item it checks: the
conservative reading), plus one standard write per KB for every global secondary index entry the
item carries. A GetItem, Query or Scan that finds nothing counts as a read of 4 KB (0.5 unit,
eventually consistent), as DynamoDB bills it; DynamoDB Local reports 0. The sizes follow DynamoDB's item size rules (attribute names plus values); an
updated item is measured after the update and a deleted or checked one before, read with a client
of this module's own that counts nothing. Not counted: the index entry an overwrite or an update
removes from an index (a put replacing an item with other index keys).

Call ``install()`` before the first DynamoDB request of the process: sessions made before it do
not have the handlers; and ``configure(client)`` with a client to read the images and the table's
indexes with.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore import handlers as botocore_handlers

READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
SINGLE_READS = frozenset({"GetItem", "Query", "Scan"})
KB = 1024


@dataclass
class Consumed:
    """Requests and capacity units of one block: read request units (RRU), write request units (WRU)."""

    requests: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    # As DynamoDB Local reports them, and by DynamoDB's rules (module docstring).
    reported_write_units: float = 0.0
    billed_write_units: float = 0.0
    # Requests whose answer carried no ConsumedCapacity (a cancelled transaction, an error).
    unreported: Counter[str] = field(default_factory=Counter)

    @property
    def request_count(self) -> int:
        return sum(self.requests.values())

    def add(self, other: Consumed) -> None:
        self.requests.update(other.requests)
        self.unreported.update(other.unreported)
        self.read_units += other.read_units
        self.reported_write_units += other.reported_write_units
        self.billed_write_units += other.billed_write_units

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.request_count,
            "kinds": dict(sorted(self.requests.items())),
            "read_units": round(self.read_units, 2),
            "write_units": round(self.billed_write_units, 2),
            "write_units_reported_by_dynamodb_local": round(self.reported_write_units, 2),
            "unreported": dict(self.unreported),
        }


# ---------------------------------------------------------------- item sizes (DynamoDB's rules)


def _number_size(text: str) -> int:
    digits = str(Decimal(text).normalize()).lstrip("-").replace(".", "").lstrip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def value_size(value: dict[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode()) for v in inner)
    if kind == "NS":
        return sum(_number_size(v) for v in inner)
    if kind == "BS":
        return sum(len(v) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + value_size(v) for k, v in inner.items())
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


# ---------------------------------------------------------------- the handlers

_lock = threading.Lock()
_open: list[Consumed] = []
_installed = False
_quiet = threading.local()  # set while this module reads images: those reads count nothing


@dataclass
class _Table:
    client: Any = None
    key_names: tuple[str, ...] = ()
    # index name -> (its key attributes, the attributes it projects or None for ALL)
    indexes: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]] = field(default_factory=dict)


_table = _Table()


def configure(client: Any, table_name: str) -> None:
    """The client images are read with (made before ``install()`` or not: it counts nothing) and the table."""
    _quiet.on = True
    try:
        described = client.describe_table(TableName=table_name)["Table"]
    finally:
        _quiet.on = False
    _table.client = client
    _table.key_names = tuple(k["AttributeName"] for k in described["KeySchema"])
    _table.indexes = {}
    for index in described.get("GlobalSecondaryIndexes", []):
        keys = tuple(k["AttributeName"] for k in index["KeySchema"])
        projection = index.get("Projection", {})
        projected = None
        if projection.get("ProjectionType") != "ALL":
            projected = (*_table.key_names, *keys, *projection.get("NonKeyAttributes", []))
        _table.indexes[index["IndexName"]] = (keys, projected)


def _image(table: str, key: dict[str, Any]) -> dict[str, Any]:
    """The item as stored now ({} when absent), read without being counted."""
    if _table.client is None:
        return {}
    _quiet.on = True
    try:
        found: dict[str, Any] = _table.client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item", {})
        return found
    finally:
        _quiet.on = False


def _units_for(image: dict[str, Any], *, transactional: bool) -> float:
    """WRU of writing one item: the table write (x2 in a transaction) and one per index entry it carries."""
    if not image:
        return 2.0 if transactional else 1.0  # an absent item still costs the write of 1 KB
    units = math.ceil(item_size(image) / KB) * (2 if transactional else 1)
    for keys, projected in _table.indexes.values():
        if all(k in image for k in keys):
            entry = image if projected is None else {k: v for k, v in image.items() if k in projected}
            units += math.ceil(item_size(entry) / KB)
    return float(units)


def _writes(operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(action, table, key, item) of every item a write touches; item only for puts."""
    found = []
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        action = {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}[operation]
        item = params.get("Item", {})
        key = params.get("Key") or {k: item[k] for k in _table.key_names if k in item}
        found.append((action, params.get("TableName", ""), key, item))
    elif operation == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            ((action, body),) = entry.items()
            item = body.get("Item", {})
            key = body.get("Key") or {k: item[k] for k in _table.key_names if k in item}
            found.append((action, body.get("TableName", ""), key, item))
    elif operation == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    found.append(("Put", table, {k: item[k] for k in _table.key_names if k in item}, item))
                else:
                    found.append(("Delete", table, request["DeleteRequest"]["Key"], {}))
    return found


def _ask(params: dict[str, Any], model: Any, context: dict[str, Any], **kwargs: Any) -> None:
    if getattr(_quiet, "on", False) or not _open:
        return
    name = model.name
    if name in READS or name in WRITES:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
    if name in SINGLE_READS:
        # DynamoDB bills a read that finds nothing as one of 4 KB; DynamoDB Local reports 0 for an empty Query.
        context["bench_read_floor"] = 1.0 if params.get("ConsistentRead") else 0.5
    if name in WRITES:
        writes = _writes(name, params)
        # Deleted and checked items are measured before the call; updated ones after it.
        before = [_image(t, k) if a in ("Delete", "ConditionCheck") else None for a, t, k, _i in writes]
        context["bench_capacity"] = (name, writes, before)


def _reported(reported: Any) -> float:
    """CapacityUnits of one ConsumedCapacity entry or of a list of them (batches, transactions)."""
    entries = reported if isinstance(reported, list) else [reported]
    return sum(float(entry.get("CapacityUnits", 0.0)) for entry in entries if isinstance(entry, dict))


def _collect(parsed: dict[str, Any], model: Any, context: dict[str, Any], **kwargs: Any) -> None:
    if getattr(_quiet, "on", False) or not _open:
        return
    name = model.name
    if name not in READS and name not in WRITES:
        return
    reported = parsed.get("ConsumedCapacity") if isinstance(parsed, dict) else None
    failed = isinstance(parsed, dict) and "Error" in parsed
    billed = 0.0
    if name in WRITES and "bench_capacity" in context:
        _name, writes, before = context["bench_capacity"]
        transactional = name == "TransactWriteItems"
        for (action, table, key, item), prior in zip(writes, before, strict=True):
            if failed and action != "ConditionCheck":
                # A refused write is still billed (DynamoDB charges a failed conditional write) at
                # the size of the item as stored.
                image = item or _image(table, key)
            elif action == "Put":
                image = item
            elif action == "Update":
                image = _image(table, key)
            else:
                image = prior or {}
            billed += _units_for(image, transactional=transactional)
    with _lock:
        for block in _open:
            block.requests[name] += 1
            if not reported:
                block.unreported[name] += 1
            elif name in READS:
                block.read_units += max(_reported(reported), context.get("bench_read_floor", 0.0))
            else:
                block.reported_write_units += _reported(reported)
            block.billed_write_units += billed


def install() -> None:
    """Register the handlers with every botocore session created from now on."""
    global _installed
    if _installed:
        return
    botocore_handlers.BUILTIN_HANDLERS.append(("before-parameter-build.dynamodb", _ask))
    botocore_handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", _collect))
    _installed = True


@contextmanager
def consumed() -> Iterator[Consumed]:
    """What every DynamoDB call of this process consumes inside the block (any thread)."""
    block = Consumed()
    with _lock:
        _open.append(block)
    try:
        yield block
    finally:
        with _lock:
            _open.remove(block)
