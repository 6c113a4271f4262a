"""The periodic tick asks every domain for its periodic work; one that breaks does not stop
the others, and the pass is recorded for the health page."""

from datetime import timedelta

from sqlalchemy import select

from servicedesk.escalation.models import SweepRun
from servicedesk.escalation.sweep import SweepStats
from servicedesk.extensions import db
from servicedesk.jobs import periodic
from servicedesk.jobs.periodic import tick
from tests.notifications.conftest import outbox
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def _last_run() -> SweepRun:
    db.session.expire_all()
    return db.session.scalars(select(SweepRun).order_by(SweepRun.id.desc()).limit(1)).one()


def test_the_tick_asks_every_domain_and_a_broken_one_does_not_stop_the_others(app, monkeypatch):
    asked = []

    def escalation(now):
        asked.append("escalation")
        return SweepStats(due_tickets=4, firings=2, notifications=5)

    def tickets(now):
        asked.append("tickets")
        raise RuntimeError("auto-close on fire")

    def held_sms(now):
        asked.append("held sms")
        return 1

    def digests(now):
        asked.append("digests")
        return 2

    def lost_rows(now):
        asked.append("lost rows")
        return [7, 8, 9]

    monkeypatch.setattr(periodic, "run_sweep", escalation)
    monkeypatch.setattr(periodic, "auto_close_due", tickets)
    monkeypatch.setattr(periodic, "release_held_sms", held_sms)
    monkeypatch.setattr(periodic, "queue_morning_digests", digests)
    monkeypatch.setattr(periodic, "requeue_due_rows", lost_rows)

    report = tick()

    assert asked == ["escalation", "tickets", "held sms", "digests", "lost rows"]
    assert (report.due_tickets, report.firings, report.notifications) == (4, 2, 5)
    assert (report.auto_closed, report.digests, report.enqueued) == (0, 3, 3)
    assert report.errors == ["close_silent_tickets: auto-close on fire"]
    run = _last_run()
    assert run.finished_at is not None
    assert (run.due_tickets, run.firings, run.notifications, run.enqueued) == (4, 2, 5, 3)
    assert run.error == "close_silent_tickets: auto-close on fire"


def test_a_broken_sweep_does_not_keep_a_silent_ticket_open(park, client_for, monkeypatch):
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="已处理。")
    resolved = ticket(ref)
    resolved.resolved_at -= timedelta(days=30)
    db.session.commit()

    def broken(now):
        raise RuntimeError("ladder on fire")

    monkeypatch.setattr(periodic, "run_sweep", broken)
    report = tick()
    assert report.errors == ["escalate: ladder on fire"]
    assert report.auto_closed == 1
    assert ticket(ref).close_reason == "auto"
    assert [r.recipient_id for r in outbox(ref, kind="ticket_auto_closed")] == [park.contact.id]
    assert "ladder on fire" in _last_run().error


def test_with_redis_the_digests_are_a_job_of_their_own(park, redis_url, monkeypatch):
    from servicedesk.jobs.queues import SWEEP_QUEUE, queue

    written_here = []
    monkeypatch.setattr(
        periodic, "queue_morning_digests", lambda now: written_here.append(now) or 0
    )
    waiting = queue(SWEEP_QUEUE)
    waiting.empty()
    report = tick()
    assert report.errors == [] and written_here == []
    jobs = waiting.get_jobs()
    assert [job.func_name for job in jobs] == ["servicedesk.jobs.tasks.digest_job"]
    waiting.empty()


def test_the_digest_job_writes_the_digests_of_the_ticks_moment(app, monkeypatch):
    from servicedesk.jobs import tasks

    moments = []
    monkeypatch.setattr(tasks, "queue_morning_digests", lambda now: moments.append(now) or 3)
    now = periodic.utcnow()
    assert tasks.digest_job(now) == 3
    assert moments == [now]


def test_the_queues_name_jobs_that_exist():
    from werkzeug.utils import import_string

    from servicedesk.jobs import queues

    for path in (queues.DELIVER_JOB, queues.TICK_JOB, queues.DIGEST_JOB):
        job = import_string(path)
        assert callable(job) and job.__module__ == "servicedesk.jobs.tasks", path
