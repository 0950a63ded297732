from django.urls import path

from booking.views import portal, wizard

urlpatterns = [
    path("", wizard.wizard_treatments, name="booking-start"),
    path("book/<str:treatment_id>/", wizard.wizard_schedule, name="booking-schedule"),
    path("book/<str:treatment_id>/availability.json", wizard.availability_week, name="booking-availability"),
    path("book/<str:treatment_id>/hold/", wizard.wizard_hold, name="booking-hold"),
    path("hold/<str:hold_id>/", wizard.wizard_details, name="booking-details"),
    # The booking's page: the wizard's last step right after booking, "Mis citas" afterwards.
    path("bookings/<str:booking_id>/", portal.booking_page, name="booking-done"),
    path("bookings/<str:booking_id>/cancel/", portal.booking_cancel, name="booking-cancel"),
    path("bookings/<str:booking_id>/reschedule/", portal.booking_reschedule, name="booking-reschedule"),
    path("bookings/<str:booking_id>/calendar.ics", portal.booking_calendar, name="booking-calendar"),
    path("my-bookings/", portal.my_bookings, name="booking-mine"),
]
