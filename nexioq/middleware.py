from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from nexioq.dynamo import count_requests


class DynamoRequestCountMiddleware:
    """Report the DynamoDB requests a response cost in ``X-Dynamo-Requests``.

    The benchmark reads this header, so the figure is counted, not estimated.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with count_requests() as counter:
            response = self.get_response(request)
        response["X-Dynamo-Requests"] = str(counter.value)
        return response


class ClinicLanguageMiddleware:
    """Spanish unless the visitor chose otherwise.

    Clinics serve Spanish-speaking patients whose browsers are often set to
    English; the language switch (a cookie) is the only thing that changes it.
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
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
