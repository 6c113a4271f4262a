"""Imports point one way, bottom to top (STYLE.md): a room imports only from the rooms below
it, and a lower room that needs a higher one exposes a hook. The `layers` contract in
setup.cfg ([importlinter]) says which room sits where; `make lint` runs it, and so do these
tests, together with one that shows the contract catches a back-pointing import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the ``servicedesk`` package found in ``project``."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(project / "setup.cfg"), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_room_imports_only_from_the_rooms_below_it():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_that_points_up_breaks_the_contract(tmp_path):
    # A copy of the package where auth (near the bottom) reaches into tickets, inside a
    # function body, the way a "quick fix" would.
    shutil.copytree(
        ROOT / "servicedesk",
        tmp_path / "servicedesk",
        ignore=shutil.ignore_patterns("__pycache__", "translations"),
    )
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    (tmp_path / "servicedesk" / "auth" / "shortcut.py").write_text(
        "def open_tickets():\n"
        "    from servicedesk.tickets.queries import queues_for\n"
        "    return queues_for\n",
        encoding="utf-8",
    )

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "servicedesk.auth.shortcut -> servicedesk.tickets.queries" in result.stdout
