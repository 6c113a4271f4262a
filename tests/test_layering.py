"""The rooms import one way: auth (people, roles, sign-in) knows nothing of the rooms above it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "servicedesk"


def _imports(package: str) -> set[str]:
    found = set()
    for path in (PACKAGE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def test_auth_does_not_import_the_rooms_above_it():
    above = ("servicedesk.enterprises", "servicedesk.taskforces", "servicedesk.people",
             "servicedesk.tickets")
    assert sorted(m for m in _imports("auth") if m.startswith(above)) == []


def test_the_core_modules_import_no_room():
    rooms = ("servicedesk.auth", "servicedesk.enterprises", "servicedesk.taskforces",
             "servicedesk.people", "servicedesk.tickets")
    for module in ("crud.py", "validators.py", "forms.py"):
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        assert sorted(m for m in imported if m.startswith(rooms)) == [], module
