"""docs/deploy.md names what the code reads: every environment variable, every command, the Cognito
callback and groups, the IAM policy's statements."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands
from django.urls import reverse

from access.adapters import PLATFORM_OWNER_GROUP
from access.models import Role
from nexioq.iam import policy_document
from nexioq.stages import STAGES

BASE_DIR = Path(settings.BASE_DIR)
GUIDE = (BASE_DIR / "docs" / "deploy.md").read_text()
SETTINGS = BASE_DIR / "nexioq" / "settings.py"
# The calls that read a variable by a literal name.
READERS = {"os.environ.get", "os.getenv", "env", "env_bool"}


def section(title: str) -> str:
    return GUIDE.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def settings_modules() -> list[Path]:
    """settings.py and the project modules it imports (nexioq.parameters)."""
    modules = [SETTINGS]
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nexioq."):
            modules.append(BASE_DIR / (node.module.replace(".", "/") + ".py"))
    return modules


def variables_read(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
        if (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def documented_variables() -> set[str]:
    """The first column of every table row of the guide's "Environment variables" section."""
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section("Environment variables"), flags=re.MULTILINE))


def test_the_reader_finds_each_way_of_reading_a_variable(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        'import os\nA = os.environ.get("ONE")\nB = os.environ["TWO"]\nC = env("THREE", "")\n'
        'D = env_bool("FOUR", False)\nE = os.getenv("FIVE")\nF = os.environ.get(name)\n'
    )

    assert variables_read(module) == {"ONE", "TWO", "THREE", "FOUR", "FIVE"}


def test_the_guide_lists_exactly_the_variables_the_settings_read() -> None:
    read = set().union(*(variables_read(path) for path in settings_modules()))
    documented = documented_variables()

    assert BASE_DIR / "nexioq" / "parameters.py" in settings_modules()
    assert len(read) > 50
    assert read - documented == set(), "read by the settings, missing from docs/deploy.md"
    assert documented - read == set(), "in docs/deploy.md, read by nothing"


def test_every_command_the_guide_names_exists() -> None:
    named = set(re.findall(r"manage\.py (\w+)", GUIDE)) | set(re.findall(r'zappa manage \w+ "?(\w+)', GUIDE))

    assert {"iam_policy", "dynamo_table", "aws_monitoring", "migrate", "createsuperuser"} <= named
    assert named - set(get_commands()) == set()


def test_the_guide_names_the_cognito_callback_and_groups_the_code_expects() -> None:
    cognito = section("5. Sign-in with Cognito (optional)")

    assert f"https://reservas.nexioq.example{reverse('openid_connect_callback', args=['cognito'])}" in cognito
    assert f"`{PLATFORM_OWNER_GROUP}`" in cognito
    assert all(f"`{role.value}`" in cognito for role in Role)


def test_the_guide_lists_the_policys_statements() -> None:
    table = section("7. The IAM policy (least privilege)")

    for statement in policy_document(STAGES["prd"], account_id="123456789012")["Statement"]:
        assert f"| `{statement['Sid']}` |" in table
