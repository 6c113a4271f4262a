"""The escalation ladder: cards and reminders for deadlines a task force is missing."""

from flask import Flask

from servicedesk.escalation.panels import TEMPLATE, reminders_panel
from servicedesk.escalation.sweep import escalation_still_due
from servicedesk.notifications.delivery import register_still_wanted
from servicedesk.tickets.panels import register_panel


def init_escalation(app: Flask) -> None:
    """Tell the notifications room which escalation messages are still worth sending, and put
    the reminders panel on the ticket page."""

    register_still_wanted(app, "escalation", escalation_still_due)
    register_panel(app, "reminders", TEMPLATE, reminders_panel)
