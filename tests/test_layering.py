"""Imports point one way, bottom to top (STYLE.md): a room imports only from rooms below it;
a lower room that needs a higher one exposes a hook."""

import ast
from pathlib import Path

import servicedesk

PACKAGE = Path(servicedesk.__file__).parent


def _type_checking_only(tree: ast.AST) -> set[ast.AST]:
    """Imports under ``if TYPE_CHECKING:``: annotations only, never run."""
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(ast.walk(node))
    return skipped


def imports_of(source: str) -> set[str]:
    """The modules some source imports, at the top or inside a function (not those imported
    for type annotations only)."""
    names = set()
    tree = ast.parse(source)
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def imported_modules(room: str) -> dict[str, set[str]]:
    """Every module a room imports, by file."""
    return {str(path.relative_to(PACKAGE)): imports_of(path.read_text(encoding="utf-8"))
            for path in sorted((PACKAGE / room).rglob("*.py"))}


def offending(room: str, higher: tuple[str, ...]) -> list[str]:
    return [f"{path} imports {name}" for path, names in imported_modules(room).items()
            for name in sorted(names)
            if any(name == h or name.startswith(h + ".") for h in higher)]


def test_notifications_does_not_import_escalation():
    assert offending("notifications", ("servicedesk.escalation",)) == []


def test_the_ticket_clocks_know_nothing_above_tickets():
    higher = ("servicedesk.notifications", "servicedesk.escalation", "servicedesk.jobs")
    files = {"tickets/clocks.py", "tickets/deadlines.py", "tickets/closing.py"}
    assert [line for line in offending("tickets", higher) if line.split()[0] in files] == []


def test_the_checker_sees_imports_inside_functions():
    source = "import a.b\n\ndef f():\n    from servicedesk.escalation.sweep import run_sweep\n"
    assert imports_of(source) == {"a.b", "servicedesk.escalation.sweep"}


def test_auth_does_not_import_the_rooms_above_it():
    above = ("servicedesk.enterprises", "servicedesk.taskforces", "servicedesk.people",
             "servicedesk.tickets")
    assert offending("auth", above) == []


def test_the_core_modules_import_no_room():
    rooms = ("servicedesk.auth", "servicedesk.enterprises", "servicedesk.taskforces",
             "servicedesk.people", "servicedesk.tickets")
    for module in ("crud.py", "validators.py", "forms.py", "aftercommit.py", "clock.py",
                   "links.py"):
        imported = imports_of((PACKAGE / module).read_text(encoding="utf-8"))
        assert sorted(m for m in imported if m.startswith(rooms)) == [], module


def test_sla_knows_nothing_of_tickets():
    """The time-limit arithmetic sits below tickets: the ticket's clocks and the per-category
    policy pages live in tickets."""
    above = ("servicedesk.tickets", "servicedesk.notifications", "servicedesk.escalation")
    assert offending("sla", above) == []
