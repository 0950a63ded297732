"""Clinic catalogue items in the single DynamoDB table.

Time off and closures live inside the professional and clinic items, so the
availability of one professional costs one BatchGetItem for everything it
needs to know besides occupied time (DESIGN.md: a constant number of requests).
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)

from nexioq.dynamo import DecimalAttribute, TableItem, UTCDateTimeAttribute


class TimeRange(MapAttribute[str, object]):
    """A [start, end) range in UTC with a reason: a professional's time off or a clinic closure."""

    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    reason = UnicodeAttribute(default="")


class WorkRange(MapAttribute[str, object]):
    """One range of a weekly schedule, in the clinic's wall-clock time."""

    weekday = NumberAttribute()  # 0 = Monday
    start = UnicodeAttribute()  # "HH:MM"
    end = UnicodeAttribute()


class Clinic(TableItem, discriminator="clinic"):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    time_zone = UnicodeAttribute(default="America/Bogota")
    country = UnicodeAttribute(default="CO")
    address = UnicodeAttribute(default="")
    phone = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    grid_minutes = NumberAttribute(default=15)
    min_notice_minutes = NumberAttribute(default=120)
    max_advance_days = NumberAttribute(default=60)
    cancellation_cutoff_hours = NumberAttribute(default=24)
    language = UnicodeAttribute(default="es")
    currency = UnicodeAttribute(default="COP")
    closures = ListAttribute(of=TimeRange, default=list)
    suspended = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class SlugClaim(TableItem, discriminator="slug"):
    """Makes a clinic slug unique: written with attribute_not_exists next to the clinic."""

    tenant_id = UnicodeAttribute()


class Treatment(TableItem, discriminator="treatment"):
    tenant_id = UnicodeAttribute()
    treatment_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    duration_minutes = NumberAttribute()
    buffer_before_minutes = NumberAttribute(default=0)
    buffer_after_minutes = NumberAttribute(default=0)
    price = DecimalAttribute()
    active = BooleanAttribute(default=True)
    version = VersionAttribute()


class Professional(TableItem, discriminator="professional"):
    tenant_id = UnicodeAttribute()
    professional_id = UnicodeAttribute()
    name = UnicodeAttribute()
    specialty = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    color = UnicodeAttribute(default="#0d9488")
    treatment_ids = UnicodeSetAttribute(default=set)
    weekly_hours = ListAttribute(of=WorkRange, default=list)
    time_off = ListAttribute(of=TimeRange, default=list)
    active = BooleanAttribute(default=True)
    version = VersionAttribute()

    def performs(self, treatment_id: str) -> bool:
        return self.active and treatment_id in self.treatment_ids


# ---------------------------------------------------------------- identity side (Django ORM)
# Who may do what at which clinic lives next to the users, in the ORM; the clinic is
# referred to by its tenant id (the clinic item itself lives in DynamoDB).


class Role(models.TextChoices):
    """Roles inside one clinic. The platform Owner is a staff user, not a membership."""

    ADMIN = "admin", _("Administrator")
    DENTIST = "dentist", _("Dentist")
    RECEPTION = "reception", _("Reception")
    PATIENT = "patient", _("Patient")


STAFF_ROLES = (Role.ADMIN, Role.DENTIST, Role.RECEPTION)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    tenant_id = models.CharField(_("clinic id"), max_length=64, db_index=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # A dentist's own agenda is this professional's (DynamoDB) record.
    professional_id = models.CharField(_("professional id"), max_length=64, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)

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
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_accepted"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.get_role_display()} · {self.tenant_id}"

    @property
    def usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > django_timezone.now()
