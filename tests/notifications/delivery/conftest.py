"""Fault tests of delivery with real processes: RQ workers on a real Valkey, the loopback SMTP
server and SMS gateway, and the test's database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set).

The ``delivery`` fixture owns the workers (always stopped at teardown) and checks the result
where it counts: at the receiving end (one e-mail per Message-ID, one SMS per idempotency key,
nothing else) and in the database (every row sent, its attempts and delivery log consistent).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from servicedesk.auth.models import User
from servicedesk.extensions import db
from servicedesk.notifications.delivery import message_id
from servicedesk.notifications.models import DeliveryAttempt, Notification
from servicedesk.notifications.outbox import queue_notification
from servicedesk.tickets.deadlines import refresh_deadlines
from tests.support.fixtures import sms_standin, smtp_standin  # noqa: F401  (fixtures)
from tests.support.loopback import SmsGatewayStandIn, SmtpStandIn
from tests.support.workers import Sweeper, WorkerPool, apply_settings, delivery_settings
from tests.tickets.conftest import (  # noqa: F401  (client_for, park: fixtures)
    act,
    client_for,
    file_ticket,
    park,
    reference_from,
    ticket,
)


def rows() -> list[Notification]:
    """Every outbox row to deliver, freshly read. These tests give everybody an e-mail address
    and a mobile number, so every row is due for delivery (none is failed for want of an
    address). Rows folded into a summary are records, never sent alone: see :func:`folded`."""
    db.session.commit()
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.status != "folded").order_by(Notification.id)
        )
    )


def folded() -> list[Notification]:
    """The rows a summary replaced (each names its summary in ``digest_id``)."""
    db.session.commit()
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.status == "folded").order_by(Notification.id)
        )
    )


def statuses() -> dict[str, int]:
    """How many rows are in each status."""
    db.session.commit()
    return dict(
        db.session.execute(select(Notification.status, func.count()).group_by(Notification.status))
        .tuples()
        .all()
    )


def attempt_log(notification_id: int) -> list[DeliveryAttempt]:
    """The delivery log of one row, oldest first."""
    return list(
        db.session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.notification_id == notification_id)
            .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
        )
    )


def queue_messages(
    users: list[User], *, channels=("email", "sms"), batch: str = "load"
) -> list[int]:
    """One message per user and channel through the real outbox, committed (their delivery
    jobs are enqueued after the commit)."""
    ids = []
    for user in users:
        for channel in channels:
            new_id = queue_notification(
                key=f"{batch}:{user.id}:{channel}",
                kind="ticket_auto_closed",
                recipient=user,
                channel=channel,
                context={"ref": f"GC-2026-{user.id:06d}"},
            )
            assert new_id is not None
            ids.append(new_id)
    db.session.commit()
    return ids


def overdue_ticket(park, client_for, *, days_late: int = 3) -> str:  # noqa: F811
    """A ticket filed and signed through the web, its resolution clock moved ``days_late``
    days into the past (as if dispatched long ago); returns its reference."""
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(client_for(park.member), ref, "sign")
    t = ticket(ref)
    # Signing sets every clock moved here.
    assert t.dispatched_at is not None and t.resolve_due_at is not None
    assert t.clock_started_at is not None and t.sign_due_at is not None
    assert t.first_contact_due_at is not None
    late = t.dispatched_at - timedelta(days=days_late, hours=1)
    shift = t.resolve_due_at - late
    t.clock_started_at -= shift
    t.sign_due_at -= shift
    t.first_contact_due_at -= shift
    t.resolve_due_at = late
    refresh_deadlines(t)
    db.session.commit()
    return ref


@pytest.fixture
def reachable_park(park):  # noqa: F811
    """The ticket park with a mobile number for everyone, so every step goes out by SMS too."""
    people = [
        park.contact,
        park.other_contact,
        park.member,
        park.second_member,
        park.lead,
        park.other_member,
        park.dispatcher,
        park.supervisor,
        park.admin,
    ]
    for n, person in enumerate(people, start=1):
        person.mobile = f"137{n:08d}"
    db.session.commit()
    return park


@pytest.fixture
def recipients(app):
    """``recipients(n)``: n active people, each with an e-mail address and a mobile number."""
    counter = iter(range(1, 10**6))

    def make(count: int) -> list[User]:
        users = []
        for _ in range(count):
            n = next(counter)
            user = User(
                email=f"person{n}@example.test",
                name=f"Person {n}",
                mobile=f"139{n:08d}",
                active=True,
            )
            user.set_password("unused-password-1")
            users.append(user)
        db.session.add_all(users)
        db.session.commit()
        return users

    return make


@dataclass
class Delivery:
    """The stack under test: workers, the stand-ins, and the sweeps the test runs."""

    app: Flask
    smtp: SmtpStandIn
    sms: SmsGatewayStandIn
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    redis_url: str | None = None
    pools: list[WorkerPool] = field(default_factory=list)
    sweep: Sweeper = field(default_factory=Sweeper)

    def configure(self, redis_url: str | None = None, **overrides) -> dict[str, str]:
        """Settings for the workers and the same ones for the test's app (it sweeps); the
        Redis URL is remembered, so a second call may change only ``overrides``."""
        self.redis_url = redis_url or self.redis_url
        assert self.redis_url, "configure() needs a Redis URL"
        self.env = delivery_settings(
            self.app, redis_url=self.redis_url, smtp=self.smtp, sms=self.sms, **overrides
        )
        apply_settings(self.app, self.env)
        return self.env

    def workers(self, count: int, *, ready: bool = True) -> WorkerPool:
        """Start ``count`` workers (waiting until they listen, unless ``ready=False``)."""
        assert self.env, "call delivery.configure(redis_url) first"
        pool = WorkerPool(self.env, self.log_dir, prefix=f"w{len(self.pools) + 1}")
        self.pools.append(pool)
        pool.start(count)
        if ready:
            pool.wait_ready()
        return pool

    def close(self) -> None:
        """Stop every worker this test started."""
        for pool in self.pools:
            pool.stop()

    def describe(self) -> str:
        """The state of the outbox and the stand-ins, for failure messages."""
        return (
            f"outbox: {statuses()}; e-mails received {len(self.smtp.messages)}, "
            f"SMS received {len(self.sms.messages)}; sweeps {self.sweep.runs}, "
            f"sweep errors {self.sweep.errors[-3:]}"
        )

    def wait_all_sent(self, pool: WorkerPool, timeout: float = 20.0) -> list[Notification]:
        """Sweep (as the scheduler would) until every outbox row is sent, then until the
        queues are empty and the workers idle, so that a duplicate would have arrived."""

        def all_sent() -> bool:
            current = rows()
            return bool(current) and all(row.status == "sent" for row in current)

        pool.wait_until(
            all_sent,
            timeout=timeout,
            what="every outbox row to be sent",
            tick=self.sweep,
            describe=self.describe,
        )
        quiet = []

        def settled() -> bool:
            self.sweep(force=True)
            quiet.append(pool.idle())
            return quiet[-2:] == [True, True]

        pool.wait_until(
            settled,
            timeout=30,
            what="queues to drain and workers to go idle",
            describe=self.describe,
            poll=0.3,
        )
        return rows()

    def assert_exactly_once(
        self,
        *,
        expect_attempts: dict[int, int] | None = None,
        allow_failed_before: Set[int] = frozenset(),
    ) -> list[Notification]:
        """Every outbox row went out once and only once: at the SMTP server (one message
        per Message-ID, to the row's address), at the SMS gateway (one request per key), and
        in the database (sent, one ``sent`` log entry, last; attempts = claims logged).

        ``expect_attempts`` overrides the expected ``attempts`` of some rows (a claim lost with
        a killed worker is counted but never logged); ``allow_failed_before`` names rows that
        failed for good before an admin's retry.
        """
        current = rows()
        assert current, "no outbox rows were written"
        emails = Counter(mail.message_id for mail in self.smtp.messages)
        texts = Counter(sms.idempotency_key for sms in self.sms.messages)
        email_rows = [row for row in current if row.channel == "email"]
        sms_rows = [row for row in current if row.channel == "sms"]
        problems = []
        for row in email_rows:
            mid = message_id(row)
            if emails[mid] != 1:
                problems.append(f"row {row.id} (e-mail {mid}) received {emails[mid]} times")
        for row in sms_rows:
            if texts[row.key] != 1:
                problems.append(f"row {row.id} (SMS {row.key}) received {texts[row.key]} times")
        wanted_ids = {message_id(row) for row in email_rows}
        strays = [mid for mid in emails if mid not in wanted_ids]
        if strays:
            problems.append(f"e-mails no outbox row asked for: {strays[:5]}")
        if sum(emails.values()) != len(email_rows):
            problems.append(f"{sum(emails.values())} e-mails for {len(email_rows)} rows")
        if sum(texts.values()) != len(sms_rows):
            problems.append(f"{sum(texts.values())} SMS for {len(sms_rows)} rows")
        by_mid = {mail.message_id: mail for mail in self.smtp.messages}
        by_key = {sms.idempotency_key: sms for sms in self.sms.messages}
        for row in current:
            problems.extend(
                self._row_problems(
                    row, by_mid, by_key, expect_attempts or {}, row.id in allow_failed_before
                )
            )
        assert not problems, (
            f"{len(problems)} problems:\n" + "\n".join(problems[:30]) + f"\n{self.describe()}"
        )
        return current

    @staticmethod
    def _row_problems(
        row: Notification,
        by_mid: dict,
        by_key: dict,
        expect_attempts: dict[int, int],
        failed_before: bool,
    ) -> list[str]:
        problems = []
        if row.status != "sent" or row.sent_at is None or row.claim_token is not None:
            problems.append(
                f"row {row.id} is {row.status} (sent_at {row.sent_at}, claim "
                f"{row.claim_token}, error {row.last_error})"
            )
        if row.channel == "email":
            mail = by_mid.get(message_id(row))
            if mail is not None and (
                mail.envelope_to != (row.address,) or row.provider_id != mail.message_id
            ):
                problems.append(
                    f"row {row.id}: e-mail went to {mail.envelope_to} "
                    f"as {mail.message_id}, row says {row.address} {row.provider_id}"
                )
        else:
            sms = by_key.get(row.key)
            if sms is not None and (sms.to != row.address or sms.provider_id != row.provider_id):
                problems.append(
                    f"row {row.id}: SMS went to {sms.to} as {sms.provider_id}, row "
                    f"says {row.address} {row.provider_id}"
                )
        outcomes = [entry.outcome for entry in attempt_log(row.id)]
        earlier = {"retry", "failed"} if failed_before else {"retry"}
        if (
            outcomes.count("sent") != 1
            or outcomes[-1] != "sent"
            or not set(outcomes[:-1]) <= earlier
        ):
            problems.append(f"row {row.id}: delivery log {outcomes}")
        expected = expect_attempts.get(row.id, len(outcomes))
        if row.attempts != expected:
            problems.append(
                f"row {row.id}: attempts {row.attempts}, expected {expected} (log {outcomes})"
            )
        return problems


@pytest.fixture
def delivery(app, smtp_standin, sms_standin, tmp_path) -> Iterator[Delivery]:  # noqa: F811
    """The stack under test, without Redis settings yet (see :meth:`Delivery.configure`)."""
    harness = Delivery(app, smtp_standin, sms_standin, tmp_path / "worker-logs")
    try:
        yield harness
    finally:
        harness.close()


@pytest.fixture
def stack(delivery, redis_url) -> Iterator[Delivery]:
    """The stack on the session's Valkey (emptied for this test); workers stop before it is
    emptied again."""
    delivery.configure(redis_url)
    try:
        yield delivery
    finally:
        delivery.close()
