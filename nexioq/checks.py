"""System checks: production refuses stores that live in one process or on one disk.

On Lambda every container has its own memory and its own read-only disk, and the next request may
land in another container: identity on SQLite, a local-memory cache (rate limits, lockouts, the
slug map) or sessions in a file would each be a different, silently diverging copy per container.
The checks run with ``check --deploy`` and, whenever ``settings.PRODUCTION``, at every start.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Cache backends whose entries belong to one process (or one machine's disk).
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}
FILE_SESSIONS = "django.contrib.sessions.backends.file"
DB_SESSIONS = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}
CACHE_SESSIONS = {"django.contrib.sessions.backends.cache", "django.contrib.sessions.backends.cached_db"}


def _is_sqlite(database: Mapping[str, Any]) -> bool:
    return "sqlite" in str(database.get("ENGINE", ""))


def store_errors(
    *,
    databases: Mapping[str, Mapping[str, Any]],
    caches: Mapping[str, Mapping[str, Any]],
    session_engine: str,
    session_cache_alias: str = "default",
) -> list[CheckMessage]:
    """What is wrong with these stores for production, one error per store."""
    errors: list[CheckMessage] = []
    default_db = databases.get("default", {})
    if _is_sqlite(default_db):
        errors.append(
            Error(
                "The identity database is SQLite: on Lambda each container would have its own copy.",
                hint="Set DATABASE_URL to the PostgreSQL database (docs/deploy.md).",
                id="nexioq.E001",
            )
        )
    cache_backend = str(caches.get("default", {}).get("BACKEND", ""))
    if cache_backend in PER_PROCESS_CACHES:
        errors.append(
            Error(
                f"The default cache is {cache_backend.rsplit('.', 1)[-1]}, which lives in one process: rate "
                "limits, lockouts and the clinic map would not hold across Lambda containers.",
                hint="Set REDIS_URL to the ElastiCache Redis (docs/deploy.md).",
                id="nexioq.E002",
            )
        )
    session_cache = str(caches.get(session_cache_alias, {}).get("BACKEND", ""))
    per_process_sessions = (
        session_engine == FILE_SESSIONS
        or (session_engine in DB_SESSIONS and _is_sqlite(default_db))
        or (session_engine in CACHE_SESSIONS and session_cache in PER_PROCESS_CACHES)
    )
    if per_process_sessions:
        errors.append(
            Error(
                f"Sessions are stored in one process or on one disk ({session_engine}): a user would be "
                "signed out whenever a request lands in another Lambda container.",
                hint="Keep sessions in the Redis cache (the production default) or in PostgreSQL.",
                id="nexioq.E003",
            )
        )
    return errors


def _configured_store_errors() -> list[CheckMessage]:
    return store_errors(
        databases=settings.DATABASES,
        caches=settings.CACHES,
        session_engine=settings.SESSION_ENGINE,
        session_cache_alias=getattr(settings, "SESSION_CACHE_ALIAS", "default"),
    )


# Not tagged "database": Django skips database-tagged checks unless --database is given, and these
# read settings only, never a connection.
@register(Tags.caches, "sessions", "production")
def production_stores_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """At every start of production settings (runserver, migrate, Zappa's first request)."""
    return _configured_store_errors() if settings.PRODUCTION else []


@register(Tags.caches, "sessions", "production", deploy=True)
def deploy_stores_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``check --deploy`` of any settings; production's are already checked above, not twice."""
    return [] if settings.PRODUCTION else _configured_store_errors()
