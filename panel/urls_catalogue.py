"""Placeholder routes, replaced by the catalogue work of issue 7 (keeps the panel's url names resolvable meanwhile)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _not_yet(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    raise Http404("not built yet")


urlpatterns = [
    path("", _not_yet, name="panel-home"),
    path("treatments/", _not_yet, name="panel-treatments"),
    path("professionals/", _not_yet, name="panel-professionals"),
]
