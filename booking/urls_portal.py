"""The patient portal across clinics ("Mis citas"), ``/me/``."""

from django.urls import path

from booking.views import portal

urlpatterns = [
    path("", portal.portal_bookings, name="portal-bookings"),
    path("profile/", portal.portal_profile, name="portal-profile"),
    path("export.json", portal.portal_export, name="portal-export"),
    path("delete/", portal.portal_delete, name="portal-delete"),
]
