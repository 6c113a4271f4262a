"""The admin's health page of the background work: queues, the last sweep, outbox, workers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l

from servicedesk.auth.access import admin_required
from servicedesk.extensions import db
from servicedesk.jobs import health as background

bp = Blueprint("jobs", __name__, url_prefix="/admin")

WORKER_STATES = {
    "idle": _l("idle"),
    "busy": _l("busy"),
    "started": _l("started"),
    "suspended": _l("suspended"),
}


def _epoch(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)


def _worker_state(state: object) -> str:
    # RQ reports a state as "idle" or as "WorkerStatus.IDLE", depending on where it came from.
    name = str(state).rsplit(".", 1)[-1].lower()
    return str(WORKER_STATES.get(name, name))


@bp.route("/health")
@admin_required
def health():
    """Queues, the last sweep, the outbox and the workers, readably."""
    try:
        report = background.health_report()
    except Exception as exc:  # the page must say what is wrong, not fail with it
        current_app.logger.exception("health report failed")
        db.session.rollback()
        return render_template("jobs/health.html", report=None, failure=str(exc)), 200
    interval = current_app.config["SWEEP_INTERVAL_SECONDS"]
    last = report.get("last_sweep")
    sweep_fresh = bool(
        last
        and last.get("finished_at")
        and report["now"] - last["finished_at"] < timedelta(seconds=3 * interval)
    )
    schedulers = {name: _epoch(beat) for name, beat in (report.get("schedulers") or {}).items()}
    workers = [{**w, "state": _worker_state(w["state"])} for w in report.get("workers") or []]
    return render_template(
        "jobs/health.html",
        report=report,
        failure=None,
        sweep_fresh=sweep_fresh,
        interval=interval,
        schedulers=schedulers,
        workers=workers,
        last_fired=_epoch(report.get("last_sweep_fired")),
    )
