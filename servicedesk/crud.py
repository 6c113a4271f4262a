"""What every admin page that saves a form shares: the refusal a service raises, and the one
way a view turns a service call into a commit, a flash and a redirect, or a refused form.

Services raise :class:`Refused`; they never see the request. Views call :func:`save_or_refuse`,
or, for the create and edit pages of one kind of row, :meth:`FormPages.save`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

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


@dataclass(frozen=True)
class FormPages:
    """The create page and the edit page of one kind of row: one template, which knows the row
    as ``row_name``; one page to go on to once the row is saved; one refusal for a unique-key
    race."""

    template: str
    row_name: str
    next_url: Callable[[Any], str]
    conflict: Refused | None = None

    def save(
        self,
        form,
        change: Callable[[], Any],
        *,
        saved: Callable[[Any], str],
        row: Any = None,
        **context,
    ):
        """:func:`save_or_refuse` for this kind of row: ``change()`` creates a row and returns it,
        or changes ``row`` (the one being edited; None on the create page). ``saved`` and
        ``next_url`` are given the row created or edited."""

        def change_row():
            changed = change()
            return row if changed is None else changed

        return save_or_refuse(
            form,
            change_row,
            saved=saved,
            next_url=self.next_url,
            template=self.template,
            conflict=self.conflict,
            **{self.row_name: row},
            **context,
        )
