from django.apps import AppConfig


class PanelConfig(AppConfig):
    """The clinic admin panel (``/c/<slug>/admin/``): a clinic configures itself."""

    name = "panel"
    verbose_name = "Clinic admin panel"
