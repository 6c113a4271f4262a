"""State changes for people: create, deactivate, change passwords."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from servicedesk.auth.models import Role, User, user_by_email
from servicedesk.clock import utcnow
from servicedesk.extensions import db

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A readable reason why an account change was refused."""


def normalise_email(email: str) -> str:
    """The e-mail address in canonical lower-case form; raises AccountError when invalid."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(_("“%(email)s” is not a valid e-mail address.", email=email)) from exc


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is too weak, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if password.isdigit():
        return _("A password cannot be digits only.")
    if email and password.lower() == email.lower():
        return _("A password cannot be the e-mail address.")
    return None


def create_user(
    email: str,
    name: str,
    password: str,
    roles: set[Role] | list[Role],
    *,
    mobile: str | None = None,
    enterprise_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Add a user (not committed). Raises AccountError for a taken address or a weak password."""
    email = normalise_email(email)
    if user_by_email(email):
        raise AccountError(_("There is already an account for %(email)s.", email=email))
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    roles = {Role(r) for r in roles}
    if Role.ENTERPRISE_CONTACT in roles and enterprise_id is None:
        raise AccountError(_("An enterprise contact must belong to an enterprise."))
    user = User(email=email, name=name.strip(), mobile=mobile, enterprise_id=enterprise_id,
                locale=locale)
    user.set_password(password)
    user.set_roles(roles)
    db.session.add(user)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the user's own password after checking the current one."""
    if not user.check_password(current_password):
        raise AccountError(_("The current password is not correct."))
    problem = password_problem(new_password, user.email)
    if problem:
        raise AccountError(problem)
    user.set_password(new_password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Records the sign-in time."""
    user = user_by_email(email or "")
    if user is None or not user.active or not user.check_password(password or ""):
        return None
    user.last_login_at = utcnow()
    return user


def set_active(actor: User, user: User, active: bool) -> None:
    """Activate or deactivate an account; an admin cannot lock themselves out."""
    if actor.id == user.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    user.active = active
