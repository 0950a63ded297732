"""The booking wizard through Django's test client (real DynamoDB Local behind it)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from booking import selectors
from booking.models import Booking
from nexioq import dynamo
from tests.booking.helpers import clinic_bookings
from tests.conftest import DAY, NOW, PASSWORD, World, at, book, make_user

pytestmark = pytest.mark.django_db

DETAILS = {"name": "Ana Pérez", "phone": "300 123 4567"}
PATIENT_EMAIL = "ana@example.com"


@pytest.fixture
def patient(client: Client):  # type: ignore[no-untyped-def]
    """A signed-in patient: step 3 asks for an account."""
    user = make_user(PATIENT_EMAIL)
    client.force_login(user)
    return user


def schedule_url(world: World, treatment=None) -> str:  # type: ignore[no-untyped-def]
    return reverse("booking-schedule", args=[world.slug, (treatment or world.cleaning).treatment_id])


def hold_url(world: World, treatment=None) -> str:  # type: ignore[no-untyped-def]
    return reverse("booking-hold", args=[world.slug, (treatment or world.cleaning).treatment_id])


def iso(moment) -> str:  # type: ignore[no-untyped-def]
    return dynamo.iso_utc(moment)


def pick(client: Client, world: World, hour: int, minute: int = 0, professional: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        hold_url(world),
        {"professional": professional or world.ana.professional_id, "start": iso(at(hour, minute))},
    )


def bookings(world: World) -> list[Booking]:
    return clinic_bookings(world)


def test_it_lists_the_clinics_treatments(client: Client, world: World) -> None:
    response = client.get(reverse("booking-start", args=[world.slug]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Clínica Prueba" in body
    assert "Limpieza" in body and "Blanqueamiento" in body
    assert "$120.000" in body  # COP in the Spanish (Colombia) format
    assert 'lang="es"' in body


def test_it_answers_404_for_an_unknown_clinic(client: Client, world: World) -> None:
    assert client.get(reverse("booking-start", args=["no-such-clinic"])).status_code == 404
    assert client.get(f"/c/no-such-clinic/book/{world.cleaning.treatment_id}/").status_code == 404


def test_it_answers_404_for_an_unknown_treatment(client: Client, world: World) -> None:
    response = client.get(reverse("booking-schedule", args=[world.slug, "nope"]))

    assert response.status_code == 404
    assert "no existe" in response.content.decode() or "does not exist" in response.content.decode()


def test_it_shows_times_in_the_clinics_time_zone(client: Client, world: World) -> None:
    response = client.get(schedule_url(world), {"professional": world.ana.professional_id, "date": DAY.isoformat()})

    body = response.content.decode()
    assert response.status_code == 200
    assert ">07:00<" in body and ">19:00<" in body  # Bogotá wall clock, not UTC (12:00)
    assert ">19:15<" not in body  # a 60-minute cleaning must end by 20:00
    assert f'value="{iso(at(7))}"' in body


def test_it_hides_taken_times(client: Client, world: World) -> None:
    book(world, at(9))

    body = client.get(
        schedule_url(world), {"professional": world.ana.professional_id, "date": DAY.isoformat()}
    ).content.decode()

    for taken in ("08:15", "09:00", "09:45"):
        assert f">{taken}<" not in body
    assert ">08:00<" in body and ">10:00<" in body


def test_it_renders_only_the_times_for_htmx(client: Client, world: World) -> None:
    response = client.get(
        schedule_url(world),
        {"professional": "any", "date": DAY.isoformat()},
        headers={"HX-Request": "true", "HX-Target": "times"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="times"')
    assert "<html" not in body


@pytest.mark.parametrize(
    ("date", "message"),
    [("2026-13-45", "fecha válida"), ("ayer", "fecha válida"), ("2026-11-01", "ya pasó"), ("2027-12-01", "hasta")],
)
def test_it_rejects_bad_dates_with_a_message(client: Client, world: World, date: str, message: str) -> None:
    response = client.get(schedule_url(world), {"date": date})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_rejects_an_unknown_professional(client: Client, world: World) -> None:
    response = client.get(schedule_url(world), {"professional": "someone-else", "date": DAY.isoformat()})

    assert response.status_code == 400


def test_it_rejects_a_time_that_is_not_offered(client: Client, world: World) -> None:
    response = pick(client, world, 21)  # after hours

    assert response.status_code == 400
    assert "Nadie atiende este tratamiento a esa hora" in response.content.decode()


def test_it_rejects_a_malformed_time(client: Client, world: World) -> None:
    response = client.post(hold_url(world), {"professional": "any", "start": "tomorrow at nine"})

    assert response.status_code == 400
    assert "no es válida" in response.content.decode()


@pytest.mark.usefixtures("patient")
def test_it_books_through_the_three_steps(client: Client, world: World) -> None:
    assert client.get(schedule_url(world)).status_code == 200  # step 2 (and the clinic's address, cached)
    response = pick(client, world, 9)
    assert response.status_code == 302
    assert response["X-Dynamo-Requests"] == "2"  # clinic, treatment and professional; the transaction
    details_url = response["Location"]

    page = client.get(details_url)
    assert page.status_code == 200
    assert "Dra. Ana" in page.content.decode()

    done = client.post(details_url, DETAILS)
    assert done.status_code == 302
    # The hold with its clinic; the transaction; and, at a patient's first booking at this clinic,
    # their record in its directory (one Query for a record of their e-mail, one transaction).
    assert done["X-Dynamo-Requests"] == "4"
    confirmation = client.get(done["Location"])

    body = confirmation.content.decode()
    [booking] = bookings(world)
    assert confirmation.status_code == 200
    assert booking.reference in body
    assert (booking.patient_email, booking.patient_phone) == ("ana@example.com", "+573001234567")
    assert booking.start == at(9)
    assert booking.patient_pk == dynamo.patient_bookings_pk(str(booking.patient_id))

    # Their next booking here costs the hold with its clinic and the transaction, nothing more.
    again = client.post(pick(client, world, 11)["Location"], DETAILS)
    assert again.status_code == 302
    assert again["X-Dynamo-Requests"] == "2"


@pytest.mark.usefixtures("patient")
def test_it_gives_one_booking_when_confirm_is_submitted_twice(client: Client, world: World) -> None:
    details_url = pick(client, world, 9)["Location"]

    first = client.post(details_url, DETAILS)
    second = client.post(details_url, DETAILS)

    assert first.status_code == 302
    assert (second.status_code, second["Location"]) == (302, first["Location"])
    assert len(bookings(world)) == 1


def test_it_answers_409_with_alternatives_when_the_time_was_taken(client: Client, world: World) -> None:
    other = Client()
    assert pick(other, world, 9).status_code == 302  # someone else holds 09:00 with Dra. Ana

    response = pick(client, world, 9)

    # The hold's context and transaction, then the page: context, professionals, the clinic's agenda.
    assert response["X-Dynamo-Requests"] == "5"

    body = response.content.decode()
    assert response.status_code == 409
    assert "acaba de reservar" in body
    # Same professional, nearest free times first (10:00 is the first after the held hour) ...
    assert re.search(r"10:00 · <span[^>]*>Dra. Ana", body)
    # ... then the other professional at the wanted time.
    assert re.search(r"09:00 · <span[^>]*>Dr. Ben", body)


def test_it_keeps_my_hold_away_from_other_browsers(client: Client, world: World) -> None:
    details_url = pick(client, world, 9)["Location"]
    someone = Client()
    someone.force_login(make_user("someone@example.com"))

    assert Client().get(details_url).status_code == 404
    assert someone.get(details_url).status_code == 404
    assert someone.post(details_url, DETAILS).status_code == 404


@pytest.mark.usefixtures("patient")
def test_it_keeps_the_confirmation_away_from_other_browsers(client: Client, world: World) -> None:
    details_url = pick(client, world, 9)["Location"]
    done_url = client.post(details_url, DETAILS)["Location"]

    assert Client().get(done_url).status_code == 404


def test_it_releases_my_previous_hold_when_i_pick_again(client: Client, world: World) -> None:
    pick(client, world, 9)
    pick(client, world, 11)

    taken = selectors.occupied_cells(
        tenant_id=world.tenant_id, professional_id=world.ana.professional_id, start=at(8), end=at(13), now=NOW
    )
    assert min(taken) == at(11)


@pytest.mark.usefixtures("patient")
def test_it_validates_patient_details(client: Client, world: World) -> None:
    details_url = pick(client, world, 9)["Location"]

    response = client.post(details_url, {"name": "", "phone": "12"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "teléfono válido" in body
    assert "Este campo es obligatorio" in body
    assert bookings(world) == []


@pytest.mark.usefixtures("patient")
def test_it_escapes_html_in_names(client: Client, world: World) -> None:
    details_url = pick(client, world, 9)["Location"]
    done_url = client.post(details_url, {**DETAILS, "name": "<script>alert(1)</script> Ana"})["Location"]

    body = client.get(done_url).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ana" in body


def test_it_requires_csrf_on_the_hold(world: World) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(hold_url(world), {"professional": "any", "start": iso(at(9))})

    assert response.status_code == 403


def test_it_switches_to_english(client: Client, world: World) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    body = client.get(reverse("booking-start", args=[world.slug])).content.decode()
    assert "What would you like to book?" in body
    assert 'lang="en"' in body


def test_it_refuses_bookings_at_a_suspended_clinic(client: Client, world: World) -> None:
    world.clinic.suspended = True
    world.clinic.save()

    page = client.get(reverse("booking-start", args=[world.slug]))
    assert "no está disponible" in page.content.decode()
    refused = pick(client, world, 9)
    assert refused.status_code == 409
    assert "no está tomando reservas" in refused.content.decode()
    assert bookings(world) == []


def test_it_serves_a_weeks_availability_in_two_dynamodb_requests(client: Client, world: World) -> None:
    url = reverse("booking-availability", args=[world.slug, world.cleaning.treatment_id])
    client.get(url, {"professional": world.ana.professional_id})  # warms the slug cache

    response = client.get(url, {"professional": world.ana.professional_id, "start": DAY.isoformat()})

    data = response.json()
    assert response.status_code == 200
    assert response["X-Dynamo-Requests"] == "2"
    assert data["slots"][0] == {
        "start": iso(at(7)),
        "local_start": "2026-12-01T07:00:00-05:00",
        "end": iso(at(8)),
        "professionals": [world.ana.professional_id],
    }
    assert len({s["local_start"][:10] for s in data["slots"]}) == 7


@pytest.mark.parametrize("query", [{"start": "2026-02-30"}, {"days": "30"}, {"days": "x"}, {"start": "2026-01-01"}])
def test_it_rejects_bad_availability_queries(client: Client, world: World, query: dict[str, str]) -> None:
    url = reverse("booking-availability", args=[world.slug, world.cleaning.treatment_id])

    response = client.get(url, query)

    assert response.status_code == 400
    assert "error" in response.json()


def test_it_asks_an_anonymous_patient_to_sign_in_at_step_three(client: Client, world: World) -> None:
    details_url = pick(client, world, 9)["Location"]

    page = client.get(details_url)
    posted = client.post(details_url, DETAILS)

    body = page.content.decode()
    assert page.status_code == 200
    assert "Inicia sesión para confirmar" in body
    assert f'name="next" value="{details_url}"' in body
    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("account_login"))
    assert bookings(world) == []


def test_it_comes_back_to_the_held_time_after_signing_in(client: Client, world: World) -> None:
    make_user(PATIENT_EMAIL)
    details_url = pick(client, world, 9)["Location"]

    signed_in = client.post(
        reverse("account_login"), {"login": PATIENT_EMAIL, "password": PASSWORD, "next": details_url}
    )
    done = client.post(details_url, DETAILS)

    assert (signed_in.status_code, signed_in["Location"]) == (302, details_url)
    assert done.status_code == 302
    [booking] = bookings(world)
    assert booking.start == at(9)


@pytest.mark.usefixtures("patient")
def test_it_lists_my_bookings_from_the_patient_index(client: Client, world: World) -> None:
    client.post(pick(client, world, 9)["Location"], DETAILS)
    # Someone else's booking at the same clinic stays out of my list.
    book(world, at(9), professional=world.ben, patient_id="someone-else")

    response = client.get(reverse("booking-mine", args=[world.slug]))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Limpieza") == 1
    assert "Dra. Ana" in body and "Dr. Ben" not in body
    assert response["X-Dynamo-Requests"] == "2"  # the clinic and one query of the patient's index


def test_it_sends_anonymous_visitors_of_my_bookings_to_sign_in(client: Client, world: World) -> None:
    response = client.get(reverse("booking-mine", args=[world.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.usefixtures("patient")
def test_it_hides_my_bookings_page_of_a_clinic_i_never_booked_at(client: Client, world: World) -> None:
    assert client.get(reverse("booking-mine", args=[world.slug])).status_code == 404


def test_it_signs_up_in_place_and_comes_back_to_the_held_time(client: Client, world: World) -> None:
    from django.core import mail

    details_url = pick(client, world, 9)["Location"]

    signed_up = client.post(
        reverse("account_signup"),
        {"email": "nuevo@example.com", "password1": PASSWORD, "password2": PASSWORD, "next": details_url},
    )
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE)
    assert code is not None, mail.outbox[-1].body
    verified = client.post(signed_up["Location"], {"code": code.group(1)})
    done = client.post(details_url, DETAILS)

    assert verified.status_code == 302
    assert verified["Location"] == details_url
    assert done.status_code == 302
    [booking] = bookings(world)
    assert booking.patient_email == "nuevo@example.com"


@pytest.mark.django_db(transaction=True)
def test_it_leads_every_one_of_several_simultaneous_confirms_to_the_one_booking(world: World) -> None:
    """The same form submitted five times at once (a double-clicking patient, a flaky network):
    one booking, and every submission answers with it (none with a 404)."""
    from concurrent.futures import ThreadPoolExecutor

    first = Client()
    first.force_login(make_user(PATIENT_EMAIL))
    details_url = pick(first, world, 9)["Location"]
    session_cookie = first.cookies[settings.SESSION_COOKIE_NAME].value

    def submit(_: int) -> tuple[int, str]:
        client = Client()  # a Client per thread, all in the patient's one session
        client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
        response = client.post(details_url, DETAILS)
        return response.status_code, response.get("Location", "")

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(submit, range(5)))

    [booking] = bookings(world)
    done = reverse("booking-done", args=[world.slug, booking.booking_id])
    assert answers == [(302, done)] * 5
