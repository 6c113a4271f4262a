"""Channels: the I/O adapters that hand a rendered message to a mail server or an SMS gateway.

They send and decide nothing: who is told what, when, and whether a failure is tried again is
decided by the outbox. A channel only says, by raising :class:`DeliveryError`, whether trying the
same message again later could succeed.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be handed over.

    ``retryable`` is True when the same message may go through later (server down, timeout,
    4xx temporary failure, throttling) and False when it never will (no such user, invalid
    number, unknown template, rejected credentials).
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"DeliveryError({str(self)!r}, retryable={self.retryable})"
