"""Fixtures for the demonstration data: the park loaded by ``flask demo load``."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicedesk.extensions import db


def count(model) -> int:
    """How many rows of ``model`` are stored."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def run_demo_load(app, *args: str):
    """Run ``flask demo load`` with ``args`` through the real command line."""
    return app.test_cli_runner().invoke(args=["demo", "load", *args])


@pytest.fixture
def demo(app):
    """An app whose empty database was filled by ``flask demo load``; returns the output."""
    result = run_demo_load(app)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output
