"""The clinics a run books at, seeded through the services, and the free times its clients pick.

Each clinic keeps an ``Agenda``: the cells its bookings take, in memory, so the seed and every
phase find free starts with the app's own pure availability function instead of reading
DynamoDB, and times handed to different clients never overlap unless a phase wants them to.
Runs in-process, after ``Stack.start_storage`` (Django is set up).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scheduling.availability import available_slots, blocked_interval, cells_for

if TYPE_CHECKING:
    from clinics.models import Clinic, Professional, Treatment

SEED_DAYS = 90  # bookings are seeded on local days today+1 .. today+SEED_DAYS
PHONE = "300 123 4567"
# name, minutes, buffer before, buffer after, price
TREATMENTS = [("Valoración", 30, 0, 0, 60000), ("Limpieza", 45, 0, 15, 120000), ("Resina", 60, 10, 10, 180000)]
# Every wizard phase books this one (45 min + 15 after: 12 cells), so the raw transactions the
# bench compares them with have exactly the app's size.
WIZARD_TREATMENT = "Limpieza"
# Monday to Saturday, two ranges a day (a lunch break); professional i works SHIFTS[i % 4].
SHIFTS = [
    ("08:00", "12:00", "13:00", "18:00"),
    ("07:00", "12:30", "14:00", "17:00"),
    ("09:00", "13:00", "14:00", "19:00"),
    ("07:30", "11:30", "12:30", "16:30"),
]
SEED_THREADS = 8


@dataclass(frozen=True)
class Candidate:
    """A start a client will try: one treatment with one professional at one UTC instant."""

    treatment_id: str
    professional_id: str
    start: dt.datetime


@dataclass
class World:
    """One seeded clinic."""

    label: str
    clinic: Clinic
    treatments: list[Treatment]
    professionals: list[Professional]
    today: dt.date
    agenda: Agenda
    seeded: int = 0  # bookings written by the seed
    time_first_pk: str = ""  # the scratch partition with its cells keyed time-first (table 2)
    booked: dict[str, int] = field(default_factory=dict)  # phase -> bookings it made here

    @property
    def tenant_id(self) -> str:
        return self.clinic.tenant_id

    @property
    def slug(self) -> str:
        return self.clinic.slug

    @property
    def wizard_treatment(self) -> Treatment:
        return next(t for t in self.treatments if t.name == WIZARD_TREATMENT)

    @property
    def expected_bookings(self) -> int:
        return self.seeded + sum(self.booked.values())


class Agenda:
    """The cells taken at one clinic, per professional, as far as this run knows (it wrote them all)."""

    def __init__(self, clinic: Clinic, treatments: list[Treatment], professionals: list[Professional]) -> None:
        from booking.selectors import policy_for, schedule_for, spec_for

        self.clinic = clinic
        self.policy = policy_for(clinic)
        self.specs = {t.treatment_id: spec_for(t) for t in treatments}
        self.schedules = {p.professional_id: schedule_for(p) for p in professionals}
        self.taken: dict[str, set[dt.datetime]] = defaultdict(set)
        self._lock = threading.Lock()

    def free_starts(self, treatment_id: str, professional_id: str, day: dt.date) -> list[dt.datetime]:
        """Offered starts of one professional on one local day, by the app's own rules."""
        with self._lock:
            occupied = {professional_id: set(self.taken[professional_id])}
        slots = available_slots(
            policy=self.policy,
            treatment=self.specs[treatment_id],
            schedules=[self.schedules[professional_id]],
            closures=[(r.start, r.end) for r in self.clinic.closures],
            occupied=occupied,
            first_day=day,
            last_day=day,
            now=dt.datetime.now(dt.UTC),
        )
        return [slot.start for slot in slots]

    def claim(self, candidate: Candidate) -> None:
        low, high = blocked_interval(start=candidate.start, treatment=self.specs[candidate.treatment_id])
        with self._lock:
            self.taken[candidate.professional_id].update(cells_for(start=low, end=high))

    def pick(self, rng: random.Random, treatment_id: str, professional_id: str, days: range) -> Candidate | None:
        """A random free start of one professional on a random day of ``days``, claimed; None after 30 tries."""
        for _ in range(30):
            starts = self.free_starts(
                treatment_id, professional_id, self.clinic_today() + dt.timedelta(rng.choice(days))
            )
            if starts:
                candidate = Candidate(treatment_id, professional_id, rng.choice(starts))
                self.claim(candidate)
                return candidate
        return None

    def clinic_today(self) -> dt.date:
        return dt.datetime.now(self.clinic.zone).date()


# ---------------------------------------------------------------- clinics


