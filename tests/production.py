"""The least environment production settings load with, for tests that load them in a subprocess."""

from __future__ import annotations

import os

PRODUCTION_ENV = {
    "NEXIOQ_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "reservas.nexioq.example",
    "DYNAMODB_TABLE": "nexioq-prd",
    # Neither is reached by loading the settings or by `check`: they are read, not connected to.
    "DATABASE_URL": "postgres://nexioq:secret@db.internal:5432/nexioq",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def production_env(**overrides: str) -> dict[str, str]:
    """This process's environment without its test settings, plus production's."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(PRODUCTION_ENV)
    env.update(overrides)
    return env
