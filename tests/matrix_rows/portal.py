"""Permission-matrix rows of the patient portal ("Mis citas")."""

from __future__ import annotations

from tests.matrix import Row

ROWS: list[Row] = []
