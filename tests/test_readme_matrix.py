"""The README's permission table names every action of the one matrix in code."""

from __future__ import annotations

from pathlib import Path

from access.permissions import MATRIX


def test_it_documents_every_action_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()

    documented = {action for action in MATRIX if f"| `{action.value}`" in readme}

    assert documented == set(MATRIX)
