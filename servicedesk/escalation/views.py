"""Admin pages of the escalation ladder: the rungs in force per stage, edit one, reset a stage."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from servicedesk.auth.access import admin_required
from servicedesk.escalation import services
from servicedesk.escalation.forms import (
    AUDIENCE_LABELS,
    RepeatForm,
    RungForm,
    form_for,
)
from servicedesk.escalation.labels import LEVEL_LABELS
from servicedesk.escalation.models import Level, Stage
from servicedesk.extensions import db
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.sla.forms import ConfirmForm, minutes_to_hours
from servicedesk.tickets.labels import CHANNEL_LABELS, STAGE_LABELS

bp = Blueprint("escalation", __name__, url_prefix="/admin/escalation")


def _stage_or_404(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        abort(404)


def _level_or_404(value: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        abort(404)


def _labels() -> dict:
    return {
        "stage_labels": STAGE_LABELS,
        "level_labels": LEVEL_LABELS,
        "audience_labels": AUDIENCE_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "hours": minutes_to_hours,
    }


@bp.route("")
@admin_required
def ladder():
    """Each stage's rungs as the sweep applies them, from the admin's rows or the defaults."""
    minutes_per_day = load_calendar().minutes_per_day
    return render_template(
        "escalation/ladder.html",
        ladder=services.ladder_in_force(minutes_per_day),
        reset_form=ConfirmForm(),
        minutes_per_day=minutes_per_day,
        **_labels(),
    )


@bp.route("/<stage>/<level>/edit", methods=["GET", "POST"])
@admin_required
def edit_step(stage: str, level: str):
    """Set when one rung fires, who hears it and on which channels."""
    stage, level = _stage_or_404(stage), _level_or_404(level)
    minutes_per_day = load_calendar().minutes_per_day
    rung, active = services.rung_to_edit(stage, level, minutes_per_day)
    form = form_for(level)()
    if request.method == "GET":
        form.fill(rung, active)
    if form.validate_on_submit():
        try:
            services.save_step(
                current_user, stage, level, form.rung(level), form.active.data, minutes_per_day
            )
        except services.LadderError as exc:
            db.session.rollback()
            _threshold_field(form).errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _("The step is saved. The sweep applies it to open tickets on its next pass."),
                "success",
            )
            return redirect(url_for("escalation.ladder"))
    return render_template(
        "escalation/step_form.html",
        form=form,
        stage=stage,
        level=level,
        is_default=not services.stage_rows(stage),
        minutes_per_day=minutes_per_day,
        **_labels(),
    )


def _threshold_field(form: RungForm | RepeatForm):
    if isinstance(form, RepeatForm):
        return form.every_days
    return form.percent if form.trigger.data == "share_used" else form.hours


@bp.route("/<stage>/reset", methods=["POST"])
@admin_required
def reset_stage(stage: str):
    """Drop a stage's own rungs so DOMAIN.md's defaults apply again."""
    stage = _stage_or_404(stage)
    if ConfirmForm().validate_on_submit():
        services.reset_stage(current_user, stage)
        db.session.commit()
        flash(
            _(
                "The “%(stage)s” stage uses the default steps again. The sweep applies them "
                "on its next pass.",
                stage=STAGE_LABELS[stage],
            ),
            "success",
        )
    return redirect(url_for("escalation.ladder"))
