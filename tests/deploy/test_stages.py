"""zappa_settings.json agrees with nexioq/stages.py, holds no secret, and names only documented placeholders.

Each stage is read as Zappa reads it (``ZappaCLI.stage_config``: ``extends`` merged in, key by key).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from zappa.cli import ZappaCLI

from nexioq.stages import PROJECT, STAGES, Stage

BASE_DIR = Path(settings.BASE_DIR)
ZAPPA_SETTINGS = json.loads((BASE_DIR / "zappa_settings.json").read_text())
GUIDE = BASE_DIR / "docs" / "deploy.md"


def stage_config(name: str) -> dict[str, Any]:
    cli = ZappaCLI()
    cli.zappa_settings = ZAPPA_SETTINGS
    cli.api_stage = name
    return cli.stage_config


def test_it_has_the_stages_of_nexioq_stages() -> None:
    assert set(ZAPPA_SETTINGS) == set(STAGES)


@pytest.mark.parametrize("stage", STAGES.values(), ids=lambda s: s.name)
def test_each_stage_runs_as_nexioq_stages_says(stage: Stage) -> None:
    config = stage_config(stage.name)

    assert config["project_name"] == PROJECT
    # Zappa names the function <project_name>-<stage>: the log group and the IAM policy follow it.
    assert f"{config['project_name']}-{stage.name}" == stage.function_name
    assert config["django_settings"] == "nexioq.settings"
    assert config["aws_region"] == stage.region
    assert (config["runtime"], config["architecture"]) == ("python3.13", "arm64")
    assert config["apigateway_version"] == "v2"
    assert config["xray_tracing"] is True
    assert config["attach_policy"] == f"dist/iam-{stage.name}.json"
    assert stage.name in config["s3_bucket"]
    assert config["vpc_config"]["SubnetIds"] and config["vpc_config"]["SecurityGroupIds"]


@pytest.mark.parametrize("stage", STAGES.values(), ids=lambda s: s.name)
def test_each_stages_environment_names_its_own_table_parameters_and_identity(stage: Stage) -> None:
    environment = stage_config(stage.name)["environment_variables"]

    assert environment["NEXIOQ_ENV"] == "production"
    assert environment["NEXIOQ_STAGE"] == stage.name
    assert environment["DYNAMODB_TABLE"] == stage.table
    assert environment["PARAMETERS_PATH"] == stage.parameters_path
    assert environment["XRAY_ENABLED"] == "true"
    # Mail leaves from the identity the stage's IAM policy may send from.
    sender = re.fullmatch(r".*<[^@>]+@([^>]+)>", environment["DEFAULT_FROM_EMAIL"])
    assert sender is not None and sender.group(1) == stage.ses_identity


SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|_KEY$")
CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]+:[^/\s@]*@")
# Carry credentials, so they live in SSM (docs/deploy.md), never in zappa_settings.json.
SECRET_VARIABLES = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "COGNITO_CLIENT_SECRET"}


@pytest.mark.parametrize("stage", STAGES.values(), ids=lambda s: s.name)
def test_no_stage_commits_a_secret(stage: Stage) -> None:
    environment = stage_config(stage.name)["environment_variables"]

    for name, value in environment.items():
        assert name not in SECRET_VARIABLES, f"{name} belongs in SSM under {stage.parameters_path}"
        assert not SECRET_NAME.search(name), f"{name} looks like a secret: put it in SSM"
        assert not CREDENTIALS_IN_URL.search(value), f"{name} carries credentials"


def test_the_secret_patterns_catch_secrets() -> None:
    assert SECRET_NAME.search("SECRET_KEY") and SECRET_NAME.search("AWS_SES_KEY") and SECRET_NAME.search("DB_PASSWORD")
    assert CREDENTIALS_IN_URL.search("postgres://nexioq:hunter2@db:5432/nexioq")
    assert not CREDENTIALS_IN_URL.search("https://reservas.nexioq.example/")


@pytest.mark.parametrize("stage", STAGES.values(), ids=lambda s: s.name)
def test_every_event_names_a_function_that_exists(stage: Stage) -> None:
    events = stage_config(stage.name)["events"]

    assert events
    for event in events:
        function = import_string(event["function"])
        assert callable(function), event["function"]
        assert re.fullmatch(r"(rate|cron)\(.+\)", event["expression"]), event


@pytest.mark.parametrize("stage", STAGES.values(), ids=lambda s: s.name)
def test_only_prd_keeps_warm_and_has_a_domain(stage: Stage) -> None:
    config = stage_config(stage.name)

    assert config.get("keep_warm", True) is (stage.name == "prd")
    if stage.name == "prd":
        assert config["domain"].endswith(stage.ses_identity)
        # An HTTP API's regional custom domain takes a certificate of its own region.
        assert config["certificate_arn"].startswith(f"arn:aws:acm:{stage.region}:")
    else:
        assert "domain" not in config and "certificate_arn" not in config


# Placeholders: upper-case tokens in values (subnet-PRIVATE_A, ACCOUNT_ID) and the example domain.
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b")
EXAMPLE_DOMAIN = "nexioq.example"


# Settings whose values are file names and levels, never account-specific.
NOT_PLACEHOLDERS = {"exclude", "exclude_glob", "log_level"}


def placeholders_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        values = [v for k, v in value.items() if k not in NOT_PLACEHOLDERS]
        return set().union(*(placeholders_in(v) for v in values)) if values else set()
    if isinstance(value, list):
        return set().union(*(placeholders_in(v) for v in value)) if value else set()
    if not isinstance(value, str):
        return set()
    found = {token for token in PLACEHOLDER.findall(value) if len(token) >= 3}
    return found | ({EXAMPLE_DOMAIN} if EXAMPLE_DOMAIN in value else set())


def documented_placeholders() -> set[str]:
    """The backticked values in the first column of the guide's "Placeholders" table."""
    text = GUIDE.read_text()
    section = text.split("\n## Placeholders\n", 1)[1].split("\n## ", 1)[0]
    documented: set[str] = set()
    for first_cell in re.findall(r"^\| ([^|]+) \|", section, flags=re.MULTILINE):
        for code in re.findall(r"`([^`]+)`", first_cell):
            documented |= placeholders_in(code)
    return documented


def test_the_placeholders_are_exactly_the_documented_ones() -> None:
    found = placeholders_in(ZAPPA_SETTINGS)

    assert found == {"PRIVATE_A", "PRIVATE_B", "LAMBDA", "ACCOUNT_ID", "CERTIFICATE_ID", EXAMPLE_DOMAIN}
    assert found == documented_placeholders()
