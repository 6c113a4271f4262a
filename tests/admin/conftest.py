"""Fixtures for the admin pages: a signed-in administrator and a few ready-made codes."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from servicedesk.auth.models import Role
from servicedesk.enterprises.validators import USCC_ALPHABET, uscc_check_character
from servicedesk.extensions import db

#: A real, valid unified social credit code (DOMAIN.md).
VALID_USCC = "91110000600037341L"
_codes = itertools.count(1)


def fresh_uscc() -> str:
    """A valid credit code nobody has used in this test run."""
    n = next(_codes)
    body = f"9132{n:04d}" + "".join(USCC_ALPHABET[(n * 11 + i) % 31] for i in range(9))
    return body + uscc_check_character(body)


def count(model) -> int:
    """How many rows of ``model`` are stored."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def new_user(**changes) -> dict:
    """What the new-account form posts for a valid member account, with ``changes``."""
    return {
        "email": "new.person@park.example.com",
        "name": "New Person",
        "mobile": "",
        "roles": ["member"],
        "enterprise_id": "0",
        "task_force_ids": [],
        "password": "good-pass-42",
        "confirm": "good-pass-42",
        **changes,
    }


@pytest.fixture
def admin(make_user, auth):
    """An administrator, signed in on ``client``."""
    user = make_user(Role.ADMIN, name="Ada Admin", email="ada@park.example.com")
    response = auth.login(user)
    assert response.status_code == 302
    return user
