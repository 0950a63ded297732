"""Test settings: only what makes tests fast and self-contained."""

from __future__ import annotations

from nexioq.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DYNAMODB_TABLE = "nexioq-test"
DYNAMODB_COUNT_HEADER = True
