from __future__ import annotations

from django.urls import path

from office.views import start

urlpatterns = [
    path("start/", start.start, name="office-start"),
    path("clinics/", start.clinic_picker, name="office-clinics"),
    path("clinics/pick/", start.clinic_pick, name="office-clinic-pick"),
]
