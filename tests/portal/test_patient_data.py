"""The patient's own data: export, and deleting the account (anonymise, free future times)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from access.models import Membership, Role
from accounts.models import User
from booking import patient_data, selectors, services
from booking.models import BookingStatus
from nexioq import dynamo
from tests.booking.helpers import clinic_partition
from tests.conftest import NOW, People, World, at, book, make_user, make_world, member, system

pytestmark = pytest.mark.django_db


def patient_with_bookings(world: World, people: People) -> tuple[str, str, str]:
    """The patient's booking in the past (attended), a future one (confirmed), one they cancelled."""
    patient_id = str(people.patient.pk)
    past = book(world, at(9), patient_id=patient_id).booking_id
    future = book(world, at(9, day=dt.date(2026, 12, 2)), patient_id=patient_id, professional=world.ben).booking_id
    cancelled = book(world, at(14), patient_id=patient_id).booking_id
    services.booking_cancel(tenant_id=world.tenant_id, booking_id=cancelled, actor=member(world, people.patient))
    return past, future, cancelled


def test_it_exports_account_profile_and_bookings_at_every_clinic(world: World, people: People) -> None:
    other = make_world(name="Clínica Norte")
    patient_id = str(people.patient.pk)
    here = book(world, at(9), patient_id=patient_id)
    there = book(other, at(10), patient_id=patient_id, professional=other.ben)
    book(world, at(11), patient_id="someone-else")
    people.patient.full_name, people.patient.phone = "Ana Pérez", "+573001234567"
    people.patient.save()

    data = patient_data.patient_data_export(user_id=patient_id)

    assert data["account"]["email"] == people.patient.email
    assert data["profile"] == {"full_name": "Ana Pérez", "phone": "+573001234567", "language": ""}
    assert data["memberships"] == [{"clinic_id": world.tenant_id, "role": "patient"}]
    exported = {b["booking_id"]: b for b in data["bookings"]}
    assert set(exported) == {here.booking_id, there.booking_id}
    assert exported[there.booking_id]["clinic"]["name"] == "Clínica Norte"
    assert exported[here.booking_id]["start"] == dynamo.iso_utc(at(9))
    assert exported[here.booking_id]["patient"]["email"] == "luis@example.com"


def test_it_anonymises_bookings_and_frees_future_times_on_delete(world: World, people: People) -> None:
    past, future, cancelled = patient_with_bookings(world, people)
    patient_id = str(people.patient.pk)
    # The past one is the clinic's record of a visit: it was attended.
    services.booking_mark(
        tenant_id=world.tenant_id, booking_id=past, outcome=BookingStatus.ATTENDED, actor=system(world), now=at(10)
    )
    with_the_past_visit = selectors.booking_get(tenant_id=world.tenant_id, booking_id=past)
    assert with_the_past_visit.status == BookingStatus.ATTENDED

    done = patient_data.account_delete(user_id=patient_id, now=at(12))

    assert (done.cancelled, done.anonymised) == (1, 3)
    assert not User.objects.filter(pk=patient_id).exists()
    assert not Membership.objects.filter(user_id=patient_id).exists()
    assert selectors.bookings_for_patient(patient_id=patient_id) == []
    for booking_id in (past, future, cancelled):
        booking = selectors.booking_get(tenant_id=world.tenant_id, booking_id=booking_id)
        assert (booking.patient_name, booking.patient_email, booking.patient_phone) == ("—", "", "")
        assert booking.patient_id is None and booking.holder is None
        assert booking.patient_pk is None and booking.patient_sk is None
        assert all(entry.by != patient_id for entry in booking.history)
    kept = selectors.booking_get(tenant_id=world.tenant_id, booking_id=past)
    assert kept.status == BookingStatus.ATTENDED  # the clinic's record stays
    freed = selectors.booking_get(tenant_id=world.tenant_id, booking_id=future)
    assert (freed.status, freed.cancelled_by, freed.cancel_reason) == ("cancelled", "system", "account deleted")
    # The future booking's time is free: someone else can book it now.
    book(world, freed.start, professional=world.ben)


def test_it_cancels_future_bookings_on_delete_even_past_the_cutoff(world: World, people: People) -> None:
    patient_id = str(people.patient.pk)
    soon = book(world, at(9), patient_id=patient_id).booking_id  # 2 h after "now" below, cutoff 24 h

    patient_data.account_delete(user_id=patient_id, now=at(7))

    booking = selectors.booking_get(tenant_id=world.tenant_id, booking_id=soon)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cutoff_overridden


def test_it_refuses_to_delete_the_last_admin_of_a_clinic_and_writes_nothing(world: World, people: People) -> None:
    book(world, at(9), patient_id=str(people.admin.pk))
    before = clinic_partition(world.tenant_id)

    with pytest.raises(patient_data.LastAdminAccount):
        patient_data.account_delete(user_id=str(people.admin.pk))

    assert User.objects.filter(pk=people.admin.pk).exists()
    assert clinic_partition(world.tenant_id) == before


def test_it_deletes_an_admin_when_another_admin_remains(world: World, people: People) -> None:
    second = make_user("second-admin@clinic-a.example")
    Membership.objects.create(user=second, tenant_id=world.tenant_id, role=Role.ADMIN)

    patient_data.account_delete(user_id=str(people.admin.pk))

    assert not User.objects.filter(pk=people.admin.pk).exists()


def test_it_refuses_to_delete_platform_staff(world: World, people: People) -> None:
    with pytest.raises(patient_data.PlatformStaffAccount):
        patient_data.account_delete(user_id=str(people.owner.pk))


def test_it_keeps_the_times_of_others_when_deleting(world: World, people: People) -> None:
    someone_else = uuid.uuid4().hex  # the patient index is shared by every test's clinic
    book(world, at(10), patient_id=someone_else)
    patient_with_bookings(world, people)

    patient_data.account_delete(user_id=str(people.patient.pk), now=NOW)

    [theirs] = selectors.bookings_for_patient(patient_id=someone_else)
    assert (theirs.status, theirs.patient_name) == (BookingStatus.CONFIRMED, "Luis Gómez")
