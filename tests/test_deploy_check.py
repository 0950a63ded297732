"""Production settings pass Django's deployment checklist with no warning, and refuse stores that
live in one process (nexioq.checks): SQLite, a local-memory or file cache, sessions in a file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from nexioq import checks
from tests.production import production_env

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379/0"}}
POSTGRES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "nexioq"}}
SQLITE = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "identity.sqlite3"}}
CACHE_SESSIONS = "django.contrib.sessions.backends.cache"


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_passes_check_deploy_with_production_settings(tmp_path: Path) -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path: Path) -> None:
    env = production_env()
    del env["SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_refuses_production_on_sqlite(tmp_path: Path) -> None:
    result = manage("check", "--deploy", env=production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'identity.sqlite3'}"))

    assert result.returncode != 0
    assert "(nexioq.E001) The identity database is SQLite" in result.stderr
    # Only the database: the cache and the sessions are still Redis's.
    assert "nexioq.E002" not in result.stderr and "nexioq.E003" not in result.stderr


def test_production_refuses_file_sessions_at_every_start_not_only_with_deploy(tmp_path: Path) -> None:
    result = manage("check", env=production_env(SESSION_ENGINE="django.contrib.sessions.backends.file"))

    assert result.returncode != 0
    assert "(nexioq.E003) Sessions are stored in one process or on one disk" in result.stderr


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ],
)
def test_the_check_refuses_a_per_process_cache_in_production(backend: str) -> None:
    with override_settings(
        PRODUCTION=True,
        CACHES={"default": {"BACKEND": backend, "LOCATION": "never-written"}},
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    ):
        errors = checks.production_stores_check()
        deploy_errors = checks.deploy_stores_check()

    # The test database is SQLite (E001); the cache is the one under test.
    assert [error.id for error in errors] == ["nexioq.E001", "nexioq.E002"]
    assert backend.rsplit(".", 1)[-1] in errors[1].msg
    # Production's are reported by the check that always runs, not twice with --deploy.
    assert deploy_errors == []


def test_the_check_says_nothing_outside_production_unless_asked_to_deploy() -> None:
    with override_settings(PRODUCTION=False):
        assert checks.production_stores_check() == []
        assert [error.id for error in checks.deploy_stores_check()] == ["nexioq.E001", "nexioq.E002", "nexioq.E003"]


@pytest.mark.parametrize(
    ("databases", "caches", "session_engine", "expected"),
    [
        (POSTGRES, REDIS, CACHE_SESSIONS, []),
        (POSTGRES, REDIS, "django.contrib.sessions.backends.db", []),
        (POSTGRES, REDIS, "django.contrib.sessions.backends.signed_cookies", []),
        (SQLITE, REDIS, CACHE_SESSIONS, ["nexioq.E001"]),
        (SQLITE, REDIS, "django.contrib.sessions.backends.db", ["nexioq.E001", "nexioq.E003"]),
        (POSTGRES, REDIS, "django.contrib.sessions.backends.file", ["nexioq.E003"]),
        (
            POSTGRES,
            {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            "django.contrib.sessions.backends.cached_db",
            ["nexioq.E002", "nexioq.E003"],
        ),
    ],
)
def test_it_tells_per_process_stores_apart(
    databases: dict[str, dict[str, str]], caches: dict[str, dict[str, str]], session_engine: str, expected: list[str]
) -> None:
    errors = checks.store_errors(databases=databases, caches=caches, session_engine=session_engine)

    assert [error.id for error in errors] == expected
