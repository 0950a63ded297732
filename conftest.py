"""Servers the suite needs, started once per run on free loopback ports."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from nexioq import devservers

# Redis, the SMTP sink, the Celery worker and beat: fixtures that start their server only when a test asks.
pytest_plugins = ["tests.servers"]


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[str]:
    """DynamoDB Local in memory; the table is created like in production (``dynamo_table``)."""
    from nexioq import dynamo

    port = devservers.free_port()
    process = devservers.start_dynamodb_local(port=port, data_dir=None)
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["DYNAMODB_ENDPOINT"] = endpoint
    dynamo.configure(host=endpoint)
    dynamo.table_ensure()
    yield endpoint
    devservers.stop(process)
