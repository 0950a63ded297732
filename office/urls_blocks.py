"""Blocks of a professional's time, under ``/c/<slug>/agenda/blocks/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from office.views import blocks

urlpatterns: list[URLPattern] = [
    path("", blocks.block_list, name="office-blocks"),
    path("new/", blocks.block_new, name="office-block-new"),
    path("<str:block_id>/", blocks.block_detail, name="office-block"),
    path("<str:block_id>/remove/", blocks.block_remove_view, name="office-block-remove"),
]
