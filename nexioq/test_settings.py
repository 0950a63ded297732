"""Test settings: only what makes tests fast and self-contained."""

from __future__ import annotations

from nexioq.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A file in WAL mode, like `make run`'s, not SQLite's shared-cache memory database: there a write
# locks the table and concurrent requests fail at once ("database table is locked", a 400 or 503)
# instead of waiting as they do on a file. Concurrency tests must see the real behaviour.
_TEST_DB = str(BASE_DIR / "var" / "test-identity.sqlite3")  # noqa: F405
(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
DATABASES = {
    "default": {
        **DATABASES["default"],  # noqa: F405
        "NAME": _TEST_DB,
        "TEST": {"NAME": _TEST_DB},
    }
}
DYNAMODB_TABLE = "nexioq-test"
DYNAMODB_COUNT_HEADER = True
# Tasks queued by tests that are not about tasks go to an in-memory broker nobody reads: no Redis,
# no wait. The tests about tasks start a real Redis and point Celery at it (tests/servers.py);
# their worker and beat processes get CELERY_BROKER_URL from the environment.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")  # noqa: F405
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "cache+memory://")  # noqa: F405
# /dev/mail/ is routed only where a test turns it on (tests/nexioq/test_dev_mail.py).
MAIL_SINK_DIR = None
