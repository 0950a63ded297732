"""The platform owner's per-clinic catalogue pages in Django admin (support)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinics.selectors import professional_get, treatment_get
from tests.conftest import People, World, at, book
from tests.panel.helpers import professional_data, treatment_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(people: People) -> Client:
    client = Client()
    client.force_login(people.owner)
    return client


def test_it_lists_a_clinics_treatments_and_professionals(world: World, owner: Client) -> None:
    response = owner.get(reverse("admin:clinics_clinic_catalogue", args=[world.tenant_id]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Limpieza" in body and "Dra. Ana" in body
    assert reverse("admin:clinics_clinic_treatment_change", args=[world.tenant_id, world.cleaning.treatment_id]) in body


def test_it_is_for_platform_staff_only(world: World, people: People) -> None:
    client = Client()
    client.force_login(people.admin)  # the clinic's own admin uses the panel, not Django admin
    response = client.get(reverse("admin:clinics_clinic_catalogue", args=[world.tenant_id]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_owner_edits_a_treatment_and_a_stale_save_is_refused(world: World, owner: Client) -> None:
    change = reverse("admin:clinics_clinic_treatment_change", args=[world.tenant_id, world.cleaning.treatment_id])
    assert owner.get(change).status_code == 200

    saved = owner.post(change, treatment_data(name="Limpieza soporte", version=world.cleaning.version))
    stale = owner.post(change, treatment_data(name="Otra", version=world.cleaning.version))
    bad = owner.post(change, treatment_data(duration_minutes="7", version=world.cleaning.version + 1))

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert bad.status_code == 400
    assert treatment_get(tenant_id=world.tenant_id, treatment_id=world.cleaning.treatment_id).name == "Limpieza soporte"


def test_the_owner_edits_hours_but_not_over_booked_appointments(world: World, owner: Client) -> None:
    change = reverse("admin:clinics_clinic_professional_change", args=[world.tenant_id, world.ana.professional_id])
    assert owner.get(change).status_code == 200
    book(world, at(15), name="Marta Ruiz")
    mornings = {d: [("07:00", "12:00")] for d in range(7)}

    refused = owner.post(change, professional_data(world.ana, hours=mornings))
    renamed = owner.post(change, professional_data(world.ana, name="Dra. Ana P."))

    assert refused.status_code == 400
    assert "Marta Ruiz" in refused.content.decode()
    assert renamed.status_code == 302
    stored = professional_get(tenant_id=world.tenant_id, professional_id=world.ana.professional_id)
    assert stored.name == "Dra. Ana P."
    assert {r.end for r in stored.weekly_hours} == {"20:00"}


@pytest.mark.parametrize("bad", ["x" * 65, "no-such-id"])
def test_unknown_ids_are_not_found(bad: str, world: World, owner: Client) -> None:
    for name, args in (
        ("admin:clinics_clinic_treatment_change", [world.tenant_id, bad]),
        ("admin:clinics_clinic_professional_change", [world.tenant_id, bad]),
        ("admin:clinics_clinic_catalogue", [bad]),
    ):
        assert owner.get(reverse(name, args=args)).status_code == 404
