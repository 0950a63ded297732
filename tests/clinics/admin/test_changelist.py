"""The clinic list: the clinic directory index read with Queries, searched, paged; the admin index and app index."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from nexioq import dynamo
from tests.clinics.admin.conftest import CHANGELIST, change_url, new_clinic, of_the_directory, queries_sent, unique

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamodb_local", "frozen")]


def test_it_lists_created_clinics_with_a_query_not_a_scan(staff_client: Client) -> None:
    tag = unique()
    first = new_clinic(f"Lista {tag} Uno")
    second = new_clinic(f"Lista {tag} Dos")

    with dynamo.count_requests() as count, queries_sent() as queries:
        response = staff_client.get(reverse(CHANGELIST), {"after": f"lista {tag}"})

    body = response.content.decode()
    assert response.status_code == 200
    assert count.operations == ["Query"]
    assert [of_the_directory(query) for query in queries] == [True]
    assert response["X-Dynamo-Requests"] == "1"
    assert body.index(second.name) < body.index(first.name)  # by name: "dos" before "uno"
    for clinic in (first, second):
        assert clinic.slug in body
        assert "America/Bogota" in body
        assert f'href="/c/{clinic.slug}/"' in body
        assert f'href="{change_url(clinic)}"' in body
        assert reverse("admin:clinics_clinic_suspend", args=[clinic.tenant_id]) in body


def test_it_lists_the_first_page_with_one_query(staff_client: Client) -> None:
    # The table is shared, so the first page holds whichever 50 names sort first: "!" sorts
    # before every letter and digit, which puts this clinic on it.
    clinic = new_clinic(f"!Primera {unique()}")

    with dynamo.count_requests() as count, queries_sent() as queries:
        response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert count.operations == ["Query"]
    assert [of_the_directory(query) for query in queries] == [True]
    assert clinic.tenant_id in [c.tenant_id for c in response.context["page"].clinics]
    assert f'href="{change_url(clinic)}"' in response.content.decode()


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


@pytest.mark.parametrize(
    ("language", "says"), [("es", "Ninguna clínica coincide con “{}”."), ("en", "No clinic matches “{}”.")]
)
def test_it_says_when_nothing_matches(staff_client: Client, language: str, says: str) -> None:
    search = f"nothing-{unique()}"
    staff_client.cookies["django_language"] = language

    response = staff_client.get(reverse(CHANGELIST), {"q": search})

    assert response.status_code == 200
    assert response.context["page"].clinics == []
    assert says.format(search) in response.content.decode()


def test_it_links_to_the_next_page(staff_client: Client) -> None:
    tag = unique()
    clinics = [new_clinic(f"Pagina {tag} {n:02d}") for n in range(51)]  # one more than a page

    first = staff_client.get(reverse(CHANGELIST), {"q": tag})
    assert first.context["page"].next_after == clinics[49].directory_sk
    assert 'rel="next"' in first.content.decode()

    second = staff_client.get(reverse(CHANGELIST), {"q": tag, "after": first.context["page"].next_after})
    assert [c.tenant_id for c in second.context["page"].clinics] == [clinics[50].tenant_id]
    assert 'rel="next"' not in second.content.decode()
