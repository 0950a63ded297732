from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    """The clinic's back office: the staff calendar, reception bookings, blocks, patients and reports."""

    name = "office"
    verbose_name = _("Back office")
