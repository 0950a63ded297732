"""The block pages: new (prefilled from the calendar), the upcoming list, one block's details, removal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from booking.blocks import block_create
from booking.models import Block, BlockReason
from nexioq import dynamo
from tests.booking.helpers import clinic_partition
from tests.conftest import DAY, People, World, at, book, system

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

WEEK = dt.timedelta(weeks=1)


def signed_in(user: Any) -> Client:
    """In English, so the tests read the page's words as written in the code."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def new_url(world: World, query: str = "") -> str:
    return reverse("office-block-new", args=[world.slug]) + query


def post_new(client: Client, world: World, **changes: Any) -> Any:
    data = {
        "professional": world.ana.professional_id,
        "date": DAY.isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "reason": BlockReason.MEETING,
        "note": "Reunión de equipo",
        "weeks": "4",
        **changes,
    }
    return client.post(new_url(world), {k: v for k, v in data.items() if v is not None})


def stored_blocks(world: World) -> list[Block]:
    return list(
        Block.query(
            dynamo.tenant_pk(world.tenant_id),
            Block.sk.between(*dynamo.prefix_range(dynamo.BLOCK_PREFIX)),
            consistent_read=True,
        )
    )


def make_block(
    world: World, start: dt.datetime, end: dt.datetime, *, weeks: int = 1, professional: Any = None
) -> list[Block]:
    return block_create(
        tenant_id=world.tenant_id,
        professional_id=(professional or world.ana).professional_id,
        start=start,
        end=end,
        reason=BlockReason.TRAINING,
        note="Curso de ortodoncia",
        weeks=weeks,
        actor=system(world),
    )


# ---------------------------------------------------------------- new


def test_it_prefills_the_form_from_the_calendars_selection(world: World, people: People) -> None:
    query = f"?professional={world.ben.professional_id}&date=2026-12-03&start=14:30"

    response = signed_in(people.admin).get(new_url(world, query))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{world.ben.professional_id}" selected>' in html
    assert 'value="2026-12-03"' in html
    assert 'value="14:30"' in html and 'value="15:30"' in html


@pytest.mark.parametrize(
    "query", ["?date=9999-12-31&start=23:30", "?date=nope&start=25:99&professional=x", "?start=23:30"]
)
def test_it_ignores_a_selection_it_cannot_read(world: World, people: People, query: str) -> None:
    assert signed_in(people.admin).get(new_url(world, query)).status_code == 200


def test_it_fixes_the_professional_for_a_dentist(world: World, people: People) -> None:
    response = signed_in(people.dentist).get(new_url(world))

    html = response.content.decode()
    assert world.ana.name in html and world.ben.name not in html
    assert f'type="hidden" name="professional" value="{world.ana.professional_id}"' in html


def test_it_blocks_once_and_redirects(world: World, people: People) -> None:
    response = post_new(signed_in(people.admin), world)

    assert response.status_code == 302
    [made] = stored_blocks(world)
    assert (made.start, made.end, made.reason, made.note) == (at(9), at(10), "meeting", "Reunión de equipo")
    assert made.created_by == str(people.admin.pk)


def test_it_blocks_weekly(world: World, people: People) -> None:
    response = post_new(signed_in(people.dentist), world, repeat="on", weeks="3")

    assert response.status_code == 302
    assert sorted(b.start for b in stored_blocks(world)) == [at(9), at(9) + WEEK, at(9) + 2 * WEEK]


def test_it_blocks_until_midnight(world: World, people: People) -> None:
    response = post_new(signed_in(people.admin), world, start_time="20:00", end_time="00:00")

    assert response.status_code == 302
    assert max(b.end for b in stored_blocks(world)) == at(0, day=DAY + dt.timedelta(days=1))


def test_it_lists_the_bookings_in_the_way_with_409(world: World, people: People) -> None:
    in_the_way = book(world, at(9, day=DAY + 2 * WEEK), name="Marta Ruiz")
    before = clinic_partition(world.tenant_id)

    response = post_new(signed_in(people.admin), world, repeat="on", weeks="4", start_time="08:30")

    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="conflicting-bookings"' in html
    assert "Marta Ruiz" in html and "Limpieza" in html and in_the_way.reference in html
    assert "09:00" in html and "15 Dec 2026" in html  # local time of the booking
    assert clinic_partition(world.tenant_id) == before


def test_it_names_another_block_in_the_way(world: World, people: People) -> None:
    make_block(world, at(9), at(10))

    response = post_new(signed_in(people.admin), world)

    assert response.status_code == 409
    assert 'id="conflicting-blocks"' in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "2026-11-29"}, "cannot start in the past"),
        ({"start_time": "06:00", "end_time": "18:05"}, "at most 12 hours"),
        ({"start_time": "09:02"}, "multiple of 5 minutes"),
        ({"end_time": "08:00"}, "end after it starts"),
        ({"date": "2029-01-01"}, "too far ahead"),
        ({"date": "9999-12-31"}, "too far ahead"),
    ],
)
def test_it_refuses_rule_breakers_in_place_with_400(
    world: World, people: People, changes: dict[str, str], message: str
) -> None:
    before = clinic_partition(world.tenant_id)

    response = post_new(signed_in(people.admin), world, **changes)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="block-form"' in response.content.decode()
    assert clinic_partition(world.tenant_id) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"date": "0001-01-01"},
        {"date": "10000-01-01"},
        {"date": "2026-02-30"},
        {"start_time": "25:00"},
        {"reason": "holiday"},
        {"repeat": "on", "weeks": "53"},
        {"repeat": "on", "weeks": "0"},
        {"repeat": "on", "weeks": ""},
        {"professional": "someone-else"},
        {"professional": None},
    ],
)
def test_it_refuses_bad_input_with_400(world: World, people: People, changes: dict[str, Any]) -> None:
    before = clinic_partition(world.tenant_id)

    response = post_new(signed_in(people.admin), world, **changes)

    assert response.status_code == 400
    assert clinic_partition(world.tenant_id) == before


