"""Secrets from AWS Systems Manager Parameter Store, read once when the settings load.

``PARAMETERS_PATH=/nexioq/prd/`` makes ``/nexioq/prd/SECRET_KEY`` the environment variable
``SECRET_KEY``, and so on for every parameter under the path (SecureStrings decrypted). A variable
the environment already sets wins, so a test or an operator can override one. Only the Lambda
stages set the path; nothing here runs locally.
"""

from __future__ import annotations

import os
import re
from typing import Any

# Environment variable names only: a parameter named otherwise is a mistake to report, not to skip.
_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class ParameterError(RuntimeError):
    pass


def load_parameters(path: str, *, region: str, client: Any = None) -> list[str]:
    """Put the parameters under ``path`` into ``os.environ``; return the names set."""
    if not path.startswith("/") or not path.endswith("/"):
        raise ParameterError(f"PARAMETERS_PATH must start and end with '/': {path!r}")
    if client is None:
        import boto3

        client = boto3.client("ssm", region_name=region)
    found: dict[str, str] = {}
    for page in client.get_paginator("get_parameters_by_path").paginate(
        Path=path, Recursive=False, WithDecryption=True
    ):
        for parameter in page["Parameters"]:
            name = parameter["Name"][len(path) :]
            if not _NAME.match(name):
                raise ParameterError(f"parameter {parameter['Name']} is not named like an environment variable")
            found[name] = parameter["Value"]
    names = []
    for name, value in sorted(found.items()):
        if not os.environ.get(name):
            os.environ[name] = value
            names.append(name)
    return names
