"""Where a signed-in person lands, and picking the clinic to work in when one has several."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from access.models import STAFF_ROLES, Membership, Role
from accounts.models import User
from booking.selectors import clinics_by_id
from clinics.models import Clinic
from nexioq.errors import NotFound

# The clinic last picked, remembered in the browser for a year so it is picked once, not at every sign-in.
CLINIC_COOKIE = "nexioq_clinic"
CLINIC_COOKIE_SALT = "office.clinic"
CLINIC_COOKIE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class Workplace:
    clinic: Clinic
    roles: list[str]


def _workplaces(user: User) -> list[Workplace]:
    """The clinics where the user has a staff role, by name: one SQL query and one BatchGetItem."""
    roles: dict[str, list[str]] = {}
    for tenant_id, role in Membership.objects.filter(user=user, role__in=STAFF_ROLES).values_list("tenant_id", "role"):
        roles.setdefault(tenant_id, []).append(str(Role(role).label))
    clinics = clinics_by_id(tenant_ids=list(roles))
    places = [Workplace(clinic=clinics[t], roles=r) for t, r in roles.items() if t in clinics]
    return sorted(places, key=lambda p: p.clinic.name.lower())


def _remembered(request: HttpRequest) -> str | None:
    try:
        return str(request.get_signed_cookie(CLINIC_COOKIE, salt=CLINIC_COOKIE_SALT, max_age=CLINIC_COOKIE_SECONDS))
    except (KeyError, signing.BadSignature):
        return None


def _agenda(clinic: Clinic) -> HttpResponseRedirect:
    return redirect("office-agenda", clinic_slug=clinic.slug)


@require_GET
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """After signing in: staff go to their clinic's agenda (or pick one), patients to "Mis citas"."""
    user = request.user
    assert isinstance(user, User)
    tenant_ids = set(Membership.objects.filter(user=user, role__in=STAFF_ROLES).values_list("tenant_id", flat=True))
    if not tenant_ids:
        # The platform owner without a clinic of their own runs every clinic from Django admin.
        return redirect("admin:index" if user.is_staff else "portal-bookings")
    remembered = _remembered(request)
    if len(tenant_ids) > 1 and remembered not in tenant_ids:
        return redirect("office-clinics")
    tenant_id = remembered if remembered in tenant_ids else next(iter(tenant_ids))
    clinic = clinics_by_id(tenant_ids=[tenant_id]).get(str(tenant_id))
    if clinic is None:
        return redirect("office-clinics")
    return _agenda(clinic)


@require_GET
@login_required
def clinic_picker(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    places = _workplaces(user)
    return render(
        request,
        "office/clinics.html",
        {"places": places, "current": _remembered(request), "owner": user.is_staff},
    )


@require_POST
@login_required
def clinic_pick(request: HttpRequest) -> HttpResponse:
    """Work in this clinic from now on (remembered in a signed cookie): only a clinic where one has a staff role."""
    user = request.user
    assert isinstance(user, User)
    tenant_id = request.POST.get("clinic", "")
    if not Membership.objects.filter(user=user, role__in=STAFF_ROLES, tenant_id=tenant_id).exists():
        raise NotFound(detail="not a staff member of that clinic")
    clinic = clinics_by_id(tenant_ids=[tenant_id]).get(tenant_id)
    if clinic is None:
        raise NotFound(detail=f"clinic {tenant_id}")
    response = _agenda(clinic)
    response.set_signed_cookie(
        CLINIC_COOKIE,
        clinic.tenant_id,
        salt=CLINIC_COOKIE_SALT,
        max_age=CLINIC_COOKIE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
