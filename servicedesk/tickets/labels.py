"""Readable, translated names for the ticket vocabulary: statuses, events, ratings, contact
channels, colour cards and the stages of a ticket's clocks. Every page, message and export takes
its words from here."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from servicedesk.i18n import local_datetime
from servicedesk.tickets.clocks import Stage
from servicedesk.tickets.models import Card, Channel, EventKind, Rating
from servicedesk.tickets.rules import Status

TICKET_STATUS_LABELS = {
    Status.FILED: _l("Filed"),
    Status.DISPATCHED: _l("Dispatched"),
    Status.SIGNED: _l("Signed for"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.WAITING_ENTERPRISE: _l("Waiting for the enterprise"),
    Status.RETURNED: _l("Returned to dispatch"),
    Status.RESOLVED: _l("Resolved, awaiting confirmation"),
    Status.CLOSED: _l("Closed"),
    Status.WITHDRAWN: _l("Withdrawn"),
}

EVENT_LABELS = {
    EventKind.FILED: _l("Filed"),
    EventKind.DISPATCHED: _l("Dispatched"),
    EventKind.TRANSFERRED: _l("Transferred"),
    EventKind.RETURNED: _l("Returned to dispatch"),
    EventKind.SIGNED: _l("Signed for"),
    EventKind.ASSIGNED: _l("Assigned"),
    EventKind.REPLIED: _l("Reply from the task force"),
    EventKind.NOTE: _l("Internal note"),
    EventKind.INFO_REQUESTED: _l("Information requested"),
    EventKind.ENTERPRISE_REPLIED: _l("Message from the enterprise"),
    EventKind.SITE_VISIT: _l("Site visit"),
    EventKind.EXTENSION_REQUESTED: _l("Extension requested"),
    EventKind.EXTENSION_APPROVED: _l("Extension approved"),
    EventKind.EXTENSION_REJECTED: _l("Extension rejected"),
    EventKind.RESOLVED: _l("Resolved"),
    EventKind.RATED: _l("Rated"),
    EventKind.REOPENED: _l("Reopened for rework"),
    EventKind.CLOSED: _l("Closed"),
    EventKind.WITHDRAWN: _l("Withdrawn"),
    EventKind.CARD_RAISED: _l("Card raised"),
}

RATING_LABELS = {
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Rating.UNSATISFIED: _l("Unsatisfied"),
}

#: How the enterprise likes to be contacted, and what a message is sent on.
CHANNEL_LABELS = {
    Channel.EMAIL: _l("E-mail"),
    Channel.SMS: _l("SMS"),
    Channel.PHONE: _l("Phone call"),
}

CHANGE_LABELS = {
    "task_force": _l("Task force"),
    "assignee": _l("Assignee"),
    "rating": _l("Rating"),
    "working_days": _l("Working days"),
    "resolve_due_at": _l("Resolve by"),
    "visited_at": _l("When"),
    "location": _l("Where"),
    "participants": _l("Who took part"),
    "routing_rule": _l("Routing rule"),
    "close_reason": _l("Closed because"),
    "card": _l("Card"),
}

#: The colour cards of the escalation ladder (DOMAIN.md), as a badge or a heading shows them.
CARD_LABELS = {
    Card.NONE: _l("No card"),
    Card.BLUE: _l("Blue card"),
    Card.YELLOW: _l("Yellow card"),
    Card.RED: _l("Red card"),
}

#: The deadline each clock watches, as a sentence names it ("the sign-for deadline of this
#: ticket has passed"); headings capitalise it (Jinja's ``capitalize``, :func:`heading`).
STAGE_LABELS = {
    Stage.DISPATCH: _l("dispatch deadline"),
    Stage.SIGN: _l("sign-for deadline"),
    Stage.FIRST_CONTACT: _l("first-contact deadline"),
    Stage.RESOLVE: _l("resolution deadline"),
}

#: Codes stored in an event's changes, shown as words.
CODE_LABELS = {
    "key_project": _l("the key project's task force"),
    "industry_chain": _l("the industry chain's task force"),
    "category": _l("the category's default task force"),
    "auto": _l("no answer from the enterprise within the confirmation period"),
}


_DATETIME_KEYS = {"resolve_due_at", "visited_at"}


def change_text(key: str, value) -> str:
    """One side of a recorded change as a reader should see it: words for codes and ratings,
    local time for moments, the value itself otherwise; a dash for nothing."""
    if value is None or value == "":
        return "—"
    if key in _DATETIME_KEYS:
        try:
            return local_datetime(datetime.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if key == "rating":
        return label(RATING_LABELS, value)
    if key in {"routing_rule", "close_reason"}:
        return label(CODE_LABELS, value)
    if key == "card":
        return label(CARD_LABELS, value)
    return str(value)


def status_label(status: Status | str) -> str:
    """The readable name of a ticket status, in the current language."""
    return str(TICKET_STATUS_LABELS[Status(status)])


def heading(text) -> str:
    """A label that starts a heading or a sentence: first letter capitalised (a no-op in
    Chinese)."""
    return str(text).capitalize()


def label(table: dict, value) -> str:
    """The label for ``value`` in ``table``, or the raw value when it has none."""
    if value is None:
        return ""
    text = table.get(value)
    return str(text) if text is not None else str(value)
