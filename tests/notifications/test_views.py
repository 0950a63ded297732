"""The outbox's pages and settings: unsubscribing by link, the failed messages page, the profile and clinic toggles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.models import User
from clinics.selectors import clinic_get
from notifications import messages, outbox
from notifications.models import OutboxStatus
from notifications.selectors import outbox_item_get
from tests.booking.helpers import clinic_partition
from tests.conftest import NOW, People, World, at, book
from tests.notifications.helpers import failed_item

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(world: World, people: People) -> str:
    return messages.unsubscribe_token(booking=book(world, at(9), patient_id=str(people.patient.pk)))


def test_the_link_asks_first_and_changes_nothing_until_confirmed(world: World, people: People) -> None:
    token = _token(world, people)

    response = Client().get(reverse("notifications-unsubscribe", args=[token]))

    assert response.status_code == 200
    assert "Stop reminders" in response.content.decode() or "Dejar de recibir" in response.content.decode()
    people.patient.refresh_from_db()
    assert people.patient.reminders is True


def test_confirming_turns_reminders_off_without_signing_in(world: World, people: People) -> None:
    token = _token(world, people)

    response = Client().post(reverse("notifications-unsubscribe", args=[token]))

    assert response.status_code == 200
    assert 'data-testid="unsubscribed"' in response.content.decode()
    assert User.objects.get(pk=people.patient.pk).reminders is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_is_not_found_and_changes_nothing(world: World, people: People, method: str) -> None:
    token = _token(world, people)
    forged = signing.dumps({"u": str(people.admin.pk)}, salt="another.purpose")
    # Another user's id in the payload, with this token's signature.
    swapped = ":".join([signing.b64_encode(f'{{"u":"{people.admin.pk}"}}'.encode()).decode(), *token.split(":")[1:]])

    for bad in ("garbage", token[:-3], forged, swapped, token + "x"):
        response = getattr(Client(), method)(reverse("notifications-unsubscribe", args=[bad]))
        assert response.status_code == 404, bad

    assert not User.objects.filter(reminders=False).exists()


def test_a_token_of_an_account_deleted_since_is_not_found(world: World, people: People) -> None:
    token = _token(world, people)
    people.patient.delete()

    assert Client().post(reverse("notifications-unsubscribe", args=[token])).status_code == 404


def test_the_profile_turns_reminders_off_and_on(world: World, people: People) -> None:
    client = signed_in(people.patient)
    data = {"full_name": "Patricia Paciente", "phone": "", "language": "es"}

    page = client.get(reverse("portal-profile"))
    client.post(reverse("portal-profile"), data)
    off = User.objects.get(pk=people.patient.pk).reminders
    client.post(reverse("portal-profile"), {**data, "reminders": "on"})

    assert 'name="reminders"' in page.content.decode() and "checked" in page.content.decode()
    assert off is False
    assert User.objects.get(pk=people.patient.pk).reminders is True


def test_the_clinic_turns_its_own_messages_on_in_the_panel(world: World, people: People) -> None:
    from tests.panel.test_settings_page import form, save_url

    page = signed_in(people.admin).get(reverse("panel-settings", args=[world.slug]))
    response = signed_in(people.admin).post(save_url(world), form(world, notify_clinic="on"))

    assert 'name="notify_clinic"' in page.content.decode()
    assert response.status_code in (200, 302)
    assert clinic_get(tenant_id=world.tenant_id).notify_clinic is True


def test_the_failed_messages_page_lists_them_with_a_resend_button(world: World, people: People) -> None:
    booking = book(world, at(9))
    failed_item(world, booking_id=booking.booking_id, now=NOW)

    response = signed_in(people.admin).get(reverse("notifications-failed", args=[world.slug]))

    body = response.content.decode()
    assert response.status_code == 200
    assert booking.reference in body and "SMTPDataError 554" in body
    assert reverse("notifications-resend", args=[world.slug, outbox.confirmed_id(booking.booking_id)]) in body
    assert f'href="{reverse("notifications-failed", args=[world.slug])}"' in body  # the nav's link, current


def test_an_empty_failed_list_says_so(world: World, people: People) -> None:
    response = signed_in(people.admin).get(reverse("notifications-failed", args=[world.slug]))

    assert 'data-testid="no-failed"' in response.content.decode()


def test_resend_puts_the_message_back_on_the_due_index(world: World, people: People) -> None:
    booking = book(world, at(9))
    item = failed_item(world, booking_id=booking.booking_id, now=NOW - dt.timedelta(hours=1))

    response = signed_in(people.admin).post(reverse("notifications-resend", args=[world.slug, item.item_id]))

    resent = outbox_item_get(tenant_id=world.tenant_id, item_id=item.item_id)
    assert response.status_code == 302
    assert (resent.status, resent.attempts, resent.due_at) == (OutboxStatus.PENDING, 0, NOW)


@pytest.mark.parametrize("role", ["dentist", "reception", "patient"])
def test_other_roles_cannot_resend_and_nothing_changes(world: World, people: People, role: str) -> None:
    booking = book(world, at(9))
    item = failed_item(world, booking_id=booking.booking_id, now=NOW)
    before = clinic_partition(world.tenant_id)

    response = signed_in(getattr(people, role)).post(reverse("notifications-resend", args=[world.slug, item.item_id]))

    assert response.status_code == 403
    assert clinic_partition(world.tenant_id) == before


def test_another_clinics_admin_finds_nothing(world: World, people: People) -> None:
    booking = book(world, at(9))
    item = failed_item(world, booking_id=booking.booking_id, now=NOW)
    before = clinic_partition(world.tenant_id)
    outsider = signed_in(people.outsider)

    assert outsider.get(reverse("notifications-failed", args=[world.slug])).status_code == 404
    assert outsider.post(reverse("notifications-resend", args=[world.slug, item.item_id])).status_code == 404
    assert clinic_partition(world.tenant_id) == before


def test_resending_an_unknown_message_is_not_found(world: World, people: People) -> None:
    response = signed_in(people.admin).post(reverse("notifications-resend", args=[world.slug, "no-such-item"]))

    assert response.status_code == 404
