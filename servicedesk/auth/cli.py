"""``flask users ...``: manage accounts from the command line."""

import click
from flask.cli import AppGroup

from servicedesk.auth.models import Role
from servicedesk.auth.services import create_user
from servicedesk.crud import Refused
from servicedesk.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name shown to others.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--enterprise-id", type=int, default=None, help="For enterprise contacts.")
@click.option("--mobile", default=None)
def create_command(email, name, roles, password, enterprise_id, mobile):
    """Create a user account with the given roles."""
    try:
        user = create_user(
            email,
            name,
            password,
            {Role(r) for r in roles},
            enterprise_id=enterprise_id,
            mobile=mobile,
        )
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} with roles {', '.join(sorted(roles))}.")
