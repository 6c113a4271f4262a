"""Route guards. Whoever may not see a thing is told it does not exist (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from servicedesk.auth.models import Role


def roles_required(*roles: Role) -> Callable:
    """Sign-in required; then 404 unless the user holds one of ``roles``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = roles_required(Role.ADMIN)
