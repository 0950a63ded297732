"""Reports: the figures of a period, the bookings CSV, the printable day, and what they cost."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from booking import services
from booking.models import Block, Booking, BookingStatus
from clinics.models import TimeRange, WorkRange
from nexioq import dynamo
from nexioq.dynamo import count_requests
from office import reports
from office.views.reports import csv_cell
from tests.conftest import DAY, NOW, PATIENT_PHONE, People, World, at, book, member, system

pytestmark = pytest.mark.django_db

# Dra. Ana and Dr. Ben work 07:00-20:00 every day: 13 hours each.
DAY_MINUTES = 13 * 60
AFTER_THE_DAY = at(21)


def _report_url(world: World, first: dt.date | str, last: dt.date | str, name: str = "office-reports") -> str:
    return f"{reverse(name, args=[world.slug])}?from={first}&to={last}"


@pytest.fixture
def admin(people: People) -> Client:
    client = Client()
    client.force_login(people.admin)
    return client


def _mark(world: World, booking: Booking, outcome: str) -> None:
    services.booking_mark(
        tenant_id=world.tenant_id,
        booking_id=booking.booking_id,
        outcome=outcome,
        actor=system(world),
        now=AFTER_THE_DAY,
    )


def _a_busy_day(world: World, people: People) -> dict[str, Booking]:
    """Ana: 4 bookings (attended, no-show, cancelled by the patient, confirmed); Ben: 2 (cancelled by the clinic, attended)."""
    made = {
        "ana_attended": book(world, at(8), professional=world.ana),  # cleaning, 60 min
        "ana_no_show": book(world, at(10), professional=world.ana, treatment=world.check),  # 15 min
        "ana_patient_cancel": book(world, at(12), professional=world.ana, patient_id=str(people.patient.pk)),
        "ana_confirmed": book(world, at(14), professional=world.ana, treatment=world.whitening),  # 30 min
        "ben_clinic_cancel": book(world, at(8), professional=world.ben),
        "ben_attended": book(world, at(9, 30), professional=world.ben, treatment=world.check),
    }
    _mark(world, made["ana_attended"], BookingStatus.ATTENDED)
    _mark(world, made["ana_no_show"], BookingStatus.NO_SHOW)
    _mark(world, made["ben_attended"], BookingStatus.ATTENDED)
    services.booking_cancel(
        tenant_id=world.tenant_id,
        booking_id=made["ana_patient_cancel"].booking_id,
        actor=member(world, people.patient),
        reason="viaje",
    )
    services.booking_cancel(
        tenant_id=world.tenant_id,
        booking_id=made["ben_clinic_cancel"].booking_id,
        actor=member(world, people.admin),
        reason="equipo en reparación",
    )
    return made


# ---------------------------------------------------------------- the figures


def test_it_counts_each_professional_treatment_and_the_clinic(world: World, people: People) -> None:
    _a_busy_day(world, people)
    book(world, at(9, day=DAY + dt.timedelta(days=1)), professional=world.ben)  # outside the period

    report = reports.report_figures(clinic=world.clinic, first_day=DAY, last_day=DAY)

    by_name = {row.name: row.figures for row in report.professionals}
    ana, ben = by_name["Dra. Ana"], by_name["Dr. Ben"]
    assert (ana.bookings, ana.cancelled_by_patient, ana.cancelled_by_clinic, ana.no_shows, ana.attended) == (
        4,
        1,
        0,
        1,
        1,
    )
    assert ana.no_show_rate == 0.5
    assert ana.booked_minutes == 60 + 15 + 30  # buffers left out, the cancelled one too
    assert ana.working_minutes == DAY_MINUTES
    assert ana.occupancy == pytest.approx(105 / DAY_MINUTES)
    assert (ben.bookings, ben.cancelled_by_clinic, ben.attended, ben.no_shows, ben.booked_minutes) == (2, 1, 1, 0, 15)
    assert ben.no_show_rate == 0.0
    treatments = {row.name: row.figures for row in report.treatments}
    assert treatments["Limpieza"].bookings == 3
    assert treatments["Limpieza"].cancellations == 2
    assert treatments["Control"].no_shows == 1
    assert treatments["Blanqueamiento"].booked_minutes == 30
    assert treatments["Control"].working_minutes is None and treatments["Control"].occupancy is None
    total = report.total
    assert (total.bookings, total.cancellations, total.no_shows, total.attended) == (6, 2, 1, 2)
    assert total.working_minutes == 2 * DAY_MINUTES
    assert total.occupancy == pytest.approx(120 / (2 * DAY_MINUTES))


def test_it_leaves_the_no_show_rate_undefined_until_an_outcome_is_marked(world: World) -> None:
    book(world, at(8))

    report = reports.report_figures(clinic=world.clinic, first_day=DAY, last_day=DAY)

    assert report.total.no_show_rate is None
    assert reports.Figures().occupancy is None


def test_it_counts_a_system_cancellation_as_the_clinics(world: World) -> None:
    booking = book(world, at(8))
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=booking.booking_id, actor=system(world))

    total = reports.report_figures(clinic=world.clinic, first_day=DAY, last_day=DAY).total

    assert (total.cancelled_by_clinic, total.cancelled_by_patient, total.booked_minutes) == (1, 0, 0)


def test_it_takes_time_off_closures_and_blocks_out_of_working_time(world: World) -> None:
    ana = world.ana
    ana.time_off = [TimeRange(start=at(7), end=at(9), reason="médico")]  # 2 h
    clinic = world.clinic
    clinic.closures = [TimeRange(start=at(19), end=at(7, day=DAY + dt.timedelta(days=1)), reason="cierre")]  # 1 h
    meeting = Block(professional_id=ana.professional_id, blocked_start=at(12), blocked_end=at(13))  # 1 h
    other = Block(professional_id=world.ben.professional_id, blocked_start=at(15), blocked_end=at(16))

    minutes = reports.professional_working_minutes(
        clinic=clinic, professional=ana, first_day=DAY, last_day=DAY, blocks=[meeting, other]
    )

    assert minutes == DAY_MINUTES - 4 * 60


def test_it_reads_working_hours_in_the_clinic_zone_across_a_dst_change(world: World) -> None:
    """On Madrid's spring-forward night 01:00-04:00 lasts two hours, not three."""
    clinic = world.clinic
    clinic.time_zone = "Europe/Madrid"
    ana = world.ana
    ana.weekly_hours = [WorkRange(weekday=6, start="01:00", end="04:00")]
    sunday = dt.date(2027, 3, 28)  # 02:00 -> 03:00

    minutes = reports.professional_working_minutes(clinic=clinic, professional=ana, first_day=sunday, last_day=sunday)

    assert minutes == 2 * 60


