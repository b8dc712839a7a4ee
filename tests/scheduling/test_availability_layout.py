"""Availability's answers are pure functions over rows loaded up front (docs/architecture.md): the module that
computes free times reads no database, so the same rows give the same answer and it is tested without one."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "scheduling" / "availability"
PURE = ("rows.py", "free.py")


def _database_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if name.startswith("django.db") or "models" in parts or parts[-1] in {"loading", "search"}:
                found.append(f"line {node.lineno}: {name}")
    return found


@pytest.mark.parametrize("name", PURE)
def test_the_pure_modules_import_no_database_or_models(name):
    assert not _database_imports((PACKAGE / name).read_text())


def test_the_check_catches_a_database_import():
    bad = "from django.db import connection\nfrom scheduling.models import Appointment\n"
    bad += "def f():\n    from scheduling.availability.loading import load_schedule\n"
    assert len(_database_imports(bad)) == 3
