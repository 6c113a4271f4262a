"""Admin pages of the outbox: the delivery log with filters and retry, and the health page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import Select, distinct, or_, select
from sqlalchemy.orm import selectinload
from wtforms import DateField, HiddenField, SearchField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from servicedesk.auth.access import admin_required
from servicedesk.auth.models import User
from servicedesk.clock import park_zone
from servicedesk.extensions import db
from servicedesk.notifications.labels import (
    DELIVERY_STATUS_LABELS,
    HOLD_LABELS,
    MESSAGE_KIND_LABELS,
    OUTCOME_LABELS,
)
from servicedesk.notifications.models import DeliveryAttempt, DeliveryStatus, Notification
from servicedesk.tickets.labels import (
    CARD_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    STAGE_LABELS,
    heading,
)
from servicedesk.tickets.models import MESSAGE_CHANNELS, Ticket

bp = Blueprint("deliveries", __name__, url_prefix="/admin")

#: Retrying "all failed shown" touches at most this many rows at once.
MAX_BULK_RETRY = 1000

STATUS_COLOURS = {"pending": "info", "sending": "info", "sent": "success", "held": "warning",
                  "folded": "success", "failed": "danger", "cancelled": "secondary"}
WORKER_STATES = {"idle": _l("idle"), "busy": _l("busy"), "started": _l("started"),
                 "suspended": _l("suspended")}


def _label(table: dict, value) -> str:
    for key, text in table.items():
        if key == value:
            return str(text)
    return "" if value is None else str(value)


@bp.app_template_global()
def delivery_status_label(status: str) -> str:
    """The readable name of an outbox status."""
    return _label(DELIVERY_STATUS_LABELS, status)


@bp.app_template_global()
def delivery_status_colour(status: str) -> str:
    """The Bootstrap colour of an outbox status badge."""
    return STATUS_COLOURS.get(status, "secondary")


@bp.app_template_global()
def notification_kind_label(kind: str) -> str:
    """The readable name of a kind of message."""
    return _label(MESSAGE_KIND_LABELS, kind)


@bp.app_template_global()
def delivery_channel_label(channel: str) -> str:
    """E-mail or SMS, in the reader's language."""
    return _label(CHANNEL_LABELS, channel)


@bp.app_template_global()
def delivery_outcome_label(outcome: str) -> str:
    """The readable outcome of one delivery attempt."""
    return _label(OUTCOME_LABELS, outcome)


@bp.app_template_global()
def notification_problem(row: Notification) -> str:
    """The last error, or why the message is held; empty when there is neither."""
    if row.status == DeliveryStatus.HELD and row.hold_reason:
        return _label(HOLD_LABELS, row.hold_reason)
    return row.last_error or ""


@bp.app_template_global()
def escalation_step_text(stage: str, level: str, repeat_no: int = 0) -> str:
    """One step of the ladder in words: "Resolution deadline · Yellow card"."""
    deadline = heading(_label(STAGE_LABELS, stage))
    if level == "repeat":
        return _("%(deadline)s · daily reminder no. %(n)s", deadline=deadline, n=repeat_no)
    return _("%(deadline)s · %(step)s", deadline=deadline, step=_label(CARD_LABELS, level))


@bp.app_template_global()
def notification_why(row: Notification) -> str:
    """Why the message exists, from its ``reason``: the ladder step, or the ticket event."""
    reason = row.reason or {}
    if reason.get("stage") and reason.get("level"):
        return escalation_step_text(reason["stage"], reason["level"],
                                    reason.get("repeat_no", 0))
    if reason.get("event"):
        return _("Ticket event: %(event)s", event=_label(EVENT_LABELS, reason["event"]))
    if "folded" in reason:
        return _("%(n)d held text messages folded into one",
                 n=len(reason.get("folded") or ()))
    if reason:
        return ", ".join(f"{key}: {value}" for key, value in sorted(reason.items()))
    return _label(MESSAGE_KIND_LABELS, row.kind)


