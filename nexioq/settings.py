"""NexioQ settings: one module, read from environment variables.

Production (``NEXIOQ_ENV=production``) refuses to start without its secrets;
local runs and tests get safe defaults.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from nexioq.parameters import load_parameters

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("NEXIOQ_ENV", "local")
PRODUCTION = ENV == "production"
# The deployment stage (dev, qas, prd: nexioq.stages), for names in logs, traces and metrics.
STAGE = os.environ.get("NEXIOQ_STAGE", "local")

# Secrets come from SSM Parameter Store at start: every parameter under this path (for example
# /nexioq/prd/) becomes the environment variable of the same name, unless the environment already
# sets it. Nothing secret is committed or written into zappa_settings.json.
PARAMETERS_PATH = os.environ.get("PARAMETERS_PATH", "")
if PARAMETERS_PATH:
    load_parameters(PARAMETERS_PATH, region=os.environ.get("AWS_REGION", "eu-west-1"))


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if default is None or (PRODUCTION and name in REQUIRED_IN_PRODUCTION):
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Production keeps identity in PostgreSQL and sessions, rate limits and lockouts in Redis: a
# Lambda container's disk and memory are its own, and the next request may land in another one.
REQUIRED_IN_PRODUCTION = {"SECRET_KEY", "ALLOWED_HOSTS", "DYNAMODB_TABLE", "DATABASE_URL", "REDIS_URL"}

SECRET_KEY = env("SECRET_KEY", "local-only-insecure-key-never-used-in-production")
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "nexioq.apps.NexioqAdminConfig",  # django.contrib.admin with the project's site (clinic pages)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "accounts",
    "clinics",
    "access",
    "scheduling",
    "booking",
    "panel",
    "office",
    "notifications",
]

MIDDLEWARE = [
    # First: every line below it, whatever answers, belongs to a request id.
    "nexioq.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nexioq.middleware.ClinicLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "nexioq.middleware.DomainErrorMiddleware",
    "nexioq.middleware.DynamoRequestCountMiddleware",
]

ROOT_URLCONF = "nexioq.urls"
WSGI_APPLICATION = "nexioq.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "office.nav.context",
            ],
        },
    },
]

# Identity (users, sessions, memberships) lives in the ORM; clinic data in DynamoDB. DATABASE_URL
# (PostgreSQL in production) wins; without it, a local SQLite file.
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    # A Lambda container serves one request at a time and lives for minutes: keep its connection
    # between requests, checked before reuse, instead of a new TLS handshake per request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "300")), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "identity.sqlite3")),
            # Sessions are written on most booking steps: in WAL mode a commit is not an fsync, readers
            # never wait for the writer, and IMMEDIATE takes the write lock up front instead of failing
            # with "database is locked" when a read turns into a write under load.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The slug -> tenant id map, rate limits, lockouts and the calendar's change markers are cached:
# in Redis when configured (ElastiCache in production), else in this process's memory.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer fails the request within seconds (a 503), not at the
            # Lambda's timeout.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions: in the shared cache in production (no session rows to write or clean up, and every
# Lambda container sees them); in the identity database locally.
SESSION_ENGINE = os.environ.get(
    "SESSION_ENGINE",
    "django.contrib.sessions.backends.cache" if PRODUCTION else "django.contrib.sessions.backends.db",
)

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where the site is reached from outside: e-mails link back to it with absolute URLs (no request there).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
# Collected when the Lambda package is built (deploy/package.py, STATIC_MANIFEST=1): hashed names,
# gzip copies (brotli too where the brotli package is installed), served by whitenoise from the package
# with a year's cache; URLs under the stage's path through API Gateway's own URL (nexioq/storage.py). Locally
# whitenoise serves straight from the finders.
STATIC_MANIFEST = PRODUCTION or env_bool("STATIC_MANIFEST", False)
STATIC_ROOT = BASE_DIR / "staticfiles" if STATIC_MANIFEST else None
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": ("nexioq.storage.ManifestStaticStorage" if STATIC_MANIFEST else "nexioq.storage.StaticStorage")
    },
}

# DynamoDB: one table. DYNAMODB_ENDPOINT points at DynamoDB Local when set.
DYNAMODB_TABLE = env("DYNAMODB_TABLE", "nexioq-local")
DYNAMODB_ENDPOINT = os.environ.get("DYNAMODB_ENDPOINT") or None
DYNAMODB_REGION = os.environ.get("AWS_REGION", "us-east-1")

# Fail fast when DynamoDB cannot be reached: a 503 page within seconds, not a hung request.
DYNAMODB_CONNECT_TIMEOUT = float(os.environ.get("DYNAMODB_CONNECT_TIMEOUT", "2"))
DYNAMODB_READ_TIMEOUT = float(os.environ.get("DYNAMODB_READ_TIMEOUT", "10"))
DYNAMODB_RETRIES = int(os.environ.get("DYNAMODB_RETRIES", "2"))
# Responses say how many DynamoDB requests they cost (X-Dynamo-Requests): for tests and the benchmark.
DYNAMODB_COUNT_HEADER = env_bool("DYNAMODB_COUNT_HEADER", False)

# Booking engine knobs.
HOLD_MINUTES = int(os.environ.get("HOLD_MINUTES", "5"))
# Holds of online visitors, so a script cannot hold a clinic's agenda: "<count>/<period>" per
# client IP and per browser session, and at most this many live holds per session.
HOLD_RATE_PER_IP = os.environ.get("HOLD_RATE_PER_IP", "30/10m")
HOLD_RATE_PER_SESSION = os.environ.get("HOLD_RATE_PER_SESSION", "12/10m")
HOLD_MAX_LIVE_PER_SESSION = int(os.environ.get("HOLD_MAX_LIVE_PER_SESSION", "3"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs: JSON lines in production (one per request with its id, clinic, user, route, status and
# duration; errors with their stack trace; ids only, never names, e-mails or phones), plain
# text locally. nexioq.logs holds the formatter and the request context it reads.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "nexioq.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "nexioq.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "pynamodb": {"level": "WARNING"},
        # nexioq.logs.RequestLogMiddleware writes the one line per request, without the query string.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Zappa's own access line (client IP, user agent, referer, no request id) says what the line
        # above says: on Lambda only its warnings and errors.
        "zappa": {"level": "WARNING"},
    },
}

# AWS X-Ray: a segment per request with subsegments for DynamoDB (botocore), PostgreSQL and
# templates. On in the Lambda stages (zappa_settings.json turns on active tracing), off locally.
XRAY_ENABLED = env_bool("XRAY_ENABLED", False)
if XRAY_ENABLED:
    MIDDLEWARE.insert(0, "aws_xray_sdk.ext.django.middleware.XRayMiddleware")
    INSTALLED_APPS.append("aws_xray_sdk.ext.django")
    XRAY_RECORDER = {
        "AWS_XRAY_TRACING_NAME": f"nexioq-{STAGE}",
        "AUTO_INSTRUMENT": True,
        "PATCH_MODULES": ["botocore", "psycopg"],
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "PLUGINS": (),
        # Sampling rules come from X-Ray's console; off means every request is traced.
        "SAMPLING": env_bool("XRAY_SAMPLING", True),
    }

DEMO_CLINIC_SLUG = os.environ.get("DEMO_CLINIC_SLUG", "sonrisa")
DEMO_SECOND_CLINIC_SLUG = os.environ.get("DEMO_SECOND_CLINIC_SLUG", "norte")
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "sonrisa-demo-2026")

# Accounts (django-allauth): e-mail login, verified addresses, optional TOTP.
# Staff land on their clinic's agenda, patients on "Mis citas" (office.views.start).
LOGIN_REDIRECT_URL = "office-start"
LOGIN_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Failed sign-ins are rate limited per address and per IP; allauth locks the account out after that.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_FAILED_RATE", "5/5m/ip,5/15m/key"),
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "NexioQ"
# A verified address claims the clinic records reception made with it (README, "Reception").
ACCOUNT_ADAPTER = "access.adapters.PatientAccountAdapter"
SOCIALACCOUNT_ADAPTER = "access.adapters.CognitoAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False

# AWS Cognito through OpenID Connect, switched on by its environment variables.
COGNITO_CLIENT_ID = os.environ.get("COGNITO_CLIENT_ID", "")
COGNITO_ISSUER = os.environ.get("COGNITO_ISSUER") or (
    f"https://cognito-idp.{os.environ['COGNITO_REGION']}.amazonaws.com/{os.environ['COGNITO_USER_POOL_ID']}"
    if os.environ.get("COGNITO_USER_POOL_ID") and os.environ.get("COGNITO_REGION")
    else ""
)
SOCIALACCOUNT_PROVIDERS: dict[str, object] = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "cognito",
                "name": "AWS Cognito",
                "client_id": COGNITO_CLIENT_ID,
                "secret": os.environ.get("COGNITO_CLIENT_SECRET", ""),
                "settings": {"server_url": COGNITO_ISSUER, "token_auth_method": "client_secret_basic"},
            }
        ]
        if COGNITO_CLIENT_ID and COGNITO_ISSUER
        else [],
    }
}

# Mail: SES in production (django-ses, credentials from the Lambda's role); locally `make run`
# sets EMAIL_HOST/EMAIL_PORT to its SMTP sink (nexioq.mailsink); with neither, the console.
# EMAIL_BACKEND overrides all of it. (Django 6.1 deprecates these settings for MAILERS; they are
# set only when used, and moving to MAILERS is one change for the whole project.)
if os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
# A hung SMTP server fails the send (and the task retries) instead of holding a worker forever.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
if PRODUCTION:
    _EMAIL_DEFAULT = "django_ses.SESBackend"
elif os.environ.get("EMAIL_HOST"):
    _EMAIL_DEFAULT = "django.core.mail.backends.smtp.EmailBackend"
else:
    _EMAIL_DEFAULT = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", _EMAIL_DEFAULT)
AWS_SES_REGION_NAME = os.environ.get("AWS_SES_REGION_NAME", DYNAMODB_REGION)
AWS_SES_REGION_ENDPOINT = os.environ.get("AWS_SES_REGION_ENDPOINT", f"email.{AWS_SES_REGION_NAME}.amazonaws.com")
USE_SES_V2 = True
# The .eml files of the local SMTP sink, shown at /dev/mail/ (nexioq.views_mail). `make run` sets
# it; production never routes the page, whatever the environment says.
MAIL_SINK_DIR = None if PRODUCTION else (os.environ.get("MAIL_SINK_DIR") or None)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "NexioQ <no-reply@nexioq.example>")
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))

# Celery: Redis carries the tasks and keeps their results. `make run` starts redis-server on
# loopback and sets REDIS_URL; CELERY_BROKER_URL wins when set (the suite's own Redis).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "redis://127.0.0.1:6379/0"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
CELERY_RESULT_EXPIRES = dt.timedelta(hours=1)
CELERY_TIMEZONE = "UTC"
# A task is acknowledged when it has run, not when it was received: a worker that dies mid-task
# leaves the message to be delivered again (the outbox's claim keeps that from sending twice),
# and with one message prefetched at a time a dead worker strands no queue behind it.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Our tasks keep their state in DynamoDB (the outbox), not in Celery's results; a task that wants
# its result kept says so (nexioq.tasks.ping). Queuing one then needs nothing from Redis but the send.
CELERY_TASK_IGNORE_RESULT = True
# Redis gives an unacknowledged message to another worker after this many seconds: longer than
# any task of ours runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    "socket_connect_timeout": 2,
}
# A request that queues a task while Redis is down gives up within a second; the outbox sweep
# queues the work later, so nothing is lost and no page waits on Redis.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A view that changed a booking queues a sweep at once (notifications.tasks.kicks_outbox), so the
# confirmation leaves in seconds, not at the next minute's sweep. Only where a Celery broker serves
# the site (CELERY_BROKER_URL in production): on Lambda, where REDIS_URL is only the cache and no
# worker listens, Zappa's minute event is the sweep.
OUTBOX_KICK = env_bool("OUTBOX_KICK", not PRODUCTION or bool(os.environ.get("CELERY_BROKER_URL")))
# How long a worker's claim on an outbox item holds (notifications.services); the process test of
# a worker killed mid-send shortens it through the environment.
OUTBOX_CLAIM_SECONDS = int(os.environ.get("OUTBOX_CLAIM_SECONDS", "120"))
# The wait after a failed send, doubled at each further failure (60: 1, 2, 4, 8, 16 minutes).
OUTBOX_RETRY_SECONDS = float(os.environ.get("OUTBOX_RETRY_SECONDS", "60"))
# Every periodic task, in this one place. The intervals are seconds; the suite shortens them
# through the environment.
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "notifications.tasks.outbox_sweep_task",
        "schedule": float(os.environ.get("OUTBOX_SWEEP_SECONDS", "60")),
    },
    "clinic-summaries": {
        "task": "notifications.tasks.clinic_summaries_task",
        "schedule": float(os.environ.get("CLINIC_SUMMARIES_SECONDS", "3600")),
    },
    "heartbeat": {
        "task": "nexioq.tasks.heartbeat",
        "schedule": float(os.environ.get("CELERY_HEARTBEAT_SECONDS", "60")),
    },
}
