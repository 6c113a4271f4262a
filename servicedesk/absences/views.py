"""Absence pages: one's own (under the account), a lead's team and, for an admin, everyone's;
each lists the absences still going on or to come and records a new one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from servicedesk.absences.forms import AbsenceForm, CancelAbsenceForm, OwnAbsenceForm
from servicedesk.absences.queries import STAFF_ROLES, absence_or_none, absences_of
from servicedesk.absences.services import (
    cancel_absence,
    deputies_offered,
    deputy_candidates,
    may_record_for,
    people_recordable_by,
    record_absence,
)
from servicedesk.auth.access import roles_required
from servicedesk.auth.models import Role, User
from servicedesk.clock import utcnow
from servicedesk.crud import Refused, save_or_refuse
from servicedesk.extensions import db
from servicedesk.i18n import local_datetime

bp = Blueprint("absences", __name__)


def _recorded(absence) -> str:
    return _(
        "%(name)s is away from %(start)s until %(end)s; %(deputy)s stands in.",
        name=absence.user.name,
        start=local_datetime(absence.starts_at),
        end=local_datetime(absence.ends_at),
        deputy=absence.deputy.name,
    )


def _one_of(people: list[User], person_id: int | None) -> User | None:
    """The person chosen in a select among those offered (the select refuses any other)."""
    return next((p for p in people if p.id == person_id), None)


def _chosen(person: User | None) -> User:
    if person is None:  # the select refused it before the service is called
        raise Refused(_("Please choose one of the listed options."), "person")
    return person


def _page(form: AbsenceForm, person: User | None, deputies: list[User], **page):
    """Record the absence the form describes, or show the page with the form."""
    return save_or_refuse(
        form,
        lambda: record_absence(
            current_user,
            _chosen(person),
            deputy=_one_of(deputies, form.deputy.data),
            note=form.note.data,
            **form.times(),
        ),
        saved=_recorded,
        next_url=lambda _absence: request.path,
        now=utcnow(),
        cancel_form=CancelAbsenceForm(formdata=None),
        **page,
    )


@bp.route("/account/absences", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def mine():
    """One's own absences, and a form to record one."""
    deputies = deputy_candidates(current_user, current_user)
    form = OwnAbsenceForm()
    form.set_choices(None, deputies)
    return _page(
        form,
        current_user,
        deputies,
        template="absences/mine.html",
        absences=absences_of([current_user], utcnow()),
    )


@bp.route("/absences/", methods=["GET", "POST"])
@roles_required(Role.LEAD, Role.ADMIN)
def team():
    """A lead's members (an admin: the whole staff) and their absences; record one for any."""
    people = people_recordable_by(current_user)
    # Every deputy of any of these people is offered; the service checks the pair.
    deputies = deputies_offered(current_user, people)
    form = AbsenceForm()
    form.set_choices(people, deputies)
    return _page(
        form,
        _one_of(people, form.person.data),
        deputies,
        template="absences/team.html",
        absences=absences_of(people, utcnow()),
    )


@bp.route("/absences/<int:absence_id>/cancel", methods=["POST"])
@roles_required(*STAFF_ROLES)
def cancel(absence_id: int):
    """End an absence now, or delete it when it has not begun."""
    absence = absence_or_none(absence_id)
    if absence is None or not may_record_for(current_user, absence.user):
        abort(404)
    own = absence.user_id == current_user.id
    name = absence.user.name
    if CancelAbsenceForm().validate_on_submit():
        try:
            deleted = cancel_absence(current_user, absence)
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "warning")
        else:
            db.session.commit()
            if deleted:
                flash(_("The absence of %(name)s was deleted.", name=name), "success")
            else:
                flash(
                    _("%(name)s is back: messages go to them again from now on.", name=name),
                    "success",
                )
    return redirect(url_for("absences.mine" if own else "absences.team"))