def test_it_lists_a_deleted_professional_by_the_name_on_their_bookings(world: World) -> None:
    booking = book(world, at(8))
    booking.professional_id, booking.professional_name = "gone", "Dr. Ido"
    booking.save()

    report = reports.report_figures(clinic=world.clinic, first_day=DAY, last_day=DAY)

    gone = next(row for row in report.professionals if row.key == "gone")
    assert (gone.name, gone.active, gone.figures.bookings, gone.figures.working_minutes) == ("Dr. Ido", False, 1, None)


def test_it_reads_one_query_per_day_whatever_the_bookings(world: World) -> None:
    monday = DAY - dt.timedelta(days=1)
    with count_requests() as empty:
        reports.report_figures(clinic=world.clinic, first_day=monday, last_day=monday + dt.timedelta(days=6))
    for day in range(7):
        for hour in (8, 10, 12):
            book(world, at(hour, day=DAY + dt.timedelta(days=day)), professional=world.ana)
            book(world, at(hour, day=DAY + dt.timedelta(days=day)), professional=world.ben)

    with count_requests() as week:
        report = reports.report_figures(clinic=world.clinic, first_day=monday, last_day=monday + dt.timedelta(days=6))
    with count_requests() as fortnight:
        reports.report_figures(clinic=world.clinic, first_day=monday, last_day=monday + dt.timedelta(days=13))

    assert report.total.bookings == 6 * 6
    # A Query per day, the professionals and the treatments.
    assert week.operations.count("Query") == week.value == 7 + 2
    assert empty.value == week.value
    assert fortnight.value == 14 + 2


def test_the_page_costs_a_request_more_per_day(world: World, people: People, admin: Client) -> None:
    for hour in (8, 10, 12, 14):
        book(world, at(hour), professional=world.ana)
    admin.get(_report_url(world, DAY, DAY))  # the slug is cached from here on

    with count_requests() as week:
        assert admin.get(_report_url(world, DAY, DAY + dt.timedelta(days=6))).status_code == 200
    with count_requests() as fortnight:
        assert admin.get(_report_url(world, DAY, DAY + dt.timedelta(days=13))).status_code == 200

    assert fortnight.value - week.value == 7
    assert week.value <= 7 + 3  # the days, the clinic, the professionals, the treatments


