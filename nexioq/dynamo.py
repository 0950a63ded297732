"""The single DynamoDB table: its base model and every key string.

Key shapes live here and nowhere else (DESIGN.md, "The single table").
Nothing in this module touches the network; the table is created by
``manage.py dynamo_table``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from pynamodb.attributes import (
    Attribute,
    DiscriminatorAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.constants import STRING
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.signals import pre_dynamodb_send
from pynamodb.transactions import TransactWrite

# ---------------------------------------------------------------- keys

SEP = "#"


def tenant_pk(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


CLINIC_SK = "METADATA"
SLUG_SK = "TENANT"


def slug_pk(slug: str) -> str:
    return f"SLUG#{slug}"


def treatment_sk(treatment_id: str) -> str:
    return f"TREATMENT#{treatment_id}"


TREATMENT_PREFIX = "TREATMENT#"
PROFESSIONAL_PREFIX = "PROFESSIONAL#"


def professional_sk(professional_id: str) -> str:
    return f"{PROFESSIONAL_PREFIX}{professional_id}"


def booking_sk(booking_id: str) -> str:
    return f"BOOKING#{booking_id}"


def hold_sk(hold_id: str) -> str:
    return f"HOLD#{hold_id}"


SLOT_PREFIX = "SLOT#"


def slot_sk(cell_start: dt.datetime, professional_id: str) -> str:
    """``SLOT#<utc date>#<utc HH:MM>#<professional>``; sorts by time across professionals."""
    utc = cell_start.astimezone(dt.UTC)
    return f"{SLOT_PREFIX}{utc:%Y-%m-%d}#{utc:%H:%M}#{professional_id}"


def slot_sk_bound(moment: dt.datetime) -> str:
    """A sort-key bound for a cell query: every cell at ``moment`` sorts after it."""
    utc = moment.astimezone(dt.UTC)
    return f"{SLOT_PREFIX}{utc:%Y-%m-%d}#{utc:%H:%M}"


def parse_slot_sk(sk: str) -> tuple[dt.datetime, str]:
    _, day, hhmm, professional_id = sk.split(SEP, 3)
    start = dt.datetime.fromisoformat(f"{day}T{hhmm}:00+00:00")
    return start, professional_id


def patient_gsi_pk(patient_id: str) -> str:
    return f"PATIENT#{patient_id}"


def professional_gsi_pk(professional_id: str) -> str:
    return f"PROFESSIONAL#{professional_id}"


def booking_gsi_sk(start: dt.datetime) -> str:
    return f"BOOKING#{iso_utc(start)}"


# The clinic directory overloads GSI1 (otherwise bookings by patient): every clinic item
# also sits in this one GSI1 partition, sorted by name, so the platform admin lists and
# pages through clinics with a Query instead of a Scan. Clinic writes are rare, so one
# partition for all of them is no hot spot.
CLINIC_DIRECTORY_PK = "CLINICS"


def clinic_directory_sk(name: str, tenant_id: str) -> str:
    """``<lowercased name>#<tenant id>``: sorts by name; the tenant id keeps namesakes apart."""
    return f"{name.strip().lower()}{SEP}{tenant_id}"


def iso_utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


# ---------------------------------------------------------------- attributes


class DecimalAttribute(Attribute[Decimal]):
    """Money as an exact decimal; stored as a string so no float ever sees it."""

    attr_type = STRING

    def serialize(self, value: Decimal) -> str:
        return str(Decimal(value))

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class UTCDateTimeAttribute(Attribute[dt.datetime]):
    """ISO-8601 in UTC with a trailing Z, so it sorts and reads the same everywhere."""

    attr_type = STRING

    def serialize(self, value: dt.datetime) -> str:
        return iso_utc(value)

    def deserialize(self, value: str) -> dt.datetime:
        return parse_iso_utc(value)


# ---------------------------------------------------------------- indexes


