"""Django admin for memberships and invitations (ORM; Django's model permissions apply)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.models import Invitation, Membership, Role
from accounts.models import User
from tests.clinics.admin.conftest import change_url, new_clinic, unique

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamodb_local", "frozen")]


def test_it_lists_and_searches_memberships(admin_client: Client) -> None:
    clinic = new_clinic()
    ana = User.objects.create_user(email=f"ana-{unique()}@example.com")
    ben = User.objects.create_user(email=f"ben-{unique()}@example.com")
    Membership.objects.create(user=ana, tenant_id=clinic.tenant_id, role=Role.DENTIST)
    Membership.objects.create(user=ben, tenant_id=clinic.tenant_id, role=Role.PATIENT)
    url = reverse("admin:access_membership_changelist")

    by_email = admin_client.get(url, {"q": ana.email}).content.decode()
    by_role = admin_client.get(url, {"role__exact": Role.PATIENT, "q": clinic.tenant_id}).content.decode()

    assert ana.email in by_email and ben.email not in by_email
    assert ben.email in by_role and ana.email not in by_role
    assert f'href="{change_url(clinic)}"' in by_email  # the clinic column leads to the clinic


def test_it_refuses_a_membership_for_an_unknown_clinic(admin_client: Client) -> None:
    user = User.objects.create_user(email=f"carla-{unique()}@example.com")

    response = admin_client.post(
        reverse("admin:access_membership_add"),
        {"user": str(user.pk), "tenant_id": "no-such-clinic", "role": Role.RECEPTION, "professional_id": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tenant_id"]
    assert not Membership.objects.filter(user=user).exists()


def test_it_adds_a_membership_for_a_real_clinic(admin_client: Client) -> None:
    clinic = new_clinic()
    user = User.objects.create_user(email=f"dora-{unique()}@example.com")

    response = admin_client.post(
        reverse("admin:access_membership_add"),
        {"user": str(user.pk), "tenant_id": clinic.tenant_id, "role": Role.RECEPTION, "professional_id": ""},
    )

    assert response.status_code == 302
    assert Membership.objects.filter(user=user, tenant_id=clinic.tenant_id, role=Role.RECEPTION).exists()


def test_it_lists_invitations_without_their_tokens(admin_client: Client) -> None:
    clinic = new_clinic()
    invitation = Invitation.objects.create(
        tenant_id=clinic.tenant_id,
        email=f"eva-{unique()}@example.com",
        role=Role.DENTIST,
        token="secret-token-value",
        expires_at=timezone.now() + dt.timedelta(days=7),
    )

    listing = admin_client.get(reverse("admin:access_invitation_changelist"), {"q": invitation.email})
    detail = admin_client.get(reverse("admin:access_invitation_change", args=[invitation.pk]))

    assert invitation.email in listing.content.decode()
    assert detail.status_code == 200
    assert "secret-token-value" not in listing.content.decode() + detail.content.decode()
    assert admin_client.get(reverse("admin:access_invitation_add")).status_code == 403
