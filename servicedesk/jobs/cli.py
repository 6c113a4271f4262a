"""``flask jobs ...``: workers, the scheduler, a tick by hand, health, and the whole stack."""

from __future__ import annotations

import json
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from servicedesk.jobs.health import health_report
from servicedesk.jobs.periodic import tick
from servicedesk.jobs.queues import WORKER_QUEUES, enqueue_tick, queue, redis_connection
from servicedesk.jobs.scheduler import Scheduler
from servicedesk.jobs.stack import run_stack
from servicedesk.jobs.worker import AppWorker

jobs_cli = AppGroup("jobs", help="Background work: workers, scheduler, sweep, health.")


def _need_redis():

    connection = redis_connection()
    if connection is None:
        raise click.ClickException(
            "REDIS_URL is not set; `flask jobs run-all` starts an embedded Valkey for development."
        )
    return connection


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: host.pid).")
@with_appcontext
def worker_command(burst: bool, name: str | None) -> None:
    """Run an RQ worker on the sweep and deliver queues."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    connection = _need_redis()
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    worker = AppWorker(
        [queue(n, connection) for n in WORKER_QUEUES], connection=connection, name=name
    )
    worker.app = app
    worker.work(burst=burst, logging_level="INFO", with_scheduler=False)


@jobs_cli.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Fire a periodic tick every SWEEP_INTERVAL_SECONDS (several may run: one leads, others
    wait)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    connection = _need_redis()
    config = current_app.config
    scheduler = Scheduler(
        connection,
        config["SWEEP_INTERVAL_SECONDS"],
        lambda job_id: enqueue_tick(connection, job_id, config["JOB_TIMEOUT_SECONDS"]),
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"scheduler {scheduler.name}: a tick every {scheduler.interval} s")
    scheduler.run(stop)


@jobs_cli.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Run one periodic tick (escalation sweep, auto-close, outbox upkeep, digests) now, in
    this process."""
    stats = tick()
    click.echo(
        f"due tickets {stats.due_tickets}, firings {stats.firings}, messages "
        f"{stats.notifications}, requeued {stats.enqueued}, auto-closed "
        f"{stats.auto_closed}, digests {stats.digests}, errors {len(stats.errors)}"
    )


@jobs_cli.command("health")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@with_appcontext
def health_command(as_json: bool) -> None:
    """Queue lengths, the last sweep, failed rows and worker heartbeats; exit 1 when unwell."""
    report = health_report()
    if as_json:
        click.echo(json.dumps(report, default=str, indent=2))
    else:
        for line in report["summary"]:
            click.echo(line)
    if not report["healthy"]:
        raise SystemExit(1)


@jobs_cli.command("run-all")
@click.option("--workers", default=1, show_default=True, help="Worker processes to start.")
@click.option("--web/--no-web", default=True, help="Also serve the web app.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="Web port (default: PORT).")
@with_appcontext
def run_all_command(workers: int, web: bool, host: str, port: int | None) -> None:
    """Web + workers + scheduler, with an embedded Valkey when REDIS_URL is not set."""
    raise SystemExit(
        run_stack(
            current_app,
            workers=workers,
            web=web,
            host=host,
            port=port or current_app.config["PORT"],
        )
    )
