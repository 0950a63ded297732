"""Clinic services and the clinic directory (GSI1) against DynamoDB Local.

The table is shared by the whole run, so every test makes its own clinics under a
unique name and slug and searches or pages from there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from pynamodb.signals import pre_dynamodb_send

from clinics import selectors, services
from clinics.clinic_settings import ClinicSettings
from clinics.models import Clinic
from nexioq import dynamo
from tests.conftest import NOW

pytestmark = pytest.mark.usefixtures("dynamodb_local", "frozen")


def unique() -> str:
    return uuid.uuid4().hex[:10]


def new_clinic(name: str, **settings: Any) -> Clinic:
    return services.clinic_create(
        slug=f"t-{unique()}", settings=ClinicSettings(name=name, time_zone="America/Bogota", **settings)
    )


def settings_of(clinic: Clinic, **changes: Any) -> ClinicSettings:
    """The clinic's settings as it has them now, with ``changes`` applied."""
    return replace(ClinicSettings.of(clinic), **changes)


def reload(clinic: Clinic) -> Clinic:
    return selectors.clinic_get(tenant_id=clinic.tenant_id)


@contextmanager
def before_next(operation: str, action: Callable[[], object]) -> Iterator[None]:
    """Run ``action`` just before the next ``operation`` is sent: a real race, no mocks."""
    state = {"done": False}

    def interject(sender: Any, operation_name: str, **kwargs: Any) -> None:
        if operation_name == operation and not state["done"]:
            state["done"] = True
            action()

    pre_dynamodb_send.connect(interject)
    try:
        yield
    finally:
        pre_dynamodb_send.disconnect(interject)
    assert state["done"], f"no {operation} was sent"


def someone_else_edits(clinic: Clinic) -> Callable[[], object]:
    def edit() -> None:
        other = reload(clinic)
        other.phone = "+57 601 000 0000"
        other.save()

    return edit


# ---------------------------------------------------------------- the directory


def test_it_puts_a_new_clinic_in_the_directory() -> None:
    clinic = new_clinic("  Sonrisa Norte ")

    stored = reload(clinic)
    assert stored.directory_pk == dynamo.CLINIC_DIRECTORY_PK
    assert stored.directory_sk == f"sonrisa norte#{clinic.tenant_id}"
    assert stored.name == "Sonrisa Norte"


def test_it_lists_clinics_by_name_with_one_query() -> None:
    tag = unique()
    for name in (f"Zz {tag} Charlie", f"zz {tag} alfa", f"ZZ {tag} Bravo"):
        new_clinic(name)

    with dynamo.count_requests() as count:
        page = selectors.clinic_list(search=tag)

    assert [c.name for c in page.clinics] == [f"zz {tag} alfa", f"ZZ {tag} Bravo", f"Zz {tag} Charlie"]
    assert page.next_after is None
    assert set(count.operations) == {"Query"}
    assert count.value >= 1  # the same calls, counted


def test_it_lists_the_first_page_without_a_search_in_one_query() -> None:
    new_clinic(f"Clínica {unique()}")

    with dynamo.count_requests() as count:
        page = selectors.clinic_list(limit=5)

    assert count.operations == ["Query"]
    assert 1 <= len(page.clinics) <= 5
    names = [c.directory_sk for c in page.clinics]
    assert names == sorted(names)


def test_it_pages_after_the_last_clinic_shown() -> None:
    tag = unique()
    clinics = [new_clinic(f"Pag {tag} {n}") for n in range(3)]
    start = f"pag {tag}"  # sorts just before the three: a prefix of their sort keys

    first = selectors.clinic_list(after=start, limit=2)
    second = selectors.clinic_list(after=first.next_after or "", limit=2)

    assert [c.tenant_id for c in first.clinics] == [c.tenant_id for c in clinics[:2]]
    assert first.next_after == clinics[1].directory_sk
    assert second.clinics[0].tenant_id == clinics[2].tenant_id


