"""Reads of the clinic catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from pynamodb.exceptions import DoesNotExist

from clinics.models import Clinic, Professional, SlugClaim, Treatment
from nexioq import dynamo
from nexioq.dynamo import TableItem
from nexioq.errors import NotFound

# A slug names its clinic for good (it is fixed at creation and claimed by its own item), so the
# mapping can be kept long; clinic writes still drop it. Shorter only cost a request now and then.
SLUG_CACHE_SECONDS = 24 * 3600
CLINIC_PAGE_SIZE = 50
# With a search, the directory is read in pages this big until a page of matches is found.
DIRECTORY_READ_SIZE = 200


def slug_cache_key(slug: str) -> str:
    return f"clinic-slug:{slug}"


def tenant_id_for_slug(*, slug: str) -> str:
    """Slug -> tenant id, cached: a clinic's address rarely changes and every page needs it."""
    pk = dynamo.slug_pk(slug)  # first: a slug no clinic can have is no cache key (memcached refuses long ones)
    key = slug_cache_key(slug)
    tenant_id = cache.get(key)
    if tenant_id is None:
        try:
            claim = SlugClaim.get(pk, dynamo.SLUG_SK)
        except DoesNotExist as exc:
            raise NotFound(detail=f"slug {slug}") from exc
        tenant_id = claim.tenant_id
        cache.set(key, tenant_id, SLUG_CACHE_SECONDS)
    return str(tenant_id)


def clinic_get(*, tenant_id: str) -> Clinic:
    try:
        return Clinic.get(dynamo.tenant_pk(tenant_id), dynamo.CLINIC_SK)
    except DoesNotExist as exc:
        raise NotFound(detail=f"clinic {tenant_id}") from exc


@dataclass(frozen=True)
class ClinicPage:
    clinics: list[Clinic]
    # Pass back as ``after`` for the next page; None on the last one.
    next_after: str | None


def clinic_list(*, search: str = "", after: str = "", limit: int = CLINIC_PAGE_SIZE) -> ClinicPage:
    """Clinics by name from the directory on GSI1: Queries only, never a Scan.

    ``after`` is the directory sort key of the last clinic already shown, so paging is a key
    condition, not a start key a client could forge into something else. The search is a
    case-insensitive substring match on name and slug, applied to the pages as they are read:
    DynamoDB cannot match substrings case-insensitively in a key, and at the platform admin's
    scale (hundreds of clinics) reading the directory until a page of matches turns up is cheap.
    """
    needle = search.strip().casefold()
    condition = Clinic.directory_sk > after if after else None
    # Without a search, one more than a page tells whether there is a next page.
    items = Clinic.clinic_directory.query(
        dynamo.CLINIC_DIRECTORY_PK,
        condition,
        limit=None if needle else limit + 1,
        page_size=DIRECTORY_READ_SIZE if needle else limit + 1,
    )
    found: list[Clinic] = []
    for item in items:
        if not isinstance(item, Clinic):
            continue
        if needle and needle not in item.name.casefold() and needle not in item.slug:
            continue
        found.append(item)
        if len(found) > limit:
            break  # stops reading the directory
    if len(found) > limit:
        return ClinicPage(clinics=found[:limit], next_after=found[limit - 1].directory_sk)
    return ClinicPage(clinics=found, next_after=None)


def treatment_list(*, tenant_id: str, active_only: bool = True) -> list[Treatment]:
    items = Treatment.query(
        dynamo.tenant_pk(tenant_id), Treatment.sk.between(*dynamo.prefix_range(dynamo.TREATMENT_PREFIX))
    )
    treatments = [t for t in items if t.active or not active_only]
    return sorted(treatments, key=lambda t: t.name.lower())


def professional_list(
    *, tenant_id: str, treatment_id: str | None = None, active_only: bool = True
) -> list[Professional]:
    items = Professional.query(
        dynamo.tenant_pk(tenant_id), Professional.sk.between(*dynamo.prefix_range(dynamo.PROFESSIONAL_PREFIX))
    )
    professionals = [
        p for p in items if (p.active or not active_only) and (treatment_id is None or treatment_id in p.treatment_ids)
    ]
    return sorted(professionals, key=lambda p: p.name.lower())


def treatment_get(*, tenant_id: str, treatment_id: str) -> Treatment:
    """A treatment whether active or not (the admin panel edits both)."""
    try:
        return Treatment.get(dynamo.tenant_pk(tenant_id), dynamo.treatment_sk(treatment_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound(detail=f"treatment {treatment_id}") from exc


def professional_get(*, tenant_id: str, professional_id: str) -> Professional:
    """A professional whether active or not (the admin panel edits both)."""
    try:
        return Professional.get(
            dynamo.tenant_pk(tenant_id), dynamo.professional_sk(professional_id), consistent_read=True
        )
    except DoesNotExist as exc:
        raise NotFound(detail=f"professional {professional_id}") from exc


@dataclass(frozen=True)
class ClinicContext:
    """The clinic and the catalogue items a page or a use case needs, read together."""

    clinic: Clinic
    treatment: Treatment | None = None
    professional: Professional | None = None


def clinic_context(
    *,
    tenant_id: str,
    treatment_id: str | None = None,
    professional_id: str | None = None,
    editing: bool = False,
) -> ClinicContext:
    """Clinic, and optionally an active treatment and a professional performing it: one GetItem or BatchGetItem.

    An inactive treatment, or a professional who is inactive or does not perform the treatment,
    is not found: it is not bookable. ``editing`` (the admin panel): the items whatever their
    state, read strongly consistent so the version a form carries is the latest.
    """
    pk = dynamo.tenant_pk(tenant_id)
    keys = [(pk, dynamo.CLINIC_SK)]
    if treatment_id is not None:
        keys.append((pk, dynamo.treatment_sk(treatment_id)))
    if professional_id is not None:
        keys.append((pk, dynamo.professional_sk(professional_id)))
    if len(keys) == 1:
        return ClinicContext(clinic=clinic_get(tenant_id=tenant_id))
    found = {item.sk: item for item in TableItem.batch_get(keys, consistent_read=editing or None)}
    clinic = found.get(dynamo.CLINIC_SK)
    if not isinstance(clinic, Clinic):
        raise NotFound(detail=f"clinic {tenant_id}")
    treatment: Treatment | None = None
    if treatment_id is not None:
        item = found.get(dynamo.treatment_sk(treatment_id))
        if not isinstance(item, Treatment) or not (item.active or editing):
            raise NotFound(detail=f"treatment {treatment_id}")
        treatment = item
    professional: Professional | None = None
    if professional_id is not None:
        item = found.get(dynamo.professional_sk(professional_id))
        if not isinstance(item, Professional) or not (item.active or editing):
            raise NotFound(detail=f"professional {professional_id}")
        if treatment_id is not None and not editing and not item.performs(treatment_id):
            raise NotFound(detail=f"professional {professional_id} does not perform {treatment_id}")
        professional = item
    return ClinicContext(clinic=clinic, treatment=treatment, professional=professional)
