"""The words the time-limit table is written in: a ticket's urgency and its category's kind.

They live here, below tickets, because the SLA arithmetic is keyed by them; the ticket models
store them.
"""

from __future__ import annotations

import enum


class Urgency(enum.StrEnum):
    """How fast the enterprise needs an answer; urgent tickets get the tighter limits."""

    NORMAL = "normal"
    URGENT = "urgent"


class CategoryKind(enum.StrEnum):
    """The kind of request, which sets the normal resolve limit (DOMAIN.md)."""

    CONSULTATION = "consultation"
    ASSISTANCE = "assistance"
    COORDINATION = "coordination"