def test_it_pages_through_search_results() -> None:
    tag = unique()
    clinics = [new_clinic(f"Busca {tag} {n}") for n in range(3)]

    first = selectors.clinic_list(search=tag, limit=2)
    second = selectors.clinic_list(search=tag, after=first.next_after or "", limit=2)

    assert [c.tenant_id for c in first.clinics + second.clinics] == [c.tenant_id for c in clinics]
    assert second.next_after is None


def test_it_searches_name_and_slug_case_insensitively() -> None:
    tag = unique()
    by_name = new_clinic(f"Dental ÁGUILA {tag}")
    by_slug = services.clinic_create(slug=f"aguila-{tag}", settings=ClinicSettings(name="Otra", time_zone="UTC"))

    found_name = selectors.clinic_list(search=f"águila {tag.upper()}")
    found_slug = selectors.clinic_list(search=f"AGUILA-{tag}")

    assert [c.tenant_id for c in found_name.clinics] == [by_name.tenant_id]
    assert [c.tenant_id for c in found_slug.clinics] == [by_slug.tenant_id]
    assert selectors.clinic_list(search=f"nada-{tag}").clinics == []


# ---------------------------------------------------------------- create


def test_it_stores_every_setting() -> None:
    settings = ClinicSettings(
        name=" Completa ",
        time_zone="Europe/Madrid",
        country="ES",
        currency="EUR",
        address="Gran Vía 1",
        phone="+34910000000",
        email="hola@completa.example",
        grid_minutes=30,
        min_notice_minutes=60,
        max_advance_days=90,
        cancellation_cutoff_hours=48,
    )

    clinic = services.clinic_create(slug=f"t-{unique()}", settings=settings)

    assert ClinicSettings.of(reload(clinic)) == replace(settings, name="Completa")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"name": "   "}, "name"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"country": "XX"}, "country"),
        ({"currency": "ZZZ"}, "currency"),
        ({"currency": "XAU"}, "currency"),  # a precious metal
        ({"currency": "ADP"}, "currency"),  # the peseta of Andorra: gone
        ({"currency": "XTS"}, "currency"),  # reserved for tests
        ({"country": "XA"}, "country"),  # a pseudo-locale
        ({"phone": "not a phone"}, "phone"),
        ({"language": "fr"}, "language"),
        ({"grid_minutes": 7}, "grid_minutes"),
        ({"min_notice_minutes": -1}, "min_notice_minutes"),
        ({"max_advance_days": -5}, "max_advance_days"),
        ({"cancellation_cutoff_hours": -1}, "cancellation_cutoff_hours"),
        ({"slug": "Not A Slug"}, "slug"),
    ],
)
def test_it_refuses_bad_settings_on_create(options: dict[str, Any], field: str) -> None:
    slug = options.get("slug", f"t-{unique()}")
    settings = ClinicSettings(
        **{"name": "Buena", "time_zone": "UTC", **{k: v for k, v in options.items() if k != "slug"}}
    )

    with pytest.raises(ValidationError) as caught:
        services.clinic_create(slug=slug, settings=settings)

    assert field in caught.value.message_dict


def test_it_refuses_a_taken_slug() -> None:
    clinic = new_clinic("Primera")

    with pytest.raises(ValidationError) as caught:
        services.clinic_create(slug=clinic.slug, settings=ClinicSettings(name="Segunda", time_zone="UTC"))

    assert "slug" in caught.value.message_dict


# ---------------------------------------------------------------- update


def test_it_updates_a_clinic_and_moves_it_in_the_directory() -> None:
    tag = unique()
    clinic = new_clinic(f"Antes {tag}")

    updated = services.clinic_update(
        tenant_id=clinic.tenant_id,
        version=clinic.version,
        settings=settings_of(
            clinic, name=f"Después {tag}", phone="+57 601 555 0199", grid_minutes=30, currency="USD", country="US"
        ),
    )

    stored = reload(clinic)
    assert (stored.name, stored.phone, stored.grid_minutes, stored.currency) == (
        f"Después {tag}",
        "+576015550199",
        30,
        "USD",
    )
    assert stored.version == updated.version == clinic.version + 1
    assert stored.directory_sk == f"después {tag}#{clinic.tenant_id}"
    assert [c.tenant_id for c in selectors.clinic_list(search=f"después {tag}").clinics] == [clinic.tenant_id]
    assert selectors.clinic_list(search=f"antes {tag}").clinics == []


