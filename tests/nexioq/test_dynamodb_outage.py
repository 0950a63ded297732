"""DynamoDB failing in the middle of a request: a 503 that says to try again, and nothing half-written.

Outages use a second DynamoDB Local that keeps its data in a temporary directory: a hook stops it
right before the write a request is about to send, and the test starts it again on the same data
to see what was left. Other DynamoDB errors (a table that is not there) use the suite's own.
The session fixture ``dynamodb_local`` owns the table configuration; every test here puts it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from access.models import Membership
from booking.limits import SESSION_HOLDS
from booking.models import CellKind
from nexioq import devservers, dynamo
from nexioq.dynamo import iso_utc
from tests.booking.helpers import before_dynamodb, cells_of, clinic_bookings, clinic_partition
from tests.conftest import World, at, make_user, make_world
from tests.pages import assert_error_json, assert_error_page

pytestmark = pytest.mark.django_db

TRY_AGAIN = "Inténtalo de nuevo en un minuto"


@dataclass
class SpareDynamoDB:
    """A DynamoDB Local of these tests' own, which they may stop and start again on the same data."""

    port: int
    data_dir: Path
    process: Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.process = devservers.start_dynamodb_local(port=self.port, data_dir=self.data_dir)

    def stop(self) -> None:
        if self.process is not None:
            devservers.stop(self.process)


@pytest.fixture(scope="module")
def spare_dynamodb(dynamodb_local: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpareDynamoDB]:
    spare = SpareDynamoDB(port=devservers.free_port(), data_dir=tmp_path_factory.mktemp("dynamodb-outage"))
    spare.start()
    yield spare
    spare.stop()


@pytest.fixture
def table_restored(dynamodb_local: str) -> Iterator[None]:
    meta = dynamo.TableItem.Meta
    host, table_name = meta.host, meta.table_name
    yield
    dynamo.configure(host=host, table_name=table_name)


@pytest.fixture
def outage(spare_dynamodb: SpareDynamoDB, table_restored: None, frozen: time_machine.Coordinates) -> SpareDynamoDB:
    """The table on the spare DynamoDB Local, running."""
    spare_dynamodb.start()
    dynamo.configure(host=spare_dynamodb.endpoint, table_name="nexioq-outage")
    dynamo.table_ensure()
    return spare_dynamodb


@pytest.fixture
def spare_world(outage: SpareDynamoDB) -> World:
    return make_world()


def hold_url(world: World) -> str:
    return reverse("booking-hold", args=[world.slug, world.cleaning.treatment_id])


def pick(client: Client, world: World, hour: int):  # type: ignore[no-untyped-def]
    return client.post(hold_url(world), {"professional": world.ana.professional_id, "start": iso_utc(at(hour))})


def test_it_answers_503_when_dynamodb_goes_away_before_a_hold_is_written(
    client: Client, outage: SpareDynamoDB, spare_world: World
) -> None:
    before = clinic_partition(spare_world.tenant_id)

    with before_dynamodb("TransactWriteItems", outage.stop) as stopped:
        response = pick(client, spare_world, 9)

    assert stopped, "DynamoDB was never stopped: the request did not get to its write"
    assert_error_page(response, 503, "No disponible por el momento", TRY_AGAIN)
    assert response["Retry-After"]
    outage.start()
    assert clinic_partition(spare_world.tenant_id) == before  # no hold, no cells
    assert cells_of(spare_world, spare_world.ana.professional_id) == []
    assert SESSION_HOLDS not in client.session


