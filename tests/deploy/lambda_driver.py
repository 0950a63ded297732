"""Lambda's runtime, as far as the rehearsal needs it: run with the unzipped package as cwd and sys.path.

Not imported by the suite: its source is handed to ``python -S -P -c`` in the package's folder, so
nothing from the repository or the dev virtualenv is importable. It reads one JSON invocation per
line on stdin (``{"event": ..., "request_id": ...}``), calls Zappa's ``handler.lambda_handler``
with a context carrying that request id, and writes one JSON line per invocation to the original
stdout: ``{"result": ..., "error": ..., "ms": ...}``. Everything else the process prints (Zappa's
"Instancing..", management output) goes to stderr with the logs.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import uuid
from typing import Any

protocol = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)

# The package's settings module, as Zappa's handler imports it. One value differs from AWS: the
# table is the rehearsal's own in the suite's DynamoDB Local (the handler would otherwise set the
# stage's name over the environment).
import zappa_settings  # noqa: E402

zappa_settings.ENVIRONMENT_VARIABLES["DYNAMODB_TABLE"] = os.environ["REHEARSAL_DYNAMODB_TABLE"]


class Context:
    """The attributes of Lambda's context object that Zappa and NexioQ read."""

    def __init__(self, request_id: str) -> None:
        self.aws_request_id = request_id
        self.function_name = "nexioq-prd"
        self.memory_limit_in_mb = "1769"
        self.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:nexioq-prd"
        self._deadline = time.monotonic() + 30

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


started = time.perf_counter()
from handler import lambda_handler  # noqa: E402

import_ms = (time.perf_counter() - started) * 1000
protocol.write(json.dumps({"ready": True, "import_ms": import_ms, "sys_path": sys.path}) + "\n")

for line in sys.stdin:
    message = json.loads(line)
    # The runtime puts each invocation's trace header in the environment, where X-Ray's SDK reads it.
    os.environ["_X_AMZN_TRACE_ID"] = (
        f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=1"
    )
    started = time.perf_counter()
    result: Any = None
    error = None
    try:
        result = lambda_handler(message["event"], Context(message["request_id"]))
    except Exception:
        error = traceback.format_exc()
    elapsed = (time.perf_counter() - started) * 1000
    protocol.write(json.dumps({"result": result, "error": error, "ms": elapsed}, default=str) + "\n")