def test_it_refuses_an_update_from_an_old_version() -> None:
    clinic = new_clinic("Vieja")
    services.clinic_update(
        tenant_id=clinic.tenant_id, version=clinic.version, settings=settings_of(clinic, phone="601 555 0101")
    )

    with pytest.raises(services.StaleClinic):
        services.clinic_update(
            tenant_id=clinic.tenant_id, version=clinic.version, settings=settings_of(clinic, phone="601 555 0102")
        )

    assert reload(clinic).phone == "+576015550101"


def test_it_refuses_an_update_when_an_edit_lands_between_read_and_write() -> None:
    clinic = new_clinic("Carrera")

    with before_next("PutItem", someone_else_edits(clinic)), pytest.raises(services.StaleClinic):
        services.clinic_update(
            tenant_id=clinic.tenant_id, version=clinic.version, settings=settings_of(clinic, address="Mine")
        )

    stored = reload(clinic)
    assert (stored.phone, stored.address) == ("+57 601 000 0000", "")


def test_it_validates_an_update() -> None:
    clinic = new_clinic("Valida")

    with pytest.raises(ValidationError) as caught:
        services.clinic_update(
            tenant_id=clinic.tenant_id, version=clinic.version, settings=settings_of(clinic, time_zone="Nowhere/Never")
        )

    assert "time_zone" in caught.value.message_dict
    assert reload(clinic).version == clinic.version


def test_it_keeps_closures_and_slug_through_an_update() -> None:
    clinic = new_clinic("Cierre")
    clinic = services.clinic_closure_add(
        tenant_id=clinic.tenant_id,
        version=clinic.version,
        start=NOW + dt.timedelta(days=1),
        end=NOW + dt.timedelta(days=2),
        reason="x",
    )

    services.clinic_update(
        tenant_id=clinic.tenant_id, version=clinic.version, settings=settings_of(clinic, phone="601 555 0109")
    )

    stored = reload(clinic)
    assert stored.slug == clinic.slug
    assert [r.reason for r in stored.closures] == ["x"]


# ---------------------------------------------------------------- suspend


def test_it_suspends_and_unsuspends() -> None:
    clinic = new_clinic("Pausa")

    suspended = services.clinic_suspend(tenant_id=clinic.tenant_id)
    assert reload(clinic).suspended is True
    assert suspended.version == clinic.version + 1

    services.clinic_unsuspend(tenant_id=clinic.tenant_id)
    stored = reload(clinic)
    assert stored.suspended is False
    assert stored.version == clinic.version + 2


def test_it_suspends_even_when_an_edit_lands_in_between() -> None:
    clinic = new_clinic("Insiste")

    with before_next("UpdateItem", someone_else_edits(clinic)):
        services.clinic_suspend(tenant_id=clinic.tenant_id)

    stored = reload(clinic)
    assert stored.suspended is True
    assert stored.phone == "+57 601 000 0000"  # the other edit is kept, not overwritten


def test_it_forgets_the_cached_slug_on_every_write() -> None:
    clinic = new_clinic("Cache")
    key = services.slug_cache_key(clinic.slug)

    for write in (
        lambda: services.clinic_suspend(tenant_id=clinic.tenant_id),
        lambda: services.clinic_unsuspend(tenant_id=clinic.tenant_id),
        lambda: services.clinic_update(
            tenant_id=clinic.tenant_id,
            version=reload(clinic).version,
            settings=settings_of(clinic, phone="601 555 0107"),
        ),
    ):
        assert selectors.tenant_id_for_slug(slug=clinic.slug) == clinic.tenant_id
        assert cache.get(key) == clinic.tenant_id
        write()
        assert cache.get(key) is None


