"""Probe, not a benchmark of the app: what would a booking's two transactions cost with hour buckets?

    .venv/bin/python -m bench.probe_hour_buckets        (about 1 min; nothing of the app is measured)

Today every 5 minutes of a professional's time is one cell item, so a 60-minute treatment puts 12
cells in the hold's transaction and 12 again in the confirmation's (14 + 18 items with the hold,
the booking, the clinic check and the outbox). The alternative measured here keeps the 5-minute
grain inside one item per hour: an attribute per 5 minutes holding its owner and expiry, claimed
by an UpdateItem whose condition checks exactly those attributes (free, expired, or mine). A
60-minute span then touches 2 items: 4 + 8 per booking.

Both shapes go to DynamoDB Local with the app's table and indexes (``bench/stack.py``), 16
clients, pairs on fresh keys, in interleaved rounds; the other items are the same generic puts in
both. It prints raw pairs per second and DynamoDB Local's CPU per pair (README, Performance, "How
to read these figures"). The design itself is not built.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.raw import Bare, Call
from bench.stack import CpuMeter, ServerOptions, Stack
from nexioq import dynamo  # key helpers; Django settings are read lazily, once the stack set them

CLIENTS = 16
PAIRS_PER_CLIENT = 12
ROUNDS = 4
NOW = "1700000000"  # epoch seconds: every hold written below expires long after it
HELD_UNTIL = "1800000000"
BOOKED = "9999999999"
MOMENT = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # where the scratch cells and hours start

Item = dict[str, Any]


class Shapes:
    """The two shapes of a booking's hold and confirmation, in one scratch partition."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.pk = dynamo.tenant_pk(f"probe-{uuid.uuid4().hex[:8]}")
        self._serial = itertools.count()

    def clinic_item(self) -> Item:
        return {
            "PK": {"S": self.pk},
            "SK": {"S": dynamo.CLINIC_SK},
            "entity": {"S": "clinic"},
            "suspended": {"BOOL": False},
        }

    def cells(self) -> tuple[Call, Call]:
        owner = uuid.uuid4().hex[:10]
        hold = [self._cell(owner, index, held=True) for index in range(12)]
        confirm = [self._cell(owner, index, held=False) for index in range(12)]
        return self._pair(hold, confirm)

    def buckets(self) -> tuple[Call, Call]:
        owner = uuid.uuid4().hex[:10]
        # 60 minutes from :30 touch two hours, six 5-minute attributes in each.
        spans = ((0, range(30, 60, 5)), (1, range(0, 30, 5)))
        hold = [self._bucket(owner, hour, minutes, held=True) for hour, minutes in spans]
        confirm = [self._bucket(owner, hour, minutes, held=False) for hour, minutes in spans]
        return self._pair(hold, confirm)

    def _pair(self, hold_time: list[Item], confirm_time: list[Item]) -> tuple[Call, Call]:
        hold = [*hold_time, self._put("hold", dynamo.hold_sk), self._clinic_check()]
        gone = {"PK": {"S": self.pk}, "SK": {"S": dynamo.hold_sk("gone")}}
        removal = {"Delete": {"TableName": self.table, "Key": gone}}
        confirm = [*confirm_time, self._put("booking", dynamo.booking_sk), removal, self._clinic_check()]
        confirm += [self._put("outbox", dynamo.outbox_sk) for _ in range(3)]
        return _transaction(hold), _transaction(confirm)

    def _cell(self, owner: str, index: int, *, held: bool) -> Item:
        item = {
            "PK": {"S": self.pk},
            "SK": {"S": dynamo.cell_sk(owner, MOMENT + dt.timedelta(minutes=dynamo.CELL_MINUTES * index))},
            "entity": {"S": "cell"},
            "professional_id": {"S": owner},
            "kind": {"S": "hold" if held else "booking"},
            "hold_id": {"S": owner},
        }
        if held:
            item["locked_until"] = {"N": HELD_UNTIL}
        return {
            "Put": {
                "TableName": self.table,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(PK) OR (kind = :h AND (locked_until < :now OR hold_id = :me))",
                "ExpressionAttributeValues": {":h": {"S": "hold"}, ":now": {"N": NOW}, ":me": {"S": owner}},
            }
        }

    def _bucket(self, owner: str, hour: int, minutes: range, *, held: bool) -> Item:
        names = {f"#m{m}": f"m{m:02d}" for m in minutes}
        free = " AND ".join(f"(attribute_not_exists(#m{m}) OR #m{m}.u < :now OR #m{m}.o = :me)" for m in minutes)
        taken = {"M": {"o": {"S": owner}, "u": {"N": HELD_UNTIL if held else BOOKED}}}
        return {
            "Update": {
                "TableName": self.table,
                # Keyed like the cell that starts the hour.
                "Key": {"PK": {"S": self.pk}, "SK": {"S": dynamo.cell_sk(owner, MOMENT + dt.timedelta(hours=hour))}},
                "UpdateExpression": "SET " + ", ".join(f"#m{m} = :t" for m in minutes) + ", entity = :e",
                "ConditionExpression": free,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {
                    ":now": {"N": NOW},
                    ":me": {"S": owner},
                    ":t": taken,
                    ":e": {"S": "hour"},
                },
            }
        }

    def _put(self, entity: str, key: Callable[[str], str]) -> Item:
        sk = key(f"p{next(self._serial)}")
        item = {"PK": {"S": self.pk}, "SK": {"S": sk}, "entity": {"S": entity}, "note": {"S": "x" * 40}}
        return {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}

    def _clinic_check(self) -> Item:
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": {"PK": {"S": self.pk}, "SK": {"S": dynamo.CLINIC_SK}},
                "ConditionExpression": "suspended = :f",
                "ExpressionAttributeValues": {":f": {"BOOL": False}},
            }
        }


