"""``/notifications/``: links in the messages themselves (no clinic in the URL, no sign-in)."""

from __future__ import annotations

from django.urls import URLPattern, path

from notifications import views

urlpatterns: list[URLPattern] = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications-unsubscribe"),
]
