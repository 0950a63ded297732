"""A local stand-in for AWS Systems Manager's Parameter Store (AWS is the boundary).

It answers GetParametersByPath over the JSON protocol botocore speaks to SSM (x-amz-json-1.1),
from ``parameters`` (full name -> value), and keeps every request it received. A process pointed
at it with ``AWS_ENDPOINT_URL_SSM`` reads its secrets the way it would on Lambda.
"""

from __future__ import annotations

import http.server
import json
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LocalSSM:
    parameters: dict[str, str]
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> LocalSSM:
        ssm = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                ssm.requests.append({"target": self.headers.get("X-Amz-Target"), **body})
                path = body.get("Path", "")
                found = [
                    {"Name": name, "Type": "SecureString", "Value": value, "Version": 1}
                    for name, value in ssm.parameters.items()
                    if name.startswith(path)
                ]
                answer = json.dumps({"Parameters": found}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
