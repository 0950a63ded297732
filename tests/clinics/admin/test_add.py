"""Creating a clinic from the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinics import selectors
from nexioq import dynamo
from tests.clinics.admin.conftest import CHANGELIST, form_data, new_clinic, reload, unique

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamodb_local", "frozen")]


def test_it_creates_a_clinic(staff_client: Client) -> None:
    slug = f"nueva-{unique()}"

    response = staff_client.post(reverse("admin:clinics_clinic_add"), form_data(slug=slug, grid_minutes="30"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse(CHANGELIST)}?q={slug}"
    clinic = selectors.clinic_get(tenant_id=selectors.tenant_id_for_slug(slug=slug))
    assert (clinic.name, clinic.grid_minutes, clinic.phone) == ("Sonrisa Centro", 30, "+576015550101")  # E.164
    assert clinic.directory_pk == dynamo.CLINIC_DIRECTORY_PK
    assert slug in staff_client.get(response["Location"]).content.decode()


def test_it_shows_an_empty_create_form(staff_client: Client) -> None:
    response = staff_client.get(reverse("admin:clinics_clinic_add"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="slug"' in body
    assert 'value="America/Bogota" selected' in body
    assert "csrfmiddlewaretoken" in body


def test_it_rejects_a_duplicate_slug_with_a_form_error(staff_client: Client) -> None:
    taken = new_clinic()

    response = staff_client.post(reverse("admin:clinics_clinic_add"), form_data(slug=taken.slug, name="Copia"))

    assert response.status_code == 400
    assert response.context["form"].errors["slug"]
    assert "errornote" in response.content.decode()
    assert reload(taken).name != "Copia"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Con Espacios"}, "slug"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"grid_minutes": "7"}, "grid_minutes"),
        ({"min_notice_minutes": "-5"}, "min_notice_minutes"),
        ({"currency": "ZZZ"}, "currency"),
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
    ],
)
def test_it_rejects_bad_input_with_form_errors(staff_client: Client, changes: dict[str, str], field: str) -> None:
    data = {**form_data(slug=f"mala-{unique()}"), **changes}

    response = staff_client.post(reverse("admin:clinics_clinic_add"), data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
