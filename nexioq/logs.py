"""Structured logs: one JSON object per line, with the request it belongs to.

Every line written while a request is served carries its ``request_id`` (the Lambda's request id
on AWS), and once the access check has run, the ``clinic_id`` and ``user_id``. The middleware adds
one line per request with its route (the URL pattern, not the path: no ids, tokens or query
strings), method, status and duration. Lines carry ids, never names, e-mail addresses or phone
numbers: tests/nexioq/test_logs.py reads a booking's lines for them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

logger = logging.getLogger("nexioq.request")

_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar("nexioq_log_context", default=None)

# A request id from outside is used only if it looks like one (API Gateway's and our own do).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._=-]{8,80}$")

# Attributes Django's own loggers attach that would print a request (with its query string) or a
# socket: dropped from every line.
_DROPPED = ("request", "server_time", "connection")

# CloudWatch namespace of the metrics the app writes into its logs (metric_emit).
METRIC_NAMESPACE = "NexioQ"


def log_context_set(**fields: Any) -> None:
    """Add fields to every log line of the current request (or task)."""
    current = _CONTEXT.get()
    if current is None:
        return
    current.update({key: value for key, value in fields.items() if value is not None})


def log_context() -> dict[str, Any]:
    return dict(_CONTEXT.get() or {})


def route_of(request: HttpRequest) -> str:
    """The URL pattern that served ``request`` ("/c/<str:clinic_slug>/"), never its path: paths
    carry invitation tokens and ids, query strings carry what a receptionist typed in a search."""
    match = getattr(request, "resolver_match", None)
    return "/" + match.route if match is not None else "(unresolved)"


class RequestContextFilter(logging.Filter):
    """Copies the current request's fields onto each record, for the formatter to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_CONTEXT.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        request = record.__dict__.get("request")
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple):
            # django.request and django.security put the path in their message ("Internal Server
            # Error: /invitations/<token>/"): the route takes its place.
            record.args = tuple(route_of(request) if arg == request.path else arg for arg in record.args)
        for key in _DROPPED:
            if key in record.__dict__:
                delattr(record, key)
        return True


class JsonFormatter(_JsonFormatter):
    """``timestamp``, ``level``, ``logger`` and ``message``, then the request's fields and extras;
    ``exc_info`` as the stack trace of an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "exc_info": "stack"})
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *_DROPPED])
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)


def _request_id(request: HttpRequest) -> str:
    context = request.META.get("lambda.context")
    aws_request_id = getattr(context, "aws_request_id", None)
    if isinstance(aws_request_id, str) and aws_request_id:
        return aws_request_id
    offered = request.headers.get("X-Request-Id", "")
    if _REQUEST_ID.match(offered):
        return offered
    return uuid.uuid4().hex


# X-Ray's trace id, "Root=1-<8 hex>-<24 hex>;Parent=...;Sampled=...": on Lambda in the runtime's
# _X_AMZN_TRACE_ID for the invocation, behind a load balancer in the X-Amzn-Trace-Id header.
_TRACE_ROOT = re.compile(r"(?:^|;)Root=(1-[0-9a-f]{8}-[0-9a-f]{24})(?:;|$)")


def _trace_id(request: HttpRequest) -> str | None:
    """The request's X-Ray trace id, so a log line leads to its trace (and back)."""
    for header in (os.environ.get("_X_AMZN_TRACE_ID", ""), request.headers.get("X-Amzn-Trace-Id", "")):
        found = _TRACE_ROOT.search(header)
        if found:
            return found.group(1)
    return None


class RequestLogMiddleware:
    """Opens the request's log context and writes its one summary line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id(request)
        context: dict[str, Any] = {"request_id": request_id}
        trace_id = _trace_id(request)
        if trace_id:
            context["trace_id"] = trace_id
        token = _CONTEXT.set(context)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response.headers.setdefault("X-Request-Id", request_id)
            return response
        finally:
            match = getattr(request, "resolver_match", None)
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
            logger.info(
                "request",
                extra={
                    "route": route_of(request) if match is not None else None,
                    "view": match.view_name if match is not None else None,
                    "method": request.method,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user_id,
                },
            )
            _CONTEXT.reset(token)


def stack_of(exc: BaseException) -> str:
    """An exception's traceback without its message, for errors whose text names a person: an
    SMTP refusal or an SES error quotes the recipient's address."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    return f"Traceback (most recent call last):\n{frames}{type(exc).__module__}.{type(exc).__qualname__}"


def metric_emit(name: str, *, value: float = 1, unit: str = "Count", dimensions: dict[str, str]) -> None:
    """One CloudWatch Embedded Metric Format line on stdout, in namespace ``NexioQ``.

    On Lambda, CloudWatch Logs turns the line into a metric point by itself: no PutMetricData
    call, no permission beyond writing the function's own logs. Written to stdout rather than
    through logging so that it stays one bare JSON object whatever LOG_FORMAT says. Dimensions and
    values are ids and counts, never personal data.
    """
    line = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": METRIC_NAMESPACE,
                    "Dimensions": [sorted(dimensions)],
                    "Metrics": [{"Name": name, "Unit": unit}],
                }
            ],
        },
        **dimensions,
        name: value,
    }
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()
