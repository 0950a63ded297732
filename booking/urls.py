from django.urls import path

from booking import views

urlpatterns = [
    path("", views.wizard_treatments, name="booking-start"),
    path("book/<str:treatment_id>/", views.wizard_schedule, name="booking-schedule"),
    path("book/<str:treatment_id>/availability.json", views.availability_week, name="booking-availability"),
    path("book/<str:treatment_id>/hold/", views.wizard_hold, name="booking-hold"),
    path("hold/<str:hold_id>/", views.wizard_details, name="booking-details"),
    path("bookings/<str:booking_id>/", views.wizard_done, name="booking-done"),
    path("my-bookings/", views.my_bookings, name="booking-mine"),
]
