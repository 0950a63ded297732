"""Who belongs to which clinic, in which role: memberships and staff invitations (Django ORM).

Identity lives next to the users; the clinic is referred to by its tenant id (the clinic
item itself lives in DynamoDB and belongs to the ``clinics`` app).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles inside one clinic. The platform Owner is a staff user, not a membership."""

    ADMIN = "admin", _("Administrator")
    DENTIST = "dentist", _("Dentist")
    RECEPTION = "reception", _("Reception")
    PATIENT = "patient", _("Patient")


STAFF_ROLES = (Role.ADMIN, Role.DENTIST, Role.RECEPTION)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    tenant_id = models.CharField(_("clinic id"), max_length=64, db_index=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # A dentist's own agenda is this professional's (DynamoDB) record.
    professional_id = models.CharField(_("professional id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=django_timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "tenant_id", "role"], name="one_role_once_per_clinic")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.tenant_id}"


class Invitation(models.Model):
    """An e-mailed invitation to join a clinic's staff: usable once, until it expires."""

    tenant_id = models.CharField(_("clinic id"), max_length=64, db_index=True)
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token = models.CharField(_("token"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=django_timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.get_role_display()} · {self.tenant_id}"

    @property
    def usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > django_timezone.now()
