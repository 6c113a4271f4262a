"""The domain's signals (blinker, through Flask). Listeners must not change the ticket.

``ticket_changed``
    sender: the :class:`~servicedesk.tickets.models.Ticket`;
    ``event``: the :class:`~servicedesk.tickets.models.TicketEvent` just appended (flushed, not
    yet committed). Sent once per timeline entry. Anything that talks to the outside world
    (e-mail, SMS, jobs) must wait for the commit, e.g. by collecting ids here and acting in an
    ``after_commit`` hook.
"""

from blinker import Namespace

_signals = Namespace()

ticket_changed = _signals.signal("ticket-changed")