def test_it_answers_503_when_dynamodb_goes_away_before_a_booking_is_written(
    client: Client, outage: SpareDynamoDB, spare_world: World
) -> None:
    user = make_user("paciente.nuevo@example.com")
    client.force_login(user)
    details_url = pick(client, spare_world, 9)["Location"]
    held = clinic_partition(spare_world.tenant_id)

    with before_dynamodb("TransactWriteItems", outage.stop) as stopped:
        response = client.post(details_url, {"name": "Ana Pérez", "phone": "300 123 4567"})

    assert stopped, "DynamoDB was never stopped: the confirmation did not get to its write"
    assert_error_page(response, 503, TRY_AGAIN)
    outage.start()
    # The hold and its cells are as they were: the time is still the patient's to confirm.
    assert clinic_partition(spare_world.tenant_id) == held
    assert clinic_bookings(spare_world) == []
    assert {cell.kind for cell in cells_of(spare_world, spare_world.ana.professional_id)} == {CellKind.HOLD}
    assert not Membership.objects.filter(user=user).exists()
    assert len(client.session[SESSION_HOLDS]) == 1
    # Trying again once DynamoDB is back books it, once.
    again = client.post(details_url, {"name": "Ana Pérez", "phone": "300 123 4567"})
    assert again.status_code == 302
    [booking] = clinic_bookings(spare_world)
    assert booking.start == at(9)
    assert Membership.objects.filter(user=user, tenant_id=spare_world.tenant_id).exists()


def test_it_answers_503_json_when_dynamodb_goes_away_during_an_availability_read(
    client: Client, outage: SpareDynamoDB, spare_world: World
) -> None:
    url = reverse("booking-availability", args=[spare_world.slug, spare_world.cleaning.treatment_id])

    with before_dynamodb("Query", outage.stop) as stopped:
        response = client.get(url, {"professional": spare_world.ana.professional_id})

    assert stopped
    assert_error_json(response, 503, TRY_AGAIN)
    assert response["Retry-After"]


# ---------------------------------------------------------------- DynamoDB answers, with an error


@pytest.fixture
def missing_table(table_restored: None, dynamodb_local: str) -> str:
    return f"nexioq-missing-{uuid.uuid4().hex[:8]}"


def test_it_answers_503_when_the_table_is_not_there(client: Client, world: World, missing_table: str) -> None:
    dynamo.configure(host=dynamo.TableItem.Meta.host, table_name=missing_table)

    page = client.get(reverse("booking-start", args=[world.slug]))
    api = client.get(reverse("booking-availability", args=[world.slug, world.cleaning.treatment_id]))

    assert_error_page(page, 503, TRY_AGAIN)
    assert_error_json(api, 503, TRY_AGAIN)


def test_it_answers_503_when_the_table_is_deleted_before_a_hold_is_written(
    client: Client, missing_table: str, frozen: time_machine.Coordinates
) -> None:
    dynamo.configure(host=dynamo.TableItem.Meta.host, table_name=missing_table)
    dynamo.table_ensure()
    world = make_world()

    with before_dynamodb("TransactWriteItems", dynamo.TableItem.delete_table) as deleted:
        response = pick(client, world, 9)

    assert deleted
    assert_error_page(response, 503, TRY_AGAIN)
    assert SESSION_HOLDS not in client.session


def test_it_keeps_a_new_hold_when_dynamodb_goes_away_while_the_previous_one_is_given_back(
    client: Client, outage: SpareDynamoDB, spare_world: World
) -> None:
    """The new time is held and written: a failed release of the old one only leaves it to expire."""
    assert pick(client, spare_world, 9).status_code == 302

    writes: list[str] = []

    def stop_at_the_release() -> None:
        # The next pick writes the new hold first, then gives the 09:00 hold back.
        writes.append("write")
        if len(writes) == 2:
            outage.stop()

    with before_dynamodb("TransactWriteItems", stop_at_the_release, times=2):
        response = pick(client, spare_world, 11)

    outage.start()
    assert len(writes) == 2, "the release was never attempted"
    assert response.status_code == 302
    held_at = {c.kind for c in cells_of(spare_world, spare_world.ana.professional_id)}
    assert held_at == {CellKind.HOLD}
    assert list(client.session[SESSION_HOLDS]) == [response["Location"].rstrip("/").rsplit("/", 1)[1]]
