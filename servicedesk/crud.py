"""What every admin page that saves a form shares: the refusal a service raises, and the one
way a view turns a service call into a commit, a flash and a redirect, or a refused form.

Services raise :class:`Refused`; they never see the request. Views call :func:`save_or_refuse`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, render_template
from sqlalchemy.exc import IntegrityError

from servicedesk.extensions import db

T = TypeVar("T")


class Refused(ValueError):
    """A readable reason why a change was refused; ``field`` names the form field it belongs to
    (None: the form as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def show_refusal(form, exc: Exception) -> None:
    """Put a service's refusal on the form: on its field when it names one, else on top."""
    field = getattr(form, getattr(exc, "field", None) or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def save_or_refuse(
    form,
    change: Callable[[], T],
    *,
    saved: Callable[[T], str],
    next_url: Callable[[T], str],
    template: str,
    conflict: Refused | None = None,
    **context,
):
    """The admin form page: when the form validates, run ``change()`` (one service call) and
    commit, flash ``saved(result)`` and redirect to ``next_url(result)``. On :class:`Refused`
    roll back and show it on its field or on top of the form; on a unique-key race (someone
    saved the same a moment ago) show ``conflict`` the same way. Otherwise render ``template``."""
    if form.validate_on_submit():
        try:
            result = change()
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            show_refusal(form, exc)
        except IntegrityError:
            db.session.rollback()
            if conflict is None:
                raise
            show_refusal(form, conflict)
        else:
            flash(saved(result), "success")
            return redirect(next_url(result))
    return render_template(template, form=form, **context)
