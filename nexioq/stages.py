"""The deployment stages, in one place: what differs between dev, qas and prd.

zappa_settings.json says how each stage runs on Lambda; this module says what the management
commands that prepare AWS for it need (the table's protection, log retention, the IAM policy's
resources, the alarms). tests/deploy/test_stages.py checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

PROJECT = "nexioq"


@dataclass(frozen=True)
class Stage:
    name: str
    region: str
    # Point-in-time recovery and deletion protection on the DynamoDB table.
    protect_table: bool
    log_retention_days: int
    # SES identity (a verified domain) the stage sends from.
    ses_identity: str

    @property
    def function_name(self) -> str:
        """Zappa names the Lambda function <project_name>-<stage>."""
        return f"{PROJECT}-{self.name}"

    @property
    def table(self) -> str:
        return f"{PROJECT}-{self.name}"

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def parameters_path(self) -> str:
        """Where the stage's secrets live in SSM Parameter Store (nexioq.parameters)."""
        return f"/{PROJECT}/{self.name}/"


REGION = "eu-west-1"

STAGES: dict[str, Stage] = {
    "dev": Stage(
        name="dev", region=REGION, protect_table=False, log_retention_days=7, ses_identity="dev.nexioq.example"
    ),
    "qas": Stage(
        name="qas", region=REGION, protect_table=False, log_retention_days=14, ses_identity="qas.nexioq.example"
    ),
    "prd": Stage(name="prd", region=REGION, protect_table=True, log_retention_days=30, ses_identity="nexioq.example"),
}


class UnknownStage(ValueError):
    pass


def stage_get(name: str) -> Stage:
    try:
        return STAGES[name]
    except KeyError:
        raise UnknownStage(f"unknown stage {name!r}; the stages are {', '.join(STAGES)}") from None
