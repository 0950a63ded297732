"""Who may do what, in one place: the matrix views, services and the API share.

Outsiders (no membership in the URL's clinic, not platform staff) get 404, so a
clinic's existence is not confirmed to them; members whose role lacks the
action get 403. A test checks every cell of the README's permission table against ``require()``.

``clinic_access`` is the one door of every clinic page: slug and action in,
the clinic and the ``Actor`` out. Services take the actor, never the request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from access.models import Membership, Role
from accounts.models import User
from clinics.selectors import ClinicContext, clinic_context, tenant_id_for_slug
from nexioq.errors import Forbidden, NotFound, SignInRequired
from nexioq.logs import log_context_set

OWNER = "owner"  # platform staff: every clinic


class Action(StrEnum):
    BOOK_ONLINE = "book_online"  # the public wizard up to picking a time
    CONFIRM_OWN_BOOKING = "confirm_own_booking"  # wizard step 3 as a signed-in patient
    VIEW_OWN_BOOKINGS = "view_own_bookings"
    CHANGE_OWN_BOOKINGS = "change_own_bookings"  # cancel or move one's own booking, before the cutoff
    MANAGE_BOOKINGS = "manage_bookings"  # any booking of the clinic (a dentist: their own agenda)
    MARK_ATTENDANCE = "mark_attendance"  # attended or no-show
    MANAGE_STAFF = "manage_staff"  # invite, change role, revoke
    VIEW_CLINIC_SETUP = "view_clinic_setup"  # the admin panel's treatments and professionals, read-only
    CONFIGURE_CLINIC = "configure_clinic"  # the admin panel: treatments, professionals, hours, settings, closures
    VIEW_AGENDA = "view_agenda"  # the staff calendar (a dentist: their own agenda) and a booking's details
    FIND_PATIENTS = "find_patients"  # the clinic's patient directory: search, create a phone or walk-in patient
    BLOCK_TIME = "block_time"  # block a professional's time (a dentist: their own)
    VIEW_REPORTS = "view_reports"  # figures, the printable day, the CSV export


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
    Action.CHANGE_OWN_BOOKINGS: frozenset({OWNER, Role.ADMIN, Role.DENTIST, Role.RECEPTION, Role.PATIENT}),
    Action.MANAGE_BOOKINGS: frozenset({OWNER, Role.ADMIN, Role.RECEPTION, Role.DENTIST}),
    Action.MARK_ATTENDANCE: frozenset({OWNER, Role.ADMIN, Role.RECEPTION, Role.DENTIST}),
    Action.MANAGE_STAFF: frozenset({OWNER, Role.ADMIN}),
    Action.VIEW_CLINIC_SETUP: frozenset({OWNER, Role.ADMIN, Role.RECEPTION, Role.DENTIST}),
    Action.CONFIGURE_CLINIC: frozenset({OWNER, Role.ADMIN}),
    Action.VIEW_AGENDA: frozenset({OWNER, Role.ADMIN, Role.RECEPTION, Role.DENTIST}),
    Action.FIND_PATIENTS: frozenset({OWNER, Role.ADMIN, Role.RECEPTION}),
    Action.BLOCK_TIME: frozenset({OWNER, Role.ADMIN, Role.DENTIST}),
    Action.VIEW_REPORTS: frozenset({OWNER, Role.ADMIN}),
}
# Roles that see every professional's agenda; a dentist sees only their own.
WHOLE_CLINIC_ROLES = frozenset({OWNER, Role.ADMIN, Role.RECEPTION})
SYSTEM = "system"  # Celery tasks and scheduled events: acts for the clinic, never signs in
PUBLIC_ROLES = frozenset({"anonymous", "authenticated"})
# An anonymous browser's id, kept in its session: it survives signing in (Django keeps
# the session's data when it cycles the key), so a time held before signing in stays yours.
BROWSER_KEY = "browser"


@dataclass(frozen=True)
class Actor:
    """Who acts at one clinic: a signed-in user, an anonymous browser, or the system, with their roles."""

    tenant_id: str
    roles: frozenset[str]
    user: User | None = None
    browser_key: str | None = None
    # The professionals whose agenda a dentist membership points at.
    professional_ids: frozenset[str] = frozenset()

    @classmethod
    def system(cls, *, tenant_id: str) -> Actor:
        return cls(tenant_id=tenant_id, roles=frozenset({SYSTEM}))

    @property
    def user_id(self) -> str | None:
        return str(self.user.pk) if self.user is not None else None

    @property
    def holder(self) -> str:
        """Who a hold made now belongs to: the user when signed in, else this browser."""
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.browser_key:
            return f"browser:{self.browser_key}"
        raise ValueError("an anonymous actor without a browser key cannot hold time")

    def owns_hold(self, holder: str) -> bool:
        """A hold made by this user, or by this browser before its user signed in."""
        mine = {f"browser:{self.browser_key}"} if self.browser_key else set()
        if self.user is not None:
            mine.add(f"user:{self.user.pk}")
        return holder in mine

    def allows(self, action: Action) -> bool:
        return SYSTEM in self.roles or bool(self.roles & MATRIX[action])

    @property
    def is_member(self) -> bool:
        return bool(self.roles - PUBLIC_ROLES)

    def sees_whole_clinic(self) -> bool:
        return SYSTEM in self.roles or bool(self.roles & WHOLE_CLINIC_ROLES)

    def manages_professional(self, professional_id: str) -> bool:
        """May act on bookings of this professional: whole-clinic staff, or the dentist whose agenda it is."""
        if self.sees_whole_clinic():
            return True
        return Role.DENTIST in self.roles and professional_id in self.professional_ids


def roles_at(*, user: User | AnonymousUser, tenant_id: str) -> tuple[frozenset[str], frozenset[str]]:
    """The user's roles at this clinic and the professionals of their dentist memberships: one query."""
    if not user.is_authenticated:
        return frozenset({"anonymous"}), frozenset()
    roles = {"authenticated"}
    if user.is_staff:
        roles.add(OWNER)
    professionals = set()
    for role, professional_id in Membership.objects.filter(user=user, tenant_id=tenant_id).values_list(
        "role", "professional_id"
    ):
        roles.add(role)
        if role == Role.DENTIST and professional_id:
            professionals.add(professional_id)
    return frozenset(roles), frozenset(professionals)


