"""``flask tickets ...``: housekeeping an operator may run by hand or from cron."""

import click
from flask.cli import AppGroup

from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.tickets.closing import auto_close, tickets_to_auto_close

tickets_cli = AppGroup("tickets", help="Ticket housekeeping.")


@tickets_cli.command("auto-close")
def auto_close_command():
    """Close resolved tickets the enterprise has not answered within the confirmation period."""
    closed = []
    for ticket in tickets_to_auto_close(utcnow()):
        auto_close(ticket)
        closed.append(ticket.reference)
    db.session.commit()
    click.echo(f"Auto-closed {len(closed)} ticket(s){': ' if closed else '.'}{', '.join(closed)}")
