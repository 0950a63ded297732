"""What every back-office page's navigation needs: the clinic, what the actor may open, other clinics."""

from __future__ import annotations

from typing import Any

from access.models import STAFF_ROLES, Membership
from access.permissions import Action, Actor
from clinics.models import Clinic


def staff_nav(*, clinic: Clinic, actor: Actor) -> dict[str, Any]:
    """Template context for ``office/_base.html``: pass it with every back-office page."""
    other_clinics = False
    if actor.user is not None:
        # One small SQL query: whether a clinic switcher is worth showing.
        other_clinics = (
            Membership.objects.filter(user=actor.user, role__in=STAFF_ROLES)
            .exclude(tenant_id=clinic.tenant_id)
            .exists()
            or actor.user.is_staff
        )
    return {
        "clinic": clinic,
        "actor": actor,
        "nav": {
            "agenda": actor.allows(Action.VIEW_AGENDA),
            "patients": actor.allows(Action.FIND_PATIENTS),
            "reports": actor.allows(Action.VIEW_REPORTS),
            "admin": actor.allows(Action.CONFIGURE_CLINIC),
            "setup": actor.allows(Action.VIEW_CLINIC_SETUP),
            "switch": other_clinics,
        },
    }
