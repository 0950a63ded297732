from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelConfig(AppConfig):
    """The clinic admin panel (``/c/<slug>/admin/``): a clinic configures itself."""

    name = "panel"
    verbose_name = _("Clinic admin panel")
