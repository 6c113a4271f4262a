"""What both loopback stand-ins share: the loopback address, free ports, a recording list."""

from __future__ import annotations

import socket
import threading
from typing import Any

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Recorder:
    """A thread-safe list of what a stand-in accepted, with waiting."""

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._changed = threading.Condition()

    def add(self, item: Any) -> None:
        """Record one item and wake whoever waits."""
        with self._changed:
            self._items.append(item)
            self._changed.notify_all()

    def snapshot(self) -> list[Any]:
        """A copy of everything recorded so far."""
        with self._changed:
            return list(self._items)

    def clear(self) -> None:
        """Forget everything recorded."""
        with self._changed:
            self._items.clear()

    def wait_for(self, count: int, timeout: float, what: str) -> list[Any]:
        """Block until at least ``count`` items arrived; AssertionError after ``timeout`` s."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._items) >= count, timeout):
                raise AssertionError(
                    f"expected {count} {what} within {timeout:g} s, "
                    f"got {len(self._items)}: {self._items!r}"
                )
            return list(self._items)
