"""Step 2 opens on the first day with a free time, and its day strip tells free, full and closed days apart.

The world (tests/conftest.py): Monday 30 November 2026, 07:00 in Bogotá; Dra. Ana and Dr. Ben work
07:00-20:00 every day; no notice; bookings open 60 days ahead.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from booking.selectors import STRIP_DAYS
from clinics import services as clinic_services
from clinics.selectors import clinic_get
from nexioq.dynamo import count_requests
from tests.conftest import BOGOTA, DAY, World, at, book, make_world

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


def schedule_url(world: World) -> str:
    return reverse("booking-schedule", args=[world.slug, world.cleaning.treatment_id])


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BOGOTA)


def close(world: World, first: dt.date, last: dt.date, reason: str = "Vacaciones") -> None:
    """A clinic closure over the local days [first, last]."""
    clinic_services.clinic_closure_add(
        tenant_id=world.tenant_id,
        version=clinic_get(tenant_id=world.tenant_id).version,
        start=midnight(first),
        end=midnight(last + dt.timedelta(days=1)),
        reason=reason,
    )


def shown_day(body: str) -> str:
    """The day the page opened on: the strip's day marked current."""
    found = re.search(r'date=(\d{4}-\d{2}-\d{2})"[^>]*\n?[^>]*aria-current="date"', body)
    assert found, "no day of the strip is marked current"
    return found.group(1)


def states(body: str) -> dict[str, str]:
    """Each day of the strip and its state, as the page marks it."""
    return dict(re.findall(r'href="\?professional=[^&"]*&date=(\d{4}-\d{2}-\d{2})"[^>]*\n\s*data-state="(\w*)"', body))


def get(client: Client, world: World, **query: str):  # type: ignore[no-untyped-def]
    client.get(schedule_url(world), {"date": DAY.isoformat()})  # caches the slug, as a running server has
    return client.get(schedule_url(world), query)


def test_it_opens_on_today_when_today_has_free_times(client: Client, world: World) -> None:
    response = get(client, world)

    assert response.status_code == 200
    body = response.content.decode()
    assert shown_day(body) == "2026-11-30"
    assert f'value="{at(7, day=TODAY).strftime("%Y-%m-%dT%H:%M:%SZ")}"' in body
    assert list(states(body)) == [(TODAY + dt.timedelta(days=i)).isoformat() for i in range(STRIP_DAYS)]
    assert set(states(body).values()) == {"free"}


def test_it_opens_on_the_first_free_day_when_the_clinic_is_closed_today(client: Client, world: World) -> None:
    close(world, TODAY, TODAY, reason="Festivo")

    body = get(client, world).content.decode()

    assert shown_day(body) == "2026-12-01"
    assert ">07:00<" in body
    assert states(body)["2026-11-30"] == "closed"
    assert states(body)["2026-12-01"] == "free"
    assert 'title="Cerrado" aria-label="lunes, 30 de noviembre de 2026: Cerrado"' in body


def test_it_opens_on_the_first_free_day_when_today_is_full(client: Client, world: World) -> None:
    # Dra. Cora works two hours on Mondays and Tuesdays; both Monday hours are booked.
    cora = clinic_services.professional_create(
        tenant_id=world.tenant_id,
        name="Dra. Cora",
        weekly_hours={0: [("07:00", "09:00")], 1: [("07:00", "09:00")]},
        treatment_ids=[world.cleaning.treatment_id],
    )
    book(world, at(7, day=TODAY), professional=cora)
    book(world, at(8, day=TODAY), professional=cora)

    body = get(client, world, professional=cora.professional_id).content.decode()

    assert shown_day(body) == "2026-12-01"
    marks = states(body)
    assert marks["2026-11-30"] == "full"
    assert marks["2026-12-01"] == "free"
    # Wednesday to Sunday she does not work: closed, not full.
    assert [marks[(TODAY + dt.timedelta(days=i)).isoformat()] for i in range(2, 7)] == ["closed"] * 5
    assert 'title="Completo" aria-label="lunes, 30 de noviembre de 2026: Completo"' in body


