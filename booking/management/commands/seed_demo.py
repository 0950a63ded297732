"""Load the demo clinic "Clínica Dental Sonrisa". Idempotent: run it as often as you like."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from booking import selectors, services
from clinics import services as clinic_services
from clinics.models import Clinic
from clinics.selectors import NotFound, clinic_get, professional_list, tenant_id_for_slug, treatment_list

DEMO_TENANT_ID = "demo-sonrisa"

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


class Command(BaseCommand):
    help = "Create or complete the demo clinic with treatments, professionals, a closure and a few bookings."

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = self.clinic()
        self.treatments(clinic)
        self.professionals(clinic)
        self.closure(clinic)
        made = self.bookings(clinic_get(tenant_id=clinic.tenant_id))
        self.stdout.write(f"Demo clinic ready: /c/{clinic.slug}/ ({made} demo bookings in the coming week)")

    def clinic(self) -> Clinic:
        slug = settings.DEMO_CLINIC_SLUG
        try:
            return clinic_get(tenant_id=tenant_id_for_slug(slug=slug))
        except NotFound:
            return clinic_services.clinic_create(
                tenant_id=DEMO_TENANT_ID,
                name="Clínica Dental Sonrisa",
                slug=slug,
                time_zone="America/Bogota",
                country="CO",
                address="Calle 93 # 15-40, Consultorio 302, Bogotá",
                phone="+57 601 555 0199",
                email="citas@sonrisa.example",
                currency="COP",
                grid_minutes=15,
                min_notice_minutes=120,
                max_advance_days=60,
            )

    def treatments(self, clinic: Clinic) -> None:
        existing = {t.treatment_id for t in treatment_list(tenant_id=clinic.tenant_id, active_only=False)}
        for treatment_id, name, description, duration, before, after, price in TREATMENTS:
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

    def professionals(self, clinic: Clinic) -> None:
        existing = {p.professional_id for p in professional_list(tenant_id=clinic.tenant_id)}
        for professional_id, name, specialty, color, treatment_ids, hours in PROFESSIONALS:
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
        if any(r.start == start for r in clinic_get(tenant_id=clinic.tenant_id).closures):
            return
        clinic_services.clinic_closure_add(
            tenant_id=clinic.tenant_id, start=start, end=start + dt.timedelta(days=1), reason="Festivo nacional"
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
                        clinic=clinic,
                        treatment=treatment,
                        professional=professional,
                        start=slot.start,
                        booking_id=f"demo-{today:%Y%m%d}-{offset}-{professional_id}",
                        patient=services.PatientDetails(
                            name=name, email=f"{name.split()[0].lower()}@example.com", phone=f"+57{phone}"
                        ),
                    )
                    made += 1
                except (services.SlotUnavailable, services.NotOffered):
                    pass
                break
        return made
