"""Reads of the clinic's patient directory: search, a record, records sharing a phone or an e-mail, claims.

The directory is one small item per search term of a record, keyed ``PDIR#<term>#<record id>`` in the
clinic's partition (README, "Reception: phone and walk-in patients"): a search for the start of a
name, an e-mail or a phone number is one Query of a sort-key range, never a Scan, however many
patients the clinic has.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from pynamodb.exceptions import DoesNotExist

from booking.models import Booking, ClinicPatient, PatientClaim, PatientDirectoryEntry
from nexioq import dynamo
from nexioq.errors import NotFound

# Longer terms add nothing to a search and must stay far below DynamoDB's 1,024-byte sort key.
MAX_TERM = 80
# A name of more words than this is indexed by its first ones (the transaction stays small).
MAX_NAME_WORDS = 8
# A phone search starts with this many digits; fewer would match half the directory.
MIN_PHONE_DIGITS = 3
# Entries read for one search: several per record (each word of the name, the whole name...).
SEARCH_READ = 200
SEARCH_LIMIT = 20
_PHONE_QUERY = re.compile(r"[+0-9 ().-]+")
_WORD = re.compile(r"\w+")


class PatientRecordNotFound(NotFound):
    """No record with this id at this clinic: answered like an unknown page."""


def directory_term(text: str) -> str:
    """A term as the directory stores and searches it: no accents, case-folded, no ``#``, single spaces.

    "Gómez" and "GOMEZ" both become "gomez", so either finds the other.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        " " if not c.isprintable() else c
        for c in decomposed
        if not unicodedata.combining(c) and not 0xD800 <= ord(c) <= 0xDFFF
    )
    folded = kept.casefold().replace(dynamo.SEP, "")
    return " ".join(folded.split())[:MAX_TERM].strip()


def phone_terms(phone: str) -> list[str]:
    """The digits of an E.164 number as typed at the desk: international ("573001234567") and national
    ("3001234567"), so either form finds the patient."""
    if not phone:
        return []
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return [digits] if (digits := re.sub(r"\D", "", phone)) else []
    national = re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return _unique([phone.lstrip("+"), national, str(number.national_number)])


def record_terms(*, name: str, phone: str, email: str) -> list[str]:
    """Every term a record is found by: each word of its name, the whole name, its e-mail, its phone's digits."""
    whole = directory_term(name)
    words = _WORD.findall(whole)[:MAX_NAME_WORDS]
    return [t for t in _unique([*words, whole, directory_term(email), *phone_terms(phone)]) if t]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _query_term(query: str) -> tuple[str, list[str]]:
    """The term to read a range of, and the words every result's name must also start a word with."""
    stripped = query.strip()
    if _PHONE_QUERY.fullmatch(stripped) and sum(c.isdigit() for c in stripped) >= MIN_PHONE_DIGITS:
        return re.sub(r"\D", "", stripped), []
    term = directory_term(stripped)
    if "@" in term:
        return term, []
    words = _WORD.findall(term)
    if len(words) < 2:
        return term, []
    # The longest word narrows the range most; the others filter what it reads.
    longest = max(words, key=len)
    return longest, [w for w in words if w is not longest]


def patient_search(*, tenant_id: str, query: str, limit: int = SEARCH_LIMIT) -> list[PatientDirectoryEntry]:
    """Records whose name, e-mail or phone starts with ``query``: one Query, one line per record, by name."""
    term, also = _query_term(query)
    if not term:
        return []
    items = PatientDirectoryEntry.query(
        dynamo.tenant_pk(tenant_id),
        PatientDirectoryEntry.sk.between(*dynamo.patient_directory_range(term)),
        limit=SEARCH_READ,
        page_size=SEARCH_READ,
    )
    found: dict[str, PatientDirectoryEntry] = {}
    for entry in items:
        if not isinstance(entry, PatientDirectoryEntry) or entry.record_id in found:
            continue
        if also:
            name_words = _WORD.findall(directory_term(entry.name))
            if not all(any(w.startswith(part) for w in name_words) for part in also):
                continue
        found[entry.record_id] = entry
    return sorted(found.values(), key=lambda e: (directory_term(e.name), e.record_id))[:limit]


def _exact(tenant_id: str, term: str) -> list[PatientDirectoryEntry]:
    low = dynamo.patient_directory_sk(term, "0")[: -len("0")]
    items = PatientDirectoryEntry.query(dynamo.tenant_pk(tenant_id), PatientDirectoryEntry.sk.between(low, f"{low}~"))
    return [e for e in items if isinstance(e, PatientDirectoryEntry)]


def patient_records_similar(*, tenant_id: str, phone: str, email: str) -> list[PatientDirectoryEntry]:
    """Records with exactly this phone (E.164) or e-mail: one Query each, for a warning before a duplicate."""
    found: dict[str, PatientDirectoryEntry] = {}
    for term in [phone.lstrip("+"), directory_term(email)]:
        if term:
            for entry in _exact(tenant_id, term):
                found.setdefault(entry.record_id, entry)
    return list(found.values())


def patient_record_get(*, tenant_id: str, record_id: str) -> ClinicPatient:
    try:
        return ClinicPatient.get(dynamo.tenant_pk(tenant_id), dynamo.patient_record_sk(record_id))
    except DoesNotExist as exc:
        raise PatientRecordNotFound(detail=f"patient record {record_id}") from exc


def patient_record_find(*, tenant_id: str, record_id: str) -> ClinicPatient | None:
    try:
        return patient_record_get(tenant_id=tenant_id, record_id=record_id)
    except PatientRecordNotFound:
        return None


def patient_claims(*, email: str) -> list[PatientClaim]:
    """Records with this e-mail waiting, at any clinic, for their patient to sign up: one Query."""
    if not email.strip():
        return []
    items = PatientClaim.query(dynamo.patient_claim_pk(email), consistent_read=True)
    return [c for c in items if isinstance(c, PatientClaim)]


def record_bookings(*, tenant_id: str, record_id: str) -> list[Booking]:
    """Bookings made for a record before it had an account (listed under the record): one Query."""
    items = Booking.patient_bookings.query(dynamo.patient_record_bookings_pk(tenant_id, record_id))
    return [b for b in items if isinstance(b, Booking)]