class PatientIndex(GlobalSecondaryIndex["TableItem"]):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class ProfessionalIndex(GlobalSecondaryIndex["TableItem"]):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(range_key=True, attr_name="GSI2SK")


# ---------------------------------------------------------------- base model

# DynamoDB Local accepts any credentials but botocore insists on some; never used against AWS.
LOCAL_CREDENTIAL = "local"


class TableItem(Model):
    """Every entity of the table; ``entity`` tells which subclass an item is."""

    class Meta:
        table_name = settings.DYNAMODB_TABLE
        host = settings.DYNAMODB_ENDPOINT
        region = settings.DYNAMODB_REGION
        billing_mode = "PAY_PER_REQUEST"
        max_pool_connections = 64
        if settings.DYNAMODB_ENDPOINT:
            aws_access_key_id = aws_secret_access_key = LOCAL_CREDENTIAL

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    entity = DiscriminatorAttribute(attr_name="entity")
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")
    expires_at = TTLAttribute(null=True)

    by_patient = PatientIndex()
    by_professional = ProfessionalIndex()


def configure(*, host: str | None, table_name: str | None = None) -> None:
    """Point the table at another endpoint (the test suite's DynamoDB Local)."""
    meta: Any = TableItem.Meta
    meta.host = host
    if host:
        meta.aws_access_key_id = meta.aws_secret_access_key = LOCAL_CREDENTIAL
    if table_name:
        meta.table_name = table_name
    for cls in [TableItem, *_subclasses(TableItem)]:
        cls._connection = None  # type: ignore[attr-defined]


def transaction(*, client_request_token: str | None = None) -> TransactWrite:
    """A TransactWriteItems on the table; every multi-item write goes through one."""
    return TransactWrite(
        connection=TableItem._get_connection().connection,
        client_request_token=client_request_token,
    )


def _subclasses(cls: type[TableItem]) -> list[type[TableItem]]:
    found: list[type[TableItem]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def table_ensure() -> str:
    """Create the table, or add what an older table lacks (a GSI, TTL). Safe to run again."""
    client = TableItem._get_connection().connection.client
    table_name = TableItem.Meta.table_name
    if not TableItem.exists():
        # create_table also switches TTL on.
        TableItem.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
        return "created"
    changes = []
    description = client.describe_table(TableName=table_name)["Table"]
    existing = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes", [])}
    schema: Any = TableItem._get_schema()
    for index in schema["global_secondary_indexes"]:
        if index["index_name"] in existing:
            continue
        # The schema dicts already use DynamoDB's own key names.
        client.update_table(
            TableName=table_name,
            AttributeDefinitions=index["attribute_definitions"],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index["index_name"],
                        "KeySchema": index["key_schema"],
                        "Projection": index["projection"],
                    }
                }
            ],
        )
        changes.append(index["index_name"])
    ttl = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") in (None, "DISABLED"):
        TableItem.update_ttl(ignore_update_ttl_errors=False)
        changes.append("TTL")
    return "updated: " + ", ".join(changes) if changes else "up to date"


# ---------------------------------------------------------------- request counting

# Every recorder open in this context: a test's recorder still sees calls made inside a
# request whose middleware opened its own.
_recorders: contextvars.ContextVar[tuple[list[str], ...]] = contextvars.ContextVar("dynamo_recorders", default=())


def _record_request(sender: Any, operation_name: str = "", **kwargs: Any) -> None:
    for operations in _recorders.get():
        operations.append(operation_name)


pre_dynamodb_send.connect(_record_request)


class count_requests:  # noqa: N801 - used as a context manager
    """Record the DynamoDB API calls made in this context (benchmark, response header, tests)."""

    def __enter__(self) -> count_requests:
        self.operations: list[str] = []
        self._token = _recorders.set((*_recorders.get(), self.operations))
        return self

    @property
    def value(self) -> int:
        return len(self.operations)

    def __exit__(self, *exc: object) -> None:
        _recorders.reset(self._token)
