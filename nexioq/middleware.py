from __future__ import annotations

import logging
from collections.abc import Callable

from botocore.exceptions import BotoCoreError
from django import db
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from pynamodb.exceptions import DoesNotExist, PynamoDBException

from nexioq.dynamo import count_requests
from nexioq.errors import DomainError, Forbidden, Invalid, NotFound, RateLimited, SignInRequired, Unavailable

log = logging.getLogger(__name__)


class DynamoRequestCountMiddleware:
    """Report the DynamoDB requests a response cost in ``X-Dynamo-Requests``.

    The benchmark reads this header, so the figure is counted, not estimated. Only when
    ``DYNAMODB_COUNT_HEADER`` is on (tests and the benchmark): it tells outsiders nothing useful.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.DYNAMODB_COUNT_HEADER:
            return self.get_response(request)
        with count_requests() as counter:
            response = self.get_response(request)
        response["X-Dynamo-Requests"] = str(counter.value)
        return response


class ClinicLanguageMiddleware:
    """Spanish unless the visitor chose otherwise.

    Clinics serve Spanish-speaking patients whose browsers are often set to
    English; the browser's accept-language is ignored. What changes it: the language
    switch (a cookie: the latest choice in this browser) and, in a browser without that
    cookie, the signed-in user's preferred language from their profile.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)  # type: ignore[attr-defined]
        translation.deactivate()
        return response

    def process_view(self, request: HttpRequest, *args: object) -> None:
        """The user's profile language, once the user is known (after the authentication middleware)."""
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") in dict(settings.LANGUAGES):
            return
        user = getattr(request, "user", None)
        preferred = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if preferred in dict(settings.LANGUAGES):
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred  # type: ignore[attr-defined]


# Exceptions that mean a dependency is out of reach (DynamoDB, the identity database), not a bug:
# the user is told to try again shortly. Multi-item writes are transactions, so nothing is half-written.
def _unavailable(exc: BaseException) -> bool:
    if isinstance(exc, PynamoDBException) and not isinstance(exc, DoesNotExist):
        return True
    return isinstance(exc, BotoCoreError | db.OperationalError | db.InterfaceError) or _redis_down(exc)


def _redis_down(exc: BaseException) -> bool:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:
        return False
    return isinstance(exc, RedisConnectionError | RedisTimeoutError)


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.endswith(".json")
        or request.path.startswith("/api/")
        or (
            "application/json" in request.headers.get("Accept", "")
            and "text/html" not in request.headers.get("Accept", "")
        )
    )


class DomainErrorMiddleware:
    """The one place where a refusal becomes an HTTP answer, for HTML pages and JSON alike.

    A ``DomainError`` raised anywhere below the views becomes its status with its message (a page
    in the product's layout, or ``{"error": ...}``); a sign-in requirement becomes a redirect to
    the sign-in page that comes back; an unreachable dependency becomes 503.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if 400 <= response.status_code < 500 and wants_json(request) and not _is_json(response):
            return _as_json(request, response)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, SignInRequired):
            return redirect_to_login(_back_here(request))
        if isinstance(exc, DomainError):
            log.info("%s %s: %s %s", request.method, request.path, type(exc).__name__, exc.detail)
            return error_response(request, status=exc.status, title=str(exc.title), message=str(exc.message))
        if _unavailable(exc):
            log.error("%s %s: a dependency is unavailable", request.method, request.path, exc_info=exc)
            unavailable = Unavailable()
            response = error_response(
                request, status=unavailable.status, title=str(unavailable.title), message=str(unavailable.message)
            )
            response["Retry-After"] = "30"
            return response
        return None


# Refusals Django answers by itself (a wrong method, a body it cannot parse, an unknown URL), in the
# words of the matching domain error, so a JSON client never has to parse an HTML page.
_REFUSALS: dict[int, type[DomainError]] = {400: Invalid, 403: Forbidden, 404: NotFound, 429: RateLimited}


def _is_json(response: HttpResponse) -> bool:
    return "json" in response.get("Content-Type", "")


def _as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    refusal = _REFUSALS.get(response.status_code, DomainError)()
    answer = error_response(
        request, status=response.status_code, title=str(refusal.title), message=str(refusal.message)
    )
    for header in ("Allow", "Retry-After"):
        if header in response:
            answer[header] = response[header]
    return answer


def _back_here(request: HttpRequest) -> str:
    """Where the sign-in page sends the visitor back to: this page, or for a form post the page it was on."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return "/"


def error_response(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": message, "title": title}, status=status)
    context = {"status": status, "title": title, "message": message, "retry_url": _back_here(request)}
    match = request.resolver_match
    if match is not None and "clinic_slug" in match.kwargs:
        # A refusal at a clinic leads back to that clinic, not to NexioQ's home page.
        context["clinic_url"] = reverse("booking-start", args=[match.kwargs["clinic_slug"]])
    body = select_template([f"{status}.html", "error.html"]).render(context, request)
    return HttpResponse(body, status=status)
