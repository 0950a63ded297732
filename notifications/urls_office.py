"""``/c/<slug>/messages/``: the clinic's failed messages, for its Admins."""

from __future__ import annotations

from django.urls import URLPattern, path

from notifications import views

urlpatterns: list[URLPattern] = [
    path("", views.failed_messages, name="notifications-failed"),
    path("<str:item_id>/resend/", views.resend, name="notifications-resend"),
]