# ---------------------------------------------------------------- the page


def test_it_shows_the_figures_with_the_locales_percentages(world: World, people: People, admin: Client) -> None:
    _a_busy_day(world, people)

    spanish = admin.get(_report_url(world, DAY, DAY)).content.decode()
    admin.cookies["django_language"] = "en"
    english = admin.get(_report_url(world, DAY, DAY)).content.decode()

    assert "Dra. Ana" in spanish and "Limpieza" in spanish
    assert "50,0\xa0%" in spanish  # Ana's no-show rate
    assert "33,3\xa0%" in spanish  # the clinic's: 1 of 3 marked
    assert "50.0%" in english and "33.3%" in english
    assert "bookings.csv?from=2026-12-01&amp;to=2026-12-01" in spanish


def test_it_shows_the_last_30_days_without_a_period(world: World, admin: Client) -> None:
    response = admin.get(reverse("office-reports", args=[world.slug]))

    assert response.status_code == 200
    report = response.context["report"]
    today = NOW.astimezone(world.clinic.zone).date()
    assert (report.first_day, report.last_day) == (today - dt.timedelta(days=29), today)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2026-12-10", "2026-12-01", "The end date is before the start date."),
        ("2026-01-01", "2026-12-01", "A report covers at most 93 days."),
        ("9999-12-31", "9999-12-31", "Pick dates between 2000-01-01 and 2100-12-31."),
        ("garbage", "2026-12-01", "Enter a date as YYYY-MM-DD."),
        ("01/12/2026", "2026-12-01", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_it_refuses_a_period_it_cannot_report_with_a_clear_message(
    world: World, admin: Client, first: str, last: str, message: str
) -> None:
    admin.cookies["django_language"] = "en"
    page = admin.get(_report_url(world, first, last))
    export = admin.get(_report_url(world, first, last, "office-report-csv"))

    assert page.status_code == 400 and message in page.content.decode()
    assert export.status_code == 400 and message in export.content.decode()


def test_it_accepts_93_days(world: World, admin: Client) -> None:
    response = admin.get(_report_url(world, DAY, DAY + dt.timedelta(days=92)))

    assert response.status_code == 200
    assert response.context["report"].days == 93


# ---------------------------------------------------------------- CSV


def test_the_csv_lists_every_booking_of_the_period_for_excel(world: World, people: People, admin: Client) -> None:
    made = _a_busy_day(world, people)
    booking = made["ana_confirmed"]
    booking.channel = "phone"
    booking.save()
    book(world, at(9, day=DAY + dt.timedelta(days=1)), professional=world.ben)  # outside the period
    admin.cookies["django_language"] = "en"

    response = admin.get(_report_url(world, DAY, DAY, "office-report-csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{world.slug}-bookings-2026-12-01-2026-12-01.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Reference", "Date", "Start", "End"]
    assert rows[0][-2:] == ["Channel", "Price"]
    assert len(rows) == 1 + 6
    by_reference = {row[0]: row for row in rows[1:]}
    whitening = by_reference[booking.reference]
    assert whitening[1:7] == ["2026-12-01", "14:00", "14:30", "Dra. Ana", "Blanqueamiento", "Luis Gómez"]
    assert whitening[7] == PATIENT_PHONE  # digits after "+" are no formula: the phone stays as it is
    assert whitening[9:] == ["Confirmed", "", "", "Phone", "450000"]
    cancelled = by_reference[made["ben_clinic_cancel"].reference]
    assert cancelled[9:13] == ["Cancelled", "Clinic", "equipo en reparación", ""]
    assert by_reference[made["ana_patient_cancel"].reference][10] == "Patient"
    assert Decimal(by_reference[made["ana_attended"].reference][13]) == Decimal("120000")


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1"]
)
def test_the_csv_neutralises_formulas(world: World, admin: Client, name: str) -> None:
    book(world, at(8), name=name)

    response = admin.get(_report_url(world, DAY, DAY, "office-report-csv"))

    [row] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))[1:]
    assert row[6] == "'" + name


def test_csv_cell_leaves_harmless_text_alone() -> None:
    assert csv_cell("Luis Gómez") == "Luis Gómez"
    assert csv_cell(None) == ""
    assert csv_cell(Decimal("120000")) == "120000"
    assert csv_cell("a=b") == "a=b"
    assert csv_cell("+573001112233") == "+573001112233"
    assert csv_cell("+57300111223=1") == "'+57300111223=1"