# The request's actor, kept on the request so the navigation reuses it instead of asking again.
REQUEST_ACTOR = "_nexioq_actor"


def actor_for(request: HttpRequest, *, tenant_id: str) -> Actor:
    user = request.user
    roles, professional_ids = roles_at(user=user, tenant_id=tenant_id)
    actor = Actor(
        tenant_id=tenant_id,
        roles=roles,
        user=user if isinstance(user, User) else None,
        browser_key=request.session.get(BROWSER_KEY),
        professional_ids=professional_ids,
    )
    setattr(request, REQUEST_ACTOR, actor)
    log_context_set(clinic_id=tenant_id, user_id=actor.user.pk if actor.user is not None else None)
    return actor


def request_actor(request: HttpRequest) -> Actor | None:
    """The actor this request's access check found, if it made one."""
    actor = getattr(request, REQUEST_ACTOR, None)
    return actor if isinstance(actor, Actor) else None


def browser_key_ensure(request: HttpRequest) -> str:
    """This browser's id, created when it first holds a time (not on every visit: no cookie for readers)."""
    key = request.session.get(BROWSER_KEY)
    if not key:
        key = secrets.token_urlsafe(16)
        request.session[BROWSER_KEY] = key
    return str(key)


def require(actor: Actor, action: Action) -> None:
    """404 for outsiders, a sign-in for anonymous visitors of members-only pages, 403 for a role without it."""
    if actor.allows(action):
        return
    members_only = not (MATRIX[action] & PUBLIC_ROLES)
    if "anonymous" in actor.roles and (members_only or "authenticated" in MATRIX[action]):
        raise SignInRequired()
    if members_only and not actor.is_member:
        raise NotFound(detail="not a member")
    raise Forbidden(detail=str(action))


def actor_access(request: HttpRequest, clinic_slug: str, action: Action) -> Actor:
    """Who acts at the URL's clinic, allowed to do ``action`` there; reads nothing of the clinic.

    For requests that go straight to a service (which reads what it needs): 404 for an unknown
    clinic or an outsider, a sign-in for an anonymous visitor of a members-only page, 403 for a
    member whose role lacks the action.
    """
    tenant_id = tenant_id_for_slug(slug=clinic_slug)
    actor = actor_for(request, tenant_id=tenant_id)
    require(actor, action)
    return actor


def clinic_access(
    request: HttpRequest,
    clinic_slug: str,
    action: Action,
    *,
    treatment_id: str | None = None,
    professional_id: str | None = None,
    editing: bool = False,
) -> tuple[ClinicContext, Actor]:
    """The one door of a clinic's pages: slug and action in, the clinic (with the treatment and
    professional the page needs, in one read) and the actor out.

    Access is decided before anything of the clinic is read, so an outsider learns nothing.
    """
    actor = actor_access(request, clinic_slug, action)
    context = clinic_context(
        tenant_id=actor.tenant_id, treatment_id=treatment_id, professional_id=professional_id, editing=editing
    )
    return context, actor
