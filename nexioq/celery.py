"""The Celery app: configured from Django's settings (``CELERY_*``), tasks found in each app's tasks.py.

Workers and beat start with ``celery -A nexioq worker|beat`` (``make run`` does it through
``nexioq.devservers``). Importing this module opens no connection: the broker is reached
on the first task sent or consumed.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexioq.settings")

app = Celery("nexioq")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's tasks.py, and the project's own (nexioq is not an installed app).
app.autodiscover_tasks()
app.autodiscover_tasks(["nexioq"])