def test_it_skips_a_closure_of_several_days(client: Client, world: World) -> None:
    close(world, TODAY, dt.date(2026, 12, 3))

    body = get(client, world).content.decode()

    assert shown_day(body) == "2026-12-04"
    marks = states(body)
    assert [marks[d] for d in ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03")] == ["closed"] * 4
    assert marks["2026-12-04"] == "free"


def test_it_marks_a_professionals_day_off_as_closed(client: Client, world: World) -> None:
    clinic_services.professional_time_off_add(
        tenant_id=world.tenant_id,
        professional_id=world.ana.professional_id,
        start=midnight(dt.date(2026, 12, 2)),
        end=midnight(dt.date(2026, 12, 3)),
    )

    ana = states(get(client, world, professional=world.ana.professional_id, date="2026-12-02").content.decode())
    anyone = states(client.get(schedule_url(world), {"professional": "any", "date": "2026-12-02"}).content.decode())

    assert ana["2026-12-02"] == "closed"
    assert anyone["2026-12-02"] == "free"  # Dr. Ben works that day


def test_it_shows_an_asked_for_closed_day_and_says_why(client: Client, world: World) -> None:
    close(world, DAY, DAY)

    response = get(client, world, professional="any", date=DAY.isoformat())

    body = response.content.decode()
    assert response.status_code == 200
    assert shown_day(body) == "2026-12-01"
    assert "Cerrado: este día nadie atiende este tratamiento." in body
    assert 'href="?professional=any&amp;from=2026-12-02"' in body or 'href="?professional=any&from=2026-12-02"' in body


def test_it_jumps_past_the_strip_to_the_first_free_day(client: Client, world: World) -> None:
    close(world, TODAY, dt.date(2026, 12, 9))

    client.get(schedule_url(world), {"date": DAY.isoformat()})  # caches the slug, as a running server has
    with count_requests() as requests:
        response = client.get(schedule_url(world))

    body = response.content.decode()
    assert shown_day(body) == "2026-12-10"
    # The strip that holds it: strips follow each other from today, a week each.
    assert list(states(body)) == [(dt.date(2026, 12, 7) + dt.timedelta(days=i)).isoformat() for i in range(7)]
    assert [states(body)[d] for d in ("2026-12-07", "2026-12-08", "2026-12-09")] == ["closed"] * 3
    # Clinic and treatment; professionals; this week; the next two weeks, at once.
    assert requests.operations == ["BatchGetItem", "Query", "Query", "Query"]
    assert response["X-Dynamo-Requests"] == "4"


@pytest.mark.parametrize("professional", ["any", "ana"])
def test_it_reads_the_first_free_day_in_a_bounded_number_of_requests(
    client: Client, world: World, professional: str
) -> None:
    """Opening step 2 costs 3 requests when the first week has a free day, one more for the next two
    weeks and one more for the rest of the horizon: at most 5 whatever the horizon, never one per day."""
    chosen = world.ana.professional_id if professional == "ana" else "any"
    client.get(schedule_url(world), {"date": DAY.isoformat()})  # caches the slug

    with count_requests() as this_week:
        assert client.get(schedule_url(world), {"professional": chosen}).status_code == 200
    close(world, TODAY, TODAY + dt.timedelta(days=58))
    client.get(schedule_url(world), {"date": DAY.isoformat()})  # a clinic write forgets the cached slug
    with count_requests() as far_ahead:
        body = client.get(schedule_url(world), {"professional": chosen}).content.decode()
    with count_requests() as asked:
        client.get(schedule_url(world), {"professional": chosen, "date": "2026-12-15"})

    assert this_week.operations == ["BatchGetItem", "Query", "Query"]
    assert shown_day(body) == "2027-01-28"  # the 59th day, the first open one
    assert far_ahead.operations == ["BatchGetItem", "Query", "Query", "Query", "Query"]
    assert asked.operations == ["BatchGetItem", "Query", "Query"]


@pytest.mark.usefixtures("dynamodb_local", "frozen")
def test_it_says_so_with_the_phone_when_nothing_is_free_until_the_horizon() -> None:
    world = make_world(max_advance_days=20)
    close(world, TODAY, TODAY + dt.timedelta(days=21))
    client = Client()

    with count_requests() as requests:
        response = client.get(schedule_url(world))

    body = response.content.decode()
    assert response.status_code == 200
    assert "No hay horas libres en línea hasta el domingo, 20 de diciembre de 2026." in body
    assert 'href="tel:+576015550100"' in body
    assert shown_day(body) == "2026-11-30"
    assert set(states(body).values()) == {"closed"}
    # The slug; clinic and treatment; professionals; this week; the next two, which reach the horizon.
    assert requests.operations == ["GetItem", "BatchGetItem", "Query", "Query", "Query"]


def test_it_suggests_any_professional_when_one_has_nothing_free(client: Client, world: World) -> None:
    clinic_services.professional_time_off_add(
        tenant_id=world.tenant_id,
        professional_id=world.ana.professional_id,
        start=midnight(TODAY),
        end=midnight(TODAY + dt.timedelta(days=61)),
    )

    body = get(client, world, professional=world.ana.professional_id).content.decode()

    assert "No hay horas libres en línea hasta" in body
    assert "Prueba con «Cualquier profesional»" in body


def test_it_opens_later_days_on_their_first_free_day(client: Client, world: World) -> None:
    close(world, dt.date(2026, 12, 7), dt.date(2026, 12, 8))

    body = get(client, world, professional="any", **{"from": "2026-12-07"}).content.decode()

    assert shown_day(body) == "2026-12-09"
    assert 'from=2026-12-14"' in body  # "later days" leads on to the strip after this one


def test_it_keeps_the_strip_in_the_htmx_fragment(client: Client, world: World) -> None:
    close(world, TODAY, TODAY)

    response = client.get(schedule_url(world), headers={"HX-Request": "true", "HX-Target": "times"})

    body = response.content.decode()
    assert body.lstrip().startswith('<section id="times"')
    assert states(body)["2026-11-30"] == "closed"
    assert 'id="date-field" hx-swap-oob="true"' in body and 'value="2026-12-01"' in body


@pytest.mark.parametrize("query", [{"from": "2026-11-01"}, {"from": "2027-12-01"}, {"from": "mañana"}])
def test_it_refuses_a_from_day_it_cannot_show(client: Client, world: World, query: dict[str, str]) -> None:
    response = client.get(schedule_url(world), query)

    assert response.status_code == 400
    assert "<html" in response.content.decode()


# ---------------------------------------------------------------- a suspended clinic


def test_it_answers_availability_of_a_suspended_clinic_with_409(client: Client, world: World) -> None:
    clinic_services.clinic_suspend(tenant_id=world.tenant_id)
    url = reverse("booking-availability", args=[world.slug, world.cleaning.treatment_id])
    client.get(url)  # caches the slug

    response = client.get(url, {"professional": world.ana.professional_id, "start": DAY.isoformat()})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "Esta clínica no está tomando reservas en línea en este momento. "
        "Por favor llama a la clínica al +57 601 5550100.",
        "title": "La reserva en línea está en pausa",
    }
    assert response["X-Dynamo-Requests"] == "1"  # the clinic and treatment; no times read


def test_it_lists_no_times_on_step_two_of_a_suspended_clinic(client: Client, world: World) -> None:
    clinic_services.clinic_suspend(tenant_id=world.tenant_id)

    page = client.get(schedule_url(world), {"professional": "any", "date": DAY.isoformat()})
    fragment = client.get(
        schedule_url(world),
        {"professional": "any", "date": DAY.isoformat()},
        headers={"HX-Request": "true", "HX-Target": "times"},
    )

    for response in (page, fragment):
        body = response.content.decode()
        assert response.status_code == 200
        assert "La reserva en línea no está disponible en esta clínica" in body
        assert 'name="start"' not in body
    assert fragment["HX-Refresh"] == "true"  # htmx reloads the page, which says why
