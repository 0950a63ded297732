"""Onboarding a clinic: the platform owner creates it and invites its first Admin in one step;
the Admin follows the e-mailed link and lands on the clinic's panel."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from access.models import Invitation, Membership, Role
from clinics import selectors
from tests.clinics.admin.conftest import form_data, unique
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamodb_local", "frozen")]

ADD = "admin:clinics_clinic_add"


def test_it_creates_the_clinic_and_invites_its_first_admin(staff_client: Client) -> None:
    slug = f"nueva-{unique()}"

    response = staff_client.post(reverse(ADD), form_data(slug=slug, first_admin_email=" Duena@Sonrisa.Example "))

    assert response.status_code == 302
    tenant_id = selectors.tenant_id_for_slug(slug=slug)
    invitation = Invitation.objects.get(tenant_id=tenant_id)
    assert (invitation.email, invitation.role) == ("duena@sonrisa.example", Role.ADMIN)
    [sent] = mail.outbox
    assert sent.to == ["duena@sonrisa.example"]
    assert reverse("access-invitation", args=[invitation.token]) in sent.body
    assert "Sonrisa Centro" in sent.subject


def test_it_creates_no_invitation_without_an_address(staff_client: Client) -> None:
    staff_client.post(reverse(ADD), form_data(slug=f"sola-{unique()}"))

    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_it_refuses_a_bad_address_and_creates_nothing(staff_client: Client) -> None:
    slug = f"mala-{unique()}"

    response = staff_client.post(reverse(ADD), form_data(slug=slug, first_admin_email="not-an-address"))

    assert response.status_code == 400
    assert "first_admin_email" in response.context["form"].errors
    assert Invitation.objects.count() == 0
    with pytest.raises(selectors.NotFound):
        selectors.tenant_id_for_slug(slug=slug)


def test_the_invited_admin_lands_on_the_panel_home(staff_client: Client) -> None:
    slug = f"inicio-{unique()}"
    staff_client.post(reverse(ADD), form_data(slug=slug, first_admin_email="primera@sonrisa.example"))
    link = re.search(r"https?://\S+", mail.outbox[0].body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[1]
    admin = make_user("primera@sonrisa.example")
    client = Client()
    client.force_login(admin)

    assert client.get(path).status_code == 200
    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("panel-home", args=[slug])
    tenant_id = selectors.tenant_id_for_slug(slug=slug)
    assert Membership.objects.filter(user=admin, tenant_id=tenant_id, role=Role.ADMIN).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "not a phone"}, "phone"),
        ({"currency": "XAU"}, "currency"),
        ({"currency": "ADP"}, "currency"),
        ({"country": "XA"}, "country"),
        ({"time_zone": "Nowhere/Never"}, "time_zone"),
        ({"reminder_offsets": "2 h, 2 h"}, "reminder_offsets"),
    ],
)
def test_it_applies_the_panels_choice_and_phone_rules(
    staff_client: Client, changes: dict[str, Any], field: str
) -> None:
    response = staff_client.post(reverse(ADD), form_data(slug=f"regla-{unique()}", **changes))

    assert response.status_code == 400
    assert field in response.context["form"].errors
