from django.contrib.admin.apps import AdminConfig


class NexioqAdminConfig(AdminConfig):
    """Django's admin with ``NexioqAdminSite`` as ``admin.site`` (the clinic pages live there)."""

    default_site = "clinics.admin.site.NexioqAdminSite"
