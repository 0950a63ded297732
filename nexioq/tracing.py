"""AWS X-Ray: a segment per request (a subsegment of Lambda's own on AWS), with subsegments for
DynamoDB (botocore), the identity database and templates. Switched on by ``XRAY_ENABLED``.

The SDK's middleware records the request's full URL and the client's IP address. A URL carries
invitation tokens and what a receptionist typed in a search, so once the view has run, the URL
keeps its scheme and host but its path becomes the route ("/c/<slug:clinic_slug>/"), as in the
logs, and the IP address is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from aws_xray_sdk.core import xray_recorder
from aws_xray_sdk.ext.django.middleware import XRayMiddleware as _XRayMiddleware
from django.http import HttpRequest, HttpResponse

from nexioq.logs import route_of


class XRayMiddleware(_XRayMiddleware):
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        def traced(request: HttpRequest) -> HttpResponse:
            response = get_response(request)
            # The entity the SDK's middleware opened: every subsegment under it is closed by now.
            http_meta_scrub(xray_recorder.get_trace_entity(), request)
            return response

        super().__init__(traced)


def http_meta_scrub(entity: Any, request: HttpRequest) -> None:
    meta = getattr(entity, "http", None)
    recorded = meta.get("request") if isinstance(meta, dict) else None
    if not recorded:
        return  # not sampled: nothing recorded
    if "url" in recorded:
        url = urlsplit(recorded["url"])
        recorded["url"] = f"{url.scheme}://{url.netloc}{route_of(request)}"
    recorded.pop("client_ip", None)
    recorded.pop("x_forwarded_for", None)
