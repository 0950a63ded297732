"""A booking's details panel and its actions (mounted at ``/c/<slug>/agenda/bookings/``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from office.views import agenda_booking

urlpatterns: list[URLPattern] = [
    path("<str:booking_id>/", agenda_booking.booking_detail, name="office-booking"),
    path("<str:booking_id>/cancel/", agenda_booking.booking_cancel, name="office-booking-cancel"),
    path("<str:booking_id>/reschedule/", agenda_booking.booking_reschedule, name="office-booking-reschedule"),
    path("<str:booking_id>/mark/", agenda_booking.booking_mark, name="office-booking-mark"),
    path("<str:booking_id>/note/", agenda_booking.booking_note, name="office-booking-note"),
]
