"""Reads of the clinic catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from pynamodb.exceptions import DoesNotExist

from clinics.models import Clinic, Professional, SlugClaim, Treatment
from clinics.services import slug_cache_key
from nexioq import dynamo
from nexioq.dynamo import TableItem

SLUG_CACHE_SECONDS = 300


class NotFound(Exception):
    """The clinic, treatment or professional does not exist (or is not this clinic's)."""


def tenant_id_for_slug(*, slug: str) -> str:
    """Slug -> tenant id, cached: a clinic's address rarely changes and every page needs it."""
    key = slug_cache_key(slug)
    tenant_id = cache.get(key)
    if tenant_id is None:
        try:
            claim = SlugClaim.get(dynamo.slug_pk(slug), dynamo.SLUG_SK)
        except DoesNotExist as exc:
            raise NotFound(slug) from exc
        tenant_id = claim.tenant_id
        cache.set(key, tenant_id, SLUG_CACHE_SECONDS)
    return str(tenant_id)


def clinic_get(*, tenant_id: str) -> Clinic:
    try:
        return Clinic.get(dynamo.tenant_pk(tenant_id), dynamo.CLINIC_SK)
    except DoesNotExist as exc:
        raise NotFound(tenant_id) from exc


def treatment_list(*, tenant_id: str, active_only: bool = True) -> list[Treatment]:
    items = Treatment.query(dynamo.tenant_pk(tenant_id), Treatment.sk.startswith(dynamo.TREATMENT_PREFIX))
    treatments = [t for t in items if t.active or not active_only]
    return sorted(treatments, key=lambda t: t.name.lower())


def professional_list(*, tenant_id: str, treatment_id: str | None = None) -> list[Professional]:
    items = Professional.query(dynamo.tenant_pk(tenant_id), Professional.sk.startswith(dynamo.PROFESSIONAL_PREFIX))
    professionals = [p for p in items if p.active and (treatment_id is None or treatment_id in p.treatment_ids)]
    return sorted(professionals, key=lambda p: p.name.lower())


@dataclass(frozen=True)
class BookingContext:
    clinic: Clinic
    treatment: Treatment
    professional: Professional | None


def booking_context(*, tenant_id: str, treatment_id: str, professional_id: str | None = None) -> BookingContext:
    """Clinic, treatment and (optionally) professional in one BatchGetItem."""
    pk = dynamo.tenant_pk(tenant_id)
    keys = [(pk, dynamo.CLINIC_SK), (pk, dynamo.treatment_sk(treatment_id))]
    if professional_id:
        keys.append((pk, dynamo.professional_sk(professional_id)))
    found = {item.sk: item for item in TableItem.batch_get(keys)}
    clinic = found.get(dynamo.CLINIC_SK)
    treatment = found.get(dynamo.treatment_sk(treatment_id))
    if not isinstance(clinic, Clinic) or not isinstance(treatment, Treatment) or not treatment.active:
        raise NotFound(treatment_id)
    professional: Professional | None = None
    if professional_id:
        item = found.get(dynamo.professional_sk(professional_id))
        if not isinstance(item, Professional) or not item.performs(treatment_id):
            raise NotFound(professional_id)
        professional = item
    return BookingContext(clinic=clinic, treatment=treatment, professional=professional)
