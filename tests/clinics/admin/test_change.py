"""Editing a clinic from the admin, with optimistic locking."""

from __future__ import annotations

from dataclasses import fields

import pytest
from django.test import Client
from django.urls import reverse

from clinics.admin.forms import ClinicAddForm, ClinicChangeForm
from clinics.clinic_settings import ClinicSettings
from tests.clinics.admin.conftest import change_url, form_data, new_clinic, reload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamodb_local", "frozen")]


def test_it_shows_the_edit_form_with_the_version(staff_client: Client) -> None:
    clinic = new_clinic(phone="+57 300 000 0000")

    response = staff_client.get(change_url(clinic))

    body = response.content.decode()
    assert response.status_code == 200
    assert f'name="version" value="{clinic.version}"' in body
    assert 'name="slug"' not in body  # the address is fixed once claimed
    assert "+573000000000" in body  # stored in E.164
    assert f'href="/c/{clinic.slug}/"' in body


def test_it_saves_an_edit(staff_client: Client) -> None:
    clinic = new_clinic()

    response = staff_client.post(
        change_url(clinic), form_data(clinic, name="Renombrada", max_advance_days="90", time_zone="Europe/Madrid")
    )

    assert response.status_code == 302
    stored = reload(clinic)
    assert (stored.name, stored.max_advance_days, stored.time_zone) == ("Renombrada", 90, "Europe/Madrid")
    assert stored.version == clinic.version + 1
    assert stored.slug == clinic.slug


def test_it_reports_a_stale_edit_as_a_conflict(staff_client: Client) -> None:
    clinic = new_clinic()
    stale = form_data(clinic, phone="+57 601 555 0001")
    staff_client.post(change_url(clinic), form_data(clinic, phone="+57 601 555 0002"))  # someone saves first

    response = staff_client.post(change_url(clinic), stale)

    body = response.content.decode()
    assert response.status_code == 409
    assert response.context["conflict"] is True
    assert "errornote" in body
    assert f'href="{change_url(clinic)}"' in body  # the way out: reload
    assert reload(clinic).phone == "+576015550002"


def test_it_answers_404_for_an_unknown_clinic(staff_client: Client) -> None:
    assert staff_client.get(reverse("admin:clinics_clinic_change", args=["no-such-clinic"])).status_code == 404
    assert staff_client.post(reverse("admin:clinics_clinic_suspend", args=["no-such-clinic"])).status_code == 404


def test_it_edits_every_setting() -> None:
    # A setting added to ClinicSettings needs a field on the form (the slug only on the add form).
    settings = {f.name for f in fields(ClinicSettings)}

    assert set(ClinicChangeForm.base_fields) == settings | {"version"}
    assert set(ClinicAddForm.base_fields) == settings | {"slug", "first_admin_email"}
