"""Redis/Valkey and the RQ queues; delivery jobs are enqueued only after their rows commit."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from servicedesk import aftercommit
from servicedesk.notifications.outbox import DELIVERIES

log = logging.getLogger(__name__)

SWEEP_QUEUE = "sweep"
DELIVER_QUEUE = "deliver"
#: The jobs, named by their import path: RQ imports the function in the worker, and this module
#: (which the jobs themselves use to enqueue more work) need not import them.
DELIVER_JOB = "servicedesk.jobs.tasks.deliver_job"
TICK_JOB = "servicedesk.jobs.tasks.tick_job"
DIGEST_JOB = "servicedesk.jobs.tasks.digest_job"
#: A worker serves both; periodic work first so a flood of deliveries never starves the ladder.
WORKER_QUEUES = (SWEEP_QUEUE, DELIVER_QUEUE)


def init_queues(app: Flask) -> None:
    """Enqueue the delivery jobs of outbox rows after the commit that wrote them (from
    ``create_app``)."""
    aftercommit.register(DELIVERIES, _enqueue_committed, app=app)


def _enqueue_committed(ids: list[int]) -> None:
    enqueue_deliveries(ids)


def redis_connection(app: Flask | None = None) -> Redis | None:
    """The app's Redis connection (one per process), or None when REDIS_URL is not set."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    cached = app.extensions.get("servicedesk.redis")
    if cached is None or cached[0] != url:
        connection = Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
        )
        cached = app.extensions["servicedesk.redis"] = (url, connection)
    return cached[1]


def queue(name: str, connection: Redis | None = None) -> Queue:
    """An RQ queue by name on the app's connection."""
    return Queue(name, connection=connection or redis_connection())


def enqueue_deliveries(ids: list[int]) -> int:
    """Enqueue one delivery job per outbox row id; returns how many went in.

    A failure (Redis down) is logged, not raised: the rows stay pending in the database and
    the sweep enqueues them again once Redis answers.
    """
    connection = redis_connection()
    if connection is None or not ids:
        return 0
    timeout = current_app.config["JOB_TIMEOUT_SECONDS"]
    deliver = queue(DELIVER_QUEUE, connection)
    done = 0
    try:
        with connection.pipeline() as pipe:
            for notification_id in ids:
                deliver.enqueue(
                    DELIVER_JOB,
                    notification_id,
                    pipeline=pipe,
                    job_id=f"deliver-{notification_id}-{uuid.uuid4().hex[:8]}",
                    job_timeout=timeout,
                    result_ttl=3600,
                    failure_ttl=86400,
                    description=f"deliver notification {notification_id}",
                )
                done += 1
            pipe.execute()
    except Exception as exc:  # Redis down: the sweep will pick the rows up again
        log.warning("could not enqueue %d deliveries (%s); the sweep will retry", len(ids), exc)
        return 0
    return done


def enqueue_tick(connection: Redis, job_id: str, timeout: int) -> None:
    """Put one periodic tick on the sweep queue."""
    Queue(SWEEP_QUEUE, connection=connection).enqueue(
        TICK_JOB,
        job_id=job_id,
        job_timeout=timeout,
        result_ttl=3600,
        failure_ttl=86400,
        description="periodic tick",
    )


def enqueue_digests(connection: Redis, now: datetime, timeout: int) -> None:
    """Put one morning-digest job for the moment ``now`` on the sweep queue."""
    Queue(SWEEP_QUEUE, connection=connection).enqueue(
        DIGEST_JOB,
        now,
        job_id=f"digest-{uuid.uuid4().hex[:12]}",
        job_timeout=timeout,
        result_ttl=3600,
        failure_ttl=86400,
        description="morning digests",
    )
