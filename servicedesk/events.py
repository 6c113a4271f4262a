"""The domain's signals (blinker, through Flask), each documented with its sender and arguments.

Signals are sent after the change is complete: a receiver sees the final state, inside the
transaction that made it (flushed, not yet committed). Receivers must not change what they are
told about, and anything that talks to the outside world (e-mail, SMS, jobs) must wait for the
commit: queue it with :mod:`servicedesk.aftercommit`.
"""

from blinker import Namespace

_signals = Namespace()

ticket_changed = _signals.signal(
    "ticket-changed",
    doc="""
Sent once per timeline entry, when a ticket service has finished changing the ticket.

The *sender* is the :class:`~servicedesk.tickets.models.Ticket`, already in its new state (new
status, task force, assignee, deadlines, ``next_due_at``). ``event`` is the
:class:`~servicedesk.tickets.models.TicketEvent` just appended (flushed, so it has an id); its
``created_at`` is the moment of the change, ``from_status`` / ``to_status`` the move, and
``changes`` what else changed as ``{"field": [before, after]}`` plus details a listener needs:
``working_days`` and ``extension_request_id`` on extension events (and the moved
``resolve_due_at`` when approved), ``routing_rule`` on automatic dispatch, ``close_reason``
``"auto"`` on automatic closing.
""",
)
