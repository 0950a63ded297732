"""Clinic staff management (admins) and accepting an invitation (the invited person)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import services as memberships
from access.forms import InviteForm, RoleForm
from access.models import STAFF_ROLES, Invitation, Membership, Role
from access.permissions import Action, actor_for, clinic_access
from accounts.models import User
from clinics.models import Clinic
from clinics.selectors import clinic_get
from nexioq.errors import NotFound, SignInRequired
from nexioq.http import HtmxHttpRequest


def _staff_clinic(request: HtmxHttpRequest, clinic_slug: str) -> Clinic:
    """The URL's clinic, for a user allowed to manage its staff (sign-in, 404 outsiders, 403 other roles)."""
    context, _actor = clinic_access(request, clinic_slug, Action.MANAGE_STAFF)
    return context.clinic


def _staff_page(request: HtmxHttpRequest, clinic: Clinic, form: InviteForm, *, status: int = 200) -> HttpResponse:
    context = {
        "clinic": clinic,
        "staff": memberships.staff_list(tenant_id=clinic.tenant_id),
        "invitations": memberships.invitation_list(tenant_id=clinic.tenant_id),
        "form": form,
        "role_form": RoleForm(),
    }
    return render(request, "access/staff.html", context, status=status)


@require_GET
def staff_index(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = _staff_clinic(request, clinic_slug)
    return _staff_page(request, clinic, InviteForm())


@require_POST
def staff_invite(request: HtmxHttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = _staff_clinic(request, clinic_slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        assert isinstance(request.user, User)
        try:
            invitation = memberships.invitation_create(
                tenant_id=clinic.tenant_id,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            invitation_email_send(request, clinic, invitation)
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("access-staff", clinic_slug=clinic_slug)
    return _staff_page(request, clinic, form, status=400)


def invitation_email_send(request: HttpRequest, clinic: Clinic, invitation: Invitation) -> None:
    """E-mail the invitation's link (the staff page and the platform admin's new-clinic form send it)."""
    link = request.build_absolute_uri(reverse("access-invitation", args=[invitation.token]))
    context = {"clinic": clinic, "invitation": invitation, "link": link}
    send_mail(
        subject=_("You are invited to join %(clinic)s on NexioQ") % {"clinic": clinic.name},
        message=render_to_string("emails/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def _member(clinic: Clinic, membership_id: int) -> Membership:
    # Another clinic's membership id answers 404, like an unknown one.
    return get_object_or_404(Membership, pk=membership_id, tenant_id=clinic.tenant_id, role__in=STAFF_ROLES)


@require_POST
def staff_change_role(request: HtmxHttpRequest, clinic_slug: str, membership_id: int) -> HttpResponse:
    clinic = _staff_clinic(request, clinic_slug)
    membership = _member(clinic, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a staff role."))
        return _staff_page(request, clinic, InviteForm(), status=400)
    try:
        memberships.membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except memberships.LastAdmin as exc:
        messages.error(request, str(exc))
        return _staff_page(request, clinic, InviteForm(), status=400)
    messages.success(request, _("Role updated."))
    return _after_staff_change(request, clinic)


@require_POST
def staff_revoke(request: HtmxHttpRequest, clinic_slug: str, membership_id: int) -> HttpResponse:
    clinic = _staff_clinic(request, clinic_slug)
    membership = _member(clinic, membership_id)
    try:
        memberships.membership_revoke(membership=membership)
    except memberships.LastAdmin as exc:
        messages.error(request, str(exc))
        return _staff_page(request, clinic, InviteForm(), status=400)
    messages.success(request, _("Access revoked."))
    return _after_staff_change(request, clinic)


def _after_staff_change(request: HtmxHttpRequest, clinic: Clinic) -> HttpResponse:
    """Back to the staff page; to the clinic's own page for an admin who just gave up managing its staff."""
    if not actor_for(request, tenant_id=clinic.tenant_id).allows(Action.MANAGE_STAFF):
        return redirect("booking-start", clinic_slug=clinic.slug)
    return redirect("access-staff", clinic_slug=clinic.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None:
        raise NotFound(detail="no such invitation")
    if not request.user.is_authenticated:
        raise SignInRequired()
    clinic = clinic_get(tenant_id=invitation.tenant_id)
    context = {"clinic": clinic, "invitation": invitation, "problem": ""}
    assert isinstance(request.user, User)
    if not invitation.usable:
        context["problem"] = _("This invitation has already been used or has expired. Ask the clinic for a new one.")
        return render(request, "access/invitation.html", context, status=410)
    if invitation.email != request.user.email.lower():
        context["problem"] = _("This invitation was sent to another e-mail address. Sign in with that address.")
        return render(request, "access/invitation.html", context, status=403)
    if request.method == "POST":
        try:
            memberships.invitation_accept(token=token, user=request.user)
        except memberships.InvitationUnusable:
            context["problem"] = _(
                "This invitation has already been used or has expired. Ask the clinic for a new one."
            )
            return render(request, "access/invitation.html", context, status=410)
        messages.success(request, _("Welcome to %(clinic)s.") % {"clinic": clinic.name})
        if invitation.role == Role.ADMIN:
            # A new clinic's first admin starts from the panel's checklist (treatments, professionals, hours).
            return redirect("panel-home", clinic_slug=clinic.slug)
        return redirect("booking-start", clinic_slug=clinic.slug)
    return render(request, "access/invitation.html", context)