# --- the delivery log ----------------------------------------------------------------------

class DeliveryFilterForm(FlaskForm):
    """The filters above the delivery log (sent with GET)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], default="")
    channel = SelectField(_l("Channel"), validators=[Optional()], default="")
    kind = SelectField(_l("Kind of message"), validators=[Optional()], default="")
    recipient = SearchField(_l("Recipient (name or e-mail)"),
                            validators=[Optional(), Length(max=100)])
    ticket = StringField(_l("Ticket reference"), validators=[Optional(), Length(max=20)])
    date_from = DateField(_l("Written from"), validators=[Optional()])
    date_to = DateField(_l("Written until"), validators=[Optional()])

    def offer(self, kinds: list[str]) -> None:
        """Fill the choices: every status, both channels, the kinds written so far."""
        self.status.choices = [("", _l("— any status —")),
                               *[(s.value, label) for s, label in DELIVERY_STATUS_LABELS.items()]]
        self.channel.choices = [("", _l("— any channel —")),
                                *[(c.value, CHANNEL_LABELS[c]) for c in MESSAGE_CHANNELS]]
        self.kind.choices = [("", _l("— any kind —")),
                             *[(k, notification_kind_label(k)) for k in kinds]]

    def validate_date_to(self, field: DateField) -> None:
        """The range may not end before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end of the range is before its start."))

    def usable(self, name: str):
        """A filter's value when it is valid and set, else None."""
        field = getattr(self, name)
        if field.errors or field.process_errors:
            return None
        return field.data or None


class RetryForm(FlaskForm):
    """The Retry button of one failed message."""

    notification_id = HiddenField(validators=[InputRequired()])

    def validate_notification_id(self, field: HiddenField) -> None:
        """A whole number."""
        if not str(field.data).isdigit():
            raise ValidationError(_("This message does not exist."))


class BulkRetryForm(FlaskForm):
    """The "retry every failed message shown" button (carries only the CSRF token)."""


def _local_day_start(day: date) -> datetime:
    zone = park_zone()
    return datetime.combine(day, time.min, zone).astimezone(UTC).replace(tzinfo=None)


def _filter_form() -> DeliveryFilterForm:
    form = DeliveryFilterForm(request.args)
    form.offer(list(db.session.scalars(select(distinct(Notification.kind))
                                       .order_by(Notification.kind))))
    if request.args:
        form.validate()
    return form


def _filtered(form: DeliveryFilterForm, query: Select) -> Select:
    """``query`` (over the outbox) narrowed to the rows the filters ask for."""
    query = (query.join(User, User.id == Notification.recipient_id)
             .outerjoin(Ticket, Ticket.id == Notification.ticket_id))
    for name, column in (("status", Notification.status), ("channel", Notification.channel),
                         ("kind", Notification.kind)):
        value = form.usable(name)
        if value:
            query = query.where(column == value)
    recipient = form.usable("recipient")
    if recipient:
        pattern = f"%{_escape_like(recipient.strip())}%"
        query = query.where(or_(User.name.ilike(pattern, escape="\\"),
                                User.email.ilike(pattern, escape="\\"),
                                Notification.address.ilike(pattern, escape="\\")))
    reference = form.usable("ticket")
    if reference:
        query = query.where(Ticket.reference == reference.strip().upper())
    start, end = form.usable("date_from"), form.usable("date_to")
    if start:
        query = query.where(Notification.created_at >= _local_day_start(start))
    if end:
        query = query.where(Notification.created_at
                            < _local_day_start(end + timedelta(days=1)))
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


