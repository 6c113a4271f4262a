"""The one place the application asks what time it is.

Times are stored as naive UTC datetimes; the working calendar converts to local time itself.
Tests move the clock by monkeypatching :func:`utcnow`.
"""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time as a naive UTC datetime, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)
