"""The platform admin site: Django's own pages plus the clinics, which live in DynamoDB.

Installed as the default site (``admin.site``) by ``nexioq.apps.NexioqAdminConfig``, so
``@admin.register`` in the other apps and ``admin.site.urls`` work as usual.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _

from clinics.admin import catalogue, views

APP_LABEL = "clinics"


class NexioqAdminSite(admin.AdminSite):
    def get_urls(self) -> list[URLPattern | URLResolver]:
        wrap = self.admin_view
        site = {"site": self}  # the pages that render take the site whose context they share
        # The clinics app registers no ORM model, so Django builds no app index for it: add one.
        app_index = wrap(functools.partial(self.app_index, app_label=APP_LABEL))
        one = "clinics/clinic/<str:tenant_id>"
        clinic_urls: list[URLPattern | URLResolver] = [
            path("clinics/", app_index, name="clinics_app_index"),
            path("clinics/clinic/", wrap(views.clinic_changelist), site, name="clinics_clinic_changelist"),
            path("clinics/clinic/add/", wrap(views.clinic_add), site, name="clinics_clinic_add"),
            path(f"{one}/change/", wrap(views.clinic_change), site, name="clinics_clinic_change"),
            path(f"{one}/suspend/", wrap(views.clinic_suspend), site, name="clinics_clinic_suspend"),
            path(f"{one}/unsuspend/", wrap(views.clinic_unsuspend), name="clinics_clinic_unsuspend"),
            # One clinic's treatments and professionals, for support (clinics/admin/catalogue.py).
            path(f"{one}/catalogue/", wrap(catalogue.clinic_catalogue), site, name="clinics_clinic_catalogue"),
            path(
                f"{one}/treatments/<str:treatment_id>/change/",
                wrap(catalogue.treatment_change),
                site,
                name="clinics_clinic_treatment_change",
            ),
            path(
                f"{one}/professionals/<str:professional_id>/change/",
                wrap(catalogue.professional_change),
                site,
                name="clinics_clinic_professional_change",
            ),
        ]
        # In front: the site's own patterns end with a catch-all.
        return [*clinic_urls, *super().get_urls()]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        """Django's list plus "Clinics (DynamoDB)", on the index, the app index and in the sidebar."""
        app_list: list[dict[str, Any]] = super().get_app_list(request, app_label)
        if app_label not in (None, APP_LABEL) or not self.has_permission(request):
            return app_list
        entry = {
            "model": None,  # no ORM model behind it
            "name": _("Clinics (DynamoDB)"),
            "object_name": "Clinic",
            "perms": {"add": True, "change": True, "delete": False, "view": True},
            "admin_url": reverse("admin:clinics_clinic_changelist", current_app=self.name),
            "add_url": reverse("admin:clinics_clinic_add", current_app=self.name),
            "view_only": False,
        }
        app = next((a for a in app_list if a["app_label"] == APP_LABEL), None)
        if app is None:
            # A staff user without permissions on memberships still manages clinics.
            app = {
                "name": _("Clinics"),
                "app_label": APP_LABEL,
                "app_url": reverse("admin:clinics_app_index", current_app=self.name),
                "has_module_perms": True,
                "models": [],
            }
            app_list.append(app)
            app_list.sort(key=lambda a: str(a["name"]).lower())
        app["models"].insert(0, entry)
        return app_list
