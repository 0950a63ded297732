"""Load the demo clinics and one user per role. Idempotent: run it as often as you like.

"Clínica Dental Sonrisa" is the full demo; "Clínica Dental Norte" is a second clinic
whose admin and patient show that one clinic's people see nothing of the other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from access.models import Membership, Role
from access.permissions import Actor
from accounts.models import User
from booking import selectors, services
from booking.block_selectors import blocks_in_range
from booking.blocks import block_create
from booking.errors import BlockConflict, NotOffered, SlotTaken
from booking.models import BlockReason, Booking, BookingStatus
from booking.patients import patient_record_create
from clinics import services as clinic_services
from clinics.clinic_settings import ClinicSettings
from clinics.models import Clinic
from clinics.selectors import clinic_get, professional_list, tenant_id_for_slug, treatment_list
from nexioq.errors import NotFound
from scheduling.availability import available_slots

DEMO_TENANT_ID = "demo-sonrisa"
SECOND_TENANT_ID = "demo-norte"

TREATMENTS = [
    # id, name, description, duration, buffer before, buffer after, price (COP)
    ("valoracion", "Valoración inicial", "Examen clínico, diagnóstico y plan de tratamiento.", 30, 0, 10, "60000"),
    ("limpieza", "Limpieza dental (profilaxis)", "Remoción de placa y sarro, pulido y flúor.", 45, 0, 15, "120000"),
    (
        "resina",
        "Resina dental",
        "Restauración estética de una caries con resina del color del diente.",
        60,
        10,
        10,
        "180000",
    ),
    (
        "endodoncia",
        "Endodoncia unirradicular",
        "Tratamiento de conducto de un diente de una raíz.",
        90,
        10,
        15,
        "650000",
    ),
    (
        "blanqueamiento",
        "Blanqueamiento en consultorio",
        "Aclarado dental con gel activado, una sesión.",
        60,
        0,
        15,
        "450000",
    ),
    ("ortodoncia-control", "Control de ortodoncia", "Ajuste mensual de brackets.", 20, 0, 10, "90000"),
]

PROFESSIONALS = [
    # id, name, specialty, color, treatments, weekly hours (0 = Monday)
    (
        "dra-gomez",
        "Dra. Laura Gómez",
        "Odontología general",
        "#0d9488",
        ["valoracion", "limpieza", "resina", "blanqueamiento"],
        {d: [("08:00", "12:00"), ("14:00", "18:00")] for d in range(5)} | {5: [("08:00", "12:00")]},
    ),
    (
        "dr-restrepo",
        "Dr. Andrés Restrepo",
        "Endodoncista",
        "#7c3aed",
        ["valoracion", "endodoncia", "resina"],
        {d: [("09:00", "13:00"), ("14:30", "19:00")] for d in (0, 2, 4)}
        | {1: [("13:00", "19:00")], 3: [("13:00", "19:00")]},
    ),
    (
        "dra-martinez",
        "Dra. Camila Martínez",
        "Ortodoncista",
        "#db2777",
        ["valoracion", "ortodoncia-control", "limpieza"],
        {d: [("07:00", "11:30"), ("12:30", "16:00")] for d in (1, 3)} | {5: [("08:00", "13:00")]},
    ),
]


SECOND_PROFESSIONALS = [
    (
        "dr-villa",
        "Dr. Mateo Villa",
        "Odontología general",
        "#2563eb",
        ["valoracion", "limpieza"],
        {d: [("08:00", "12:00"), ("13:00", "17:00")] for d in range(5)},
    ),
]


class Command(BaseCommand):
    help = "Create or complete the demo clinic with treatments, professionals, a closure and a few bookings."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates users with a published password: never in production.")
        clinic = self.clinic(
            slug=settings.DEMO_CLINIC_SLUG,
            tenant_id=DEMO_TENANT_ID,
            name="Clínica Dental Sonrisa",
            address="Calle 93 # 15-40, Consultorio 302, Bogotá",
            phone="+57 601 555 0199",
        )
        self.treatments(clinic, TREATMENTS)
        self.professionals(clinic, PROFESSIONALS)
        self.closure(clinic)
        made = self.bookings(clinic_get(tenant_id=clinic.tenant_id))
        self.meeting(clinic_get(tenant_id=clinic.tenant_id))
        agenda = self.agenda(clinic_get(tenant_id=clinic.tenant_id))
        self.stdout.write(
            f"Demo clinic ready: /c/{clinic.slug}/ ({made} demo bookings in the coming week, "
            f"{agenda} more in the agenda from last week to two weeks ahead)"
        )
        second = self.clinic(
            slug=settings.DEMO_SECOND_CLINIC_SLUG,
            tenant_id=SECOND_TENANT_ID,
            name="Clínica Dental Norte",
            address="Carrera 43A # 1-50, Medellín",
            phone="+57 604 555 0142",
        )
        self.treatments(second, TREATMENTS[:2])
        self.professionals(second, SECOND_PROFESSIONALS)
        self.stdout.write(f"Second clinic ready: /c/{second.slug}/")
        self.users(first=clinic, second=second)

    def clinic(self, *, slug: str, tenant_id: str, name: str, address: str, phone: str) -> Clinic:
        try:
            return clinic_get(tenant_id=tenant_id_for_slug(slug=slug))
        except NotFound:
            return clinic_services.clinic_create(
                tenant_id=tenant_id,
                slug=slug,
                settings=ClinicSettings(
                    name=name,
                    time_zone="America/Bogota",
                    country="CO",
                    address=address,
                    phone=phone,
                    email=f"citas@{slug}.example",
                    currency="COP",
                    grid_minutes=15,
                    min_notice_minutes=120,
                    max_advance_days=60,
                ),
            )

    def users(self, *, first: Clinic, second: Clinic) -> None:
        """One user per role, all with the demo password and a verified address."""
        password = settings.DEMO_PASSWORD
        people = [
            ("owner@nexioq.example", "Platform owner", None, None, ""),
            (f"admin@{first.slug}.example", "Administrador", first, Role.ADMIN, ""),
            (f"odontologo@{first.slug}.example", "Dra. Laura Gómez", first, Role.DENTIST, "dra-gomez"),
            (f"recepcion@{first.slug}.example", "Recepción", first, Role.RECEPTION, ""),
            # Works at both clinics: picks one after signing in, and can switch.
            (f"recepcion@{first.slug}.example", "Recepción", second, Role.RECEPTION, ""),
            (f"paciente@{first.slug}.example", "María Fernanda López", first, Role.PATIENT, ""),
            (f"admin@{second.slug}.example", "Administrador Norte", second, Role.ADMIN, ""),
            (f"paciente@{second.slug}.example", "Pedro Ramírez", second, Role.PATIENT, ""),
        ]
        self.stdout.write(f"Demo users (password: {password}):")
        for email, name, clinic, role, professional_id in people:
            owner = clinic is None
            user, created = User.objects.get_or_create(
                email=email, defaults={"full_name": name, "is_staff": owner, "is_superuser": owner}
            )
            if created:
                user.set_password(password)
                user.save()
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            if clinic is not None and role is not None:
                Membership.objects.get_or_create(
                    user=user, tenant_id=clinic.tenant_id, role=role, defaults={"professional_id": professional_id}
                )
            where = f" · {clinic.name}" if clinic is not None else ""
            self.stdout.write(f"  {email:32} {role.label if role else 'Owner (platform staff)'}{where}")

    def treatments(self, clinic: Clinic, rows: list[tuple[str, str, str, int, int, int, str]]) -> None:
        existing = {t.treatment_id for t in treatment_list(tenant_id=clinic.tenant_id, active_only=False)}
        for treatment_id, name, description, duration, before, after, price in rows:
            if treatment_id not in existing:
                clinic_services.treatment_create(
                    tenant_id=clinic.tenant_id,
                    treatment_id=treatment_id,
                    name=name,
                    description=description,
                    duration_minutes=duration,
                    buffer_before_minutes=before,
                    buffer_after_minutes=after,
                    price=price,
                )

    def professionals(self, clinic: Clinic, rows: list[Any]) -> None:
        existing = {p.professional_id for p in professional_list(tenant_id=clinic.tenant_id)}
        for professional_id, name, specialty, color, treatment_ids, hours in rows:
            if professional_id not in existing:
                clinic_services.professional_create(
                    tenant_id=clinic.tenant_id,
                    professional_id=professional_id,
                    name=name,
                    specialty=specialty,
                    color=color,
                    email=f"{professional_id}@sonrisa.example",
                    treatment_ids=treatment_ids,
                    weekly_hours=hours,
                )

    def closure(self, clinic: Clinic) -> None:
        today = timezone.now().astimezone(clinic.zone).date()
        # The next national holiday the clinic closes for (Colombia).
        holidays = [dt.date(today.year + y, m, d) for y in (0, 1) for m, d in ((12, 8), (12, 25), (1, 1))]
        day = min(h for h in holidays if h > today)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=clinic.zone)
        current = clinic_get(tenant_id=clinic.tenant_id)
        if any(r.start == start for r in current.closures):
            return
        clinic_services.clinic_closure_add(
            tenant_id=clinic.tenant_id,
            version=current.version,
            start=start,
            end=start + dt.timedelta(days=1),
            reason="Festivo nacional",
        )

    def bookings(self, clinic: Clinic) -> int:
        now = timezone.now()
        today = now.astimezone(clinic.zone).date()
        treatments = {t.treatment_id: t for t in treatment_list(tenant_id=clinic.tenant_id)}
        professionals = {p.professional_id: p for p in professional_list(tenant_id=clinic.tenant_id)}
        plan = [
            (1, "limpieza", "dra-gomez", "María Fernanda López", "3104567890"),
            (1, "endodoncia", "dr-restrepo", "Juan Carlos Pérez", "3157894561"),
            (2, "ortodoncia-control", "dra-martinez", "Valentina Ríos", "3001239876"),
            (3, "resina", "dra-gomez", "Santiago Herrera", "3209876543"),
            (4, "valoracion", "dr-restrepo", "Luisa Castaño", "3012345678"),
        ]
        made = 0
        for offset, treatment_id, professional_id, name, phone in plan:
            treatment, professional = treatments[treatment_id], professionals[professional_id]
            for day_offset in range(offset, offset + 7):
                day = today + dt.timedelta(days=day_offset)
                slots = selectors.availability(
                    clinic=clinic,
                    treatment=treatment,
                    professionals=[professional],
                    first_day=day,
                    last_day=day,
                    now=now,
                )
                if not slots:
                    continue
                slot = slots[len(slots) // 3]
                try:
                    services.booking_create(
                        tenant_id=clinic.tenant_id,
                        treatment_id=treatment.treatment_id,
                        professional_id=professional.professional_id,
                        start=slot.start,
                        actor=Actor.system(tenant_id=clinic.tenant_id),
                        booking_id=f"demo-{today:%Y%m%d}-{offset}-{professional_id}",
                        patient=services.PatientDetails(
                            name=name, email=f"{name.split()[0].lower()}@example.com", phone=f"+57{phone}"
                        ),
                    )
                    made += 1
                except (SlotTaken, NotOffered):
                    pass
                break
        return made

    def agenda(self, clinic: Clinic) -> int:
        """A believable agenda for the back office: from last week (attended, no-shows, cancellations:
        what the reports count) to two weeks ahead, a few bookings a day per professional.

        The same times every run (computed from the hours alone, ids from professional and time),
        so running it again adds nothing.
        """
        now = timezone.now()
        today = now.astimezone(clinic.zone).date()
        treatments = {t.treatment_id: t for t in treatment_list(tenant_id=clinic.tenant_id)}
        system = Actor.system(tenant_id=clinic.tenant_id)
        records = self.patients(clinic)
        made = 0
        for professional in professional_list(tenant_id=clinic.tenant_id):
            offered = [treatments[t] for t in sorted(professional.treatment_ids) if t in treatments]
            for day_offset in range(-7, 14):
                day = today + dt.timedelta(days=day_offset)
                day_start = dt.datetime.combine(day, dt.time.min, tzinfo=clinic.zone)
                for n, share in enumerate((0.1, 0.35, 0.6, 0.85)):
                    treatment = offered[(day.toordinal() + n) % len(offered)]
                    starts = available_slots(
                        policy=selectors.policy_for(clinic),
                        treatment=selectors.spec_for(treatment),
                        schedules=[selectors.schedule_for(professional)],
                        closures=[(r.start, r.end) for r in clinic.closures],
                        occupied={},
                        first_day=day,
                        last_day=day,
                        now=day_start - dt.timedelta(days=1),
                    )
                    if not starts:
                        break
                    start = starts[int(len(starts) * share)].start
                    if day_offset >= 0 and start < now:
                        continue
                    which = (day.toordinal() * 4 + n + len(professional.name)) % len(DEMO_PATIENTS)
                    name, phone = DEMO_PATIENTS[which]
                    try:
                        booking = services.booking_create(
                            tenant_id=clinic.tenant_id,
                            treatment_id=treatment.treatment_id,
                            professional_id=professional.professional_id,
                            start=start,
                            actor=system,
                            booking_id=f"demo-{professional.professional_id}-{start:%Y%m%d%H%M}",
                            patient=services.PatientDetails(
                                name=name, email=f"{_ascii(name.split()[0])}@example.com", phone=phone
                            ),
                            now=min(now, start - dt.timedelta(days=2)),
                            channel="phone",
                            patient_record_id=records[which],
                        )
                    except (SlotTaken, NotOffered):
                        continue
                    made += 1
                    if start < now and booking.status == BookingStatus.CONFIRMED:
                        self.outcome(clinic, booking, seed=day.toordinal() + n)
        return made

    def patients(self, clinic: Clinic) -> list[str]:
        """The clinic's patient records (reception finds them in the directory), one per demo patient."""
        system = Actor.system(tenant_id=clinic.tenant_id)
        ids = []
        for number, (name, phone) in enumerate(DEMO_PATIENTS):
            made = patient_record_create(
                tenant_id=clinic.tenant_id,
                name=name,
                phone=phone,
                email=f"{_ascii(name.split()[0])}.{number}@example.com",
                actor=system,
                record_id=f"demo-patient-{number}",
            )
            assert made.record is not None
            ids.append(made.record.record_id)
        return ids

    def meeting(self, clinic: Clinic) -> None:
        """The team meeting: every Friday 12:00-13:00 on Dra. Gómez's agenda for the next four weeks."""
        now = timezone.now()
        today = now.astimezone(clinic.zone).date()
        friday = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
        start = dt.datetime.combine(friday, dt.time(12, 0), tzinfo=clinic.zone)
        existing = blocks_in_range(
            tenant_id=clinic.tenant_id,
            start=start.astimezone(dt.UTC),
            end=(start + dt.timedelta(hours=1)).astimezone(dt.UTC),
            professional_id="dra-gomez",
        )
        if existing:
            return
        # A booking made in the demo since may hold that time: the meeting gives way, the booking stays.
        with contextlib.suppress(BlockConflict):
            block_create(
                tenant_id=clinic.tenant_id,
                professional_id="dra-gomez",
                start=start,
                end=start + dt.timedelta(hours=1),
                reason=BlockReason.MEETING,
                note="Reunión de equipo",
                weeks=4,
                actor=Actor.system(tenant_id=clinic.tenant_id),
            )

    def outcome(self, clinic: Clinic, booking: Booking, *, seed: int) -> None:
        """Most came, some did not, a few cancelled: what last week looks like."""
        system = Actor.system(tenant_id=clinic.tenant_id)
        kind = seed % 12
        if kind == 0:
            services.booking_cancel(
                tenant_id=clinic.tenant_id,
                booking_id=booking.booking_id,
                actor=system,
                reason="El paciente llamó para cancelar",
                now=booking.start - dt.timedelta(days=1),
            )
        else:
            services.booking_mark(
                tenant_id=clinic.tenant_id,
                booking_id=booking.booking_id,
                outcome=BookingStatus.NO_SHOW if kind in (1, 7) else BookingStatus.ATTENDED,
                actor=system,
                now=booking.end,
            )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


DEMO_PATIENTS = [
    ("Ana Sofía Torres", "+573001112233"),
    ("Carlos Andrés Mejía", "+573114445566"),
    ("Daniela Ospina", "+573127778899"),
    ("Felipe Arango", "+573135551234"),
    ("Gabriela Quintero", "+573146662345"),
    ("Héctor Jaramillo", "+573157773456"),
    ("Isabel Cárdenas", "+573168884567"),
    ("Jorge Iván Duque", "+573179995678"),
    ("Laura Valentina Rojas", "+573181236789"),
    ("Manuel Esteban Gil", "+573192347890"),
    ("Natalia Salazar", "+573203458901"),
    ("Óscar Muñoz", "+573214569012"),
    ("Paula Andrea Zapata", "+573225670123"),
    ("Ricardo Londoño", "+573236781234"),
    ("Sara Montoya", "+573017892345"),
    ("Tomás Becerra", "+573028903456"),
]
