"""Writes of the clinic's patient directory: a record made at the desk, an online patient's record,
and claiming records when their patient signs up with the same e-mail.

A record (``ClinicPatient``), its directory entries (one per search term) and its claim (when it has
an e-mail) are written in one transaction, so the directory never lists a record that does not
exist, nor misses one that does. Reads live in ``booking.patient_selectors``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access import services as access_services
from access.permissions import Action, Actor
from accounts.models import User
from booking.errors import PatientDetailsInvalid
from booking.models import Booking, ClinicPatient, PatientClaim, PatientDirectoryEntry
from booking.patient_selectors import (
    MAX_TERM,
    directory_term,
    patient_claims,
    patient_record_find,
    patient_records_similar,
    record_bookings,
    record_terms,
)
from booking.phones import patient_phone_clean
from clinics.selectors import clinic_get
from nexioq import dynamo
from nexioq.errors import Forbidden

log = logging.getLogger(__name__)

MAX_NAME = 120
MAX_EMAIL = 254
# Bookings moved to the patient per transaction when a record is claimed (the record and the claim
# take two more of DynamoDB's 100 items).
CLAIM_BOOKINGS_PER_TRANSACTION = 90


def user_record_id(user_id: str) -> str:
    """The record of an online patient: the same id at every clinic, so a second booking finds it."""
    return dynamo.checked_id(f"user-{user_id}")


@dataclass(frozen=True)
class PatientRecordCreated:
    """The record, or None when ``if_no_similar`` found ``similar`` ones (records sharing the phone or e-mail)."""

    record: ClinicPatient | None
    similar: list[PatientDirectoryEntry] = field(default_factory=list)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if len(cleaned) < 2 or len(cleaned) > MAX_NAME or not cleaned.isprintable() or not directory_term(cleaned):
        raise PatientDetailsInvalid({"name": str(_("Enter the patient's full name."))})
    return cleaned


def _clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not cleaned:
        return ""
    try:
        if len(cleaned) > MAX_EMAIL:
            raise ValidationError("too long")
        validate_email(cleaned)
    except ValidationError as exc:
        raise PatientDetailsInvalid({"email": str(_("Enter a valid e-mail address, or leave it empty."))}) from exc
    return cleaned


def _entries(record: ClinicPatient) -> list[PatientDirectoryEntry]:
    return [
        PatientDirectoryEntry(
            dynamo.tenant_pk(record.tenant_id),
            dynamo.patient_directory_sk(str(term), record.record_id),
            tenant_id=record.tenant_id,
            record_id=record.record_id,
            name=record.name,
            phone=record.phone,
            email=record.email,
        )
        for term in record.terms
    ]


def _write_record(record: ClinicPatient, *, claim: bool) -> bool:
    """The record, its directory entries and (``claim``) its claim, together; False when the record exists."""
    entries = _entries(record)

    def build(tx: dynamo.Transaction) -> None:
        tx.put(record)  # new: its version attribute makes the put conditional on "does not exist"
        for entry in entries:
            tx.put(entry)
        if claim:
            tx.put(
                PatientClaim(
                    dynamo.patient_claim_pk(record.email),
                    dynamo.patient_claim_sk(record.tenant_id, record.record_id),
                    tenant_id=record.tenant_id,
                    record_id=record.record_id,
                )
            )

    try:
        dynamo.transact(
            build, token=dynamo.request_token("patient", tenant_id=record.tenant_id, item_id=record.record_id)
        )
    except dynamo.TransactionCancelled as exc:
        if exc.idempotency_mismatch or exc.failed(dynamo.key_of(record)):
            return False
        raise
    return True


def patient_record_create(
    *,
    tenant_id: str,
    name: str,
    phone: str,
    email: str = "",
    actor: Actor,
    now: dt.datetime | None = None,
    record_id: str | None = None,
    if_no_similar: bool = False,
) -> PatientRecordCreated:
    """A patient made at the desk: name and phone required, e-mail optional (their key to claim it later).

    Records already holding this phone or e-mail are returned as ``similar``: a warning, not a
    refusal; with ``if_no_similar`` nothing is written when there are some, so the desk can pick
    one of them instead. ``record_id`` (a form's) makes a repeated submission one record.
    """
    now = now or timezone.now()
    if not actor.allows(Action.FIND_PATIENTS):
        raise Forbidden()
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    clinic = clinic_get(tenant_id=tenant_id)
    for key, clean in (
        ("name", lambda: _clean_name(name)),
        ("phone", lambda: patient_phone_clean(phone=phone.strip()[:40], country=clinic.country)),
        ("email", lambda: _clean_email(email)),
    ):
        try:
            cleaned[key] = clean()
        except PatientDetailsInvalid as exc:
            errors.update(exc.errors)
    if errors:
        raise PatientDetailsInvalid(errors)
    record_id = dynamo.checked_id(record_id or uuid.uuid4().hex)
    existing = patient_record_find(tenant_id=tenant_id, record_id=record_id)
    if existing is not None:
        return PatientRecordCreated(record=existing)
    similar = patient_records_similar(tenant_id=tenant_id, phone=cleaned["phone"], email=cleaned["email"])
    if similar and if_no_similar:
        return PatientRecordCreated(record=None, similar=similar)
    record = ClinicPatient(
        dynamo.tenant_pk(tenant_id),
        dynamo.patient_record_sk(record_id),
        tenant_id=tenant_id,
        record_id=record_id,
        name=cleaned["name"],
        phone=cleaned["phone"],
        email=cleaned["email"],
        created_at=now,
        created_by=actor.user_id or "",
        terms=record_terms(name=cleaned["name"], phone=cleaned["phone"], email=cleaned["email"]),
    )
    if not _write_record(record, claim=bool(record.email)):
        # The same form sent twice: the first one made it.
        mine = patient_record_find(tenant_id=tenant_id, record_id=record_id)
        if mine is not None:
            return PatientRecordCreated(record=mine)
    return PatientRecordCreated(record=record, similar=similar)


def patient_record_for_user_ensure(*, tenant_id: str, user_id: str, name: str, phone: str, email: str) -> None:
    """The clinic's record of an online patient, made at their first booking there (idempotent).

    One Query when the patient is known: a record with their e-mail (their own, or one they
    claimed) means nothing to add. ``phone`` is E.164 already (the booking cleaned it).
    """
    email = email.strip().lower()
    term = directory_term(email)
    if term and patient_records_similar(tenant_id=tenant_id, phone="", email=email):
        return
    name = " ".join(name.split())[:MAX_NAME] or email or user_id
    record_id = user_record_id(user_id)
    record = ClinicPatient(
        dynamo.tenant_pk(tenant_id),
        dynamo.patient_record_sk(record_id),
        tenant_id=tenant_id,
        record_id=record_id,
        name=name,
        phone=phone,
        email=email if len(term) < MAX_TERM else "",
        user_id=user_id,
        created_at=timezone.now(),
        created_by=user_id,
        terms=record_terms(name=name, phone=phone, email=email if len(term) < MAX_TERM else ""),
    )
    _write_record(record, claim=False)  # False: it exists already, which is what was asked


def patient_records_claim(*, user: User, email: str) -> list[ClinicPatient]:
    """Give ``user`` the records made with ``email`` at every clinic, once that address is verified.

    One Query finds the claims; for each record, its bookings made before it had an account (one
    Query) move to the patient's own list ("Mis citas") in the transaction that links the record
    and removes the claim. The patient becomes the clinic's patient (a membership). Safe to run
    again: a claimed record has no claim left.
    """
    claimed: list[ClinicPatient] = []
    user_id = str(user.pk)
    for claim in patient_claims(email=email):
        record = patient_record_find(tenant_id=claim.tenant_id, record_id=claim.record_id)
        if record is None or (record.user_id and record.user_id != user_id):
            claim.delete()  # a stale claim: the record is gone or someone's already
            continue
        bookings = record_bookings(tenant_id=record.tenant_id, record_id=record.record_id)
        first, rest = bookings[:CLAIM_BOOKINGS_PER_TRANSACTION], bookings[CLAIM_BOOKINGS_PER_TRANSACTION:]

        def build(
            tx: dynamo.Transaction,
            record: ClinicPatient = record,
            claim: PatientClaim = claim,
            first: list[Booking] = first,
        ) -> None:
            tx.update(
                record,
                [ClinicPatient.user_id.set(user_id)],
                condition=ClinicPatient.user_id.does_not_exist() | (ClinicPatient.user_id == user_id),
            )
            tx.delete(claim)
            for booking in first:
                _move_booking(tx, booking, user_id)

        try:
            dynamo.transact(build)
        except dynamo.TransactionCancelled:
            log.warning(
                "claiming record %s at %s failed; the next sign-in tries again", record.record_id, claim.tenant_id
            )
            continue
        for start in range(0, len(rest), CLAIM_BOOKINGS_PER_TRANSACTION):
            chunk = rest[start : start + CLAIM_BOOKINGS_PER_TRANSACTION]

            def build_rest(tx: dynamo.Transaction, chunk: list[Booking] = chunk) -> None:
                for booking in chunk:
                    _move_booking(tx, booking, user_id)

            dynamo.transact(build_rest)
        access_services.patient_membership_ensure(user=user, tenant_id=record.tenant_id)
        record.user_id = user_id
        claimed.append(record)
    return claimed


def _move_booking(tx: dynamo.Transaction, booking: Booking, user_id: str) -> None:
    """From the record's list to the patient's own, where "Mis citas" reads it."""
    tx.update(
        booking,
        [
            Booking.patient_id.set(user_id),
            Booking.patient_pk.set(dynamo.patient_bookings_pk(user_id)),
            Booking.patient_sk.set(dynamo.agenda_sk(booking.start, booking.booking_id)),
        ],
    )


def patient_records_claim_quietly(*, user: User, email: str) -> None:
    """For sign-up and sign-in hooks: a failure is logged and retried at the next sign-in, never shown."""
    try:
        patient_records_claim(user=user, email=email)
    except Exception:
        log.exception("claiming the clinic records of user %s failed", user.pk)
