"""Secrets from SSM Parameter Store (nexioq.parameters): the calls sent, checked by botocore's
Stubber, and the settings reading them at start in a process of their own, against a small HTTP
server that answers GetParametersByPath as SSM's JSON protocol does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from django.conf import settings

from nexioq.parameters import ParameterError, load_parameters
from tests.local_ssm import LocalSSM
from tests.production import production_env

PATH = "/nexioq/prd/"


def ssm_client() -> Any:
    return boto3.client("ssm", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")


def parameter(name: str, value: str, kind: str = "SecureString") -> dict[str, Any]:
    return {"Name": PATH + name, "Type": kind, "Value": value, "Version": 1}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("NEXIOQ_TEST_SECRET", "NEXIOQ_TEST_URL", "NEXIOQ_TEST_SET"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_it_reads_every_page_decrypted_into_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    client = ssm_client()
    request = {"Path": PATH, "Recursive": False, "WithDecryption": True}
    with Stubber(client) as stub:
        stub.add_response(
            "get_parameters_by_path",
            {"Parameters": [parameter("NEXIOQ_TEST_SECRET", "s3cr3t")], "NextToken": "page-2"},
            request,
        )
        stub.add_response(
            "get_parameters_by_path",
            {"Parameters": [parameter("NEXIOQ_TEST_URL", "postgres://db/x", "String")]},
            {**request, "NextToken": "page-2"},
        )
        names = load_parameters(PATH, region="eu-west-1", client=client)
        stub.assert_no_pending_responses()

    assert names == ["NEXIOQ_TEST_SECRET", "NEXIOQ_TEST_URL"]
    assert (os.environ["NEXIOQ_TEST_SECRET"], os.environ["NEXIOQ_TEST_URL"]) == ("s3cr3t", "postgres://db/x")


def test_a_variable_the_environment_sets_wins(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("NEXIOQ_TEST_SET", "from-the-operator")
    client = ssm_client()
    with Stubber(client) as stub:
        stub.add_response(
            "get_parameters_by_path",
            {"Parameters": [parameter("NEXIOQ_TEST_SET", "from-ssm"), parameter("NEXIOQ_TEST_SECRET", "s")]},
        )
        names = load_parameters(PATH, region="eu-west-1", client=client)

    assert names == ["NEXIOQ_TEST_SECRET"]
    assert os.environ["NEXIOQ_TEST_SET"] == "from-the-operator"


@pytest.mark.parametrize("name", ["secret-key", "Secret", "1KEY", "A.B"])
def test_it_refuses_a_parameter_not_named_like_an_environment_variable(
    clean_env: pytest.MonkeyPatch, name: str
) -> None:
    client = ssm_client()
    with Stubber(client) as stub:
        stub.add_response(
            "get_parameters_by_path",
            {"Parameters": [parameter("NEXIOQ_TEST_SECRET", "s"), parameter(name, "x")]},
        )
        with pytest.raises(ParameterError, match="not named like an environment variable"):
            load_parameters(PATH, region="eu-west-1", client=client)

    assert "NEXIOQ_TEST_SECRET" not in os.environ  # all or nothing


@pytest.mark.parametrize("path", ["nexioq/prd/", "/nexioq/prd", "nexioq", ""])
def test_it_refuses_a_path_without_its_slashes(path: str) -> None:
    client = ssm_client()
    with Stubber(client), pytest.raises(ParameterError, match="start and end with '/'"):
        load_parameters(path, region="eu-west-1", client=client)


# ---------------------------------------------------------------- the settings, in a process


@pytest.fixture
def local_ssm() -> Iterator[LocalSSM]:
    ssm = LocalSSM({}).start()
    yield ssm
    ssm.stop()


SETTINGS_IN_A_PROCESS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({"secret": settings.SECRET_KEY, "db_host": settings.DATABASES["default"]["HOST"]}))
"""


def test_production_settings_read_their_secrets_from_the_path(local_ssm: LocalSSM) -> None:
    secret = "from-ssm-" + "k" * 50
    local_ssm.parameters = {
        PATH + "SECRET_KEY": secret,
        PATH + "DATABASE_URL": "postgres://nexioq:pw@identity.internal:5432/nexioq",
        # Another stage's parameter is not read.
        "/nexioq/dev/SECRET_KEY": "dev-" + "d" * 50,
    }
    env = production_env(
        PARAMETERS_PATH=PATH,
        AWS_ENDPOINT_URL_SSM=local_ssm.url,
        AWS_REGION="eu-west-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_EC2_METADATA_DISABLED="true",
        DJANGO_SETTINGS_MODULE="nexioq.settings",
    )
    for name in ("SECRET_KEY", "DATABASE_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)

    done = subprocess.run(
        [sys.executable, "-c", SETTINGS_IN_A_PROCESS],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"secret": secret, "db_host": "identity.internal"}
    assert local_ssm.requests == [
        {"target": "AmazonSSM.GetParametersByPath", "Path": PATH, "Recursive": False, "WithDecryption": True}
    ]
