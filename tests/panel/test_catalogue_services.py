"""The catalogue services the panel calls: values refused by field, stale versions, who performs what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from access import services as access_services
from access.models import Membership, Role
from booking.selectors import booking_get
from clinics import services
from clinics.models import WorkRange
from clinics.selectors import professional_get, treatment_get, treatment_list
from tests.conftest import People, World, at, book, make_user

VALUES = services.TreatmentValues(name="Ortodoncia", duration_minutes=45, price=Decimal("80000"))


def test_it_adds_a_treatment_performed_by_the_chosen_professionals(world: World) -> None:
    treatment = services.treatment_add(
        tenant_id=world.tenant_id, values=VALUES, professional_ids=[world.ana.professional_id], grid_minutes=15
    )

    assert (
        treatment.treatment_id
        in professional_get(tenant_id=world.tenant_id, professional_id=world.ana.professional_id).treatment_ids
    )
    assert (
        treatment.treatment_id
        not in professional_get(tenant_id=world.tenant_id, professional_id=world.ben.professional_id).treatment_ids
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_minutes": 20}, "duration_minutes"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 225, "buffer_after_minutes": 10}, "duration_minutes"),
        ({"buffer_before_minutes": 3}, "buffer_before_minutes"),
        ({"buffer_after_minutes": -5}, "buffer_after_minutes"),
        ({"price": Decimal("-1")}, "price"),
        ({"price": Decimal("NaN")}, "price"),
        ({"name": " "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"description": "x" * 1001}, "description"),
    ],
)
def test_it_refuses_values_by_field(changes: dict[str, object], field: str, world: World) -> None:
    from dataclasses import replace

    with pytest.raises(ValidationError) as refused:
        services.treatment_add(
            tenant_id=world.tenant_id, values=replace(VALUES, **changes), professional_ids=[], grid_minutes=15
        )

    assert field in refused.value.error_dict
    assert len(treatment_list(tenant_id=world.tenant_id, active_only=False)) == 3


def test_it_refuses_an_unknown_professional(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.treatment_add(tenant_id=world.tenant_id, values=VALUES, professional_ids=["nobody"], grid_minutes=15)

    assert "professional_ids" in refused.value.error_dict


def test_a_stale_treatment_update_writes_nothing(world: World) -> None:
    services.treatment_update(
        tenant_id=world.tenant_id,
        treatment_id=world.cleaning.treatment_id,
        version=world.cleaning.version,
        values=VALUES,
        professional_ids=None,
        grid_minutes=15,
    )

    with pytest.raises(services.StaleTreatment):
        services.treatment_update(
            tenant_id=world.tenant_id,
            treatment_id=world.cleaning.treatment_id,
            version=world.cleaning.version,
            values=services.TreatmentValues(name="Otra", duration_minutes=30, price=Decimal(1)),
            professional_ids=[],
            grid_minutes=15,
        )

    assert treatment_get(tenant_id=world.tenant_id, treatment_id=world.cleaning.treatment_id).name == "Ortodoncia"
    assert (
        world.cleaning.treatment_id
        in professional_get(tenant_id=world.tenant_id, professional_id=world.ana.professional_id).treatment_ids
    )


def test_a_professional_changed_meanwhile_makes_the_treatment_save_stale(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The treatment and the professionals it moves are one transaction, each item at its version."""
    from clinics.models import Professional

    treatment = world.cleaning
    stale_ben = professional_get(tenant_id=world.tenant_id, professional_id=world.ben.professional_id)
    stale_ben.update(actions=[Professional.name.set("Dr. Ben B.")])  # someone edits Ben: version moves on

    # Remove Ben from the treatment, from a read of Ben made before that edit.
    original = services._all_professionals

    def old_read(tenant_id: str) -> list[Professional]:
        return [world.ben if p.professional_id == world.ben.professional_id else p for p in original(tenant_id)]

    monkeypatch.setattr(services, "_all_professionals", old_read)
    with pytest.raises(services.StaleTreatment):
        services.treatment_update(
            tenant_id=world.tenant_id,
            treatment_id=treatment.treatment_id,
            version=treatment.version,
            values=VALUES,
            professional_ids=[world.ana.professional_id],
            grid_minutes=15,
        )

    assert treatment_get(tenant_id=world.tenant_id, treatment_id=treatment.treatment_id).name == "Limpieza"


def test_deactivating_a_treatment_keeps_its_bookings_as_they_were(world: World) -> None:
    booking = book(world, at(9), treatment=world.cleaning)
    updated = services.treatment_update(
        tenant_id=world.tenant_id,
        treatment_id=world.cleaning.treatment_id,
        version=world.cleaning.version,
        values=services.TreatmentValues(name="Limpieza nueva", duration_minutes=30, price=Decimal("1")),
        professional_ids=None,
        grid_minutes=15,
    )

    services.treatment_set_active(
        tenant_id=world.tenant_id, treatment_id=updated.treatment_id, version=updated.version, active=False
    )

    assert world.cleaning.treatment_id not in {t.treatment_id for t in treatment_list(tenant_id=world.tenant_id)}
    kept = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (kept.treatment_name, kept.price, kept.end - kept.start) == (
        "Limpieza",
        Decimal("120000"),
        dt.timedelta(hours=1),
    )