def _transaction(items: list[Item]) -> Call:
    return Call("TransactWriteItems", {"TransactItems": items, "ClientRequestToken": uuid.uuid4().hex})


def pairs_per_second(bare: Bare, make: Callable[[], tuple[Call, Call]], clients: int, per_client: int) -> float:
    work = [[make() for _ in range(per_client)] for _ in range(clients)]

    def client(index: int) -> None:
        for hold, confirm in work[index]:
            if not (bare.replay([hold]).ok and bare.replay([confirm]).ok):
                raise RuntimeError("a transaction on fresh keys was cancelled")

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return clients * per_client / (time.perf_counter() - began)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="nexioq-probe-") as tmp:
        stack = Stack(Path(tmp), ServerOptions())
        try:
            stack.start_storage()
            assert stack.dynamodb is not None
            cpu = CpuMeter()
            cpu.watch(dynamodb_pid=stack.dynamodb.pid)
            bare = Bare(stack.endpoint)
            shapes = Shapes(dynamo.TableItem.Meta.table_name)
            bare.client.put_item(TableName=shapes.table, Item=shapes.clinic_item())
            ways = {"cells of 5 minutes": shapes.cells, "hour buckets": shapes.buckets}
            for make in ways.values():  # warm-up
                pairs_per_second(bare, make, 4, 5)
            rates: dict[str, list[float]] = {name: [] for name in ways}
            for round_ in range(ROUNDS):
                order = list(ways.items()) if round_ % 2 == 0 else list(reversed(ways.items()))
                for name, make in order:
                    with cpu.measure(name):
                        rates[name].append(pairs_per_second(bare, make, CLIENTS, PAIRS_PER_CLIENT))
        finally:
            stack.stop()
    pairs = CLIENTS * PAIRS_PER_CLIENT * ROUNDS
    print(f"{CLIENTS} clients, {ROUNDS} interleaved rounds of {CLIENTS * PAIRS_PER_CLIENT} pairs each")
    print("| shape | items (hold + confirm) | raw pairs/s, median of rounds | DynamoDB Local CPU per pair |")
    print("|---|---|---|---|")
    for name, values in rates.items():
        hold, confirm = ways[name]()
        size = f"{len(hold.params['TransactItems'])} + {len(confirm.params['TransactItems'])}"
        emulator = cpu.blocks[name]["dynamodb_local"] / pairs * 1000
        print(f"| {name} | {size} | {statistics.median(values):.1f} | {emulator:.1f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
