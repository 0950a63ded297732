"""The panel's catalogue pages: status codes, messages on the fields, stale versions, the orphan step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from access.models import Membership
from booking.models import BookingStatus
from booking.selectors import booking_get
from clinics.models import WorkRange
from clinics.selectors import professional_get, professional_list, treatment_get, treatment_list
from tests.conftest import DAY, People, World, at, book
from tests.panel.helpers import hours_data, professional_data, treatment_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(people: People) -> Client:
    client = Client()
    client.force_login(people.admin)
    return client


def fresh(world: World, professional_id: str | None = None):  # type: ignore[no-untyped-def]
    return professional_get(tenant_id=world.tenant_id, professional_id=professional_id or world.ana.professional_id)


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize(
    "name", ["panel-home", "panel-treatments", "panel-professionals", "panel-treatment-add", "panel-professional-add"]
)
def test_it_shows_the_pages_to_the_admin(name: str, world: World, admin: Client) -> None:
    response = admin.get(url(name, world))

    assert response.status_code == 200
    assert "Clínica Prueba" in response.content.decode()


def test_it_shows_the_edit_pages(world: World, admin: Client) -> None:
    treatment = admin.get(url("panel-treatment-edit", world, world.cleaning.treatment_id))
    professional = admin.get(url("panel-professional-edit", world, world.ana.professional_id))

    assert treatment.status_code == 200
    assert 'value="Limpieza"' in treatment.content.decode()
    assert "COP" in treatment.content.decode()
    assert professional.status_code == 200
    assert 'value="07:00"' in professional.content.decode()


def test_it_lets_dentist_and_reception_read_but_not_edit(world: World, people: People) -> None:
    for user in (people.dentist, people.reception):
        client = Client()
        client.force_login(user)
        listing = client.get(url("panel-treatments", world))
        assert listing.status_code == 200
        assert "Limpieza" in listing.content.decode()
        assert url("panel-treatment-edit", world, world.cleaning.treatment_id) not in listing.content.decode()
        assert client.get(url("panel-treatment-edit", world, world.cleaning.treatment_id)).status_code == 403
        assert client.get(url("panel-professionals", world)).status_code == 200


def test_the_home_checklist_leads_to_the_wizard_once_bookable(world: World, admin: Client) -> None:
    response = admin.get(url("panel-home", world))

    assert url("booking-start", world) in response.content.decode()
    assert response.content.decode().count("Hecho") == 3


def test_the_home_checklist_of_an_empty_clinic_has_nothing_done(people: People, admin: Client) -> None:
    from tests.conftest import make_world

    empty = make_world()
    for t in (empty.cleaning, empty.whitening, empty.check):
        t.update(actions=[type(t).active.set(False)])
    Membership.objects.create(user=people.admin, tenant_id=empty.tenant_id, role="admin")

    response = admin.get(url("panel-home", empty))

    assert response.status_code == 200
    assert "Hecho" not in response.content.decode()
    assert "Abrir la página de reservas" not in response.content.decode()


# ---------------------------------------------------------------- treatments


def test_it_creates_a_treatment_with_its_professionals(world: World, admin: Client) -> None:
    response = admin.post(
        url("panel-treatment-add", world), treatment_data(professional_ids=[world.ben.professional_id])
    )

    assert response.status_code == 302
    [created] = [t for t in treatment_list(tenant_id=world.tenant_id) if t.name == "Ortodoncia"]
    assert (created.duration_minutes, created.buffer_before_minutes, created.buffer_after_minutes) == (45, 5, 10)
    assert created.treatment_id in fresh(world, world.ben.professional_id).treatment_ids
    assert created.treatment_id not in fresh(world).treatment_ids


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"duration_minutes": "20"}, "múltiplo de 15 minutos"),
        ({"duration_minutes": "0"}, "mayor o igual"),
        ({"price": "-1"}, "mayor o igual a 0"),
        ({"price": "abc"}, "número"),
        ({"name": "x" * 121}, "120"),
        ({"name": ""}, "obligatorio"),
        ({"buffer_before_minutes": "7"}, "múltiplo de 5"),
        ({"duration_minutes": "225", "buffer_after_minutes": "10"}, "230"),
        ({"professional_ids": ["nobody"]}, "Escoja una opción válida"),
    ],
)
def test_it_refuses_bad_treatment_input_on_the_field(
    changes: dict[str, str], field_message: str, world: World, admin: Client
) -> None:
    before = treatment_list(tenant_id=world.tenant_id, active_only=False)

    response = admin.post(url("panel-treatment-add", world), treatment_data(**changes))

    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert len(treatment_list(tenant_id=world.tenant_id, active_only=False)) == len(before)


def test_it_edits_a_treatment(world: World, admin: Client) -> None:
    data = treatment_data(name="Limpieza profunda", version=world.cleaning.version, professional_ids=[])

    response = admin.post(url("panel-treatment-edit", world, world.cleaning.treatment_id), data)

    assert response.status_code == 302
    stored = treatment_get(tenant_id=world.tenant_id, treatment_id=world.cleaning.treatment_id)
    assert stored.name == "Limpieza profunda"
    assert world.cleaning.treatment_id not in fresh(world).treatment_ids


def test_a_stale_treatment_edit_is_refused_with_the_current_values(world: World, admin: Client) -> None:
    edit = url("panel-treatment-edit", world, world.cleaning.treatment_id)
    read_version = world.cleaning.version
    admin.post(edit, treatment_data(name="Primera", version=read_version, professional_ids=[]))

    response = admin.post(edit, treatment_data(name="Segunda", version=read_version, professional_ids=[]))

    assert response.status_code == 409
    body = response.content.decode()
    assert "Alguien más cambió esto" in body
    assert 'value="Primera"' in body
    assert treatment_get(tenant_id=world.tenant_id, treatment_id=world.cleaning.treatment_id).name == "Primera"


def test_deactivating_a_treatment_hides_it_from_the_wizard_and_bookings_keep_their_data(
    world: World, admin: Client
) -> None:
    booking = book(world, at(9), treatment=world.cleaning)
    edit = url("panel-treatment-edit", world, world.cleaning.treatment_id)
    admin.post(edit, treatment_data(name="Renombrada", price="1", version=world.cleaning.version))
    current = treatment_get(tenant_id=world.tenant_id, treatment_id=world.cleaning.treatment_id)

    response = admin.post(
        url("panel-treatment-active", world, world.cleaning.treatment_id), {"active": "0", "version": current.version}
    )

    assert response.status_code == 302
    wizard = Client().get(url("booking-start", world)).content.decode()
    assert "Renombrada" not in wizard
    assert "Blanqueamiento" in wizard
    kept = booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id)
    assert (kept.treatment_name, kept.price, kept.status) == ("Limpieza", booking.price, BookingStatus.CONFIRMED)
    listing = admin.get(url("panel-treatments", world)).content.decode()
    assert "Renombrada" in listing and "Inactivo" in listing

    again = admin.post(
        url("panel-treatment-active", world, world.cleaning.treatment_id),
        {"active": "1", "version": current.version + 1},
    )
    assert again.status_code == 302
    assert "Renombrada" in Client().get(url("booking-start", world)).content.decode()


def test_a_stale_deactivation_is_a_409(world: World, admin: Client) -> None:
    response = admin.post(
        url("panel-treatment-active", world, world.cleaning.treatment_id),
        {"active": "0", "version": world.cleaning.version + 5},
    )

    assert response.status_code == 409
    assert treatment_get(tenant_id=world.tenant_id, treatment_id=world.cleaning.treatment_id).active


@pytest.mark.parametrize(
    "name", ["panel-treatment-edit", "panel-treatment-active", "panel-professional-edit", "panel-professional-active"]
)
def test_ids_that_cannot_exist_are_not_found(name: str, world: World, admin: Client) -> None:
    for bad in ("x" * 65, "no-such-id"):
        response = admin.post(url(name, world, bad), {"active": "0", "version": "1"})
        assert response.status_code == 404


# ---------------------------------------------------------------- professionals


SPLIT = {1: [("09:00", "13:00"), ("15:00", "18:00")]}


def test_it_creates_a_professional_with_split_hours_and_a_staff_account(
    world: World, people: People, admin: Client
) -> None:
    membership = Membership.objects.get(user=people.dentist, tenant_id=world.tenant_id)
    data = {
        "name": "Dra. Carla",
        "specialty": "Ortodoncia",
        "color": "#2563eb",
        "treatment_ids": [world.check.treatment_id],
        "account": str(membership.pk),
        **hours_data(SPLIT),
    }

    response = admin.post(url("panel-professional-add", world), data)

    assert response.status_code == 302, response.content.decode()
    [carla] = [p for p in professional_list(tenant_id=world.tenant_id) if p.name == "Dra. Carla"]
    assert carla.weekly_hours == [
        WorkRange(weekday=1, start="09:00", end="13:00"),
        WorkRange(weekday=1, start="15:00", end="18:00"),
    ]
    assert carla.treatment_ids == {world.check.treatment_id}
    membership.refresh_from_db()
    assert membership.professional_id == carla.professional_id


@pytest.mark.parametrize(
    ("hours", "field", "message"),
    [
        ({1: [("13:00", "09:00")]}, "h-1-0-end", "debe terminar después de empezar"),
        ({1: [("09:00", "13:00"), ("12:00", "15:00")]}, "h-1-1-start", "se cruza con otro"),
        ({2: [("09:00", "")]}, "h-2-0-end", "Escribe las dos horas"),
        ({3: [("09:03", "10:00")]}, "h-3-0-start", "pasos de 5 minutos"),
        ({4: [("25:00", "26:00")]}, "h-4-0-start", "pasos de 5 minutos"),
    ],
)
def test_it_refuses_bad_hours_with_a_message_on_the_day(
    hours: dict[int, list[tuple[str, str]]], field: str, message: str, world: World, admin: Client
) -> None:
    data = professional_data(world.ana, hours=hours)

    response = admin.post(url("panel-professional-edit", world, world.ana.professional_id), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    # The message sits right after the row's inputs, inside that day's block.
    day_block = body[body.index(f'id="day-{field[2]}"') :]
    assert message in day_block[: day_block.index("Agregar un rango") if "Agregar un rango" in day_block else None]
    assert fresh(world).version == world.ana.version


def test_a_bad_colour_is_refused_on_the_field(world: World, admin: Client) -> None:
    response = admin.post(
        url("panel-professional-edit", world, world.ana.professional_id),
        professional_data(world.ana, color="red"),
    )

    assert response.status_code == 400
    assert "#0d9488" in response.content.decode()


def test_add_a_range_without_javascript_rerenders_the_form_with_another_row(world: World, admin: Client) -> None:
    data = professional_data(world.ana, add_range="1")

    response = admin.post(url("panel-professional-edit", world, world.ana.professional_id), data)

    assert response.status_code == 200
    assert 'name="h-1-1-start"' in response.content.decode()
    assert fresh(world).version == world.ana.version  # nothing saved


def test_add_a_range_with_htmx_answers_only_that_day(world: World, admin: Client) -> None:
    data = professional_data(world.ana, add_range="1")

    response = admin.post(
        url("panel-professional-edit", world, world.ana.professional_id), data, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="day-1"')
    assert 'name="h-1-1-start"' in body and "<html" not in body


def test_a_stale_professional_edit_is_a_409_with_the_current_values(world: World, admin: Client) -> None:
    edit = url("panel-professional-edit", world, world.ana.professional_id)
    admin.post(edit, professional_data(world.ana, name="Dra. Ana María"))

    response = admin.post(edit, professional_data(world.ana, name="Dra. Ana Lucía"))

    assert response.status_code == 409
    assert 'value="Dra. Ana María"' in response.content.decode()
    assert fresh(world).name == "Dra. Ana María"


# ---------------------------------------------------------------- never orphan a booking silently

MORNINGS = {d: [("07:00", "12:00")] for d in range(7)}


def test_new_hours_list_the_bookings_left_outside_before_saving(world: World, admin: Client) -> None:
    afternoon = book(world, at(15), name="Marta Ruiz")
    book(world, at(9), name="Pedro Sol")

    response = admin.post(
        url("panel-professional-edit", world, world.ana.professional_id), professional_data(world.ana, hours=MORNINGS)
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Marta Ruiz" in body and "Pedro Sol" not in body
    assert "15:00" in body  # Bogotá wall clock
    assert f'name="seen" value="{afternoon.booking_id}"' in body
    assert fresh(world).version == world.ana.version  # nothing saved yet


def test_keeping_the_bookings_saves_the_hours_and_leaves_them_booked(world: World, admin: Client) -> None:
    afternoon = book(world, at(15))
    data = professional_data(world.ana, hours=MORNINGS, orphans="keep", seen=[afternoon.booking_id])

    response = admin.post(url("panel-professional-edit", world, world.ana.professional_id), data)

    assert response.status_code == 302
    assert {r.end for r in fresh(world).weekly_hours} == {"12:00"}
    assert booking_get(tenant_id=world.tenant_id, booking_id=afternoon.booking_id).status == BookingStatus.CONFIRMED


def test_cancelling_the_bookings_saves_and_cancels_them_with_the_reason(world: World, admin: Client) -> None:
    afternoon = book(world, at(15))
    data = professional_data(
        world.ana,
        hours=MORNINGS,
        orphans="cancel",
        cancel_reason="La doctora cambia de horario",
        seen=[afternoon.booking_id],
    )

    response = admin.post(url("panel-professional-edit", world, world.ana.professional_id), data)

    assert response.status_code == 302
    cancelled = booking_get(tenant_id=world.tenant_id, booking_id=afternoon.booking_id)
    assert cancelled.status == BookingStatus.CANCELLED
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == ("clinic", "La doctora cambia de horario")
    assert {r.end for r in fresh(world).weekly_hours} == {"12:00"}


def test_cancelling_needs_a_reason(world: World, admin: Client) -> None:
    afternoon = book(world, at(15))
    data = professional_data(world.ana, hours=MORNINGS, orphans="cancel", seen=[afternoon.booking_id])

    response = admin.post(url("panel-professional-edit", world, world.ana.professional_id), data)

    assert response.status_code == 400
    assert "Di por qué" in response.content.decode()
    assert booking_get(tenant_id=world.tenant_id, booking_id=afternoon.booking_id).status == BookingStatus.CONFIRMED
    assert fresh(world).version == world.ana.version


def test_a_booking_the_admin_did_not_see_stops_the_confirmation(world: World, admin: Client) -> None:
    seen = book(world, at(15), name="Vista")
    data = professional_data(
        world.ana, hours=MORNINGS, orphans="cancel", cancel_reason="Cambio", seen=[seen.booking_id]
    )
    unseen = book(world, at(17), name="Nueva Reserva")  # made while the admin was deciding

    response = admin.post(url("panel-professional-edit", world, world.ana.professional_id), data)

    assert response.status_code == 409
    assert "Nueva Reserva" in response.content.decode()
    for booking in (seen, unseen):
        assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.CONFIRMED
    assert fresh(world).version == world.ana.version


def test_deactivating_a_professional_lists_their_bookings_then_keeps_them(world: World, admin: Client) -> None:
    booking = book(world, at(9), name="Marta Ruiz")
    deactivate = url("panel-professional-active", world, world.ana.professional_id)

    first = admin.post(deactivate, {"active": "0", "version": world.ana.version})
    second = admin.post(
        deactivate, {"active": "0", "version": world.ana.version, "orphans": "keep", "seen": booking.booking_id}
    )

    assert first.status_code == 200 and "Marta Ruiz" in first.content.decode()
    assert second.status_code == 302
    assert not fresh(world).active
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.CONFIRMED
    wizard = Client().get(url("booking-schedule", world, world.cleaning.treatment_id)).content.decode()
    assert "Dra. Ana" not in wizard


def test_time_off_in_the_clinic_zone_lists_bookings_then_cancels_them(world: World, admin: Client) -> None:
    booking = book(world, at(9))
    time_off = url("panel-professional-time-off", world, world.ana.professional_id)
    data = {"kind": "hours", "date": DAY.isoformat(), "start_time": "08:00", "end_time": "10:00", "reason": "Médico"}

    listed = admin.post(time_off, {**data, "version": world.ana.version})
    done = admin.post(
        time_off,
        {
            **data,
            "version": world.ana.version,
            "orphans": "cancel",
            "cancel_reason": "Ausencia",
            "seen": booking.booking_id,
        },
    )

    assert listed.status_code == 200
    assert done.status_code == 302
    [range_] = fresh(world).time_off
    assert (range_.start, range_.end, range_.reason) == (at(8), at(10), "Médico")
    assert booking_get(tenant_id=world.tenant_id, booking_id=booking.booking_id).status == BookingStatus.CANCELLED


def test_whole_days_off_run_midnight_to_midnight_in_the_clinic_zone(world: World, admin: Client) -> None:
    response = admin.post(
        url("panel-professional-time-off", world, world.ana.professional_id),
        {"kind": "days", "from_date": "2026-12-07", "to_date": "2026-12-08", "version": world.ana.version},
    )

    assert response.status_code == 302
    [range_] = fresh(world).time_off
    assert range_.start == at(0, day=dt.date(2026, 12, 7))
    assert range_.end == at(0, day=dt.date(2026, 12, 9))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "days", "from_date": "2026-12-08", "to_date": "2026-12-07"}, "no puede ser anterior"),
        ({"kind": "hours", "date": "2026-12-08", "start_time": "10:00", "end_time": "09:00"}, "debe terminar después"),
        ({"kind": "hours", "date": "2026-12-08"}, "Escribe la hora de inicio"),
        ({"kind": "days", "from_date": "9999-12-31"}, "Escribe una fecha entre"),
        ({"kind": "days", "from_date": "2026-12-08", "reason": "x" * 201}, "200"),
    ],
)
def test_bad_time_off_is_refused_on_the_field(data: dict[str, str], message: str, world: World, admin: Client) -> None:
    response = admin.post(
        url("panel-professional-time-off", world, world.ana.professional_id), {**data, "version": world.ana.version}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert fresh(world).time_off == []


def test_it_removes_time_off_with_the_values_its_page_posts(world: World, admin: Client) -> None:
    import re

    admin.post(
        url("panel-professional-time-off", world, world.ana.professional_id),
        {"kind": "days", "from_date": "2026-12-07", "version": world.ana.version},
    )
    page = admin.get(url("panel-professional-edit", world, world.ana.professional_id)).content.decode()
    form = page[page.index(url("panel-professional-time-off-remove", world, world.ana.professional_id)) :]
    posted = {name: re.search(rf'name="{name}" value="([^"]+)"', form)[1] for name in ("version", "start", "end")}  # type: ignore[index]

    response = admin.post(url("panel-professional-time-off-remove", world, world.ana.professional_id), posted)

    assert response.status_code == 302
    assert posted["start"] == "2026-12-07T05:00:00Z"
    assert fresh(world).time_off == []


def test_time_off_follows_the_clocks_of_a_clinic_with_summer_time(people: People, admin: Client) -> None:
    from tests.conftest import make_world

    madrid = make_world(time_zone="Europe/Madrid")
    Membership.objects.create(user=people.admin, tenant_id=madrid.tenant_id, role="admin")
    time_off = url("panel-professional-time-off", madrid, madrid.ana.professional_id)

    # 28 March 2027: clocks go from 02:00 to 03:00 in Madrid, so that day lasts 23 hours.
    day = admin.post(time_off, {"kind": "days", "from_date": "2027-03-28", "version": madrid.ana.version})
    gap = admin.post(
        time_off,
        {
            "kind": "hours",
            "date": "2027-03-28",
            "start_time": "02:30",
            "end_time": "04:00",
            "version": madrid.ana.version + 1,
        },
    )

    assert day.status_code == 302
    [range_] = fresh(madrid).time_off
    assert range_.start == dt.datetime(2027, 3, 27, 23, 0, tzinfo=dt.UTC)
    assert range_.end - range_.start == dt.timedelta(hours=23)
    assert gap.status_code == 400
    assert "Esa hora no existe ese día" in gap.content.decode()


def test_the_nav_of_reception_shows_only_what_they_can_open(world: World, people: People) -> None:
    client = Client()
    client.force_login(people.reception)

    body = client.get(url("panel-home", world)).content.decode()

    assert url("panel-treatments", world) in body
    assert url("access-staff", world) not in body


def test_a_stale_version_is_refused_before_listing_bookings(world: World, admin: Client) -> None:
    book(world, at(9))
    old = world.ana.version
    admin.post(url("panel-professional-edit", world, world.ana.professional_id), professional_data(world.ana, name="X"))

    deactivate = admin.post(
        url("panel-professional-active", world, world.ana.professional_id), {"active": "0", "version": old}
    )
    time_off = admin.post(
        url("panel-professional-time-off", world, world.ana.professional_id),
        {"kind": "days", "from_date": DAY.isoformat(), "version": old},
    )

    assert deactivate.status_code == 409
    assert time_off.status_code == 409
    assert "Alguien más cambió esto" in time_off.content.decode()
    assert fresh(world).active and fresh(world).time_off == []


def test_the_panel_speaks_english_when_chosen(world: World, admin: Client) -> None:
    from django.conf import settings

    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    body = admin.get(url("panel-professional-edit", world, world.ana.professional_id)).content.decode()

    assert "Weekly hours" in body and "Add a range" in body and "Horario semanal" not in body
