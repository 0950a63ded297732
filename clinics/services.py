"""Writes to the clinic catalogue."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pynamodb.exceptions import PutError, UpdateError

from clinics import choices
from clinics.clinic_settings import ClinicSettings
from clinics.models import Clinic, Professional, SlugClaim, TimeRange, Treatment, WorkRange
from clinics.selectors import slug_cache_key
from nexioq import dynamo

GRID_CHOICES = (5, 10, 15, 20, 30, 60)
PALETTE = ("#0d9488", "#7c3aed", "#db2777", "#ea580c", "#2563eb", "#65a30d", "#0891b2", "#c026d3")
# A booking writes one item per 5-minute cell in one transaction (100 items at most), and a
# reschedule frees and claims in the same one: see the budget in nexioq.dynamo.
MAX_BLOCK_MINUTES = dynamo.MAX_BLOCK_MINUTES
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
# Suspending retries a few times when another edit slips in between its read and its write.
SUSPEND_ATTEMPTS = 3
CONDITION_FAILED = "ConditionalCheckFailedException"
MAX_NOTICE_MINUTES = 60 * 24 * 30
MAX_ADVANCE_DAYS = 730
MAX_CUTOFF_HOURS = 24 * 30
MAX_REMINDERS = 3
MIN_REMINDER_MINUTES = 15
MAX_REMINDER_MINUTES = 7 * 24 * 60
# Closures live inside the clinic item (400 KB at most): past ones are dropped on every write.
MAX_CLOSURES = 200
MAX_CLOSURE_DAYS = 366


class StaleClinic(Exception):
    """The clinic changed after the caller read it (its version moved on): reload and try again."""


def _multiple_of_five(value: int, field: str, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or value < minimum or value % 5:
        raise ValidationError({field: _("Must be a multiple of 5 minutes.")})
    return value


def clinic_create(*, slug: str, settings: ClinicSettings, tenant_id: str | None = None) -> Clinic:
    if not SLUG_RE.match(slug):
        raise ValidationError({"slug": _("Use lowercase letters, digits and hyphens.")})
    settings = _clinic_settings_clean(settings)
    tenant_id = tenant_id or uuid.uuid4().hex
    clinic = Clinic(
        dynamo.tenant_pk(tenant_id),
        dynamo.CLINIC_SK,
        tenant_id=tenant_id,
        slug=slug,
        **settings.stored(),
        created_at=timezone.now(),
        directory_pk=dynamo.CLINIC_DIRECTORY_PK,
        directory_sk=dynamo.clinic_directory_sk(settings.name, tenant_id),
    )
    claim = SlugClaim(dynamo.slug_pk(slug), dynamo.SLUG_SK, tenant_id=tenant_id)

    def build(tx: dynamo.Transaction) -> None:
        tx.put(clinic)
        tx.put(claim, condition=SlugClaim.pk.does_not_exist())

    try:
        dynamo.transact(build)
    except dynamo.TransactionCancelled as exc:
        if exc.failed(dynamo.key_of(claim)):
            raise ValidationError({"slug": _("That address is already taken.")}) from exc
        raise ValidationError({"slug": _("A clinic with this id already exists.")}) from exc
    return clinic


def _clinic_settings_clean(settings: ClinicSettings) -> ClinicSettings:
    """What clinic_create and clinic_update both refuse; the booking engine trusts these values.

    Returns the settings to store: the name without surrounding spaces, the phone in E.164,
    the reminders largest first.
    """
    errors: dict[str, str] = {}
    if not settings.name.strip():
        errors["name"] = _("Enter the clinic's name.")
    if settings.time_zone not in choices.time_zone_names():
        errors["time_zone"] = _("Unknown time zone.")
    # Prices are formatted with Babel for the clinic's country and currency: both must be real and current.
    if settings.country not in choices.country_codes():
        errors["country"] = _("Unknown country code.")
    if settings.currency not in choices.currency_codes():
        errors["currency"] = _("Unknown currency code.")
    if settings.language not in dict(django_settings.LANGUAGES):
        errors["language"] = _("Choose one of the languages offered.")
    phone = settings.phone
    if "country" not in errors:
        try:
            phone = choices.phone_normalize(settings.phone, country=settings.country)
        except choices.InvalidPhone:
            errors["phone"] = _("Enter a phone number that can be dialled, such as +57 601 555 0100.")
    if settings.grid_minutes not in GRID_CHOICES:
        errors["grid_minutes"] = _("Choose one of 5, 10, 15, 20, 30 or 60 minutes.")
    # The availability engine refuses negative notice and advance outright (ValueError), so stop
    # them here; the upper bounds keep date arithmetic far from overflowing.
    for field, value, maximum in (
        ("min_notice_minutes", settings.min_notice_minutes, MAX_NOTICE_MINUTES),
        ("max_advance_days", settings.max_advance_days, MAX_ADVANCE_DAYS),
        ("cancellation_cutoff_hours", settings.cancellation_cutoff_hours, MAX_CUTOFF_HOURS),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[field] = _("Enter a whole number, zero or more.")
        elif value > maximum:
            errors[field] = _("Enter %(max)s or less.") % {"max": maximum}
    offsets = settings.reminder_offsets
    try:
        offsets = reminder_offsets_clean(settings.reminder_offsets)
    except ValidationError as exc:
        errors["reminder_offsets"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return replace(settings, name=settings.name.strip(), phone=phone, reminder_offsets=offsets)


def reminder_offsets_clean(offsets: Iterable[int]) -> tuple[int, ...]:
    """Reminder times (minutes before the appointment): positive, at most a few, none twice; largest first."""
    values = list(offsets)
    if any(isinstance(m, bool) or not isinstance(m, int) for m in values):
        raise ValidationError(_("Reminders are whole minutes before the appointment."))
    if len(values) > MAX_REMINDERS:
        raise ValidationError(_("At most %(max)s reminders.") % {"max": MAX_REMINDERS})
    if len(set(values)) != len(values):
        raise ValidationError(_("The same reminder time appears twice."))
    if any(m < MIN_REMINDER_MINUTES or m > MAX_REMINDER_MINUTES for m in values):
        raise ValidationError(
            _("Each reminder must be between %(min)s minutes and %(days)s days before the appointment.")
            % {"min": MIN_REMINDER_MINUTES, "days": MAX_REMINDER_MINUTES // (24 * 60)}
        )
    return tuple(sorted(values, reverse=True))


def clinic_update(*, tenant_id: str, version: int, settings: ClinicSettings) -> Clinic:
    """Replace a clinic's settings, if nobody changed it since ``version`` was read.

    The slug is not editable here: it is claimed by its own item, and links already sent
    to patients point at it.
    """
    settings = _clinic_settings_clean(settings)
    clinic = Clinic.get(dynamo.tenant_pk(tenant_id), dynamo.CLINIC_SK)
    if clinic.version != version:
        raise StaleClinic(tenant_id)
    for field, value in settings.stored().items():
        setattr(clinic, field, value)
    # A renamed clinic moves within the directory; older clinics join it on their first edit.
    clinic.directory_pk = dynamo.CLINIC_DIRECTORY_PK
    clinic.directory_sk = dynamo.clinic_directory_sk(clinic.name, tenant_id)
    try:
        # save() is conditional on the version it read, so an edit between get and save loses here too.
        clinic.save()
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise StaleClinic(tenant_id) from exc
        raise
    _slug_cache_forget(clinic)
    return clinic


def clinic_suspend(*, tenant_id: str) -> Clinic:
    """Stop online booking at the clinic; its pages say so (booking services check ``suspended``)."""
    return _clinic_suspended_set(tenant_id=tenant_id, suspended=True)


def clinic_unsuspend(*, tenant_id: str) -> Clinic:
    return _clinic_suspended_set(tenant_id=tenant_id, suspended=False)


def _clinic_suspended_set(*, tenant_id: str, suspended: bool) -> Clinic:
    # Suspending must not fail because someone fixed a phone number meanwhile, so unlike
    # clinic_update it re-reads and retries instead of reporting the conflict straight away.
    attempts_left = SUSPEND_ATTEMPTS
    while True:
        attempts_left -= 1
        clinic = Clinic.get(dynamo.tenant_pk(tenant_id), dynamo.CLINIC_SK)
        try:
            # update() adds the version condition and bumps the version itself.
            clinic.update(
                actions=[
                    Clinic.suspended.set(suspended),
                    Clinic.directory_pk.set(dynamo.CLINIC_DIRECTORY_PK),
                    Clinic.directory_sk.set(dynamo.clinic_directory_sk(clinic.name, tenant_id)),
                ]
            )
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise
            if not attempts_left:
                raise StaleClinic(tenant_id) from exc
            continue
        _slug_cache_forget(clinic)
        return clinic


def treatment_create(
    *,
    tenant_id: str,
    name: str,
    duration_minutes: int,
    price: Decimal | str | int,
    buffer_before_minutes: int = 0,
    buffer_after_minutes: int = 0,
    description: str = "",
    treatment_id: str | None = None,
) -> Treatment:
    _multiple_of_five(duration_minutes, "duration_minutes", minimum=5)
    _multiple_of_five(buffer_before_minutes, "buffer_before_minutes")
    _multiple_of_five(buffer_after_minutes, "buffer_after_minutes")
    if duration_minutes + buffer_before_minutes + buffer_after_minutes > MAX_BLOCK_MINUTES:
        raise ValidationError(
            {"duration_minutes": _("Duration plus buffers cannot exceed %(max)s minutes.") % {"max": MAX_BLOCK_MINUTES}}
        )
    try:
        amount = Decimal(str(price))
    except InvalidOperation as exc:
        raise ValidationError({"price": _("Enter a valid amount.")}) from exc
    if amount < 0:
        raise ValidationError({"price": _("Enter a valid amount.")})
    treatment_id = treatment_id or uuid.uuid4().hex[:12]
    treatment = Treatment(
        dynamo.tenant_pk(tenant_id),
        dynamo.treatment_sk(treatment_id),
        tenant_id=tenant_id,
        treatment_id=treatment_id,
        name=name.strip(),
        description=description.strip(),
        duration_minutes=duration_minutes,
        buffer_before_minutes=buffer_before_minutes,
        buffer_after_minutes=buffer_after_minutes,
        price=amount,
    )
    treatment.save()
    return treatment


def _work_ranges(weekly_hours: Mapping[int, Sequence[tuple[str, str]]]) -> list[WorkRange]:
    ranges: list[WorkRange] = []
    for weekday, day_ranges in sorted(weekly_hours.items()):
        if weekday not in range(7):
            raise ValidationError({"weekly_hours": _("Weekday must be 0 (Monday) to 6 (Sunday).")})
        previous_end: dt.time | None = None
        for start_s, end_s in sorted(day_ranges):
            try:
                start, end = dt.time.fromisoformat(start_s), dt.time.fromisoformat(end_s)
            except ValueError as exc:
                raise ValidationError({"weekly_hours": _("Use HH:MM times.")}) from exc
            if start.minute % 5 or end.minute % 5 or end <= start:
                raise ValidationError({"weekly_hours": _("Ranges must end after they start, on 5-minute steps.")})
            if previous_end and start < previous_end:
                raise ValidationError({"weekly_hours": _("Ranges of one day must not overlap.")})
            previous_end = end
            ranges.append(WorkRange(weekday=weekday, start=f"{start:%H:%M}", end=f"{end:%H:%M}"))
    return ranges


def professional_create(
    *,
    tenant_id: str,
    name: str,
    weekly_hours: Mapping[int, Sequence[tuple[str, str]]],
    treatment_ids: Iterable[str],
    specialty: str = "",
    email: str = "",
    color: str | None = None,
    professional_id: str | None = None,
) -> Professional:
    professional_id = professional_id or uuid.uuid4().hex[:12]
    # Without a chosen colour, spread professionals over a palette so the calendar tells them apart.
    color = color or PALETTE[int(hashlib.sha256(professional_id.encode()).hexdigest(), 16) % len(PALETTE)]
    professional = Professional(
        dynamo.tenant_pk(tenant_id),
        dynamo.professional_sk(professional_id),
        tenant_id=tenant_id,
        professional_id=professional_id,
        name=name.strip(),
        specialty=specialty,
        email=email,
        color=color,
        treatment_ids=set(treatment_ids),
        weekly_hours=_work_ranges(weekly_hours),
    )
    professional.save()
    return professional


def _time_range(start: dt.datetime, end: dt.datetime, reason: str) -> TimeRange:
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise ValidationError(_("The range must end after it starts."))
    return TimeRange(start=start, end=end, reason=reason)


def professional_time_off_add(
    *, tenant_id: str, professional_id: str, start: dt.datetime, end: dt.datetime, reason: str = ""
) -> Professional:
    professional = Professional.get(dynamo.tenant_pk(tenant_id), dynamo.professional_sk(professional_id))
    # Past ranges are dropped as we go so the item stays small.
    now = timezone.now()
    professional.time_off = [r for r in professional.time_off if r.end > now] + [_time_range(start, end, reason)]
    professional.save()
    return professional


def _closure_clean(start: dt.datetime, end: dt.datetime, reason: str, now: dt.datetime) -> TimeRange:
    errors: dict[str, str] = {}
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("closures are zoned instants")
    if end <= start:
        errors["end"] = _("The closure must end after it starts.")
    elif end - start > dt.timedelta(days=MAX_CLOSURE_DAYS):
        errors["end"] = _("A closure can last %(days)s days at most.") % {"days": MAX_CLOSURE_DAYS}
    elif end <= now:
        errors["end"] = _("This closure is already over.")
    if len(reason) > 200:
        errors["reason"] = _("Keep the reason under 200 characters.")
    if errors:
        raise ValidationError(errors)
    return TimeRange(start=start.astimezone(dt.UTC), end=end.astimezone(dt.UTC), reason=reason.strip())


def clinic_with_closure(*, clinic: Clinic, start: dt.datetime, end: dt.datetime, reason: str = "") -> Clinic:
    """An unsaved copy of ``clinic`` with one more closure: what the clinic would offer after adding it.

    Raises ValidationError (keys ``end``, ``reason``) for a range that cannot be a closure.
    """
    now = timezone.now()
    closure = _closure_clean(start, end, reason, now)
    copy = Clinic.from_raw_data(clinic.serialize())
    copy.closures = [r for r in clinic.closures if r.end > now] + [closure]
    return copy


def clinic_closure_add(
    *, tenant_id: str, version: int, start: dt.datetime, end: dt.datetime, reason: str = ""
) -> Clinic:
    """Close the clinic over [start, end), if nobody changed it since ``version`` was read.

    Bookings inside stay as they are: the caller lists them first (booking.orphans) and cancels
    what the admin chose to cancel.
    """
    clinic = Clinic.get(dynamo.tenant_pk(tenant_id), dynamo.CLINIC_SK)
    if clinic.version != version:
        raise StaleClinic(tenant_id)
    updated = clinic_with_closure(clinic=clinic, start=start, end=end, reason=reason)
    if len(updated.closures) > MAX_CLOSURES:
        raise ValidationError({"start": _("Too many closures ahead: remove some first.")})
    return _closures_save(clinic, updated.closures)


def clinic_closure_remove(*, tenant_id: str, version: int, start: dt.datetime, end: dt.datetime) -> Clinic:
    """Reopen the clinic over a closure, named by its range, if nobody changed it since ``version``."""
    clinic = Clinic.get(dynamo.tenant_pk(tenant_id), dynamo.CLINIC_SK)
    if clinic.version != version:
        raise StaleClinic(tenant_id)
    now = timezone.now()
    kept = [r for r in clinic.closures if not (r.start == start and r.end == end)]
    if len(kept) == len(clinic.closures):
        raise ValidationError({"closure": _("That closure no longer exists.")})
    return _closures_save(clinic, [r for r in kept if r.end > now])


def _closures_save(clinic: Clinic, closures: list[TimeRange]) -> Clinic:
    try:
        # update() is conditional on the version read and bumps it.
        clinic.update(actions=[Clinic.closures.set(closures)])
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise StaleClinic(clinic.tenant_id) from exc
        raise
    _slug_cache_forget(clinic)
    return clinic


def _slug_cache_forget(clinic: Clinic) -> None:
    # Every clinic write drops what is cached under its slug, so nothing read through the
    # slug (today the tenant id, maybe more tomorrow) outlives a change of the clinic.
    cache.delete(slug_cache_key(clinic.slug))