def clinic_new(*, name: str, slug: str) -> Clinic:
    """The run's one call of ``clinic_create``: kept alone so a change of its signature is a one-line fix."""
    from clinics import services
    from clinics.clinic_settings import ClinicSettings

    settings = ClinicSettings(name=name, time_zone="America/Bogota", min_notice_minutes=0, max_advance_days=120)
    return services.clinic_create(slug=slug, settings=settings)


def world_new(*, label: str, professionals: int) -> World:
    """A clinic with ``professionals`` dentists (Mon-Sat, lunch break) who all perform the three treatments."""
    from clinics import services

    clinic = clinic_new(name=f"Clínica Bench {label}", slug=f"bench-{uuid.uuid4().hex[:8]}")
    tenant_id = clinic.tenant_id
    treatments = [
        services.treatment_create(
            tenant_id=tenant_id, name=n, duration_minutes=m, buffer_before_minutes=b, buffer_after_minutes=a, price=p
        )
        for n, m, b, a, p in TREATMENTS
    ]
    staff = [
        services.professional_create(
            tenant_id=tenant_id,
            name=f"Dr. Bench {i + 1}",
            weekly_hours={day: [(a, b), (c, e)] for day in range(6)},
            treatment_ids=[t.treatment_id for t in treatments],
        )
        for i, (a, b, c, e) in ((i, SHIFTS[i % len(SHIFTS)]) for i in range(professionals))
    ]
    today = dt.datetime.now(clinic.zone).date()
    return World(label, clinic, treatments, staff, today, Agenda(clinic, treatments, staff))


# ---------------------------------------------------------------- bookings


def plan_bookings(world: World, total: int, rng: random.Random) -> list[Candidate]:
    """``total`` non-overlapping bookings spread evenly over the professionals and the next SEED_DAYS days."""
    plan = []
    for index in range(total):
        professional = world.professionals[index % len(world.professionals)]
        treatment = rng.choice(world.treatments)
        picked = world.agenda.pick(rng, treatment.treatment_id, professional.professional_id, range(1, SEED_DAYS + 1))
        if picked is None:
            raise RuntimeError(f"{world.label}: no free time left for booking {index}; seed fewer bookings")
        plan.append(picked)
    return plan


@dataclass(frozen=True)
class SeedResult:
    bookings: int
    seconds: float
    failures: list[str]


def seed_bookings(world: World, plan: list[Candidate], stop: threading.Event) -> SeedResult:
    """Write the plan with ``booking_create`` as the system, from SEED_THREADS threads."""
    from access.permissions import Actor
    from booking import services

    actor = Actor.system(tenant_id=world.tenant_id)

    def write(index: int) -> str | None:
        if stop.is_set():
            return "stopped"
        candidate = plan[index]
        try:
            services.booking_create(
                tenant_id=world.tenant_id,
                treatment_id=candidate.treatment_id,
                professional_id=candidate.professional_id,
                start=candidate.start,
                patient=services.PatientDetails(name=f"Paciente {index}", email="p@example.com", phone=PHONE),
                actor=actor,
            )
        except Exception as exc:  # any refusal is a failed seed, reported with its reason
            return f"{type(exc).__name__}: {exc}"
        return None

    began = time.perf_counter()
    with ThreadPoolExecutor(SEED_THREADS) as pool:
        outcomes = list(pool.map(write, range(len(plan))))
    failures = [o for o in outcomes if o is not None]
    world.seeded = len(plan) - len(failures)
    return SeedResult(bookings=world.seeded, seconds=time.perf_counter() - began, failures=failures[:5])


# ---------------------------------------------------------------- candidate times for the phases


def disjoint_candidates(world: World, count: int, rng: random.Random) -> list[Candidate]:
    """Free starts of the wizard's treatment, over every professional, that overlap nothing (claimed)."""
    treatment_id = world.wizard_treatment.treatment_id
    chosen = []
    for index in range(count):
        professional = world.professionals[index % len(world.professionals)]
        picked = world.agenda.pick(rng, treatment_id, professional.professional_id, range(1, SEED_DAYS + 1))
        if picked is None:
            raise RuntimeError(f"{world.label}: ran out of free times for the clients")
        chosen.append(picked)
    rng.shuffle(chosen)
    return chosen


def shared_candidates(world: World, days: int, rng: random.Random) -> list[Candidate]:
    """Every offered start of the wizard's treatment for every professional on a few working days.

    Starts on a 15-minute grid with 60-minute blocks: each overlaps its neighbours, so clients race.
    Not claimed: the race decides who gets what.
    """
    treatment_id = world.wizard_treatment.treatment_id
    working = [o for o in range(1, SEED_DAYS + 1) if (world.today + dt.timedelta(days=o)).weekday() < 6]
    return [
        Candidate(treatment_id, professional.professional_id, start)
        for offset in rng.sample(working, days)
        for professional in world.professionals
        for start in world.agenda.free_starts(
            treatment_id, professional.professional_id, world.today + dt.timedelta(offset)
        )
    ]
