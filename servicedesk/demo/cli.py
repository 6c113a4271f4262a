"""``flask demo load``: fill an empty development database with the demonstration park."""

from __future__ import annotations

from collections import Counter

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from servicedesk.auth.models import User
from servicedesk.crud import Refused
from servicedesk.demo.build import DemoPark, build_park
from servicedesk.demo.park import DEMO_ACCOUNTS
from servicedesk.demo.stories import Stories
from servicedesk.extensions import db
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.rules import IllegalAction, Status

demo_cli = AppGroup("demo", help="Demonstration data.")

#: Refusals from the services, which would mean the demo data no longer fits the product's rules.
_REFUSALS = (Refused, IllegalAction)


@demo_cli.command("load")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has users."
)
def load_command(if_empty: bool) -> None:
    """Load the demonstration park (chains, task forces, enterprises, tickets) in one go."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException(
            "Refusing to load demo data: APP_ENV is production. Demo accounts share one "
            "known password and must never exist on a live system."
        )
    if db.session.scalar(select(func.count(User.id))):
        if if_empty:
            click.echo("database not empty, demo data not loaded")
            return
        raise click.ClickException(
            "The database already has users; demo data is only loaded into an empty database. "
            "Use --if-empty to skip quietly."
        )
    password = current_app.config["DEMO_PASSWORD"]
    try:
        park, tickets = load_demo(password)
        db.session.commit()
    except _REFUSALS as exc:
        db.session.rollback()
        raise click.ClickException(f"Demo data not loaded, nothing was saved: {exc}") from exc
    except Exception:
        db.session.rollback()
        raise
    _print_summary(park, tickets, password)


def load_demo(password: str) -> tuple[DemoPark, list[Ticket]]:
    """Build the park and tell the ticket stories (not committed); returns (park, tickets)."""
    park = build_park(password)
    tickets = Stories(park).tell_all()
    db.session.flush()
    return park, tickets


def _print_summary(park: DemoPark, tickets: list[Ticket], password: str) -> None:
    by_status = Counter(t.status for t in tickets)
    users = len(park.people) + len(park.contacts)
    click.echo(
        f"Demo data loaded: {len(park.chains)} industry chains, {len(park.task_forces)} task "
        f"forces, {len(park.enterprises)} enterprises, {len(park.projects)} key projects, "
        f"{len(park.categories)} categories, {users} users, {len(tickets)} tickets."
    )
    click.echo("Tickets by status: " + ", ".join(f"{s.value} {by_status[s]}" for s in Status))
    click.echo(f"Sign in with any of these accounts, password “{password}”:")
    for role, email in DEMO_ACCOUNTS.items():
        click.echo(f"  {role:<11} {email}")