def test_it_updates_a_professional_and_refuses_overlaps_and_stale_versions(world: World) -> None:
    split = {1: [("15:00", "18:00"), ("09:00", "13:00")]}
    values = services.ProfessionalValues(name="Dra. Ana", weekly_hours=split, color="#2563EB")

    saved = services.professional_update(
        tenant_id=world.tenant_id, professional_id=world.ana.professional_id, version=world.ana.version, values=values
    )

    assert saved.weekly_hours == [
        WorkRange(weekday=1, start="09:00", end="13:00"),
        WorkRange(weekday=1, start="15:00", end="18:00"),
    ]
    assert saved.color == "#2563eb"
    with pytest.raises(services.StaleProfessional):
        services.professional_update(
            tenant_id=world.tenant_id,
            professional_id=world.ana.professional_id,
            version=world.ana.version,
            values=values,
        )
    overlapping = services.ProfessionalValues(
        name="Dra. Ana", weekly_hours={1: [("09:00", "13:00"), ("12:00", "14:00")]}
    )
    with pytest.raises(ValidationError) as refused:
        services.professional_update(
            tenant_id=world.tenant_id,
            professional_id=world.ana.professional_id,
            version=saved.version,
            values=overlapping,
        )
    assert "weekly_hours" in refused.value.error_dict
    with pytest.raises(ValidationError) as bad_colour:
        services.professional_update(
            tenant_id=world.tenant_id,
            professional_id=world.ana.professional_id,
            version=saved.version,
            values=services.ProfessionalValues(name="Dra. Ana", weekly_hours={}, color="teal"),
        )
    assert "color" in bad_colour.value.error_dict


def test_the_unsaved_copy_leaves_the_original_alone(world: World) -> None:
    values = services.ProfessionalValues(name="Otra", weekly_hours={})

    changed = services.professional_values_apply(world.ana, values)

    assert changed.name == "Otra" and changed.weekly_hours == []
    assert world.ana.name == "Dra. Ana" and world.ana.weekly_hours


def test_time_off_is_added_and_removed_at_the_version_read(world: World) -> None:
    added = services.professional_time_off_put(
        tenant_id=world.tenant_id,
        professional_id=world.ana.professional_id,
        version=world.ana.version,
        start=at(8),
        end=at(12),
        reason="Congreso",
    )
    with pytest.raises(services.StaleProfessional):
        services.professional_time_off_put(
            tenant_id=world.tenant_id,
            professional_id=world.ana.professional_id,
            version=world.ana.version,
            start=at(13),
            end=at(14),
        )
    with pytest.raises(ValidationError):
        services.time_off_range(start=at(12), end=at(8))

    removed = services.professional_time_off_remove(
        tenant_id=world.tenant_id,
        professional_id=world.ana.professional_id,
        version=added.version,
        start=at(8),
        end=at(12),
    )

    assert removed.time_off == []
    assert professional_get(tenant_id=world.tenant_id, professional_id=world.ana.professional_id).time_off == []


@pytest.mark.django_db
def test_a_professional_is_linked_to_one_dentist_account(world: World, people: People) -> None:
    ana_dentist = Membership.objects.get(user=people.dentist, tenant_id=world.tenant_id)
    other = Membership.objects.create(
        user=make_user("otro@clinic-a.example"), tenant_id=world.tenant_id, role=Role.DENTIST
    )

    access_services.professional_account_set(
        tenant_id=world.tenant_id, professional_id=world.ana.professional_id, membership_id=other.pk
    )

    ana_dentist.refresh_from_db()
    other.refresh_from_db()
    assert (ana_dentist.professional_id, other.professional_id) == ("", world.ana.professional_id)
    reception = Membership.objects.get(user=people.reception, tenant_id=world.tenant_id)
    with pytest.raises(ValidationError):
        access_services.professional_account_set(
            tenant_id=world.tenant_id, professional_id=world.ana.professional_id, membership_id=reception.pk
        )
    outsider = Membership.objects.get(user=people.outsider)
    with pytest.raises(ValidationError):
        access_services.professional_account_set(
            tenant_id=world.tenant_id, professional_id=world.ana.professional_id, membership_id=outsider.pk
        )
    access_services.professional_account_set(
        tenant_id=world.tenant_id, professional_id=world.ana.professional_id, membership_id=None
    )
    other.refresh_from_db()
    assert other.professional_id == ""
