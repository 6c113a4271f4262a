"""Views run no queries of their own (STYLE.md): reading goes through the room's queries.py,
changing through its services; a view only commits or rolls back, once."""

from __future__ import annotations

import ast
from pathlib import Path

import servicedesk

PACKAGE = Path(servicedesk.__file__).parent

#: What a view may still ask of the session itself.
ALLOWED_SESSION_CALLS = {"commit", "rollback"}


def view_modules() -> list[Path]:
    """Every module that holds request handlers (``views.py``, ``admin_views.py``,
    ``export_views.py`` ... in a room, and ``web.py``)."""
    return sorted({*PACKAGE.glob("*/*views.py"), PACKAGE / "web.py"})


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def queries_in(source: str) -> list[str]:
    """The calls in some source that read the database behind the queries' back."""
    found = []
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
    for node in sorted(calls, key=lambda call: (call.lineno, call.col_offset)):
        name = _dotted(node.func)
        if name == "select" or name.endswith(".select"):
            found.append(f"line {node.lineno}: {name}(")
        elif (
            name.startswith("db.session.")
            and name.removeprefix("db.session.") not in ALLOWED_SESSION_CALLS
        ):
            found.append(f"line {node.lineno}: {name}(")
    return found


def test_the_checker_sees_queries_and_lets_commits_pass():
    source = (
        "def view():\n    row = db.session.get(Ticket, 1)\n"
        "    rows = db.session.scalars(sa.select(Ticket))\n"
        "    count = select(Ticket)\n    db.session.commit()\n    db.session.rollback()\n"
        "    return db.get_or_404(Ticket, 1)\n"
    )
    assert queries_in(source) == [
        "line 2: db.session.get(",
        "line 3: db.session.scalars(",
        "line 3: sa.select(",
        "line 4: select(",
    ]


def test_the_view_modules_are_found():
    names = {str(path.relative_to(PACKAGE)) for path in view_modules()}
    assert {
        "web.py",
        "tickets/views.py",
        "tickets/admin_views.py",
        "jobs/views.py",
        "notifications/admin_views.py",
        "auth/views.py",
        "supervision/export_views.py",
        "tickets/sla_admin_views.py",
    } <= names


def test_no_view_runs_a_query_of_its_own():
    offences = {
        str(path.relative_to(PACKAGE)): queries_in(path.read_text(encoding="utf-8"))
        for path in view_modules()
    }
    assert {path: lines for path, lines in offences.items() if lines} == {}
