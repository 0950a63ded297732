"""Django admin for memberships and invitations (platform staff; Django's model permissions apply)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.models import Invitation, Membership
from clinics import selectors


def _clinic_link(tenant_id: str) -> str:
    # A link, not the clinic's name: naming it would cost a DynamoDB read per row.
    url = reverse("admin:clinics_clinic_change", args=[tenant_id])
    return format_html('<a href="{}">{}</a>', url, tenant_id)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "tenant_id", "role", "professional_id")

    def clean_tenant_id(self) -> str:
        tenant_id = str(self.cleaned_data["tenant_id"]).strip()
        # Memberships point into DynamoDB by id only; refuse one for a clinic that does not exist.
        try:
            selectors.clinic_get(tenant_id=tenant_id)
        except selectors.NotFound as exc:
            raise ValidationError(_("No clinic has this id.")) from exc
        return tenant_id


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "role", "clinic", "professional_id", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__full_name", "tenant_id")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    ordering = ("-created_at",)
    date_hierarchy = "created_at"

    @admin.display(description=gettext_lazy("clinic"), ordering="tenant_id")
    def clinic(self, membership: Membership) -> str:
        return _clinic_link(membership.tenant_id)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "role", "clinic", "invited_by", "created_at", "expires_at", "accepted_at", "usable")
    list_filter = ("role", ("accepted_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "tenant_id", "invited_by__email")
    list_select_related = ("invited_by", "accepted_by")
    ordering = ("-created_at",)
    # The token is the secret in the e-mailed link: staff never need to see it. Only the
    # expiry is editable (extend or end an invitation); deleting revokes it.
    exclude = ("token",)
    readonly_fields = ("tenant_id", "email", "role", "invited_by", "created_at", "accepted_at", "accepted_by")

    @admin.display(description=gettext_lazy("clinic"), ordering="tenant_id")
    def clinic(self, invitation: Invitation) -> str:
        return _clinic_link(invitation.tenant_id)

    @admin.display(description=gettext_lazy("usable"), boolean=True)
    def usable(self, invitation: Invitation) -> bool:
        return invitation.usable

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Invitations are sent from the clinic's staff page, which e-mails the link.
        return False
