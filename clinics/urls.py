from django.urls import path

from clinics import views

urlpatterns = [
    path("", views.staff_index, name="clinics-staff"),
    path("invite/", views.staff_invite, name="clinics-staff-invite"),
    path("<int:membership_id>/role/", views.staff_change_role, name="clinics-staff-role"),
    path("<int:membership_id>/revoke/", views.staff_revoke, name="clinics-staff-revoke"),
]
