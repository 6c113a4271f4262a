"""Routing rules: which task force a new ticket goes to, and why."""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import Ticket


@dataclass(frozen=True)
class Route:
    task_force: TaskForce
    rule: str  # which rule matched: key_project, industry_chain or category


def route_ticket(ticket: Ticket) -> Route | None:
    """First match wins: the key project's, the enterprise chain's, the category's task force.

    Inactive task forces are skipped; ``None`` leaves the ticket in the dispatcher's queue.
    """
    candidates = []
    if ticket.key_project is not None:
        candidates.append((ticket.key_project.task_force, "key_project"))
    chain = ticket.enterprise.industry_chain
    if chain is not None:
        candidates.append((chain.task_force, "industry_chain"))
    candidates.append((ticket.category.default_task_force, "category"))
    for task_force, rule in candidates:
        if task_force is not None and task_force.active:
            return Route(task_force, rule)
    return None
