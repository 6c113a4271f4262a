"""SMS manners: quiet hours and a daily cap per recipient (pure, apart from the count)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """``"21:00-08:00"`` → (21:00, 08:00); empty → None (no quiet hours)."""
    text = (text or "").strip()
    if not text:
        return None
    start, _, end = text.partition("-")
    try:
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError as exc:
        raise ValueError(f"quiet hours must look like 21:00-08:00, not {text!r}") from exc


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone)


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


def quiet_until(
    moment: datetime, quiet: tuple[time, time] | None, zone: ZoneInfo
) -> datetime | None:
    """When quiet hours covering ``moment`` (naive UTC) end, or None outside quiet hours."""
    if quiet is None:
        return None
    start, end = quiet
    local = _local(moment, zone)
    clock = local.time()
    if start <= end:  # e.g. 12:00-13:00
        inside = start <= clock < end
        end_day = local.date()
    else:  # spans midnight, e.g. 21:00-08:00
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return _utc(datetime.combine(end_day, end, tzinfo=zone))


def local_day_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local calendar day containing ``moment``, as naive UTC [start, end)."""
    day = _local(moment, zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    return _utc(start), _utc(start + timedelta(days=1))


def next_morning(moment: datetime, quiet: tuple[time, time] | None, zone: ZoneInfo) -> datetime:
    """The end of the next quiet period (08:00 tomorrow by default): when held SMS go out."""
    morning = quiet[1] if quiet else time(8, 0)
    local = _local(moment, zone)
    day = local.date() if local.time() < morning else local.date() + timedelta(days=1)
    return _utc(datetime.combine(day, morning, tzinfo=zone))
