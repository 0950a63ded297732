"""The stage's IAM policy: no wildcard action, only this stage's resources, and enough for what the code does.

The flows test runs the app's requests and jobs against DynamoDB Local with every AWS call recorded
at botocore's boundary (``BaseClient._make_api_call``), then asks the policy about each call, so a
new DynamoDB operation (or a new AWS service) in the code fails here until the policy allows it.
SES and Lambda, which have no local stand-in, answer from a ``before-call`` hook, as botocore's
``Stubber`` does, after botocore has validated the request.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import io
import json
from collections.abc import Iterator
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.stub import Stubber
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from nexioq import iam
from nexioq.dynamo import TableItem, iso_utc
from nexioq.parameters import load_parameters
from nexioq.stages import STAGES, Stage
from tests.conftest import NOW, People, World, at, book, make_world
from tests.matrix import ROLES, Row, refused
from tests.notifications.helpers import deliver_due
from tests.test_permission_matrix import ROWS

ACCOUNT = "123456789012"
BASE_DIR = Path(settings.BASE_DIR)


def policies() -> list[tuple[Stage, dict[str, Any]]]:
    return [(stage, iam.policy_document(stage, account_id=ACCOUNT)) for stage in STAGES.values()]


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return policy["Statement"]


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


# ---------------------------------------------------------------- the document's shape


@pytest.mark.parametrize("stage", STAGES.values(), ids=lambda s: s.name)
def test_it_allows_no_wildcard_action_and_never_by_exclusion(stage: Stage) -> None:
    policy = iam.policy_document(stage, account_id=ACCOUNT)

    assert policy["Version"] == "2012-10-17"
    for statement in statements(policy):
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement, statement["Sid"]
        for action in as_list(statement["Action"]):
            service, _, name = action.partition(":")
            assert service and name, action
            assert "*" not in action and "?" not in action, f"{statement['Sid']} allows {action}"


@pytest.mark.parametrize("stage", STAGES.values(), ids=lambda s: s.name)
def test_it_names_only_this_stages_resources(stage: Stage) -> None:
    """Every ARN is in the stage's region and account and names the stage's table, identity, group,
    function or parameters; '*' only for the actions that accept nothing else."""
    policy = iam.policy_document(stage, account_id=ACCOUNT)
    others = [other for other in STAGES.values() if other != stage]
    own_names = {
        "dynamodb": f"table/{stage.table}",
        "ses": f"identity/{stage.ses_identity}",
        "logs": f"log-group:{stage.log_group}",
        "ssm": f"parameter{stage.parameters_path.rstrip('/')}",
        "lambda": f"function:{stage.function_name}",
    }

    for statement in statements(policy):
        for resource in as_list(statement["Resource"]):
            if resource == "*":
                assert set(as_list(statement["Action"])) <= set(iam.RESOURCE_STAR_ONLY), statement["Sid"]
                continue
            arn, partition, service, region, account, rest = resource.split(":", 5)
            assert (arn, partition, region, account) == ("arn", "aws", stage.region, ACCOUNT), resource
            if service in own_names:
                assert rest.startswith(own_names[service]), resource
                # nexioq-prd must not also match nexioq-prd-old or another stage's names.
                assert rest[len(own_names[service]) :] in {"", "/", "/*", ":*", "/index/*"}, resource
            elif service == "kms":
                # Any key of the account, but only through SSM, for this stage's parameters.
                condition = statement["Condition"]
                assert condition["StringEquals"]["kms:ViaService"] == f"ssm.{stage.region}.amazonaws.com"
                assert condition["StringLike"]["kms:EncryptionContext:PARAMETER_ARN"] == (
                    f"{iam.parameters_arn(stage, account_id=ACCOUNT)}/*"
                )
            elif service == "ec2":
                assert rest.split("/")[0] in {"network-interface", "subnet", "security-group"}, resource
            else:
                pytest.fail(f"{resource}: a service the policy is not meant to reach")
            for other in others:
                assert f"/{other.name}" not in resource and f"-{other.name}" not in resource, resource


def test_it_refuses_an_account_id_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="12 digits"):
        iam.policy_document(STAGES["prd"], account_id="ACCOUNT_ID")


# ---------------------------------------------------------------- evaluating a call


def allowed(policy: dict[str, Any], action: str, resource: str) -> bool:
    """IAM's answer for an identity policy with Allow statements only, ignoring conditional ones."""
    for statement in statements(policy):
        if "Condition" in statement or action not in as_list(statement["Action"]):
            continue
        if any(fnmatch.fnmatchcase(resource, pattern) for pattern in as_list(statement["Resource"])):
            return True
    return False


