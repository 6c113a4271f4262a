"""Absences and deputies (不在岗与代理): while a staff member is away, the reminders and
notices addressed to them go to their deputy (following the deputy's own absence in turn),
and the ticket page says who is covering. Notifications and escalation ask
:func:`~servicedesk.absences.queries.stand_ins_at` whom to address."""

from flask import Flask

from servicedesk.absences.panels import TEMPLATE, cover_panel
from servicedesk.tickets.panels import register_panel


def init_absences(app: Flask) -> None:
    """Put the cover note on the ticket page, beside the ticket's facts."""
    register_panel(app, "absences", TEMPLATE, cover_panel, slot="side")
