"""Who stands in for whom: the deputy chain, as a pure function of who is away.

A person away hands on to their deputy; a deputy away in turn hands on to theirs (A → B while
B → C sends to C). A chain that comes back to someone already in it (everyone is away), or that
reaches a deputy who cannot receive (deactivated since), falls back to the person the message
was for: a reminder is never lost, it just reaches someone who is away.
"""

from __future__ import annotations

from collections.abc import Container, Mapping


def stand_in(person_id: int, deputies: Mapping[int, int], reachable: Container[int]) -> int:
    """The id of whoever receives what is addressed to ``person_id``.

    ``deputies`` maps each person away now to their deputy; ``reachable`` holds the deputies
    who can receive (active accounts). Returns ``person_id`` itself when they are not away, or
    when the chain loops or breaks.
    """
    current = person_id
    seen = {person_id}
    while current in deputies:
        deputy = deputies[current]
        if deputy in seen or deputy not in reachable:
            return person_id
        seen.add(deputy)
        current = deputy
    return current
