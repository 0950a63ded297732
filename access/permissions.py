"""Who may do what, in one place: the matrix views and the API share.

Outsiders (no membership in the URL's clinic, not platform staff) get 404, so a
clinic's existence is not confirmed to them; members whose role lacks the
action get 403. The README's permission table is generated from ``MATRIX``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from access.models import Membership, Role
from accounts.models import User

OWNER = "owner"  # platform staff: every clinic


class Action(StrEnum):
    BOOK_ONLINE = "book_online"  # the public wizard up to picking a time
    CONFIRM_OWN_BOOKING = "confirm_own_booking"  # wizard step 3 as a signed-in patient
    VIEW_OWN_BOOKINGS = "view_own_bookings"
    MANAGE_STAFF = "manage_staff"  # invite, change role, revoke


MATRIX: dict[Action, frozenset[str]] = {
    # Anyone, signed in or not: the public wizard up to holding a time.
    Action.BOOK_ONLINE: frozenset(
        {"anonymous", "authenticated", OWNER, Role.ADMIN, Role.DENTIST, Role.RECEPTION, Role.PATIENT}
    ),
    # Anyone signed in may book for themselves: the first booking makes them the clinic's patient.
    Action.CONFIRM_OWN_BOOKING: frozenset(
        {"authenticated", OWNER, Role.ADMIN, Role.DENTIST, Role.RECEPTION, Role.PATIENT}
    ),
    Action.VIEW_OWN_BOOKINGS: frozenset({OWNER, Role.ADMIN, Role.DENTIST, Role.RECEPTION, Role.PATIENT}),
    Action.MANAGE_STAFF: frozenset({OWNER, Role.ADMIN}),
}


@dataclass(frozen=True)
class Access:
    """What the current user is at the URL's clinic."""

    tenant_id: str
    roles: frozenset[str]
    user: User | None

    def allows(self, action: Action) -> bool:
        return bool(self.roles & MATRIX[action])


def roles_at(*, user: User | AnonymousUser, tenant_id: str) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset({"anonymous"})
    roles = {"authenticated"}
    if user.is_staff:
        roles.add(OWNER)
    roles.update(Membership.objects.filter(user=user, tenant_id=tenant_id).values_list("role", flat=True))
    return frozenset(roles)


def require(*, user: User | AnonymousUser, tenant_id: str, action: Action) -> Access:
    """Resolve the user's roles at this clinic once; 404 for outsiders, 403 for a role without the action."""
    roles = roles_at(user=user, tenant_id=tenant_id)
    access = Access(tenant_id=tenant_id, roles=roles, user=user if isinstance(user, User) else None)
    if access.allows(action):
        return access
    members_only = not (MATRIX[action] & {"anonymous", "authenticated"})
    is_member = bool(roles - {"anonymous", "authenticated"})
    if members_only and not is_member:
        raise Http404("No such clinic")
    raise PermissionDenied(action)
