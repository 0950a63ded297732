"""Placeholder routes, replaced by the settings work of issue 7 (keeps the panel's url names resolvable meanwhile)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _not_yet(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    raise Http404("not built yet")


urlpatterns = [
    path("settings/", _not_yet, name="panel-settings"),
    path("closures/", _not_yet, name="panel-closures"),
]