def test_it_stores_weekly_hours_as_a_list_of_maps_and_reads_them_back() -> None:
    """The shape a ListAttribute of MapAttribute stored, so items written before read the same."""
    from clinics.models import Professional, WorkRange

    clinic = new_clinic(f"Horarios {unique()}")
    made = services.professional_create(
        tenant_id=clinic.tenant_id,
        name="Dra. Horario",
        weekly_hours={0: [("08:00", "12:00"), ("13:00", "18:00")], 5: [("09:00", "13:00")]},
        treatment_ids=[],
    )
    client = dynamo.TableItem._get_connection().connection.client
    raw = client.get_item(
        TableName=dynamo.TableItem.Meta.table_name,
        Key={"PK": {"S": made.pk}, "SK": {"S": made.sk}},
    )["Item"]["weekly_hours"]

    assert raw["L"][0] == {"M": {"weekday": {"N": "0"}, "start": {"S": "08:00"}, "end": {"S": "12:00"}}}
    stored = Professional.get(made.pk, made.sk)
    assert stored.weekly_hours == [
        WorkRange(weekday=0, start="08:00", end="12:00"),
        WorkRange(weekday=0, start="13:00", end="18:00"),
        WorkRange(weekday=5, start="09:00", end="13:00"),
    ]


# ---------------------------------------------------------------- reminders, phones, closures


def test_an_older_clinic_item_without_reminders_reads_the_default() -> None:
    clinic = new_clinic(f"Antigua {unique()}")
    client = dynamo.TableItem._get_connection().connection.client
    client.update_item(
        TableName=dynamo.TableItem.Meta.table_name,
        Key={"PK": {"S": clinic.pk}, "SK": {"S": clinic.sk}},
        UpdateExpression="REMOVE reminder_offsets",
    )

    assert ClinicSettings.of(reload(clinic)).reminder_offsets == (24 * 60, 2 * 60)


def test_it_stores_reminders_largest_first_and_refuses_bad_ones() -> None:
    clinic = new_clinic(f"Avisos {unique()}")

    services.clinic_update(
        tenant_id=clinic.tenant_id, version=clinic.version, settings=settings_of(clinic, reminder_offsets=(30, 2880))
    )

    assert list(reload(clinic).reminder_offsets) == [2880, 30]
    for bad in ((0,), (60, 60), (60, 120, 180, 240), (8 * 24 * 60,), (True,)):
        with pytest.raises(ValidationError) as caught:
            services.clinic_update(
                tenant_id=clinic.tenant_id,
                version=reload(clinic).version,
                settings=settings_of(clinic, reminder_offsets=bad),
            )
        assert "reminder_offsets" in caught.value.message_dict


def test_it_removes_a_closure_with_the_version_and_refuses_a_stale_one() -> None:
    clinic = new_clinic(f"Reabre {unique()}")
    start, end = NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=2)
    added = services.clinic_closure_add(tenant_id=clinic.tenant_id, version=clinic.version, start=start, end=end)

    with pytest.raises(services.StaleClinic):
        services.clinic_closure_remove(tenant_id=clinic.tenant_id, version=clinic.version, start=start, end=end)
    with pytest.raises(services.StaleClinic):
        services.clinic_closure_add(tenant_id=clinic.tenant_id, version=clinic.version, start=start, end=end)
    services.clinic_closure_remove(tenant_id=clinic.tenant_id, version=added.version, start=start, end=end)

    assert reload(clinic).closures == []
    with pytest.raises(ValidationError) as caught:
        services.clinic_closure_remove(tenant_id=clinic.tenant_id, version=reload(clinic).version, start=start, end=end)
    assert "closure" in caught.value.message_dict


def test_it_refuses_an_inverted_closure_on_its_end() -> None:
    clinic = new_clinic(f"Al revés {unique()}")

    with pytest.raises(ValidationError) as caught:
        services.clinic_closure_add(
            tenant_id=clinic.tenant_id, version=clinic.version, start=NOW + dt.timedelta(days=2), end=NOW
        )

    assert "end" in caught.value.message_dict
    assert reload(clinic).closures == []
