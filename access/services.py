"""Memberships and invitations: who belongs to which clinic, in which role (Django ORM)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import STAFF_ROLES, Invitation, Membership, Role
from accounts.models import User


def patient_membership_ensure(*, user: User, tenant_id: str) -> bool:
    """Booking at a clinic makes the user one of its patients (once); True when it just did."""
    _membership, created = Membership.objects.get_or_create(user=user, tenant_id=tenant_id, role=Role.PATIENT)
    return created


def staff_list(*, tenant_id: str) -> list[Membership]:
    return list(
        Membership.objects.filter(tenant_id=tenant_id, role__in=STAFF_ROLES)
        .select_related("user")
        .order_by("role", "user__email")
    )


def invitation_list(*, tenant_id: str) -> list[Invitation]:
    return list(
        Invitation.objects.filter(
            tenant_id=tenant_id, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at")
    )


def invitation_create(*, tenant_id: str, email: str, role: str, invited_by: User) -> Invitation:
    if role not in STAFF_ROLES:
        raise ValidationError({"role": _("Choose a staff role.")})
    email = email.strip().lower()
    if Membership.objects.filter(tenant_id=tenant_id, user__email=email, role=role).exists():
        raise ValidationError({"email": _("This person already has that role here.")})
    return Invitation.objects.create(
        tenant_id=tenant_id,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=invited_by,
        expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS),
    )


class InvitationUnusable(Exception):
    """Used already, expired, or meant for another address."""


def invitation_accept(*, token: str, user: User) -> Membership:
    """Turn an invitation into a membership, once: a conditional update claims it, so a double click is harmless."""
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None or not invitation.usable or invitation.email != user.email.lower():
        raise InvitationUnusable(token)
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if not claimed:
            raise InvitationUnusable(token)
        membership, _created = Membership.objects.get_or_create(
            user=user, tenant_id=invitation.tenant_id, role=invitation.role
        )
    return membership


class LastAdmin(Exception):
    """The change would leave the clinic with no Admin membership: nobody could manage its staff."""

    def __init__(self) -> None:
        super().__init__(_("This clinic needs at least one administrator. Make someone else an administrator first."))


def _last_admin_refuse(membership: Membership) -> None:
    """Refuse to take the Admin role away from the clinic's last administrator.

    Call it inside the transaction that makes the change: it locks the clinic's Admin
    memberships, so two admins removing each other at the same moment cannot both pass.
    """
    if membership.role != Role.ADMIN:
        return
    admins = Membership.objects.select_for_update().filter(tenant_id=membership.tenant_id, role=Role.ADMIN)
    if not [pk for pk in admins.values_list("pk", flat=True) if pk != membership.pk]:
        raise LastAdmin


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role not in STAFF_ROLES:
        raise ValidationError({"role": _("Choose a staff role.")})
    if role == membership.role:
        return membership
    _last_admin_refuse(membership)
    if Membership.objects.filter(user=membership.user, tenant_id=membership.tenant_id, role=role).exists():
        membership.delete()  # they already hold the new role: the old one simply goes
        return Membership.objects.get(user=membership.user, tenant_id=membership.tenant_id, role=role)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    _last_admin_refuse(membership)
    membership.delete()


@transaction.atomic
def roles_replace_from_identity_provider(*, user: User, owner: bool, staff_roles: set[tuple[str, str]]) -> None:
    """Make the identity provider's groups the truth for a user's staff roles (patients are kept)."""
    if user.is_staff != owner:
        user.is_staff = owner
        user.save(update_fields=["is_staff"])
    for membership in Membership.objects.filter(user=user).exclude(role=Role.PATIENT):
        if (membership.tenant_id, membership.role) not in staff_roles:
            membership.delete()
    for tenant_id, role in staff_roles:
        Membership.objects.get_or_create(user=user, tenant_id=tenant_id, role=role)


def dentist_memberships(*, tenant_id: str) -> list[Membership]:
    """The clinic's Dentist memberships: the staff accounts a professional can be linked to."""
    return list(
        Membership.objects.filter(tenant_id=tenant_id, role=Role.DENTIST).select_related("user").order_by("user__email")
    )


@transaction.atomic
def professional_account_set(*, tenant_id: str, professional_id: str, membership_id: int | None) -> None:
    """Link a professional to one Dentist membership of the clinic (or to none), so that dentist
    sees this professional's agenda as their own. A professional has at most one account: any
    other membership pointing at it lets go."""
    chosen = None
    if membership_id is not None:
        chosen = Membership.objects.filter(pk=membership_id, tenant_id=tenant_id, role=Role.DENTIST).first()
        if chosen is None:
            raise ValidationError({"account": _("Choose a dentist of this clinic.")})
    others = Membership.objects.filter(tenant_id=tenant_id, professional_id=professional_id)
    if chosen is not None:
        others = others.exclude(pk=chosen.pk)
    others.update(professional_id="")
    if chosen is not None and chosen.professional_id != professional_id:
        chosen.professional_id = professional_id
        chosen.save(update_fields=["professional_id"])
