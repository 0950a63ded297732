"""What runs inside the measured process: Zappa's handler from an unzipped package, fed events on stdin.

Not imported: ``bench/bench_coldstart.py`` passes this file's text to ``python -I -S -c`` with the
package folder as the only addition to the standard library's path, so nothing of the benchmark's
own environment is importable. One JSON event per line in; one line ``BENCH {...}`` per answer out
(Zappa and Django print other lines: the reader skips them). The first answer also carries when
the interpreter was up and when ``handler`` was imported (``time.time()``, comparable with the
parent's clock).
"""

import json
import os
import sys
import time

STARTED = time.time()
FOLDER = sys.argv[1]
sys.path.insert(0, FOLDER)
os.chdir(FOLDER)  # Lambda's working directory is the package (/var/task)

import handler  # noqa: E402  (Zappa's handler.py, at the package root)

IMPORTED = time.time()


class Context:
    """The parts of Lambda's context object Zappa and the app read."""

    aws_request_id = "bench-coldstart"
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench")
    memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1769")
    invoked_function_arn = "arn:aws:lambda:eu-west-1:000000000000:function:bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30000


def main() -> None:
    context = Context()
    first = True
    for line in sys.stdin:
        event = json.loads(line)
        began = time.perf_counter()
        answer = handler.lambda_handler(event, context)
        elapsed = (time.perf_counter() - began) * 1000
        answer = answer if isinstance(answer, dict) else {"result": answer}
        headers = answer.get("headers") or {}
        report = {
            "status": answer.get("statusCode"),
            "ms": elapsed,
            "dynamo": headers.get("X-Dynamo-Requests"),
            "bytes": len(answer.get("body") or ""),
            "location": headers.get("Location", ""),
        }
        if first:
            report.update(started=STARTED, imported=IMPORTED, answered=time.time())
            first = False
        sys.stdout.write("BENCH " + json.dumps(report) + "\n")
        sys.stdout.flush()


main()
