from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Messages to patients and clinics: the outbox, its delivery by Celery, the e-mails themselves."""

    name = "notifications"
    verbose_name = _("Notifications")
