"""The panel's settings and closures (Admin and Owner)."""

from django.urls import path

from panel.views import settings

urlpatterns = [
    path("settings/", settings.settings_page, name="panel-settings"),
    path("settings/save/", settings.settings_save, name="panel-settings-save"),
    path("closures/", settings.closures_page, name="panel-closures"),
    path("closures/add/", settings.closures_add, name="panel-closures-add"),
    path("closures/remove/", settings.closures_remove, name="panel-closures-remove"),
]
