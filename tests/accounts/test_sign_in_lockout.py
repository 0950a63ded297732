from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    cache.clear()  # allauth counts failed sign-ins in the cache


def sign_in(client: Client, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_login"), {"login": "ana@example.com", "password": password})


def test_it_signs_in_with_the_right_password() -> None:
    make_user("ana@example.com")

    response = sign_in(Client(), PASSWORD)

    assert response.status_code == 302


def test_it_locks_the_account_out_after_repeated_failures() -> None:
    make_user("ana@example.com")
    client = Client()

    failures = [sign_in(client, "wrong-password").status_code for _ in range(5)]
    locked = sign_in(client, PASSWORD)

    assert failures == [200] * 5  # the form again, with an error
    assert locked.status_code == 200  # the form again, refusing even the right password
    assert "Demasiados intentos fallidos" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_locks_out_per_address_whatever_the_ip() -> None:
    make_user("ana@example.com")

    for i in range(5):
        sign_in(Client(REMOTE_ADDR=f"10.0.0.{i}"), "wrong-password")
    elsewhere = Client(REMOTE_ADDR="10.0.0.99")
    locked = sign_in(elsewhere, PASSWORD)

    assert "Demasiados intentos fallidos" in locked.content.decode()
    assert "_auth_user_id" not in elsewhere.session
