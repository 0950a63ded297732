"""Writes to the clinic catalogue."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from dataclasses import field as dataclass_field
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
from clinics.selectors import professional_get, slug_cache_key, treatment_get
from nexioq import dynamo
from nexioq.errors import NotFound

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


class StaleTreatment(Exception):
    """The treatment (or a professional its save touches) changed after the caller read it."""


class StaleProfessional(Exception):
    """The professional changed after the caller read it (its version moved on)."""


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


# ---------------------------------------------------------------- the admin panel's catalogue edits

NAME_MAX = 120
DESCRIPTION_MAX = 1000
SPECIALTY_MAX = 120
REASON_MAX = 200
PRICE_MAX = Decimal("999999999999")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class TreatmentValues:
    """What the panel's treatment form edits: the fields of create and update in one place."""

    name: str
    duration_minutes: int
    price: Decimal
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    description: str = ""


def treatment_values_clean(values: TreatmentValues, *, grid_minutes: int = 5) -> TreatmentValues:
    """Refuse what the booking engine cannot take: errors keyed by field. Returns the values to store."""
    errors: dict[str, str] = {}
    name = values.name.strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = _("Enter a name of at most %(max)s characters.") % {"max": NAME_MAX}
    if len(values.description.strip()) > DESCRIPTION_MAX:
        errors["description"] = _("At most %(max)s characters.") % {"max": DESCRIPTION_MAX}
    duration = values.duration_minutes
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0 or duration % grid_minutes:
        errors["duration_minutes"] = _("Use steps of the clinic's time grid: a multiple of %(grid)s minutes.") % {
            "grid": grid_minutes
        }
    for field_name in ("buffer_before_minutes", "buffer_after_minutes"):
        value = getattr(values, field_name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value % 5:
            errors[field_name] = _("Must be a multiple of 5 minutes.")
    if not errors and duration + values.buffer_before_minutes + values.buffer_after_minutes > MAX_BLOCK_MINUTES:
        errors["duration_minutes"] = _("Duration plus buffers cannot exceed %(max)s minutes.") % {
            "max": MAX_BLOCK_MINUTES
        }
    try:
        price = Decimal(str(values.price))
    except InvalidOperation:
        price = Decimal(-1)
    if not price.is_finite() or price < 0 or price > PRICE_MAX:
        errors["price"] = _("Enter a valid amount.")
    if errors:
        raise ValidationError(errors)
    return replace(values, name=name, description=values.description.strip(), price=price)


def _all_professionals(tenant_id: str) -> list[Professional]:
    return list(
        Professional.query(
            dynamo.tenant_pk(tenant_id),
            Professional.sk.between(*dynamo.prefix_range(dynamo.PROFESSIONAL_PREFIX)),
            consistent_read=True,
        )
    )


def _treatment_write(treatment: Treatment, *, professional_ids: Iterable[str] | None, new: bool) -> None:
    """The treatment and the professionals whose ``treatment_ids`` change, in one transaction.

    Each item is conditional on the version read, so an edit that slipped in between (of the
    treatment or of one of those professionals) refuses the whole save: ``StaleTreatment``.
    """
    tenant_id, treatment_id = str(treatment.tenant_id), str(treatment.treatment_id)
    changes: list[tuple[Professional, bool]] = []
    if professional_ids is not None:
        wanted = set(professional_ids)
        professionals = _all_professionals(tenant_id)
        unknown = wanted - {p.professional_id for p in professionals}
        if unknown:
            raise ValidationError({"professional_ids": _("Choose professionals of this clinic.")})
        for professional in professionals:
            performs = treatment_id in professional.treatment_ids
            if (professional.professional_id in wanted) != performs:
                changes.append((professional, not performs))
    if len(changes) + 1 > dynamo.MAX_TRANSACTION_ITEMS:
        # One transaction holds the treatment and every professional it moves.
        raise ValidationError(
            {
                "professional_ids": _("Change at most %(max)s professionals at once.")
                % {"max": dynamo.MAX_TRANSACTION_ITEMS - 1}
            }
        )

    def build(tx: dynamo.Transaction) -> None:
        tx.put(treatment, condition=Treatment.pk.does_not_exist() if new else None)
        for professional, add in changes:
            action = Professional.treatment_ids.add if add else Professional.treatment_ids.delete
            tx.update(professional, [action({treatment_id})])

    try:
        dynamo.transact(build)
    except dynamo.TransactionCancelled as exc:
        if new and exc.failed(dynamo.key_of(treatment)):
            raise ValidationError({"name": _("A treatment with this id already exists.")}) from exc
        raise StaleTreatment(treatment_id) from exc


def treatment_add(
    *, tenant_id: str, values: TreatmentValues, professional_ids: Iterable[str], grid_minutes: int
) -> Treatment:
    """A new treatment, performed by ``professional_ids`` (their ``treatment_ids`` gain it)."""
    values = treatment_values_clean(values, grid_minutes=grid_minutes)
    treatment_id = uuid.uuid4().hex[:12]
    treatment = Treatment(
        dynamo.tenant_pk(tenant_id),
        dynamo.treatment_sk(treatment_id),
        tenant_id=tenant_id,
        treatment_id=treatment_id,
        **asdict(values),
    )
    _treatment_write(treatment, professional_ids=professional_ids, new=True)
    return treatment


def treatment_update(
    *,
    tenant_id: str,
    treatment_id: str,
    version: int,
    values: TreatmentValues,
    professional_ids: Iterable[str] | None,
    grid_minutes: int,
) -> Treatment:
    """Replace a treatment's values (and who performs it, unless ``professional_ids`` is None),
    if nobody changed it since ``version`` was read.

    Bookings copy the treatment's name and price when they are made, so an edit never changes them.
    """
    values = treatment_values_clean(values, grid_minutes=grid_minutes)
    treatment = treatment_get(tenant_id=tenant_id, treatment_id=treatment_id)
    if treatment.version != version:
        raise StaleTreatment(treatment_id)
    for name, value in asdict(values).items():
        setattr(treatment, name, value)
    _treatment_write(treatment, professional_ids=professional_ids, new=False)
    return treatment


def treatment_set_active(*, tenant_id: str, treatment_id: str, version: int, active: bool) -> Treatment:
    """Deactivate (gone from the wizard; bookings keep their copy) or reactivate a treatment."""
    treatment = treatment_get(tenant_id=tenant_id, treatment_id=treatment_id)
    _active_set(treatment, version=version, active=active, stale=StaleTreatment(treatment_id))
    return treatment


@dataclass(frozen=True)
class ProfessionalValues:
    """What the panel's professional form edits."""

    name: str
    weekly_hours: Mapping[int, Sequence[tuple[str, str]]]
    treatment_ids: frozenset[str] = dataclass_field(default_factory=frozenset)
    specialty: str = ""
    color: str = PALETTE[0]


def professional_values_apply(professional: Professional, values: ProfessionalValues) -> Professional:
    """``professional`` with ``values`` applied, not saved: what a change would store.

    The panel lists the bookings this copy would leave outside the offer before saving it.
    Errors are keyed by field.
    """
    errors: dict[str, list[str]] = {}
    name = values.name.strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = [_("Enter a name of at most %(max)s characters.") % {"max": NAME_MAX}]
    if len(values.specialty.strip()) > SPECIALTY_MAX:
        errors["specialty"] = [_("At most %(max)s characters.") % {"max": SPECIALTY_MAX}]
    if not COLOR_RE.match(values.color):
        errors["color"] = [_("Use a colour like #0d9488.")]
    ranges: list[WorkRange] = []
    try:
        ranges = _work_ranges(values.weekly_hours)
    except ValidationError as exc:
        errors["weekly_hours"] = exc.messages
    if errors:
        raise ValidationError(errors)
    changed = professional_copy(professional)
    changed.name = name
    changed.specialty = values.specialty.strip()
    changed.color = values.color.lower()
    changed.treatment_ids = set(values.treatment_ids)
    changed.weekly_hours = ranges
    return changed


def professional_copy(professional: Professional) -> Professional:
    # copy.copy alone would share PynamoDB's attribute_values dict: the copy's edits would leak into the original.
    changed = copy.copy(professional)
    changed.attribute_values = dict(professional.attribute_values)
    return changed


def _professional_put(professional: Professional, *, new: bool = False) -> None:
    try:
        professional.save(condition=Professional.pk.does_not_exist() if new else None)
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise StaleProfessional(professional.professional_id) from exc
        raise


def _treatments_known(tenant_id: str, treatment_ids: Iterable[str]) -> None:
    wanted = set(treatment_ids)
    if not wanted:
        return
    items = Treatment.query(
        dynamo.tenant_pk(tenant_id), Treatment.sk.between(*dynamo.prefix_range(dynamo.TREATMENT_PREFIX))
    )
    if wanted - {t.treatment_id for t in items}:
        raise ValidationError({"treatment_ids": _("Choose treatments of this clinic.")})


def professional_add(*, tenant_id: str, values: ProfessionalValues) -> Professional:
    _treatments_known(tenant_id, values.treatment_ids)
    professional_id = uuid.uuid4().hex[:12]
    blank = Professional(
        dynamo.tenant_pk(tenant_id),
        dynamo.professional_sk(professional_id),
        tenant_id=tenant_id,
        professional_id=professional_id,
        name="",
    )
    professional = professional_values_apply(blank, values)
    _professional_put(professional, new=True)
    return professional


def professional_update(
    *, tenant_id: str, professional_id: str, version: int, values: ProfessionalValues
) -> Professional:
    """Replace a professional's name, colour, treatments and weekly hours, if nobody changed it
    since ``version`` was read. Bookings are never touched here: the panel lists those the new
    hours leave outside and lets the admin keep or cancel them."""
    _treatments_known(tenant_id, values.treatment_ids)
    professional = professional_get(tenant_id=tenant_id, professional_id=professional_id)
    if professional.version != version:
        raise StaleProfessional(professional_id)
    changed = professional_values_apply(professional, values)
    _professional_put(changed)
    return changed


def professional_set_active(*, tenant_id: str, professional_id: str, version: int, active: bool) -> Professional:
    professional = professional_get(tenant_id=tenant_id, professional_id=professional_id)
    _active_set(professional, version=version, active=active, stale=StaleProfessional(professional_id))
    return professional


def _active_set(item: Treatment | Professional, *, version: int, active: bool, stale: Exception) -> None:
    """(De)activate a catalogue item read at ``version``; ``stale`` when it has moved on since."""
    if item.version != version:
        raise stale
    try:
        # update() is conditional on the version read and bumps it.
        item.update(actions=[type(item).active.set(active)])
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise stale from exc
        raise


def time_off_range(*, start: dt.datetime, end: dt.datetime, reason: str = "") -> TimeRange:
    """A time-off range as it would be stored (for the orphan preview too); refuses inverted ranges."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError({"start": _("The range must end after it starts.")})
    if end <= start:
        raise ValidationError({"end": _("The range must end after it starts.")})
    if len(reason.strip()) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(max)s characters.") % {"max": REASON_MAX}})
    return TimeRange(start=start.astimezone(dt.UTC), end=end.astimezone(dt.UTC), reason=reason.strip())


def professional_time_off_with(professional: Professional, time_off: TimeRange) -> Professional:
    """An unsaved copy of ``professional`` with ``time_off`` added (past ranges dropped)."""
    now = timezone.now()
    changed = professional_copy(professional)
    changed.time_off = [r for r in professional.time_off if r.end > now] + [time_off]
    return changed


def professional_time_off_put(
    *, tenant_id: str, professional_id: str, version: int, start: dt.datetime, end: dt.datetime, reason: str = ""
) -> Professional:
    """Add a time-off range if nobody changed the professional since ``version`` was read."""
    time_off = time_off_range(start=start, end=end, reason=reason)
    professional = professional_get(tenant_id=tenant_id, professional_id=professional_id)
    if professional.version != version:
        raise StaleProfessional(professional_id)
    changed = professional_time_off_with(professional, time_off)
    _professional_put(changed)
    return changed


def professional_time_off_remove(
    *, tenant_id: str, professional_id: str, version: int, start: dt.datetime, end: dt.datetime
) -> Professional:
    """Remove the time-off range [start, end) (giving the time back never orphans a booking)."""
    professional = professional_get(tenant_id=tenant_id, professional_id=professional_id)
    if professional.version != version:
        raise StaleProfessional(professional_id)
    kept = [r for r in professional.time_off if not (r.start == start and r.end == end)]
    if len(kept) == len(professional.time_off):
        raise NotFound(detail=f"time off {start}-{end} of {professional_id}")
    professional.time_off = kept
    _professional_put(professional)
    return professional
