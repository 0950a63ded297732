"""The permission matrix's rows, one module per area, each with a ``ROWS`` list."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def all_rows() -> list[Any]:
    """Every module's ``ROWS``, in module-name order (a new area needs no registration here)."""
    rows: list[Any] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        rows.extend(importlib.import_module(f"{__name__}.{module.name}").ROWS)
    return rows