def test_it_keeps_a_dentist_to_their_own_agenda(world: World, people: People) -> None:
    before = clinic_partition(world.tenant_id)

    response = post_new(signed_in(people.dentist), world, professional=world.ben.professional_id)

    assert response.status_code == 400  # not one of the choices
    assert clinic_partition(world.tenant_id) == before


# ---------------------------------------------------------------- list


def test_it_lists_upcoming_blocks_grouped_by_series(world: World, people: People) -> None:
    make_block(world, at(9), at(10), weeks=3)
    make_block(world, at(7), at(19), professional=world.ben)
    make_block(world, at(9, day=DAY + 9 * WEEK), at(10, day=DAY + 9 * WEEK))  # past the 8 weeks shown

    response = signed_in(people.admin).get(reverse("office-blocks", args=[world.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-series=") == 2
    assert "Remove the whole series" in html
    assert "every Tuesday, 09:00\u201310:00 (3 ahead)" in html
    assert "Dr. Ben" in html and "Curso de ortodoncia" in html


def test_it_lists_only_a_dentists_own_blocks(world: World, people: People) -> None:
    make_block(world, at(9), at(10))
    make_block(world, at(9), at(10), professional=world.ben)

    html = signed_in(people.dentist).get(reverse("office-blocks", args=[world.slug])).content.decode()

    assert html.count("data-series=") == 1
    assert "Dr. Ben" not in html


# ---------------------------------------------------------------- one block and its removal


def test_it_shows_a_blocks_details_and_a_fragment_for_htmx(world: World, people: People) -> None:
    made = make_block(world, at(7), at(19), weeks=2)
    client = signed_in(people.admin)
    url = reverse("office-block", args=[world.slug, made[1].block_id])  # a middle segment

    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})

    assert page.status_code == fragment.status_code == 200
    assert "07:00\u201319:00" in page.content.decode()  # the whole occurrence, not the segment
    assert "Remove the whole series from now on" in page.content.decode()
    assert "<html" not in fragment.content.decode() and 'id="block-panel"' in fragment.content.decode()


def test_it_hides_another_dentists_block(world: World, people: People) -> None:
    [theirs] = make_block(world, at(9), at(10), professional=world.ben)

    response = signed_in(people.dentist).get(reverse("office-block", args=[world.slug, theirs.block_id]))

    assert response.status_code == 403


def test_it_answers_404_for_an_unknown_block(world: World, people: People) -> None:
    client = signed_in(people.admin)

    assert client.get(reverse("office-block", args=[world.slug, "nope"])).status_code == 404
    assert client.post(reverse("office-block-remove", args=[world.slug, "nope"])).status_code == 404


def test_it_removes_one_occurrence_and_redirects(world: World, people: People) -> None:
    made = make_block(world, at(9), at(10), weeks=3)

    response = signed_in(people.admin).post(
        reverse("office-block-remove", args=[world.slug, made[1].block_id]), {"scope": "occurrence"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("office-blocks", args=[world.slug])
    assert sorted(b.block_id for b in stored_blocks(world)) == sorted([made[0].block_id, made[2].block_id])


def test_it_removes_the_series_for_htmx_and_tells_the_calendar(world: World, people: People) -> None:
    made = make_block(world, at(9), at(10), weeks=3)

    response = signed_in(people.dentist).post(
        reverse("office-block-remove", args=[world.slug, made[0].block_id]),
        {"scope": "series"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "agenda-changed"
    assert "Block removed" in response.content.decode() and "<html" not in response.content.decode()
    assert stored_blocks(world) == []


def test_it_refuses_removing_another_dentists_block(world: World, people: People) -> None:
    [theirs] = make_block(world, at(9), at(10), professional=world.ben)
    before = clinic_partition(world.tenant_id)

    response = signed_in(people.dentist).post(reverse("office-block-remove", args=[world.slug, theirs.block_id]))

    assert response.status_code == 403
    assert clinic_partition(world.tenant_id) == before


@pytest.mark.parametrize("role", ["reception", "patient"])
def test_it_refuses_roles_without_block_time(world: World, people: People, role: str) -> None:
    client = signed_in(getattr(people, role))
    before = clinic_partition(world.tenant_id)

    assert client.get(new_url(world)).status_code == 403
    assert post_new(client, world).status_code == 403
    assert client.get(reverse("office-blocks", args=[world.slug])).status_code == 403
    assert clinic_partition(world.tenant_id) == before


def test_it_answers_404_to_another_clinics_staff(world: World, people: People) -> None:
    [made] = make_block(world, at(9), at(10))
    client = signed_in(people.outsider)
    before = clinic_partition(world.tenant_id)

    assert client.get(new_url(world)).status_code == 404
    assert post_new(client, world).status_code == 404
    assert client.get(reverse("office-blocks", args=[world.slug])).status_code == 404
    assert client.get(reverse("office-block", args=[world.slug, made.block_id])).status_code == 404
    assert client.post(reverse("office-block-remove", args=[world.slug, made.block_id])).status_code == 404
    assert clinic_partition(world.tenant_id) == before


def test_it_lists_a_long_block_under_way_whole(world: World, people: People, frozen: Any) -> None:
    make_block(world, at(7), at(19))
    frozen.move_to(at(15))  # the first segments are over, the last is not

    html = signed_in(people.admin).get(reverse("office-blocks", args=[world.slug])).content.decode()

    assert "07:00\u201319:00" in html
