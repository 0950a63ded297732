"""The IAM policy of a stage's Lambda role: what the running app needs, on this stage's resources only.

``manage.py iam_policy --stage prd --account-id ...`` writes it where ``zappa_settings.json``'s
``attach_policy`` names it, and Zappa makes it the role's only inline policy instead of its default
(``dynamodb:*``, ``s3:*`` and more on every resource). tests/deploy/test_iam.py runs the app's
flows and checks that every AWS call they make is allowed here, so the policy cannot fall behind
the code.

What the app does NOT get: creating, changing or deleting the table, its backups, the layout
migration's Scan and BatchWriteItem (``dynamo_table``, ``dynamo_migrate`` and ``aws_monitoring``
run from an operator's machine with the operator's credentials), or any SES action beyond sending.
"""

from __future__ import annotations

from typing import Any

from nexioq.stages import Stage

# The DynamoDB actions the code calls (tests/deploy/test_iam.py records them). A TransactWriteItems
# is authorised item by item: PutItem, UpdateItem, DeleteItem and ConditionCheckItem; a
# TransactGetItems (unused) would be GetItem.
DYNAMODB_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)

# SES API v2 SendEmail (django-ses with USE_SES_V2) is authorised as ses:SendEmail whatever the
# content (simple, raw or template), against the sending identity. ses:SendRawEmail is the v1
# action, which this app never calls.
SES_ACTIONS = ("ses:SendEmail",)

# Services and actions that accept only "Resource": "*", and why; tests/deploy/test_iam.py allows
# "*" for exactly these.
RESOURCE_STAR_ONLY: dict[str, str] = {
    "xray:PutTraceSegments": "X-Ray has no resource-level permissions: its write actions accept only '*'",
    "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions: its write actions accept only '*'",
    "xray:GetSamplingRules": "sampling rules are read account-wide; the action accepts only '*'",
    "xray:GetSamplingTargets": "sampling targets are read account-wide; the action accepts only '*'",
    "ec2:DescribeNetworkInterfaces": "EC2 Describe actions support no resource-level permissions (Lambda's VPC docs)",
}

XRAY_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)

LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")

# What Lambda does with the role to put the function's network interfaces in the VPC's private
# subnets (to reach RDS and ElastiCache): the actions of AWSLambdaVPCAccessExecutionRole, minus
# its logs and DescribeSubnets (a permission of whoever configures the function, not of the role).
ENI_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)


def table_arn(stage: Stage, *, account_id: str, table: str | None = None) -> str:
    return f"arn:aws:dynamodb:{stage.region}:{account_id}:table/{table or stage.table}"


def ses_identity_arn(stage: Stage, *, account_id: str) -> str:
    return f"arn:aws:ses:{stage.region}:{account_id}:identity/{stage.ses_identity}"


def function_arn(stage: Stage, *, account_id: str) -> str:
    return f"arn:aws:lambda:{stage.region}:{account_id}:function:{stage.function_name}"


def log_group_arn(stage: Stage, *, account_id: str) -> str:
    return f"arn:aws:logs:{stage.region}:{account_id}:log-group:{stage.log_group}"


def parameters_arn(stage: Stage, *, account_id: str) -> str:
    """The path's ARN, without its trailing slash (``parameter/nexioq/prd``)."""
    return f"arn:aws:ssm:{stage.region}:{account_id}:parameter{stage.parameters_path.rstrip('/')}"


def policy_document(stage: Stage, *, account_id: str, table: str | None = None) -> dict[str, Any]:
    """The stage's role policy, as the JSON document IAM takes.

    ``table`` replaces the stage's own table while the stage runs on a restored copy
    (docs/deploy.md, "Restore drill"); the policy then allows that table and no other.
    """
    if not (account_id.isdigit() and len(account_id) == 12):
        raise ValueError(f"an AWS account id is 12 digits, not {account_id!r}")
    region = stage.region
    table_resource = table_arn(stage, account_id=account_id, table=table)
    log_group = log_group_arn(stage, account_id=account_id)
    parameters = parameters_arn(stage, account_id=account_id)
    ec2 = f"arn:aws:ec2:{region}:{account_id}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TableAndIndexes",
                "Effect": "Allow",
                "Action": list(DYNAMODB_ACTIONS),
                "Resource": [table_resource, f"{table_resource}/index/*"],
            },
            {
                "Sid": "SendFromTheStageIdentity",
                "Effect": "Allow",
                "Action": list(SES_ACTIONS),
                "Resource": [ses_identity_arn(stage, account_id=account_id)],
            },
            {
                "Sid": "InvokeItselfForTheSweep",
                "Effect": "Allow",
                # A booking change kicks the outbox sweep by invoking this function asynchronously
                # (notifications.tasks, OUTBOX_KICK_LAMBDA): this function and no other.
                "Action": ["lambda:InvokeFunction"],
                "Resource": [function_arn(stage, account_id=account_id)],
            },
            {
                "Sid": "XRay",
                "Effect": "Allow",
                "Action": list(XRAY_ACTIONS),
                "Resource": ["*"],
            },
            {
                "Sid": "OwnLogGroup",
                "Effect": "Allow",
                "Action": list(LOG_ACTIONS),
                # The group itself (CreateLogGroup) and its streams (log-group:<name>:log-stream:<stream>).
                "Resource": [log_group, f"{log_group}:*"],
            },
            {
                "Sid": "OwnParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParametersByPath"],
                # GetParametersByPath is authorised against the path the request names (with or
                # without its trailing slash), not the parameters it returns; Recursive is never set.
                "Resource": [parameters, f"{parameters}/"],
            },
            {
                "Sid": "DecryptOwnParametersThroughSsm",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                # The key's id is not known before it exists (aws/ssm or a key of the operator's):
                # the conditions limit the decryption to SSM reading this stage's parameters.
                "Resource": [f"arn:aws:kms:{region}:{account_id}:key/*"],
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"ssm.{region}.amazonaws.com"},
                    "StringLike": {"kms:EncryptionContext:PARAMETER_ARN": f"{parameters}/*"},
                },
            },
            {
                "Sid": "VpcNetworkInterfaces",
                "Effect": "Allow",
                "Action": list(ENI_ACTIONS),
                "Resource": [f"{ec2}:network-interface/*", f"{ec2}:subnet/*", f"{ec2}:security-group/*"],
            },
            {
                "Sid": "VpcDescribeNetworkInterfaces",
                "Effect": "Allow",
                "Action": ["ec2:DescribeNetworkInterfaces"],
                "Resource": ["*"],
            },
        ],
    }
