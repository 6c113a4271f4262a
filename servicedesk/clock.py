"""The one place the application asks what time it is, and in which time zone the park lives.

Times are stored as naive UTC datetimes; the working calendar converts to local time itself.
Tests move the clock by monkeypatching :func:`utcnow`.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Current time as a naive UTC datetime, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def park_zone() -> ZoneInfo:
    """The park's time zone (setting ``TIMEZONE``, Asia/Shanghai by default)."""
    return ZoneInfo(current_app.config["TIMEZONE"])
