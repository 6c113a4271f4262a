"""The ticket lifecycle as a pure state machine: no database, no request, no clock.

``next_status(status, action)`` says where an action leads or raises :class:`IllegalAction`
with a message a person can read. ``may_act(relations, action)`` says whether someone standing
in the given relations to a ticket (its enterprise's contact, a member of its task force ...)
may take the action at all.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class Status(enum.StrEnum):
    FILED = "filed"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    IN_PROGRESS = "in_progress"
    WAITING_ENTERPRISE = "waiting_enterprise"
    RETURNED = "returned"
    RESOLVED = "resolved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


#: States in which the ticket still needs someone to act.
OPEN_STATUSES = frozenset(Status) - {Status.CLOSED, Status.WITHDRAWN}
#: States in which the task force owns the ticket and its clocks run.
WORKING_STATUSES = frozenset({Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS})
#: States in which the ticket waits in the dispatcher's queue and the dispatch clock runs.
AWAITING_DISPATCH = frozenset({Status.FILED, Status.RETURNED})
#: States in which a task force has the ticket (the clock may be paused).
WITH_TASK_FORCE = WORKING_STATUSES | {Status.WAITING_ENTERPRISE}


class Action(enum.StrEnum):
    DISPATCH = "dispatch"
    TRANSFER = "transfer"
    RETURN = "return"
    SIGN = "sign"
    ASSIGN = "assign"
    REPLY = "reply"
    NOTE = "note"
    REQUEST_INFO = "request_info"
    SITE_VISIT = "site_visit"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    RESOLVE = "resolve"
    ENTERPRISE_REPLY = "enterprise_reply"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    AUTO_CLOSE = "auto_close"


class Relation(enum.StrEnum):
    """How a person stands to one ticket; computed by the services, consumed here."""

    ENTERPRISE = "enterprise"  # a contact of the ticket's enterprise
    MEMBER = "member"  # a member of the ticket's task force
    ASSIGNEE = "assignee"
    LEAD = "lead"  # the lead of the ticket's task force
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SYSTEM = "system"


KEEP = None  # the action leaves the status as it is

_STAFF = {Relation.MEMBER, Relation.ASSIGNEE, Relation.LEAD}

#: action -> {from status: to status (or KEEP)}
TRANSITIONS: dict[Action, dict[Status, Status | None]] = {
    Action.DISPATCH: {Status.FILED: Status.DISPATCHED, Status.RETURNED: Status.DISPATCHED},
    Action.TRANSFER: {s: Status.DISPATCHED for s in WITH_TASK_FORCE},
    Action.RETURN: {Status.DISPATCHED: Status.RETURNED, Status.SIGNED: Status.RETURNED},
    Action.SIGN: {Status.DISPATCHED: Status.SIGNED},
    Action.ASSIGN: {
        Status.DISPATCHED: Status.SIGNED,
        Status.SIGNED: KEEP,
        Status.IN_PROGRESS: KEEP,
        Status.WAITING_ENTERPRISE: KEEP,
    },
    Action.REPLY: {
        Status.SIGNED: Status.IN_PROGRESS,
        Status.IN_PROGRESS: KEEP,
        Status.WAITING_ENTERPRISE: KEEP,
        Status.RESOLVED: KEEP,
    },
    Action.NOTE: {s: KEEP for s in OPEN_STATUSES},
    Action.REQUEST_INFO: {
        Status.SIGNED: Status.WAITING_ENTERPRISE,
        Status.IN_PROGRESS: Status.WAITING_ENTERPRISE,
    },
    Action.SITE_VISIT: {
        Status.SIGNED: Status.IN_PROGRESS,
        Status.IN_PROGRESS: KEEP,
        Status.WAITING_ENTERPRISE: KEEP,
    },
    Action.REQUEST_EXTENSION: {
        Status.SIGNED: KEEP,
        Status.IN_PROGRESS: KEEP,
        Status.WAITING_ENTERPRISE: KEEP,
    },
    Action.DECIDE_EXTENSION: {
        Status.SIGNED: KEEP,
        Status.IN_PROGRESS: KEEP,
        Status.WAITING_ENTERPRISE: KEEP,
    },
    Action.RESOLVE: {Status.SIGNED: Status.RESOLVED, Status.IN_PROGRESS: Status.RESOLVED},
    # An enterprise reply answers a request for information and restarts the clock.
    Action.ENTERPRISE_REPLY: {
        **{s: KEEP for s in OPEN_STATUSES},
        Status.WAITING_ENTERPRISE: Status.IN_PROGRESS,
    },
    Action.CONFIRM: {Status.RESOLVED: Status.CLOSED},
    Action.REOPEN: {Status.RESOLVED: Status.IN_PROGRESS},
    Action.WITHDRAW: {s: Status.WITHDRAWN for s in OPEN_STATUSES - {Status.RESOLVED}},
    Action.AUTO_CLOSE: {Status.RESOLVED: Status.CLOSED},
}

#: action -> relations allowed to take it
ACTORS: dict[Action, frozenset[Relation]] = {
    Action.DISPATCH: frozenset({Relation.DISPATCHER, Relation.ADMIN, Relation.SYSTEM}),
    Action.TRANSFER: frozenset({Relation.DISPATCHER, Relation.ADMIN, Relation.LEAD}),
    Action.RETURN: frozenset(_STAFF),
    Action.SIGN: frozenset(_STAFF),
    Action.ASSIGN: frozenset({Relation.LEAD, Relation.DISPATCHER, Relation.ADMIN}),
    Action.REPLY: frozenset(_STAFF),
    Action.NOTE: frozenset(_STAFF | {Relation.DISPATCHER, Relation.SUPERVISOR, Relation.ADMIN}),
    Action.REQUEST_INFO: frozenset(_STAFF),
    Action.SITE_VISIT: frozenset(_STAFF),
    Action.REQUEST_EXTENSION: frozenset(_STAFF),
    Action.DECIDE_EXTENSION: frozenset({Relation.LEAD, Relation.SUPERVISOR}),
    Action.RESOLVE: frozenset(_STAFF),
    Action.ENTERPRISE_REPLY: frozenset({Relation.ENTERPRISE}),
    Action.CONFIRM: frozenset({Relation.ENTERPRISE}),
    Action.REOPEN: frozenset({Relation.ENTERPRISE}),
    Action.WITHDRAW: frozenset({Relation.ENTERPRISE}),
    Action.AUTO_CLOSE: frozenset({Relation.SYSTEM}),
}

_ACTION_LABELS = {
    Action.DISPATCH: _l("dispatch"),
    Action.TRANSFER: _l("transfer"),
    Action.RETURN: _l("return to dispatch"),
    Action.SIGN: _l("sign for"),
    Action.ASSIGN: _l("assign"),
    Action.REPLY: _l("reply"),
    Action.NOTE: _l("add an internal note"),
    Action.REQUEST_INFO: _l("ask the enterprise for information"),
    Action.SITE_VISIT: _l("record a site visit"),
    Action.REQUEST_EXTENSION: _l("request an extension"),
    Action.DECIDE_EXTENSION: _l("decide an extension"),
    Action.RESOLVE: _l("resolve"),
    Action.ENTERPRISE_REPLY: _l("reply"),
    Action.CONFIRM: _l("confirm and rate"),
    Action.REOPEN: _l("reopen"),
    Action.WITHDRAW: _l("withdraw"),
    Action.AUTO_CLOSE: _l("close automatically"),
}


class IllegalAction(Exception):
    """An action that the ticket's state or the actor's relation to it does not allow."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def action_label(action: Action) -> str:
    return str(_ACTION_LABELS[action])


def next_status(status: Status | str, action: Action) -> Status:
    """The status ``action`` leads to from ``status``; raises :class:`IllegalAction`."""
    # labels imports the models, which import this module: a real cycle, kept in here.
    from servicedesk.tickets.labels import status_label

    status = Status(status)
    table = TRANSITIONS[action]
    if status not in table:
        raise IllegalAction(
            _(
                "A ticket that is “%(status)s” cannot be given the action “%(action)s”.",
                status=status_label(status),
                action=action_label(action),
            )
        )
    target = table[status]
    return status if target is KEEP else target


def may_act(relations: Iterable[Relation], action: Action) -> bool:
    """Whether someone with ``relations`` to a ticket may take ``action`` on it."""
    return bool(ACTORS[action].intersection(relations))


def allowed_actions(status: Status | str, relations: Iterable[Relation]) -> set[Action]:
    """Every action that the status allows and the relations permit."""
    relations = set(relations)
    status = Status(status)
    return {a for a, table in TRANSITIONS.items() if status in table and may_act(relations, a)}
