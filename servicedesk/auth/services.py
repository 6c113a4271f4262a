"""State changes for people: create, deactivate, change passwords."""

from __future__ import annotations

from typing import Required, TypedDict, Unpack

import email_validator
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from servicedesk.auth.models import Role, User, user_by_email
from servicedesk.clock import utcnow
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.validators import is_mobile, normalise_mobile

MIN_PASSWORD_LENGTH = 8

# Park intranets often run mail on a ``.local`` domain (so do the demo accounts); email-validator
# refuses that special-use name unless it is taken off its documented module-level list.
if "local" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("local")


def normalise_email(email: str) -> str:
    """The e-mail address in canonical lower-case form; raises Refused when invalid."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Refused(_("“%(email)s” is not a valid e-mail address.", email=email)) from exc


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
    """Add a user (not committed). Raises Refused for a taken address or a weak password."""
    email = normalise_email(email)
    if user_by_email(email):
        raise Refused(_("There is already an account for %(email)s.", email=email))
    problem = password_problem(password, email)
    if problem:
        raise Refused(problem)
    roles = {Role(r) for r in roles}
    if Role.ENTERPRISE_CONTACT in roles and enterprise_id is None:
        raise Refused(_("An enterprise contact must belong to an enterprise."))
    user = User(
        email=email, name=name.strip(), mobile=mobile, enterprise_id=enterprise_id, locale=locale
    )
    user.set_password(password)
    user.set_roles(roles)
    db.session.add(user)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the user's own password after checking the current one."""
    if not user.check_password(current_password):
        raise Refused(_("The current password is not correct."))
    problem = password_problem(new_password, user.email)
    if problem:
        raise Refused(problem)
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
        raise Refused(_("You cannot deactivate your own account."))
    user.active = active


# --- administration of accounts (the admin pages call these) ---------------------------------

#: Roles that may belong to task forces.
_TASK_FORCE_ROLES = frozenset({Role.MEMBER, Role.LEAD})


class AccountDetails(TypedDict, total=False):
    """What an admin sets on an account, the keywords of :func:`admin_create_user` and
    :func:`update_user`. Left out: no mobile number, no enterprise."""

    email: Required[str]
    name: Required[str]
    roles: Required[set[Role] | list[Role]]
    mobile: str | None
    enterprise_id: int | None


def _check_account(
    actor: User, user: User | None, details: AccountDetails, in_task_forces: bool
) -> tuple[str, set[Role]]:
    """Apply the admin rules for an account (``user``; None: a new one) that is about to be put
    in task forces or not; returns the normalised e-mail address and roles."""
    roles = {Role(r) for r in details["roles"]}
    enterprise_id = details.get("enterprise_id")
    try:
        email = normalise_email(details["email"])
    except Refused as exc:
        raise Refused(str(exc), "email") from exc
    holder = user_by_email(email)
    if holder is not None and holder is not user:
        raise Refused(_("There is already an account for %(email)s.", email=email), "email")
    if not roles:
        raise Refused(_("Please choose at least one role."), "roles")
    if Role.ENTERPRISE_CONTACT in roles and len(roles) > 1:
        raise Refused(
            _(
                "An enterprise contact cannot hold staff roles as well; "
                "please create a separate account for the staff work."
            ),
            "roles",
        )
    if Role.ENTERPRISE_CONTACT in roles and enterprise_id is None:
        raise Refused(_("An enterprise contact must belong to an enterprise."), "enterprise_id")
    if Role.ENTERPRISE_CONTACT not in roles and enterprise_id is not None:
        raise Refused(
            _(
                "Only enterprise contacts belong to an enterprise; "
                "choose the enterprise-contact role or no enterprise."
            ),
            "enterprise_id",
        )
    if in_task_forces and not roles & _TASK_FORCE_ROLES:
        raise Refused(
            _("Only task-force members and leads can belong to task forces."), "task_force_ids"
        )
    if user is not None and actor.id == user.id and Role.ADMIN not in roles:
        raise Refused(_("You cannot take the administrator role from yourself."), "roles")
    return email, roles


def _clean_mobile(mobile: str | None) -> str | None:
    if not mobile or not mobile.strip():
        return None
    if not is_mobile(mobile):
        raise Refused(_("Please enter a mainland mobile number such as 138 0013 8000."), "mobile")
    return normalise_mobile(mobile)


def admin_create_user(
    actor: User,
    *,
    password: str,
    in_task_forces: bool = False,
    **details: Unpack[AccountDetails],
) -> User:
    """An admin adds an account (not committed), to be put in task forces or not; the mobile
    number is stored normalised."""
    email, roles = _check_account(actor, None, details, in_task_forces)
    problem = password_problem(password, email)
    if problem:
        raise Refused(problem, "password")
    return create_user(
        email,
        details["name"],
        password,
        roles,
        mobile=_clean_mobile(details.get("mobile")),
        enterprise_id=details.get("enterprise_id"),
    )


def update_user(
    actor: User, user: User, *, in_task_forces: bool = False, **details: Unpack[AccountDetails]
) -> None:
    """An admin changes an account's address, name, mobile, roles and enterprise; it is to be
    in task forces or not."""
    email, roles = _check_account(actor, user, details, in_task_forces)
    user.email = email
    user.name = details["name"].strip()
    user.mobile = _clean_mobile(details.get("mobile"))
    user.enterprise_id = details.get("enterprise_id")
    user.set_roles(roles)


def update_own_settings(
    user: User, *, name: str, mobile: str | None, locale: str | None, languages: list[str]
) -> None:
    """Someone changes their own name, mobile number and language (one of ``languages``, or
    none to follow the browser); not committed. The mobile number is stored normalised."""
    name = (name or "").strip()
    if not name:
        raise Refused(_("Please enter your full name."), "name")
    if locale and locale not in languages:
        raise Refused(_("Please choose one of the listed options."), "locale")
    user.name = name
    user.mobile = _clean_mobile(mobile)
    user.locale = locale or None


def reset_password(actor: User, user: User, new_password: str) -> None:
    """An admin sets a new password for someone who lost theirs."""
    problem = password_problem(new_password, user.email)
    if problem:
        raise Refused(problem, "password")
    user.set_password(new_password)
