"""The clinic admin panel, ``/c/<slug>/admin/``: the catalogue (treatments, professionals) and the settings."""

from panel.urls_catalogue import urlpatterns as catalogue
from panel.urls_settings import urlpatterns as settings

urlpatterns = [*catalogue, *settings]
