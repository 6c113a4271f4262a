"""Pytest fixtures for the loopback stand-ins; register them in a conftest.py with

from tests.support.fixtures import sms_standin, smtp_standin  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.loopback import SmsGatewayStandIn, SmtpStandIn


@pytest.fixture
def smtp_standin() -> Iterator[SmtpStandIn]:
    """A running SMTP stand-in on 127.0.0.1, stopped (with its thread) after the test."""
    standin = SmtpStandIn().start()
    try:
        yield standin
    finally:
        standin.release(accept=False)  # let a stalled session end before the loop stops
        standin.stop()


@pytest.fixture
def sms_standin() -> Iterator[SmsGatewayStandIn]:
    """A running SMS gateway stand-in on 127.0.0.1, stopped (with its threads) after the test."""
    standin = SmsGatewayStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()
