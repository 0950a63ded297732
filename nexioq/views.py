"""Pages of the project itself, outside any clinic."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_safe

from nexioq.dynamo import table_reachable

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "booking/home.html", {"demo_slug": settings.DEMO_CLINIC_SLUG})


# Exempt from CSRF so that a POST gets the honest 405 (it changes nothing either way).
@csrf_exempt
@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """For an uptime check: 200 when DynamoDB and the identity database both answer, else 503.

    Says which part failed, never why (the log line has the exception). GET or HEAD (many uptime
    checkers send HEAD); anonymous, no session, never cached.
    """
    checks: dict[str, str] = {}
    try:
        table_reachable()
        checks["dynamodb"] = "ok"
    except Exception:
        logger.exception("health: DynamoDB unreachable")
        checks["dynamodb"] = "unavailable"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("health: identity database unreachable")
        checks["database"] = "unavailable"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