@bp.route("/deliveries")
@admin_required
def index():
    """Every message in the outbox, newest first, filtered, each with its attempts."""
    form = _filter_form()
    query = (_filtered(form, select(Notification).options(selectinload(Notification.recipient)))
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    page = db.paginate(query, page=_page_number(), error_out=False,
                       per_page=current_app.config.get("DELIVERIES_PER_PAGE", 50))
    ids = [row.id for row in page.items]
    attempts: dict[int, list[DeliveryAttempt]] = {}
    if ids:
        for attempt in db.session.scalars(
                select(DeliveryAttempt).where(DeliveryAttempt.notification_id.in_(ids))
                .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)):
            attempts.setdefault(attempt.notification_id, []).append(attempt)
    tickets = {t.id: t for t in db.session.scalars(select(Ticket).where(
        Ticket.id.in_({row.ticket_id for row in page.items if row.ticket_id})))}
    return render_template("notifications/admin/deliveries.html", form=form, page=page,
                           attempts=attempts, tickets=tickets, retry_form=RetryForm(),
                           bulk_form=BulkRetryForm())


def _back_to_log():
    target = request.referrer or ""
    if target.startswith(request.host_url) and \
            target[len(request.host_url) - 1:].startswith(url_for("deliveries.index")):
        return redirect(target)
    return redirect(url_for("deliveries.index"))


def _retry(notification_id: int) -> bool:
    from servicedesk.notifications.delivery import retry_failed

    return retry_failed(notification_id)  # enqueued right after the commit


@bp.route("/deliveries/retry", methods=["POST"])
@admin_required
def retry():
    """Send one failed message again: it becomes pending with a fresh attempt budget."""
    form = RetryForm()
    if not form.validate_on_submit():
        flash(_("Nothing was retried: the form was not valid. Please try again."), "danger")
    elif _retry(int(form.notification_id.data)):
        db.session.commit()
        flash(_("The message will be sent again in a moment."), "success")
    else:
        db.session.rollback()
        flash(_("This message cannot be retried: it is no longer failed, or it has no address "
                "(add an e-mail address or a mobile number to the person's account first)."),
              "warning")
    return _back_to_log()


@bp.route("/deliveries/retry-failed", methods=["POST"])
@admin_required
def retry_all():
    """Send again every failed message that matches the filters (at most a thousand)."""
    if not BulkRetryForm().validate_on_submit():
        flash(_("Nothing was retried: the form was not valid. Please try again."), "danger")
        return redirect(url_for("deliveries.index", **request.args))
    form = _filter_form()
    ids = list(db.session.scalars(
        _filtered(form, select(Notification.id))
        .where(Notification.status == DeliveryStatus.FAILED.value)
        .order_by(Notification.id).limit(MAX_BULK_RETRY)))
    retried = sum(1 for notification_id in ids if _retry(notification_id))
    db.session.commit()
    flash(_("%(n)d failed messages will be sent again in a moment.", n=retried), "success")
    return redirect(url_for("deliveries.index", **request.args))


# --- health --------------------------------------------------------------------------------

def _epoch(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)


@bp.route("/health")
@admin_required
def health():
    """Queues, the last sweep, the outbox and the workers, readably."""
    from servicedesk.jobs.health import health_report

    try:
        report = health_report()
    except Exception as exc:  # the page must say what is wrong, not fail with it
        current_app.logger.exception("health report failed")
        db.session.rollback()
        return render_template("notifications/admin/health.html", report=None,
                               failure=str(exc)), 200
    interval = current_app.config["SWEEP_INTERVAL_SECONDS"]
    last = report.get("last_sweep")
    sweep_fresh = bool(last and last.get("finished_at")
                       and report["now"] - last["finished_at"]
                       < timedelta(seconds=3 * interval))
    schedulers = {name: _epoch(beat) for name, beat in (report.get("schedulers") or {}).items()}
    # RQ reports a state as "idle" or as "WorkerStatus.IDLE", depending on where it came from.
    workers = [{**w, "state": _label(WORKER_STATES, str(w["state"]).rsplit(".", 1)[-1].lower())}
               for w in report.get("workers") or []]
    return render_template("notifications/admin/health.html", report=report, failure=None,
                           sweep_fresh=sweep_fresh, interval=interval, schedulers=schedulers,
                           workers=workers, last_fired=_epoch(report.get("last_sweep_fired")))
