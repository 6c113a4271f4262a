"""How the background side is doing: queues, the last sweep, failed rows, heartbeats."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from rq import Worker
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from servicedesk.clock import utcnow
from servicedesk.escalation.models import SweepRun
from servicedesk.extensions import db
from servicedesk.jobs.queues import WORKER_QUEUES, queue, redis_connection
from servicedesk.jobs.scheduler import HEARTBEAT_KEY, LAST_FIRED_KEY
from servicedesk.notifications.models import DeliveryStatus, Notification


def _redis_part(report: dict) -> None:

    connection = redis_connection()
    report["redis"] = {"configured": connection is not None, "reachable": False}
    if connection is None:
        return
    try:
        connection.ping()
    except Exception as exc:
        report["redis"]["error"] = str(exc)
        return
    report["redis"]["reachable"] = True
    report["queues"] = {}
    for name in WORKER_QUEUES:
        q = queue(name, connection)
        report["queues"][name] = {
            "waiting": q.count,
            "failed_jobs": FailedJobRegistry(queue=q).count,
        }
    report["workers"] = [
        {
            "name": w.name,
            "state": str(w.get_state()),
            "last_heartbeat": w.last_heartbeat,
            "queues": w.queue_names(),
        }
        for w in Worker.all(connection=connection)
    ]
    beats = {}
    for key in connection.scan_iter(HEARTBEAT_KEY.format(name="*")):
        beats[key.decode().rsplit(":", 1)[-1]] = int(connection.get(key) or 0)
    report["schedulers"] = beats
    fired = connection.get(LAST_FIRED_KEY)
    report["last_sweep_fired"] = int(fired) if fired else None


def health_report() -> dict:
    """A dict for the health page and ``flask jobs health``; ``healthy`` sums it up."""
    now = utcnow()
    report: dict = {"now": now}
    counts = dict(
        db.session.execute(select(Notification.status, func.count()).group_by(Notification.status))
        .tuples()
        .all()
    )
    report["outbox"] = {status.value: counts.get(status, 0) for status in DeliveryStatus}
    oldest = db.session.scalar(
        select(func.min(Notification.next_attempt_at)).where(
            Notification.status == DeliveryStatus.PENDING.value
        )
    )
    report["oldest_pending_seconds"] = int((now - oldest).total_seconds()) if oldest else 0
    last = db.session.scalar(
        select(SweepRun)
        .where(SweepRun.finished_at.is_not(None))
        .order_by(SweepRun.started_at.desc())
        .limit(1)
    )
    if last is None:
        report["last_sweep"] = None
    else:
        assert last.finished_at is not None, "the query picks finished sweeps only"
        report["last_sweep"] = {
            "started_at": last.started_at,
            "finished_at": last.finished_at,
            "seconds": (last.finished_at - last.started_at).total_seconds(),
            "due_tickets": last.due_tickets,
            "firings": last.firings,
            "notifications": last.notifications,
            "requeued": last.enqueued,
            "error": last.error,
        }
    _redis_part(report)
    interval = current_app.config["SWEEP_INTERVAL_SECONDS"]
    sweep_fresh = (
        last is not None
        and last.finished_at is not None
        and now - last.finished_at < timedelta(seconds=3 * interval)
    )
    problems = []
    if not report["redis"]["configured"]:
        problems.append("REDIS_URL is not set: no background work runs")
    elif not report["redis"]["reachable"]:
        problems.append(f"Redis unreachable: {report['redis'].get('error')}")
    elif not report.get("workers"):
        problems.append("no worker is running")
    if not sweep_fresh:
        problems.append("no sweep finished in the last three intervals")
    if report["outbox"]["failed"]:
        problems.append(f"{report['outbox']['failed']} messages failed (see the delivery log)")
    report["problems"] = problems
    # Failed messages are shown but do not make the background side unhealthy: it is running.
    report["healthy"] = all("messages failed" in p for p in problems)
    report["summary"] = [
        f"healthy: {'yes' if report['healthy'] else 'NO'}",
        *(f"problem: {p}" for p in problems),
        "outbox: " + ", ".join(f"{k} {v}" for k, v in report["outbox"].items()),
        f"oldest pending: {report['oldest_pending_seconds']} s",
        f"last sweep: {report['last_sweep']}",
        f"queues: {report.get('queues')}",
        "workers: "
        + ", ".join(
            f"{w['name']} {w['state']} (heartbeat {w['last_heartbeat']})"
            for w in report.get("workers", [])
        ),
        f"schedulers: {report.get('schedulers')}",
    ]
    return report
