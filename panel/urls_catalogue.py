"""The panel's catalogue: overview, treatments, professionals (hours, time off)."""

from django.urls import path

from panel.views import catalogue

urlpatterns = [
    path("", catalogue.panel_home, name="panel-home"),
    path("treatments/", catalogue.treatment_index, name="panel-treatments"),
    path("treatments/new/", catalogue.treatment_add, name="panel-treatment-add"),
    path("treatments/<str:treatment_id>/", catalogue.treatment_edit, name="panel-treatment-edit"),
    path("treatments/<str:treatment_id>/active/", catalogue.treatment_active, name="panel-treatment-active"),
    path("professionals/", catalogue.professional_index, name="panel-professionals"),
    path("professionals/new/", catalogue.professional_add, name="panel-professional-add"),
    path("professionals/<str:professional_id>/", catalogue.professional_edit, name="panel-professional-edit"),
    path(
        "professionals/<str:professional_id>/active/", catalogue.professional_active, name="panel-professional-active"
    ),
    path("professionals/<str:professional_id>/time-off/", catalogue.time_off_add, name="panel-professional-time-off"),
    path(
        "professionals/<str:professional_id>/time-off/remove/",
        catalogue.time_off_remove,
        name="panel-professional-time-off-remove",
    ),
]
