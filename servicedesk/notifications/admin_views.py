"""Admin pages of the outbox: the delivery log with filters and retry."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SearchField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from servicedesk.auth.access import admin_required
from servicedesk.extensions import db
from servicedesk.forms import BaseForm, ascii_int, page_arg, within_calendar_years
from servicedesk.notifications import queries
from servicedesk.notifications.delivery import retry_failed
from servicedesk.notifications.labels import (
    DELIVERY_STATUS_LABELS,
    HOLD_LABELS,
    MESSAGE_KIND_LABELS,
    OUTCOME_LABELS,
)
from servicedesk.notifications.models import DeliveryStatus, Notification
from servicedesk.tickets.labels import (
    CARD_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    STAGE_LABELS,
    heading,
)
from servicedesk.tickets.models import MESSAGE_CHANNELS

bp = Blueprint("deliveries", __name__, url_prefix="/admin")

#: Retrying "all failed shown" touches at most this many rows at once.
MAX_BULK_RETRY = 1000

STATUS_COLOURS = {
    "pending": "info",
    "sending": "info",
    "sent": "success",
    "held": "warning",
    "folded": "success",
    "failed": "danger",
    "cancelled": "secondary",
}


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
    if len(reason.get("steps") or ()) > 1:  # one message for several deadlines of the ticket
        return "; ".join(escalation_step_text(*step) for step in reason["steps"])
    if reason.get("stage") and reason.get("level"):
        return escalation_step_text(reason["stage"], reason["level"], reason.get("repeat_no", 0))
    if reason.get("event"):
        return _("Ticket event: %(event)s", event=_label(EVENT_LABELS, reason["event"]))
    if "summarised" in reason:
        return _("Reminders about %(n)d tickets in one summary", n=len(reason["summarised"]))
    if "folded" in reason:
        return _("%(n)d held text messages folded into one", n=len(reason.get("folded") or ()))
    if reason:
        return ", ".join(f"{key}: {value}" for key, value in sorted(reason.items()))
    return _label(MESSAGE_KIND_LABELS, row.kind)


# --- the delivery log ----------------------------------------------------------------------


class DeliveryFilterForm(BaseForm):
    """The filters above the delivery log (sent with GET)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], default="")
    channel = SelectField(_l("Channel"), validators=[Optional()], default="")
    kind = SelectField(_l("Kind of message"), validators=[Optional()], default="")
    recipient = SearchField(
        _l("Recipient (name or e-mail)"), validators=[Optional(), Length(max=100)]
    )
    ticket = StringField(_l("Ticket reference"), validators=[Optional(), Length(max=20)])
    date_from = DateField(_l("Written from"), validators=[Optional(), within_calendar_years])
    date_to = DateField(_l("Written until"), validators=[Optional(), within_calendar_years])

    def offer(self, kinds: list[str]) -> None:
        """Fill the choices: every status, both channels, the kinds written so far."""
        self.status.choices = [
            ("", _l("— any status —")),
            *[(s.value, label) for s, label in DELIVERY_STATUS_LABELS.items()],
        ]
        self.channel.choices = [
            ("", _l("— any channel —")),
            *[(c.value, CHANNEL_LABELS[c]) for c in MESSAGE_CHANNELS],
        ]
        self.kind.choices = [
            ("", _l("— any kind —")),
            *[(k, notification_kind_label(k)) for k in kinds],
        ]

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

    def filters(self) -> queries.DeliveryFilters:
        """The valid filters that are set, for the delivery log's query."""
        return queries.DeliveryFilters(
            **{
                name: self.usable(name)
                for name in (
                    "status",
                    "channel",
                    "kind",
                    "recipient",
                    "ticket",
                    "date_from",
                    "date_to",
                )
            }
        )


class RetryForm(BaseForm):
    """The Retry button of one failed message."""

    notification_id = HiddenField(validators=[InputRequired()])

    def validate_notification_id(self, field: HiddenField) -> None:
        """A whole number."""
        if ascii_int(field.data) is None:
            raise ValidationError(_("This message does not exist."))


class BulkRetryForm(BaseForm):
    """The "retry every failed message shown" button (carries only the CSRF token)."""


def _filter_form() -> DeliveryFilterForm:
    form = DeliveryFilterForm(request.args)
    form.offer(queries.written_kinds())
    if request.args:
        form.validate()
    return form


@bp.route("/deliveries")
@admin_required
def index():
    """Every message in the outbox, newest first, filtered, each with its attempts."""
    form = _filter_form()
    page = db.paginate(
        queries.delivery_log(form.filters()),
        page=page_arg(),
        error_out=False,
        per_page=current_app.config.get("DELIVERIES_PER_PAGE", 50),
    )
    attempts = queries.attempts_by_message([row.id for row in page.items])
    tickets = queries.tickets_by_id(row.ticket_id for row in page.items if row.ticket_id)
    return render_template(
        "notifications/admin/deliveries.html",
        form=form,
        page=page,
        attempts=attempts,
        tickets=tickets,
        retry_form=RetryForm(),
        bulk_form=BulkRetryForm(),
    )


def _back_to_log():
    target = request.referrer or ""
    if target.startswith(request.host_url) and target[len(request.host_url) - 1 :].startswith(
        url_for("deliveries.index")
    ):
        return redirect(target)
    return redirect(url_for("deliveries.index"))


def _retry(notification_id: int) -> bool:

    return retry_failed(notification_id)  # enqueued right after the commit


@bp.route("/deliveries/retry", methods=["POST"])
@admin_required
def retry():
    """Send one failed message again: it becomes pending with a fresh attempt budget."""
    form = RetryForm()
    if not form.validate_on_submit():
        flash(_("Nothing was retried: the form was not valid. Please try again."), "danger")
    elif _retry(ascii_int(form.notification_id.data) or 0):
        db.session.commit()
        flash(_("The message will be sent again in a moment."), "success")
    else:
        db.session.rollback()
        flash(
            _(
                "This message cannot be retried: it is no longer failed, or it has no address "
                "(add an e-mail address or a mobile number to the person's account first)."
            ),
            "warning",
        )
    return _back_to_log()


@bp.route("/deliveries/retry-failed", methods=["POST"])
@admin_required
def retry_all():
    """Send again every failed message that matches the filters (at most a thousand)."""
    if not BulkRetryForm().validate_on_submit():
        flash(_("Nothing was retried: the form was not valid. Please try again."), "danger")
        return redirect(url_for("deliveries.index", **request.args))
    form = _filter_form()
    ids = queries.failed_ids(form.filters(), MAX_BULK_RETRY)
    retried = sum(1 for notification_id in ids if _retry(notification_id))
    db.session.commit()
    flash(_("%(n)d failed messages will be sent again in a moment.", n=retried), "success")
    return redirect(url_for("deliveries.index", **request.args))
