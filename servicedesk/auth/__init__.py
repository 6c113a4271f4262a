"""People, roles, sign-in and the access rules every other room relies on."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from servicedesk.auth.cli import users_cli
from servicedesk.auth.models import User
from servicedesk.auth.views import bp
from servicedesk.extensions import db, login_manager
from servicedesk.forms import ascii_int


def init_auth(app: Flask) -> None:

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        number = ascii_int(user_id)
        return None if number is None else db.session.get(User, number)

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
