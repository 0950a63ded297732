"""The patient portal across clinics ("Mis citas"), ``/me/``: filled by the portal work of issue 7."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
