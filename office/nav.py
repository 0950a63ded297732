"""What every back-office page's navigation needs: what the actor may open, and whether to offer a switch."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from access.models import STAFF_ROLES, Membership
from access.permissions import Action, Actor, request_actor
from clinics.models import Clinic
from clinics.pages import clinic_render


def nav_for(actor: Actor) -> dict[str, bool]:
    other_clinics = False
    if actor.user is not None:
        # One small SQL query: whether a clinic switcher is worth showing.
        other_clinics = (
            actor.user.is_staff
            or Membership.objects.filter(user=actor.user, role__in=STAFF_ROLES)
            .exclude(tenant_id=actor.tenant_id)
            .exists()
        )
    return {
        "agenda": actor.allows(Action.VIEW_AGENDA),
        "patients": actor.allows(Action.FIND_PATIENTS),
        "reports": actor.allows(Action.VIEW_REPORTS),
        "admin": actor.allows(Action.CONFIGURE_CLINIC),
        "setup": actor.allows(Action.VIEW_CLINIC_SETUP),
        "switch": other_clinics,
    }


def staff_nav(*, clinic: Clinic, actor: Actor) -> dict[str, Any]:
    """Template context for ``office/_base.html``: pass it with every back-office page."""
    return {"clinic": clinic, "actor": actor, "nav": nav_for(actor)}


def render_office(
    request: HttpRequest,
    clinic: Clinic,
    actor: Actor,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A back-office page: with the staff navigation, and in the clinic's time zone (every time on
    it is the clinic's wall clock)."""
    response = clinic_render(
        request, clinic, template, {**staff_nav(clinic=clinic, actor=actor), **context}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def context(request: HttpRequest) -> dict[str, Any]:
    """The navigation of any clinic page whose view checked access (the admin panel's pages too),
    from the actor that check found: no second look at the memberships for the roles."""
    actor = request_actor(request)
    if actor is None or not actor.is_member:
        return {}
    # Lazy: a view that passes its own ``nav`` (staff_nav) hides this one, which then costs nothing.
    return {"nav": SimpleLazyObject(lambda: nav_for(actor))}
