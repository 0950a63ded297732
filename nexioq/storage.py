"""Static files' URLs under the stage's path when the site is reached through API Gateway's own URL.

There (dev and qas, which have no custom domain) every path starts with the stage, ``/dev/...``,
which Zappa hands to Django as SCRIPT_NAME: links get it from ``reverse()``, static files from
here. Django would prefix a relative ``STATIC_URL`` itself, but reads it once, before the first
request (whitenoise loads the storage at start). Whitenoise matches ``request.path_info``, which
never has the stage, so it serves ``/static/...`` as before.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.urls import get_script_prefix
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ScriptPrefixMixin:
    @property
    def base_url(self) -> str:
        url = str(settings.STATIC_URL)
        if url.startswith("/") and not url.startswith("//"):  # not a CDN's absolute URL
            return get_script_prefix().rstrip("/") + url
        return url


class StaticStorage(ScriptPrefixMixin, StaticFilesStorage):  # type: ignore[misc]
    """Local runs: the finders' files, unhashed."""


class ManifestStaticStorage(ScriptPrefixMixin, CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """The package: hashed names and compressed copies, collected at package time."""
