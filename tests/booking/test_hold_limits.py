"""Online visitors cannot hold a clinic's agenda: holds are limited per IP, per browser, and live per browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from booking.models import Hold
from nexioq import dynamo
from tests.conftest import People, World, at, make_world

pytestmark = pytest.mark.django_db


def pick(client: Client, world: World, start: dt.datetime, *, ip: str = "203.0.113.7"):  # type: ignore[no-untyped-def]
    url = reverse("booking-hold", args=[world.slug, world.check.treatment_id])
    return client.post(url, {"professional": world.ana.professional_id, "start": dynamo.iso_utc(start)}, REMOTE_ADDR=ip)


def holds_of(world: World) -> int:
    return len(
        list(Hold.query(dynamo.tenant_pk(world.tenant_id), Hold.sk.between(*dynamo.prefix_range(dynamo.HOLD_PREFIX))))
    )


def times(n: int) -> list[dt.datetime]:
    return [at(8) + dt.timedelta(minutes=15 * i) for i in range(n)]


@override_settings(HOLD_RATE_PER_IP="3/10m", HOLD_RATE_PER_SESSION="100/10m")
def test_it_answers_429_with_the_reason_once_an_ip_held_too_often(world: World) -> None:
    answers = [pick(Client(), world, start).status_code for start in times(4)]  # a new browser each time

    refused = pick(Client(), world, at(12))
    assert answers == [302, 302, 302, 429]
    assert refused.status_code == 429
    assert "muchas horas en poco tiempo" in refused.content.decode()
    assert holds_of(world) == 3
    assert pick(Client(), world, at(12), ip="198.51.100.9").status_code == 302  # another address is not limited


@override_settings(HOLD_RATE_PER_IP="100/10m", HOLD_RATE_PER_SESSION="2/10m")
def test_it_limits_one_browser_whatever_its_address(world: World) -> None:
    client = Client()

    answers = [pick(client, world, start, ip=f"198.51.100.{i}").status_code for i, start in enumerate(times(3))]

    assert answers == [302, 302, 429]
    assert holds_of(world) == 1  # picking again gives the previous time back


@override_settings(HOLD_MAX_LIVE_PER_SESSION=2)
def test_it_keeps_a_few_live_holds_per_browser_across_clinics(world: World) -> None:
    client = Client()
    other, third = make_world(), make_world()

    assert pick(client, world, at(9)).status_code == 302
    assert pick(client, other, at(9)).status_code == 302
    refused = pick(client, third, at(9))

    assert refused.status_code == 429
    assert "varias clínicas" in refused.content.decode()
    assert holds_of(third) == 0
    assert pick(client, world, at(10)).status_code == 302  # the same clinic again replaces its hold


@override_settings(HOLD_RATE_PER_IP="1/10m", HOLD_RATE_PER_SESSION="1/10m")
def test_it_does_not_limit_the_clinics_own_staff(world: World, people: People) -> None:
    client = Client()
    client.force_login(people.reception)

    answers = [pick(client, world, start).status_code for start in times(3)]

    assert answers == [302, 302, 302]
