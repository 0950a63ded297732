"""The events AWS hands the Lambda function, for Zappa's ``handler.lambda_handler`` run outside AWS.

API Gateway's HTTP API (payload format 2.0) for a request, EventBridge for a scheduled function and
Zappa's keep-warm rule. The production rehearsal (``tests/deploy/test_rehearsal.py``) and the
cold-start bench (``bench/bench_coldstart.py``) build their events here. ``deploy/`` is left out
of the Lambda package (``exclude_glob`` in zappa_settings.json): this module never runs on Lambda.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from zappa.core import Zappa

REGION = "eu-west-1"
ACCOUNT = "123456789012"
API_ID = "a1b2c3d4e5"
API_HOST = f"{API_ID}.execute-api.{REGION}.amazonaws.com"  # the API's own domain; stages are paths on it
CLIENT_IP = "203.0.113.7"  # TEST-NET-3

# The rule ``zappa schedule`` adds for a stage with "keep_warm" (zappa/cli.py).
KEEP_WARM = {"name": "zappa-keep-warm", "function": "handler.keep_warm_callback"}


def http_event(
    method: str,
    path: str,
    *,
    host: str = API_HOST,
    stage: str | None = None,
    query: str = "",
    cookies: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> dict[str, Any]:
    """What API Gateway's HTTP API sends a Lambda integration for one request.

    With ``stage``, as on the API's own domain: the stage is the first segment of ``rawPath``.
    Without, as a custom domain mapped to the ``$default`` stage sends it. ``query`` is the raw
    query string; cookies come apart from the headers; a body comes base64-encoded."""
    raw_path = f"/{stage}{path}" if stage else path
    event_headers = {
        "host": host,
        "x-forwarded-for": CLIENT_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **(headers or {}),
    }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": event_headers,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": CLIENT_IP,
                "userAgent": event_headers.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex[:16] + "=",
            "routeKey": "$default",
            "stage": stage or "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = list(cookies)
    if query:
        event["queryStringParameters"] = dict(parse_qsl(query))
    if body is not None:
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
        event_headers["content-length"] = str(len(body))
    return event


def scheduled_event(event: Mapping[str, Any], *, lambda_name: str) -> dict[str, Any]:
    """What EventBridge sends for the rule Zappa makes from an "events" entry of zappa_settings.json
    (or ``KEEP_WARM``). The rule's name, made by Zappa's own code, ends with the function's path:
    that is how the handler finds the function."""
    rule = Zappa(load_credentials=False, aws_region=REGION).get_scheduled_event_name(
        event, event["function"], lambda_name
    )
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}"],
        "detail": {},
    }
