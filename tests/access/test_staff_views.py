from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from access.models import Invitation, Membership, Role
from tests.conftest import People, World, make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def invite(client: Client, world: World, email: str = "new.dentist@example.com", role: str = "dentist"):  # type: ignore[no-untyped-def]
    return client.post(reverse("access-staff-invite", args=[world.slug]), {"email": email, "role": role})


def test_it_lists_the_staff_to_an_admin(world: World, people: People) -> None:
    response = signed_in(people.admin).get(reverse("access-staff", args=[world.slug]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "dentist@clinic-a.example" in body and "reception@clinic-a.example" in body
    assert "patient@clinic-a.example" not in body  # patients are not staff
    assert "admin@clinic-b.example" not in body


@pytest.mark.parametrize("who", ["dentist", "reception", "patient"])
def test_it_forbids_other_roles(world: World, people: People, who: str) -> None:
    client = signed_in(getattr(people, who))

    assert client.get(reverse("access-staff", args=[world.slug])).status_code == 403
    assert invite(client, world).status_code == 403
    assert Invitation.objects.count() == 0


def test_it_hides_the_clinic_from_another_clinics_admin(world: World, people: People) -> None:
    client = signed_in(people.outsider)
    someone = Membership.objects.get(user=people.dentist)

    assert client.get(reverse("access-staff", args=[world.slug])).status_code == 404
    assert invite(client, world).status_code == 404
    assert client.post(reverse("access-staff-revoke", args=[world.slug, someone.pk])).status_code == 404
    assert Membership.objects.filter(pk=someone.pk).exists()


def test_it_invites_by_email_and_the_link_works_once(world: World, people: People) -> None:
    response = invite(signed_in(people.admin), world)

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new.dentist@example.com"]
    link = re.search(r"http://testserver(/invitations/[^/\s]+/)", message.body)
    assert link is not None
    invited = signed_in(make_user("new.dentist@example.com"))

    page = invited.get(link.group(1))
    accepted = invited.post(link.group(1))
    again = invited.post(link.group(1))

    assert page.status_code == 200 and "Odontólogo" in page.content.decode()
    assert accepted.status_code == 302
    assert again.status_code == 410
    assert Membership.objects.filter(user__email="new.dentist@example.com", role=Role.DENTIST).count() == 1


def test_it_refuses_an_expired_invitation(world: World, people: People) -> None:
    invite(signed_in(people.admin), world)
    invitation = Invitation.objects.get()
    invitation.expires_at = invitation.created_at - dt.timedelta(seconds=1)
    invitation.save()

    response = signed_in(make_user("new.dentist@example.com")).post(
        reverse("access-invitation", args=[invitation.token])
    )

    assert response.status_code == 410
    assert not Membership.objects.filter(user__email="new.dentist@example.com").exists()


def test_it_refuses_an_invitation_meant_for_someone_else(world: World, people: People) -> None:
    invite(signed_in(people.admin), world)
    token = Invitation.objects.get().token

    response = signed_in(people.patient).post(reverse("access-invitation", args=[token]))

    assert response.status_code == 403
    assert Invitation.objects.get().accepted_at is None


def test_it_sends_an_anonymous_invitee_to_sign_in(world: World, people: People) -> None:
    invite(signed_in(people.admin), world)
    token = Invitation.objects.get().token

    response = Client().get(reverse("access-invitation", args=[token]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_rejects_a_bad_invitation_form(world: World, people: People) -> None:
    response = invite(signed_in(people.admin), world, email="not-an-email", role="owner")

    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_it_changes_and_revokes_a_role(world: World, people: People) -> None:
    client = signed_in(people.admin)
    dentist = Membership.objects.get(user=people.dentist, tenant_id=world.tenant_id)

    changed = client.post(reverse("access-staff-role", args=[world.slug, dentist.pk]), {"role": "reception"})
    revoked = client.post(reverse("access-staff-revoke", args=[world.slug, dentist.pk]))

    assert (changed.status_code, revoked.status_code) == (302, 302)
    assert not Membership.objects.filter(user=people.dentist, tenant_id=world.tenant_id).exists()


def test_it_lets_the_platform_owner_manage_any_clinic(world: World, people: People) -> None:
    assert signed_in(people.owner).get(reverse("access-staff", args=[world.slug])).status_code == 200


# ---------------------------------------------------------------- the last admin

LAST_ADMIN = "Esta clínica necesita al menos un administrador"


def staff_of(world: World) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(tenant_id=world.tenant_id).values_list("user__email", "role"))


def test_it_refuses_to_let_the_last_admin_demote_themself(world: World, people: People) -> None:
    own = Membership.objects.get(user=people.admin, tenant_id=world.tenant_id)
    before = staff_of(world)

    response = signed_in(people.admin).post(
        reverse("access-staff-role", args=[world.slug, own.pk]), {"role": "dentist"}
    )

    assert response.status_code == 400
    assert LAST_ADMIN in response.content.decode()
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN
    assert staff_of(world) == before


def test_it_refuses_to_let_the_last_admin_revoke_themself(world: World, people: People) -> None:
    own = Membership.objects.get(user=people.admin, tenant_id=world.tenant_id)
    before = staff_of(world)

    response = signed_in(people.admin).post(reverse("access-staff-revoke", args=[world.slug, own.pk]))

    assert response.status_code == 400
    assert LAST_ADMIN in response.content.decode()
    assert staff_of(world) == before


def test_it_refuses_the_platform_owner_too(world: World, people: People) -> None:
    admin = Membership.objects.get(user=people.admin, tenant_id=world.tenant_id)
    before = staff_of(world)
    owner = signed_in(people.owner)

    demoted = owner.post(reverse("access-staff-role", args=[world.slug, admin.pk]), {"role": "reception"})
    revoked = owner.post(reverse("access-staff-revoke", args=[world.slug, admin.pk]))

    assert (demoted.status_code, revoked.status_code) == (400, 400)
    assert staff_of(world) == before


def test_it_refuses_to_fold_the_last_admins_role_into_another_they_hold(world: World, people: People) -> None:
    # Holding Dentist as well, "change Admin to Dentist" would delete the Admin membership.
    Membership.objects.create(user=people.admin, tenant_id=world.tenant_id, role=Role.DENTIST)
    own = Membership.objects.get(user=people.admin, tenant_id=world.tenant_id, role=Role.ADMIN)
    before = staff_of(world)

    response = signed_in(people.admin).post(
        reverse("access-staff-role", args=[world.slug, own.pk]), {"role": "dentist"}
    )

    assert response.status_code == 400
    assert staff_of(world) == before


def test_it_lets_one_of_two_admins_leave(world: World, people: People) -> None:
    second = make_user("second.admin@clinic-a.example")
    Membership.objects.create(user=second, tenant_id=world.tenant_id, role=Role.ADMIN)
    own = Membership.objects.get(user=people.admin, tenant_id=world.tenant_id)

    response = signed_in(people.admin).post(reverse("access-staff-revoke", args=[world.slug, own.pk]))

    # The staff page is no longer theirs: they land on the clinic's page.
    assert response.status_code == 302
    assert response["Location"] == reverse("booking-start", args=[world.slug])
    assert not Membership.objects.filter(pk=own.pk).exists()
    assert Membership.objects.filter(tenant_id=world.tenant_id, role=Role.ADMIN).get().user == second
    # ...and the one left may not leave in turn.
    last = Membership.objects.get(user=second, tenant_id=world.tenant_id)
    assert signed_in(second).post(reverse("access-staff-revoke", args=[world.slug, last.pk])).status_code == 400
    assert Membership.objects.filter(pk=last.pk).exists()


def test_it_lets_one_of_two_admins_step_down_to_another_role(world: World, people: People) -> None:
    other = Membership.objects.get(user=people.dentist, tenant_id=world.tenant_id)
    signed_in(people.admin).post(reverse("access-staff-role", args=[world.slug, other.pk]), {"role": "admin"})
    own = Membership.objects.get(user=people.admin, tenant_id=world.tenant_id)

    response = signed_in(people.admin).post(
        reverse("access-staff-role", args=[world.slug, own.pk]), {"role": "reception"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(pk=own.pk).role == Role.RECEPTION
    assert Membership.objects.get(pk=other.pk).role == Role.ADMIN


def test_it_keeps_a_role_saved_unchanged(world: World, people: People) -> None:
    dentist = Membership.objects.get(user=people.dentist, tenant_id=world.tenant_id)

    response = signed_in(people.admin).post(
        reverse("access-staff-role", args=[world.slug, dentist.pk]), {"role": "dentist"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("access-staff", args=[world.slug])
    assert Membership.objects.get(pk=dentist.pk).role == Role.DENTIST
