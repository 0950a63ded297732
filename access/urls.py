from django.urls import path

from access import views

urlpatterns = [
    path("", views.staff_index, name="access-staff"),
    path("invite/", views.staff_invite, name="access-staff-invite"),
    path("<int:membership_id>/role/", views.staff_change_role, name="access-staff-role"),
    path("<int:membership_id>/revoke/", views.staff_revoke, name="access-staff-revoke"),
]
