"""The platform admin: clinics (DynamoDB) through custom admin views, memberships and invitations.

Clinic pages need staff status only, so most tests sign in a plain staff user (no
superuser, no model permissions). Each test makes its own clinics: the table is shared.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.models import Invitation, Membership, Role
from accounts.models import User
from clinics import selectors, services
from clinics.models import Clinic
from nexioq import dynamo
from tests.conftest import World, at, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamodb_local", "frozen")]

CHANGELIST = "admin:clinics_clinic_changelist"


def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = User.objects.create_user(email=f"staff-{unique()}@example.com", password="x", is_staff=True)
    client.force_login(user)
    return client


def new_clinic(name: str | None = None, **options: Any) -> Clinic:
    tag = unique()
    return services.clinic_create(
        name=name or f"Clínica {tag}", slug=f"adm-{tag}", time_zone="America/Bogota", **options
    )


def change_url(clinic: Clinic) -> str:
    return reverse("admin:clinics_clinic_change", args=[clinic.tenant_id])


def form_data(clinic: Clinic | None = None, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Sonrisa Centro",
        "time_zone": "America/Bogota",
        "country": "CO",
        "currency": "COP",
        "address": "Cra 7 # 12-34",
        "phone": "+57 601 555 0101",
        "email": "hola@sonrisa.example",
        "grid_minutes": "15",
        "min_notice_minutes": "120",
        "max_advance_days": "60",
        "cancellation_cutoff_hours": "24",
    }
    if clinic is not None:
        data.update(name=clinic.name, version=str(clinic.version))
    data.update(changes)
    return data


def reload(clinic: Clinic) -> Clinic:
    return selectors.clinic_get(tenant_id=clinic.tenant_id)


# ---------------------------------------------------------------- list and search


def test_it_lists_created_clinics_with_a_query_not_a_scan(staff_client: Client) -> None:
    tag = unique()
    first = new_clinic(f"Lista {tag} Uno")
    second = new_clinic(f"Lista {tag} Dos")

    with dynamo.count_requests() as count:
        response = staff_client.get(reverse(CHANGELIST), {"after": f"lista {tag}"})

    body = response.content.decode()
    assert response.status_code == 200
    assert count.operations == ["Query"]
    assert response["X-Dynamo-Requests"] == "1"
    assert body.index(second.name) < body.index(first.name)  # by name: "dos" before "uno"
    for clinic in (first, second):
        assert clinic.slug in body
        assert "America/Bogota" in body
        assert f'href="/c/{clinic.slug}/"' in body
        assert f'href="{change_url(clinic)}"' in body
        assert reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]) in body


def test_it_lists_the_first_page_with_one_query(staff_client: Client) -> None:
    new_clinic()

    with dynamo.count_requests() as count:
        response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert count.operations == ["Query"]
    assert "Scan" not in count.operations


def test_it_filters_by_search(staff_client: Client) -> None:
    tag = unique()
    wanted = new_clinic(f"Buscada {tag}")
    other = new_clinic(f"Otra {unique()}")

    with dynamo.count_requests() as count:
        response = staff_client.get(reverse(CHANGELIST), {"q": f"BUSCADA {tag}"})

    body = response.content.decode()
    assert set(count.operations) == {"Query"}
    assert wanted.slug in body
    assert other.slug not in body
    assert 'value="BUSCADA' in body  # the search box keeps the query

    by_slug = staff_client.get(reverse(CHANGELIST), {"q": wanted.slug.upper()}).content.decode()
    assert wanted.name in by_slug


def test_it_says_when_nothing_matches(staff_client: Client) -> None:
    response = staff_client.get(reverse(CHANGELIST), {"q": f"nothing-{unique()}"})

    assert response.status_code == 200
    assert "nothing-" in response.content.decode()


def test_it_links_to_the_next_page(staff_client: Client) -> None:
    tag = unique()
    clinics = [new_clinic(f"Pagina {tag} {n:02d}") for n in range(51)]  # one more than a page

    first = staff_client.get(reverse(CHANGELIST), {"q": tag})
    assert first.context["page"].next_after == clinics[49].directory_sk
    assert 'rel="next"' in first.content.decode()

    second = staff_client.get(reverse(CHANGELIST), {"q": tag, "after": first.context["page"].next_after})
    assert [c.tenant_id for c in second.context["page"].clinics] == [clinics[50].tenant_id]
    assert 'rel="next"' not in second.content.decode()


def test_it_shows_clinics_on_the_admin_index(staff_client: Client) -> None:
    body = staff_client.get(reverse("admin:index")).content.decode()

    assert reverse(CHANGELIST) in body
    assert reverse("admin:clinics_clinic_add") in body
    assert "Clínicas (DynamoDB)" in body or "Clinics (DynamoDB)" in body


def test_it_shows_clinics_on_the_app_index(staff_client: Client) -> None:
    response = staff_client.get(reverse("admin:clinics_app_index"))

    assert response.status_code == 200
    assert reverse(CHANGELIST) in response.content.decode()


# ---------------------------------------------------------------- create


def test_it_creates_a_clinic(staff_client: Client) -> None:
    slug = f"nueva-{unique()}"

    response = staff_client.post(reverse("admin:clinics_clinic_add"), form_data(slug=slug, grid_minutes="30"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse(CHANGELIST)}?q={slug}"
    clinic = selectors.clinic_get(tenant_id=selectors.tenant_id_for_slug(slug=slug))
    assert (clinic.name, clinic.grid_minutes, clinic.phone) == ("Sonrisa Centro", 30, "+57 601 555 0101")
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


# ---------------------------------------------------------------- edit


def test_it_shows_the_edit_form_with_the_version(staff_client: Client) -> None:
    clinic = new_clinic(phone="+57 300 000 0000")

    response = staff_client.get(change_url(clinic))

    body = response.content.decode()
    assert response.status_code == 200
    assert f'name="version" value="{clinic.version}"' in body
    assert 'name="slug"' not in body  # the address is fixed once claimed
    assert "+57 300 000 0000" in body
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
    stale = form_data(clinic, phone="Mine")
    staff_client.post(change_url(clinic), form_data(clinic, phone="Theirs"))  # someone saves first

    response = staff_client.post(change_url(clinic), stale)

    body = response.content.decode()
    assert response.status_code == 409
    assert response.context["conflict"] is True
    assert "errornote" in body
    assert f'href="{change_url(clinic)}"' in body  # the way out: reload
    assert reload(clinic).phone == "Theirs"


def test_it_answers_404_for_an_unknown_clinic(staff_client: Client) -> None:
    assert staff_client.get(reverse("admin:clinics_clinic_change", args=["no-such-clinic"])).status_code == 404
    assert staff_client.post(reverse("admin:clinics_clinic_suspend", args=["no-such-clinic"])).status_code == 404


# ---------------------------------------------------------------- suspend


def hold(client: Client, world: World) -> Any:
    url = reverse("booking-hold", args=[world.slug, world.cleaning.treatment_id])
    return client.post(url, {"professional": world.ana.professional_id, "start": dynamo.iso_utc(at(9))})


def test_it_suspends_a_clinic_so_its_pages_refuse_bookings(staff_client: Client) -> None:
    world = make_world()
    public = Client()
    assert "no está disponible" not in public.get(f"/c/{world.slug}/").content.decode()

    response = staff_client.post(reverse("admin:clinics_clinic_suspend", args=[world.tenant_id]))

    assert response.status_code == 302
    assert response["Location"] == change_url(world.clinic)
    assert reload(world.clinic).suspended is True
    page = public.get(f"/c/{world.slug}/")
    assert page.status_code == 200
    assert "no está disponible" in page.content.decode()
    assert hold(public, world).status_code == 409


def test_it_lets_a_suspended_clinic_take_bookings_again(staff_client: Client) -> None:
    world = make_world()
    services.clinic_suspend(tenant_id=world.tenant_id)

    staff_client.post(reverse("admin:clinics_clinic_unsuspend", args=[world.tenant_id]))

    assert reload(world.clinic).suspended is False
    assert "no está disponible" not in Client().get(f"/c/{world.slug}/").content.decode()
    assert hold(Client(), world).status_code == 302


def test_it_returns_to_the_list_it_came_from(staff_client: Client) -> None:
    clinic = new_clinic()
    back = f"{reverse(CHANGELIST)}?q={clinic.slug}"

    response = staff_client.post(reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]), {"next": back})

    assert response["Location"] == back
    assert "icon-yes.svg" in staff_client.get(back).content.decode()


def test_it_does_not_redirect_off_site(staff_client: Client) -> None:
    clinic = new_clinic()

    response = staff_client.post(
        reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == change_url(clinic)


def test_it_suspends_only_by_post(staff_client: Client) -> None:
    clinic = new_clinic()

    assert staff_client.get(reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id])).status_code == 405
    assert reload(clinic).suspended is False


def test_it_requires_the_csrf_token(staff_client: Client) -> None:
    clinic = new_clinic()
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = staff_client.cookies

    response = strict.post(reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]))

    assert response.status_code == 403
    assert reload(clinic).suspended is False


# ---------------------------------------------------------------- who may


def clinic_urls(clinic: Clinic) -> list[tuple[str, str]]:
    return [
        ("get", reverse(CHANGELIST)),
        ("get", reverse("admin:clinics_clinic_add")),
        ("post", reverse("admin:clinics_clinic_add")),
        ("get", change_url(clinic)),
        ("post", change_url(clinic)),
        ("post", reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id])),
        ("post", reverse("admin:clinics_clinic_unsuspend", args=[clinic.tenant_id])),
    ]


def test_it_sends_anonymous_users_to_the_admin_login(client: Client) -> None:
    clinic = new_clinic()

    for method, url in clinic_urls(clinic):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login") + "?next="), url
    assert reload(clinic).version == clinic.version


def test_it_sends_non_staff_users_to_the_admin_login(client: Client) -> None:
    clinic = new_clinic()
    user = User.objects.create_user(email=f"patient-{unique()}@example.com", password="x")
    Membership.objects.create(user=user, tenant_id=clinic.tenant_id, role=Role.ADMIN)  # a clinic admin is not staff
    client.force_login(user)

    for method, url in clinic_urls(clinic):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    assert reload(clinic).suspended is False


# ---------------------------------------------------------------- memberships and invitations (ORM)


def test_it_lists_and_searches_memberships(admin_client: Client) -> None:
    clinic = new_clinic()
    ana = User.objects.create_user(email=f"ana-{unique()}@example.com")
    ben = User.objects.create_user(email=f"ben-{unique()}@example.com")
    Membership.objects.create(user=ana, tenant_id=clinic.tenant_id, role=Role.DENTIST)
    Membership.objects.create(user=ben, tenant_id=clinic.tenant_id, role=Role.PATIENT)
    url = reverse("admin:access_membership_changelist")

    by_email = admin_client.get(url, {"q": ana.email}).content.decode()
    by_role = admin_client.get(url, {"role__exact": Role.PATIENT, "q": clinic.tenant_id}).content.decode()

    assert ana.email in by_email and ben.email not in by_email
    assert ben.email in by_role and ana.email not in by_role
    assert f'href="{change_url(clinic)}"' in by_email  # the clinic column leads to the clinic


def test_it_refuses_a_membership_for_an_unknown_clinic(admin_client: Client) -> None:
    user = User.objects.create_user(email=f"carla-{unique()}@example.com")

    response = admin_client.post(
        reverse("admin:access_membership_add"),
        {"user": str(user.pk), "tenant_id": "no-such-clinic", "role": Role.RECEPTION, "professional_id": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tenant_id"]
    assert not Membership.objects.filter(user=user).exists()


def test_it_adds_a_membership_for_a_real_clinic(admin_client: Client) -> None:
    clinic = new_clinic()
    user = User.objects.create_user(email=f"dora-{unique()}@example.com")

    response = admin_client.post(
        reverse("admin:access_membership_add"),
        {"user": str(user.pk), "tenant_id": clinic.tenant_id, "role": Role.RECEPTION, "professional_id": ""},
    )

    assert response.status_code == 302
    assert Membership.objects.filter(user=user, tenant_id=clinic.tenant_id, role=Role.RECEPTION).exists()


def test_it_lists_invitations_without_their_tokens(admin_client: Client) -> None:
    clinic = new_clinic()
    invitation = Invitation.objects.create(
        tenant_id=clinic.tenant_id,
        email=f"eva-{unique()}@example.com",
        role=Role.DENTIST,
        token="secret-token-value",
        expires_at=timezone.now() + dt.timedelta(days=7),
    )

    listing = admin_client.get(reverse("admin:access_invitation_changelist"), {"q": invitation.email})
    detail = admin_client.get(reverse("admin:access_invitation_change", args=[invitation.pk]))

    assert invitation.email in listing.content.decode()
    assert detail.status_code == 200
    assert "secret-token-value" not in listing.content.decode() + detail.content.decode()
    assert admin_client.get(reverse("admin:access_invitation_add")).status_code == 403