def test_the_evaluator_refuses_what_the_policy_does_not_say() -> None:
    """The flows test relies on ``allowed``: it must say no to other tables, actions and identities."""
    stage = STAGES["prd"]
    policy = iam.policy_document(stage, account_id=ACCOUNT)
    table = iam.table_arn(stage, account_id=ACCOUNT)

    assert allowed(policy, "dynamodb:GetItem", table)
    assert allowed(policy, "dynamodb:Query", f"{table}/index/clinic-agenda")
    assert not allowed(policy, "dynamodb:Scan", table)
    assert not allowed(policy, "dynamodb:GetItem", iam.table_arn(STAGES["qas"], account_id=ACCOUNT))
    assert not allowed(policy, "ses:SendEmail", f"arn:aws:ses:{stage.region}:{ACCOUNT}:identity/other.example")
    assert not allowed(policy, "lambda:InvokeFunction", f"arn:aws:lambda:{stage.region}:{ACCOUNT}:function:other")


# ---------------------------------------------------------------- the calls the code makes

TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def iam_requests(service: str, operation: str, params: dict[str, Any], stage: Stage) -> list[tuple[str, str]]:
    """The (action, resource) pairs IAM authorises for one API call, with the test's table named as
    the stage's."""
    region, local_table = stage.region, TableItem.Meta.table_name

    def table(name: str, index: str | None = None) -> str:
        assert name == local_table, f"a call to another table: {name}"
        arn = iam.table_arn(stage, account_id=ACCOUNT)
        return f"{arn}/index/{index}" if index else arn

    if service == "dynamodb":
        if operation == "TransactWriteItems":
            return [
                (f"dynamodb:{TRANSACT_ACTIONS[kind]}", table(body["TableName"]))
                for item in params["TransactItems"]
                for kind, body in item.items()
            ]
        if operation == "TransactGetItems":
            return [("dynamodb:GetItem", table(item["Get"]["TableName"])) for item in params["TransactItems"]]
        if operation in {"BatchGetItem", "BatchWriteItem"}:
            return [(f"dynamodb:{operation}", table(name)) for name in params["RequestItems"]]
        return [(f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName")))]
    # The flows run as prd (FLOW_STAGE); another stage makes the same call with its own names.
    if service == "sesv2":
        domain = parseaddr(params["FromEmailAddress"])[1].rpartition("@")[2]
        assert domain == FLOW_STAGE.ses_identity, domain
        return [(f"ses:{operation}", f"arn:aws:ses:{region}:{ACCOUNT}:identity/{stage.ses_identity}")]
    if service == "lambda":
        assert (operation, params["FunctionName"]) == ("Invoke", FLOW_STAGE.function_name), params
        return [("lambda:InvokeFunction", f"arn:aws:lambda:{region}:{ACCOUNT}:function:{stage.function_name}")]
    if service == "ssm":
        assert params["Path"] == FLOW_STAGE.parameters_path, params
        return [(f"ssm:{operation}", f"arn:aws:ssm:{region}:{ACCOUNT}:parameter{stage.parameters_path}")]
    raise AssertionError(f"a call to {service}.{operation}: add it to nexioq/iam.py and here")


Call = tuple[str, str, dict[str, Any]]
FLOW_STAGE = STAGES["prd"]


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Call]]:
    """Every AWS API call made from now on: (botocore service name, operation, parameters)."""
    calls: list[Call] = []
    original = BaseClient._make_api_call

    def recording(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        calls.append((client.meta.service_model.service_name, operation_name, api_params))
        return original(client, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    yield calls


def _ses_sent(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
    return AWSResponse("", 200, {}, None), {"MessageId": "ses-message-id", "ResponseMetadata": {"RequestId": "r"}}


def _lambda_invoked(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
    return AWSResponse("", 202, {}, None), {"StatusCode": 202, "ResponseMetadata": {"RequestId": "r"}}


@pytest.fixture
def on_lambda(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Production's AWS services as the Lambda stage has them: SES v2 through django-ses (the client
    it makes on each open) and the self-invoked sweep; both answered after botocore validated the call."""
    from notifications import tasks

    stage = FLOW_STAGE
    settings.EMAIL_BACKEND = "django_ses.SESBackend"
    settings.DEFAULT_FROM_EMAIL = f"NexioQ <no-reply@{stage.ses_identity}>"
    settings.OUTBOX_KICK_LAMBDA = True
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", stage.function_name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", stage.region)
    monkeypatch.setattr(tasks, "_lambda_client", None)
    # Sessions made from now on (django-ses makes one per connection) answer SES themselves.
    monkeypatch.setattr(
        botocore_handlers,
        "BUILTIN_HANDLERS",
        [*botocore_handlers.BUILTIN_HANDLERS, ("before-call.sesv2.SendEmail", _ses_sent)],
    )
    tasks.kick_pause_reset()
    tasks.lambda_client().meta.events.register("before-call.lambda.Invoke", _lambda_invoked)
    yield
    tasks.kick_pause_reset()


def acting_role(row: Row) -> str:
    """The first role the matrix lets through: the row's request then does its work."""
    for role in ("admin", "reception", "patient", "owner", "dentist", "anonymous"):
        if not refused(row.expected[role]):
            return role
    return "admin"


def join(world: World, people: People) -> None:
    """The people fixture's memberships, at another clinic."""
    from access.models import Membership, Role

    for user, role in ((people.admin, Role.ADMIN), (people.reception, Role.RECEPTION), (people.patient, Role.PATIENT)):
        Membership.objects.create(user=user, tenant_id=world.tenant_id, role=role)
    Membership.objects.create(
        user=people.dentist, tenant_id=world.tenant_id, role=Role.DENTIST, professional_id=world.ana.professional_id
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def wizard_booking(world: World, people: People) -> None:
    patient = signed_in(people.patient)
    treatment = world.cleaning.treatment_id
    assert patient.get(reverse("booking-schedule", args=[world.slug, treatment])).status_code == 200
    assert patient.get(reverse("booking-availability", args=[world.slug, treatment])).status_code == 200
    hold = patient.post(
        reverse("booking-hold", args=[world.slug, treatment]),
        {"professional": world.ana.professional_id, "start": iso_utc(at(18))},
    )
    assert hold.status_code == 302
    assert patient.get(hold["Location"]).status_code == 200
    done = patient.post(hold["Location"], {"name": "Ana Pérez", "phone": "300 123 4567"})
    assert done.status_code == 302, done.content
    assert patient.get(done["Location"]).status_code == 200
    assert patient.get(reverse("booking-mine", args=[world.slug])).status_code == 200


@pytest.mark.django_db
def test_it_allows_every_aws_call_of_the_apps_flows(
    world: World, people: People, on_lambda: None, aws_calls: list[Call]
) -> None:
    """Wizard booking, every page and form of the permission matrix as the clinic's admin
    (reception booking, reschedule, cancel, the calendar feed, reports, settings, patients...),
    /health/, secrets at start, the outbox sweep sending through SES, and the summaries."""
    wizard_booking(world, people)
    book(world, at(19), professional=world.ben)
    answered = {}
    for row in ROWS:
        # A clinic of its own for each row: rows are written to run on a fresh clinic.
        row_world = make_world()
        join(row_world, people)
        role = acting_role(row)
        client = Client() if role == "anonymous" else signed_in(getattr(people, role))
        url = row.url(row_world, people)
        data = row.data(row_world, people, ROLES.index(role))
        response = client.get(url) if row.method == "GET" else client.post(url, data)
        answered[f"{row.name} as {role}"] = response.status_code
    assert [name for name, status in answered.items() if status >= 500] == []
    assert Client().get(reverse("health")).status_code == 200
    ssm = boto3.client("ssm", region_name=FLOW_STAGE.region)
    with Stubber(ssm) as stub:
        path = FLOW_STAGE.parameters_path
        stub.add_response(
            "get_parameters_by_path", {"Parameters": []}, {"Path": path, "Recursive": False, "WithDecryption": True}
        )
        load_parameters(path, region=FLOW_STAGE.region, client=ssm)
    from notifications.lambda_handlers import summaries

    summaries({}, None)
    sent = deliver_due(world, NOW + dt.timedelta(days=2))
    assert "sent" in sent, sent

    services = {(service, operation) for service, operation, _ in aws_calls}
    assert ("sesv2", "SendEmail") in services and ("lambda", "Invoke") in services, services
    assert ("dynamodb", "TransactWriteItems") in services, services
    # Exactly what the code uses: an action nothing calls any more leaves the policy too.
    used = {action for call in aws_calls for action, _ in iam_requests(*call, FLOW_STAGE)}
    assert {action for action in used if action.startswith("dynamodb:")} == set(iam.DYNAMODB_ACTIONS)
    for stage, policy in policies():
        refused = sorted(
            {
                (action, resource)
                for service, operation, params in aws_calls
                for action, resource in iam_requests(service, operation, params, stage)
                if not allowed(policy, action, resource)
            }
        )
        assert refused == [], f"{stage.name}: the code makes calls its policy refuses"


# ---------------------------------------------------------------- the command


def test_the_command_writes_the_policy_where_zappa_attaches_it(tmp_path: Path) -> None:
    zappa = json.loads((BASE_DIR / "zappa_settings.json").read_text())
    target = tmp_path / "iam-qas.json"
    out = io.StringIO()

    call_command("iam_policy", "--stage", "qas", "--account-id", ACCOUNT, "--output", str(target), stdout=out)

    assert json.loads(target.read_text()) == iam.policy_document(STAGES["qas"], account_id=ACCOUNT)
    assert str(target) in out.getvalue()
    assert zappa["qas"]["attach_policy"] == "dist/iam-qas.json"


def test_the_command_writes_to_attach_policy_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from another directory: the default is zappa_settings.json's path, under the project."""
    from clinics.management.commands import iam_policy

    monkeypatch.setattr(iam_policy, "BASE_DIR", tmp_path)
    (tmp_path / "zappa_settings.json").write_text(json.dumps({"prd": {"attach_policy": "dist/iam-prd.json"}}))

    call_command("iam_policy", "--stage", "prd", "--account-id", ACCOUNT, stdout=io.StringIO())

    written = json.loads((tmp_path / "dist" / "iam-prd.json").read_text())
    assert written == iam.policy_document(STAGES["prd"], account_id=ACCOUNT)


def test_the_command_names_a_restored_table_instead_of_the_stages(tmp_path: Path) -> None:
    target = tmp_path / "iam-prd.json"

    call_command(
        "iam_policy",
        "--stage",
        "prd",
        "--account-id",
        ACCOUNT,
        "--table",
        "nexioq-prd-20261129",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )

    [statement] = [s for s in json.loads(target.read_text())["Statement"] if s["Sid"] == "TableAndIndexes"]
    table = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/nexioq-prd-20261129"
    assert statement["Resource"] == [table, f"{table}/index/*"]


def test_the_command_refuses_an_unknown_stage() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="unknown stage"):
        call_command("iam_policy", "--stage", "staging", "--account-id", ACCOUNT, stdout=io.StringIO())
