"""The preferences page: each person chooses e-mail and SMS per kind of message."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from servicedesk.auth.models import Role
from servicedesk.extensions import db
from servicedesk.notifications.forms import PreferencesForm, choice_value
from servicedesk.notifications.listeners import reachable
from servicedesk.notifications.preferences import choices, save_choices
from servicedesk.tickets.labels import CHANNEL_LABELS
from servicedesk.tickets.models import MESSAGE_CHANNELS

bp = Blueprint("notifications", __name__, url_prefix="/account")

_STAFF_ROLES = (Role.MEMBER, Role.LEAD, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    """Show and save the person's choices of channel per kind of message."""
    user = current_user._get_current_object()
    sms_available = reachable(user, "sms")
    current = choices(user)
    form = PreferencesForm(formdata=request.form if request.method == "POST" else None)
    topics = form.offer(user, sms_available)
    if form.validate_on_submit():
        wanted = form.pairs()
        if not sms_available:  # the SMS column was not offered: keep what was chosen before
            wanted |= {pair for pair, on in current.items() if on and pair[1] == "sms"}
        save_choices(user, wanted)
        db.session.commit()
        flash(_("Your notification choices are saved."), "success")
        return redirect(url_for("notifications.preferences"))
    if request.method == "POST":
        ticked = set(form.wanted.data or [])
    else:
        ticked = {choice_value(t, c) for (t, c), on in current.items() if on}
    return render_template(
        "notifications/preferences.html",
        form=form,
        topics=topics,
        channels=MESSAGE_CHANNELS,
        channel_labels=CHANNEL_LABELS,
        ticked=ticked,
        sms_available=sms_available,
        choice_value=choice_value,
        is_staff=user.has_role(*_STAFF_ROLES),
        is_supervisor=user.has_role(Role.SUPERVISOR),
    )
