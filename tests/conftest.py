"""A clinic world for every test: a fresh clinic (its own partition), frozen time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import time_machine

from clinics.models import Clinic, Professional, Treatment

if TYPE_CHECKING:
    from access.permissions import Actor
    from booking.models import Booking, Hold

BOGOTA = zoneinfo.ZoneInfo("America/Bogota")
# Monday 30 November 2026, 07:00 in Bogotá.
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 1)  # the Tuesday most tests book on


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    """A Bogotá wall-clock time as the UTC instant the engine works with."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BOGOTA).astimezone(dt.UTC)


@dataclass
class World:
    clinic: Clinic
    cleaning: Treatment  # 60 min, no buffers
    whitening: Treatment  # 30 min, 10 before, 10 after
    check: Treatment  # 15 min, no buffers
    ana: Professional
    ben: Professional

    @property
    def tenant_id(self) -> str:
        return self.clinic.tenant_id

    @property
    def slug(self) -> str:
        return self.clinic.slug


@pytest.fixture
def ticking() -> Iterator[time_machine.Coordinates]:
    """NOW, but moving: a frozen clock stalls the live server's and Playwright's timeouts (browser tests)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_world(**setting_changes: Any) -> World:
    """A fresh clinic (settings as below, with ``setting_changes``), three treatments and two professionals."""
    from clinics import services
    from clinics.clinic_settings import ClinicSettings

    settings = ClinicSettings(
        name="Clínica Prueba",
        time_zone="America/Bogota",
        address="Calle 1 # 2-3",
        phone="+57 601 555 0100",
        min_notice_minutes=0,
        grid_minutes=15,
        max_advance_days=60,
    )
    clinic = services.clinic_create(
        slug=f"test-{uuid.uuid4().hex[:12]}", settings=dataclasses.replace(settings, **setting_changes)
    )
    tenant = clinic.tenant_id
    cleaning = services.treatment_create(tenant_id=tenant, name="Limpieza", duration_minutes=60, price="120000")
    whitening = services.treatment_create(
        tenant_id=tenant,
        name="Blanqueamiento",
        duration_minutes=30,
        buffer_before_minutes=10,
        buffer_after_minutes=10,
        price="450000",
    )
    check = services.treatment_create(tenant_id=tenant, name="Control", duration_minutes=15, price="50000")
    hours = {day: [("07:00", "20:00")] for day in range(7)}
    treatments = [cleaning.treatment_id, whitening.treatment_id, check.treatment_id]
    ana = services.professional_create(tenant_id=tenant, name="Dra. Ana", weekly_hours=hours, treatment_ids=treatments)
    ben = services.professional_create(tenant_id=tenant, name="Dr. Ben", weekly_hours=hours, treatment_ids=treatments)
    return World(clinic=clinic, cleaning=cleaning, whitening=whitening, check=check, ana=ana, ben=ben)


@pytest.fixture
def world(dynamodb_local: str, frozen: time_machine.Coordinates) -> World:
    return make_world()


PASSWORD = "una-clave-de-prueba-2026"


def make_user(email: str, *, staff: bool = False, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """A user with a verified e-mail address, as allauth requires before signing in."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    user = User.objects.create_user(email=email, password=password, is_staff=staff)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@dataclass
class People:
    """Clinic A's admin, dentist, receptionist and patient, a platform owner, and clinic B's admin."""

    owner: Any
    admin: Any
    dentist: Any
    reception: Any
    patient: Any
    outsider: Any


# Clinic B exists only as the outsider's membership: no test needs its catalogue.
OTHER_TENANT_ID = "clinic-b"


@pytest.fixture
def people(world: World, db: None) -> People:
    from access.models import Membership, Role

    users = {
        "owner": make_user("owner@nexioq.example", staff=True),
        "admin": make_user("admin@clinic-a.example"),
        "dentist": make_user("dentist@clinic-a.example"),
        "reception": make_user("reception@clinic-a.example"),
        "patient": make_user("patient@clinic-a.example"),
        "outsider": make_user("admin@clinic-b.example"),
    }
    for name, role in (("admin", Role.ADMIN), ("reception", Role.RECEPTION)):
        Membership.objects.create(user=users[name], tenant_id=world.tenant_id, role=role)
    # The dentist is Dra. Ana: her agenda is theirs.
    Membership.objects.create(
        user=users["dentist"], tenant_id=world.tenant_id, role=Role.DENTIST, professional_id=world.ana.professional_id
    )
    Membership.objects.create(user=users["patient"], tenant_id=world.tenant_id, role=Role.PATIENT)
    Membership.objects.create(user=users["outsider"], tenant_id=OTHER_TENANT_ID, role=Role.ADMIN)
    return People(**users)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and cached slugs belong to one test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# ---------------------------------------------------------------- acting as someone


def system(world: World) -> Actor:
    from access.permissions import Actor

    return Actor.system(tenant_id=world.tenant_id)


def anonymous(world: World, key: str = "browser-1") -> Actor:
    """An anonymous visitor's browser."""
    from access.permissions import Actor

    return Actor(tenant_id=world.tenant_id, roles=frozenset({"anonymous"}), browser_key=key)


def member(world: World, user: Any, *, browser_key: str | None = None) -> Actor:
    """A signed-in user as the access layer sees them at the world's clinic."""
    from access.permissions import Actor, roles_at

    roles, professionals = roles_at(user=user, tenant_id=world.tenant_id)
    return Actor(
        tenant_id=world.tenant_id, roles=roles, user=user, browser_key=browser_key, professional_ids=professionals
    )


PATIENT_PHONE = "+573001234567"


def book(
    world: World,
    start: dt.datetime,
    *,
    professional: Professional | None = None,
    treatment: Treatment | None = None,
    patient_id: str | None = None,
    name: str = "Luis Gómez",
    booking_id: str | None = None,
) -> Booking:
    """A confirmed booking made by the clinic (no hold), as reception would; ``booking_id`` as a
    reception form's double-submit id."""
    from booking import services

    return services.booking_create(
        tenant_id=world.tenant_id,
        treatment_id=(treatment or world.cleaning).treatment_id,
        professional_id=(professional or world.ana).professional_id,
        start=start,
        patient=services.PatientDetails(name, "luis@example.com", PATIENT_PHONE, patient_id=patient_id),
        actor=system(world),
        booking_id=booking_id,
    )


def hold(
    world: World,
    start: dt.datetime,
    *,
    actor: Actor | None = None,
    professional: Professional | None = None,
    treatment: Treatment | None = None,
    anyone: bool = False,
) -> Hold:
    """A time held online (by an anonymous browser unless ``actor`` says who)."""
    from booking import services

    return services.hold_create(
        tenant_id=world.tenant_id,
        treatment_id=(treatment or world.cleaning).treatment_id,
        professional_id=None if anyone else (professional or world.ana).professional_id,
        start=start,
        actor=actor or anonymous(world),
    )
