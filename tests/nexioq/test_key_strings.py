"""Every key string of the table is built in nexioq/dynamo.py: no other module spells one."""

from __future__ import annotations

import ast
from pathlib import Path

from nexioq import dynamo

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "nexioq" / "dynamo.py"
SKIPPED = {".venv", "node_modules", "var", "migrations", ".git"}
# Key prefixes (ours and layout 1's) as they would appear inside a literal...
PREFIXES = (
    dynamo.TENANT_PREFIX,
    dynamo.SLUG_PREFIX,
    dynamo.PATIENT_PREFIX,
    dynamo.TREATMENT_PREFIX,
    dynamo.PROFESSIONAL_PREFIX,
    dynamo.BOOKING_PREFIX,
    dynamo.HOLD_PREFIX,
    dynamo.CELL_PREFIX,
)
# ... and whole keys that have no prefix.
WHOLE_KEYS = {dynamo.CLINIC_SK, dynamo.SLUG_SK, dynamo.CLINIC_DIRECTORY_PK}


def python_files() -> list[Path]:
    here = Path(__file__).resolve()
    return [p for p in ROOT.rglob("*.py") if not SKIPPED & set(p.relative_to(ROOT).parts) and p not in (HOME, here)]


def key_literals(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if node.value in WHOLE_KEYS or any(prefix in node.value for prefix in PREFIXES):
            found.append(f"{path.name}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_it_finds_no_key_string_outside_the_dynamo_module() -> None:
    assert [hit for path in python_files() for hit in key_literals(path)] == []


def test_it_would_notice_one(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    # The planted module spells a whole key and a prefix, as a careless module would.
    planted.write_text(
        f'PK = "{dynamo.CLINIC_SK}"\nKEY = f"{dynamo.BOOKING_PREFIX}{{booking_id}}"\nTEXT = "a booking, not a key"\n'
    )

    assert key_literals(planted) == [f"planted.py:1: {dynamo.CLINIC_SK!r}", f"planted.py:2: {dynamo.BOOKING_PREFIX!r}"]
