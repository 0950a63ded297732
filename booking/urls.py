from django.urls import path

from booking.views import portal, wizard

urlpatterns = [
    path("", wizard.wizard_treatments, name="booking-start"),
    path("book/<str:treatment_id>/", wizard.wizard_schedule, name="booking-schedule"),
    path("book/<str:treatment_id>/availability.json", wizard.availability_week, name="booking-availability"),
    path("book/<str:treatment_id>/hold/", wizard.wizard_hold, name="booking-hold"),
    path("hold/<str:hold_id>/", wizard.wizard_details, name="booking-details"),
    path("bookings/<str:booking_id>/", wizard.wizard_done, name="booking-done"),
    path("my-bookings/", portal.my_bookings, name="booking-mine"),
]
