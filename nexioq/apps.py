from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class NexioqAdminConfig(AdminConfig):
    """Django's admin with ``NexioqAdminSite`` as ``admin.site`` (the clinic pages live there)."""

    default_site = "clinics.admin.site.NexioqAdminSite"


class NexioqConfig(AppConfig):
    """The project itself: its system checks (nexioq.checks)."""

    name = "nexioq"
    label = "nexioq"

    def ready(self) -> None:
        from nexioq import checks  # noqa: F401 - registers the checks
