"""Reception's patient directory, booking a phone patient, and walk-ins: mounted at /c/<slug>/patients/."""

from __future__ import annotations

from django.urls import URLPattern, path

from office.views import patients, reception

urlpatterns: list[URLPattern] = [
    path("", patients.patients, name="office-patients"),
    path("new/", patients.patient_new, name="office-patient-new"),
    path("walk-in/", reception.walk_in, name="office-walk-in"),
    path("<str:record_id>/book/", patients.patient_book, name="office-patient-book"),
    path("<str:record_id>/book/<str:treatment_id>/", patients.patient_book_time, name="office-patient-book-time"),
    path("<str:record_id>/bookings/<str:booking_id>/", patients.patient_booked, name="office-patient-booked"),
]