def test_the_csv_costs_a_query_per_day(world: World, admin: Client) -> None:
    for hour in (8, 10, 12):
        book(world, at(hour))
    admin.get(_report_url(world, DAY, DAY, "office-report-csv"))

    with count_requests() as week:
        admin.get(_report_url(world, DAY, DAY + dt.timedelta(days=6), "office-report-csv"))

    assert week.value <= 7 + 2  # the days, the clinic, the professionals


# ---------------------------------------------------------------- the printable day


def _day_url(world: World, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('office-report-day', args=[world.slug])}?{query}"


def test_the_printable_day_lists_each_professionals_patients(world: World, people: People, admin: Client) -> None:
    made = _a_busy_day(world, people)
    noted = made["ana_confirmed"]
    noted.internal_note = "Alérgica a la penicilina"
    noted.save()

    response = admin.get(_day_url(world, date=DAY.isoformat()))

    assert response.status_code == 200
    sheets = {sheet.name: sheet for sheet in response.context["agenda"].sheets}
    assert list(sheets) == ["Dr. Ben", "Dra. Ana"]
    assert [b.start for b in sheets["Dra. Ana"].bookings] == [at(8), at(10), at(14)]  # the cancelled one is left out
    html = response.content.decode()
    assert "Alérgica a la penicilina" in html
    assert "14:00\u201314:30" in html  # the clinic's wall clock, an en dash between
    assert "print:break-before-page" in html


def test_the_printable_day_shows_one_professional(world: World, admin: Client) -> None:
    book(world, at(8), professional=world.ana)
    book(world, at(9), professional=world.ben, name="Marta Ruiz")

    response = admin.get(_day_url(world, date=DAY.isoformat(), professional=world.ben.professional_id))

    [sheet] = response.context["agenda"].sheets
    assert sheet.name == "Dr. Ben"
    assert [b.patient_name for b in sheet.bookings] == ["Marta Ruiz"]


def test_the_printable_day_shows_blocks(world: World) -> None:
    block = Block(
        pk=dynamo.tenant_pk(world.tenant_id),
        sk=dynamo.block_sk("b1"),
        tenant_id=world.tenant_id,
        block_id="b1",
        series_id="b1",
        occurrence_id="b1",
        professional_id=world.ana.professional_id,
        professional_name=world.ana.name,
        reason="meeting",
        start=at(13),
        end=at(14),
        blocked_start=at(13),
        blocked_end=at(14),
        created_at=NOW,
        clinic_agenda_pk=dynamo.clinic_agenda_pk(world.tenant_id),
        clinic_agenda_sk=dynamo.agenda_sk(at(13), "b1"),
    )
    block.save()

    agenda = reports.day_agenda(clinic=world.clinic, day=DAY)
    report = reports.report_figures(clinic=world.clinic, first_day=DAY, last_day=DAY)

    ana = next(sheet for sheet in agenda.sheets if sheet.name == "Dra. Ana")
    assert [type(entry) for entry in ana.entries] == [Block]
    assert next(r for r in report.professionals if r.name == "Dra. Ana").figures.working_minutes == DAY_MINUTES - 60


def test_the_printable_day_costs_two_requests(world: World, admin: Client) -> None:
    book(world, at(8))
    admin.get(_day_url(world, date=DAY.isoformat()))

    with count_requests() as requests:
        admin.get(_day_url(world, date=DAY.isoformat()))

    assert requests.value <= 3  # the clinic, the day, the professionals


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"date": "garbage"}, 400, "Enter a date as YYYY-MM-DD."),
        ({"date": "9999-12-31"}, 400, "Pick dates between 2000-01-01 and 2100-12-31."),
        ({"date": "2026-12-01", "professional": "nobody"}, 404, "This clinic has no professional with that id."),
        ({"date": "2026-12-01", "professional": "a%23b"}, 404, "This clinic has no professional with that id."),
    ],
)
def test_the_printable_day_refuses_bad_input(
    world: World, admin: Client, params: dict[str, str], status: int, message: str
) -> None:
    admin.cookies["django_language"] = "en"

    response = admin.get(_day_url(world, **params))

    assert response.status_code == status
    assert message in response.content.decode()


def test_the_printable_day_defaults_to_today(world: World, admin: Client) -> None:
    response = admin.get(reverse("office-report-day", args=[world.slug]))

    assert response.status_code == 200
    assert response.context["day"] == NOW.astimezone(world.clinic.zone).date()
