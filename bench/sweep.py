"""Escalation sweep benchmark: how long one periodic ``tick()`` takes with N open tickets.

For each case a throw-away database (SQLite, or PostgreSQL with ``--database-url``) gets the
demonstration park's people and N open tickets in bulk (SQLAlchemy Core, executemany in chunks).
Their deadlines come from the real working calendar and the default limits, their cards and
fired steps from the default ladder; a share of them (``--due-percent``) have a step that came
due and has not fired yet: ``next_escalation_at`` in the past. Then one tick is timed exactly as
the scheduler runs it (no REDIS_URL, so nothing is enqueued; MAIL_BACKEND=log): the due tickets'
firings, card changes and outbox rows (each rendered in the recipient's language) are all part
of the cost, and so are the other domains' steps (auto-close, outbox upkeep). A second tick
right after, with nothing due, shows the fixed cost of a pass.

The morning digest is written by the first tick after 08:30 on a working day, once a day; it
is timed separately ("digest s") so the sweep columns show the pass that runs every minute.

    .venv/bin/python bench/sweep.py                       # 10k, 100k, 1M at 1 %, 1M at 0.1 %
    .venv/bin/python bench/sweep.py --sizes 10000,100000 --contrast-percent 0.1
    .venv/bin/python bench/sweep.py --database-url postgresql+psycopg://user:pw@127.0.0.1/db

Each case runs in a child process of its own (fresh memory, fresh caches); progress goes to
standard error, the Markdown table to standard output.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    DELIVERY_OPTIONS,
    bench_environment,
    build_people,
    machine,
    make_app,
    markdown_table,
    parse_shared,
    say,
    throwaway_database,
)

CHUNK = 10_000
VARIANTS = 500  # distinct deadline shapes, computed with the real calendar and reused
AGE_FACTOR = 0.9  # ages up to 0.9 x the limit of the state: about one ticket in ten overdue


@dataclass
class Variant:
    """One ticket shape: status, clocks, what has fired, card, when the sweep looks next."""

    status: str
    tier: str
    kind: str
    started: datetime
    sign_due: datetime
    contact_due: datetime
    resolve_due: datetime
    signed_at: datetime | None
    contacted_at: datetime | None
    card: str
    next_escalation_at: datetime
    next_due_at: datetime
    fired: list[tuple[str, str, int, datetime]] = field(default_factory=list)


def bench_now(calendar) -> datetime:
    """10:30 (park time) on the next working day: the same kind of moment for every run."""
    zone = calendar.tz
    day = datetime.now(zone).date() + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    local = datetime(day.year, day.month, day.day, 10, 30, tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def _passed(calendar, clocks, ladder, now) -> list[tuple[str, str, int, datetime]]:
    """Every step of the ladder whose time has come by ``now`` (repeats included)."""
    from servicedesk.escalation.ladder import repeat_time, rung_time
    from servicedesk.escalation.models import Level, Trigger

    steps = []
    for clock in clocks:
        rungs = ladder[clock.stage]
        red = next((r for r in rungs if r.level is Level.RED), None)
        for rung in rungs:
            if rung.trigger is Trigger.DAILY:
                if red is None:
                    continue
                red_due, number = rung_time(calendar, clock, red), 1
                while (at := repeat_time(calendar, red_due, rung, number)) <= now:
                    steps.append((clock.stage.value, rung.level.value, number, at))
                    number += 1
            elif (at := rung_time(calendar, clock, rung)) <= now:
                steps.append((clock.stage.value, rung.level.value, 0, at))
    return sorted(steps, key=lambda s: s[3])


def make_variants(
    calendar, ladder, now: datetime, rng: random.Random, due: bool, count: int
) -> list[Variant]:
    """``count`` ticket shapes; ``due``: the latest step that came due has not fired yet."""
    from servicedesk.escalation.ladder import CARD_OF_LEVEL, evaluate, highest_card
    from servicedesk.escalation.models import Level
    from servicedesk.sla.models import Tier
    from servicedesk.sla.policy import compute_deadlines, default_limits
    from servicedesk.tickets.clocks import Clock, Stage

    per_day = calendar.minutes_per_day
    shapes: list[Variant] = []
    while len(shapes) < count:
        tier = rng.choices([Tier.NORMAL, Tier.URGENT, Tier.GREEN], [70, 10, 20])[0]
        kind = rng.choice(["consultation", "assistance", "coordination"])
        limits = default_limits(kind, tier, per_day)
        # A ticket's age fits its state: not signed yet, up to AGE_FACTOR x the sign limit
        # (in calendar time); signed, x the first-contact limit; in progress, x the resolve
        # limit. About one open ticket in ten is overdue: a park that mostly keeps its promises.
        state = rng.choices(["dispatched", "signed", "in_progress"], [15, 15, 70])[0]
        limit = {
            "dispatched": limits.sign_minutes,
            "signed": limits.first_contact_minutes,
            "in_progress": limits.resolve_minutes,
        }[state]
        span = limit / per_day * AGE_FACTOR * 7 / 5 * 24 * 60  # calendar: 7 days per 5 worked
        started = calendar.next_working_start(now - timedelta(minutes=rng.uniform(1, span)))
        if started >= now:
            continue
        deadlines = compute_deadlines(calendar, started, limits)
        signed: datetime | None = None
        contacted: datetime | None = None
        if state != "dispatched":
            signed = min(started + (deadlines.sign_due - started) * rng.uniform(0.1, 1.1), now)
        if state == "in_progress":
            assert signed is not None  # in progress: signed above
            contacted = min(
                signed + (deadlines.first_contact_due - signed) * rng.uniform(0.1, 1), now
            )
        clocks = [Clock(Stage.RESOLVE, started, deadlines.resolve_due)]
        if signed is None:
            clocks.insert(0, Clock(Stage.SIGN, started, deadlines.sign_due))
        if contacted is None:
            clocks.insert(-1, Clock(Stage.FIRST_CONTACT, started, deadlines.first_contact_due))
        passed = _passed(calendar, clocks, ladder, now)
        if due and not passed:
            continue
        fired = passed[:-1] if due else passed
        fired_keys = {(s, lv, n) for s, lv, n, _ in fired}
        firings, upcoming, _ = evaluate(calendar, clocks, ladder, fired_keys, now)
        if due != bool(firings) or (not due and upcoming is None):
            continue
        look_at = passed[-1][3] if due else upcoming
        assert look_at is not None  # a quiet shape without an upcoming look was skipped
        card = highest_card(CARD_OF_LEVEL[Level(lv)] for _s, lv, _n, _at in fired)
        running = [c.due_at for c in clocks]
        shapes.append(
            Variant(
                state,
                tier.value,
                kind,
                started,
                deadlines.sign_due,
                deadlines.first_contact_due,
                deadlines.resolve_due,
                signed,
                contacted,
                card.value,
                look_at,
                min(running),
                fired,
            )
        )
    return shapes


@dataclass
class Park:
    enterprises: list[tuple[int, int, int, bool]]  # id, contact id, task force id, chain leader
    members: dict[int, list[int]]  # task force id -> member ids
    categories: dict[str, list[int]]  # kind -> category ids


def read_park() -> Park:
    from sqlalchemy import select

    from servicedesk.auth.models import User
    from servicedesk.enterprises.models import Enterprise
    from servicedesk.extensions import db
    from servicedesk.taskforces.models import TaskForce
    from servicedesk.tickets.models import Category

    forces = db.session.scalars(select(TaskForce).order_by(TaskForce.id)).all()
    members = {tf.id: [m.id for m in tf.members] for tf in forces}
    fallback = forces[-1].id
    enterprises = []
    for enterprise in db.session.scalars(select(Enterprise).order_by(Enterprise.id)):
        contact = db.session.scalar(select(User.id).where(User.enterprise_id == enterprise.id))
        assert contact is not None, f"enterprise {enterprise.id} has no contact to file tickets"
        chain = enterprise.industry_chain
        force = chain.task_force_id if chain is not None and chain.task_force_id else fallback
        enterprises.append((enterprise.id, contact, force, bool(enterprise.is_chain_leader)))
    categories: dict[str, list[int]] = {}
    for category in db.session.scalars(select(Category)):
        categories.setdefault(category.kind, []).append(category.id)
    return Park(enterprises, members, categories)


TITLES = [
    "配电增容申请进度",
    "厂房消防验收协调",
    "项目用地规划调整",
    "员工子女入学咨询",
    "天然气管道接入",
    "设备进口免税政策",
    "环评批复加急",
    "人才公寓申请",
]


def insert_tickets(
    app, total: int, due_count: int, now: datetime, seed: int, variants: int = VARIANTS
) -> None:
    """``total`` open tickets, ``due_count`` of them due, with the steps they already climbed."""
    from sqlalchemy import Table, insert, text

    from servicedesk.escalation.models import EscalationFiring
    from servicedesk.escalation.policy import load_ladder
    from servicedesk.extensions import db
    from servicedesk.sla.calendar_store import load_calendar
    from servicedesk.tickets.models import Ticket

    rng = random.Random(seed)
    with app.app_context():
        calendar = load_calendar()
        ladder = load_ladder(calendar.minutes_per_day)
        park = read_park()
        quiet = make_variants(calendar, ladder, now, rng, False, min(variants, total))
        due = make_variants(calendar, ladder, now, rng, True, variants) if due_count else []
        # Spread the due tickets evenly over all ids, as they would be in a live park, and
        # over the due shapes, so every size sees the same mix of blue, yellow and red steps.
        step = total / due_count if due_count else 0
        due_positions = {int(i * step): i for i in range(due_count)}
        # Declarative models map to a Table; SQLAlchemy types __table__ as any FromClause.
        ticket_table = cast(Table, Ticket.__table__)
        firing_table = cast(Table, EscalationFiring.__table__)
        first_id, started = 1_000_001, time.monotonic()
        connection = db.session.connection()
        for chunk_start in range(0, total, CHUNK):
            tickets: list[dict[str, object]] = []
            firings: list[dict[str, object]] = []
            for i in range(chunk_start, min(chunk_start + CHUNK, total)):
                if i in due_positions:
                    shape = (
                        due[due_positions[i] * len(due) // due_count]
                        if due_count <= len(due)
                        else due[due_positions[i] % len(due)]
                    )
                else:
                    shape = quiet[i % len(quiet)]
                enterprise, contact, force, leader = park.enterprises[i % len(park.enterprises)]
                team = park.members[force] or [contact]
                ticket_id = first_id + i
                categories = park.categories[shape.kind]
                tickets.append(
                    {
                        "id": ticket_id,
                        "reference": f"BN-{i:08d}",
                        "enterprise_id": enterprise,
                        "filed_by_id": contact,
                        "category_id": categories[i % len(categories)],
                        "key_project_id": None,
                        "urgency": "urgent" if shape.tier == "urgent" else "normal",
                        "preferred_channel": "email",
                        "title": f"{TITLES[i % len(TITLES)]}（{i}）",
                        "description": "基准测试工单：企业反映的困难，描述若干。",
                        "status": shape.status,
                        "green_channel": leader or shape.tier == "green",
                        "task_force_id": force,
                        "assignee_id": team[i % len(team)] if shape.signed_at else None,
                        "filed_at": shape.started - timedelta(minutes=5),
                        "dispatched_at": shape.started,
                        "signed_at": shape.signed_at,
                        "first_contact_at": shape.contacted_at,
                        "resolved_at": None,
                        "closed_at": None,
                        "updated_at": shape.started,
                        "sign_due_at": shape.sign_due,
                        "first_contact_due_at": shape.contact_due,
                        "resolve_due_at": shape.resolve_due,
                        "next_due_at": shape.next_due_at,
                        "card": shape.card,
                        "clock_epoch": 1,
                        "clock_started_at": shape.started,
                        "next_escalation_at": shape.next_escalation_at,
                        "paused_at": None,
                        "extension_working_days": 0,
                        "signed_on_time": None,
                        "contacted_on_time": None,
                        "resolved_on_time": None,
                        "resolution_summary": None,
                        "rating": None,
                        "rating_comment": None,
                        "rework_count": 0,
                        "close_reason": None,
                        "version": 1,
                    }
                )
                firings.extend(
                    {
                        "ticket_id": ticket_id,
                        "clock_epoch": 1,
                        "stage": stage,
                        "level": level,
                        "repeat_no": number,
                        "due_at": at,
                        "fired_at": at + timedelta(seconds=30),
                    }
                    for stage, level, number, at in shape.fired
                )
            connection.execute(insert(ticket_table), tickets)
            if firings:
                connection.execute(insert(firing_table), firings)
            db.session.commit()
            connection = db.session.connection()
            done = min(chunk_start + CHUNK, total)
            if done == total or done % (CHUNK * 10) == 0:
                rate = done / max(time.monotonic() - started, 1e-9)
                say(f"  {done:,} / {total:,} tickets inserted ({rate:,.0f}/s)")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('ticket', 'id'), "
                    "(SELECT max(id) FROM ticket))"
                )
            )
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()


def run_case(total: int, percent: float, database_url: str | None, seed: int) -> dict:
    """Build one database and time the sweep on it (runs in its own process)."""
    due_count = round(total * percent / 100)
    with throwaway_database(database_url, f"sweep-{total}") as database:
        env = bench_environment(database)
        app = make_app(env)
        build_people(app)
        from sqlalchemy import func, select

        from servicedesk.extensions import db
        from servicedesk.jobs.periodic import tick
        from servicedesk.notifications.digests import queue_morning_digests
        from servicedesk.notifications.models import Notification
        from servicedesk.sla.calendar_store import load_calendar

        with app.app_context():
            now = bench_now(load_calendar())
        say(
            f"{total:,} open tickets, {due_count:,} due ({percent:g} %), {database.kind}, "
            f"sweep at {now.replace(tzinfo=UTC).astimezone(ZoneInfo('Asia/Shanghai')):%a %H:%M}"
            " park time"
        )
        build_started = time.monotonic()
        insert_tickets(app, total, due_count, now, seed)
        build_seconds = time.monotonic() - build_started
        with app.app_context():
            _warm_up()
            started = time.monotonic()
            digests = queue_morning_digests(now)
            db.session.commit()
            digest_seconds = time.monotonic() - started
            say(f"  morning digest (once a day): {digests} rows in {digest_seconds:.2f} s")
            started = time.monotonic()
            stats = tick(now)
            sweep_seconds = time.monotonic() - started
            outbox = db.session.scalar(
                select(func.count(Notification.id)).where(Notification.kind == "escalation")
            )
            say(
                f"  sweep: {stats.due_tickets:,} due tickets, {stats.firings:,} firings, "
                f"{stats.notifications:,} outbox rows in {sweep_seconds:.2f} s"
                + (f"; errors: {stats.errors[:3]}" if stats.errors else "")
            )
            started = time.monotonic()
            idle = tick(now + timedelta(seconds=1))
            idle_seconds = time.monotonic() - started
            say(f"  next sweep, nothing due: {idle.due_tickets} due in {idle_seconds:.3f} s")
        return {
            "open": total,
            "percent": percent,
            "due": due_count,
            "kind": database.kind,
            "build_s": build_seconds,
            "digest_s": digest_seconds,
            "digests": digests,
            "sweep_s": sweep_seconds,
            "handled": stats.due_tickets,
            "firings": stats.firings,
            "rows": stats.notifications,
            "outbox": outbox,
            "errors": len(stats.errors),
            "idle_s": idle_seconds,
            "idle_due": idle.due_tickets,
        }


def _warm_up() -> None:
    """Compile the reminder templates once, as a long-running worker has long done."""
    from servicedesk.notifications.render import render_notification

    context = {
        "ref": "BN-0",
        "title": "warm-up",
        "stage": "resolve",
        "card": "blue",
        "due": "2026-01-01 09:00",
        "url": "http://127.0.0.1/",
    }
    for locale in ("zh_CN", "en"):
        render_notification("escalation", locale, context)


def _numbers(text: str, kind=int) -> list:
    return [kind(part.replace("_", "")) for part in text.split(",") if part.strip()]


def _stop(*_args) -> None:
    raise SystemExit("stopped by a signal")  # runs the clean-up of the throw-away database


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="open tickets per case, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--due-percent",
        type=float,
        default=1.0,
        help="share of open tickets that are due (default: %(default)s)",
    )
    parser.add_argument(
        "--contrast-percent",
        type=float,
        default=0.1,
        help="one more case at the largest size with this share due, to show "
        "the cost follows the due tickets (0: none; default %(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL; the benchmark uses a throw-away schema in it",
    )
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--one-case", default=None, help=argparse.SUPPRESS)
    args = parse_shared(parser, DELIVERY_OPTIONS)

    if args.one_case:  # child process: one case, result as JSON on the last line
        total, percent = args.one_case.split(":")
        print(json.dumps(run_case(int(total), float(percent), args.database_url, args.seed)))
        return 0

    sizes = _numbers(args.sizes)
    cases = [(n, args.due_percent) for n in sizes]
    if args.contrast_percent and args.contrast_percent != args.due_percent:
        cases.append((max(sizes), args.contrast_percent))
    results = []
    for total, percent in cases:
        command = [
            sys.executable,
            __file__,
            "--one-case",
            f"{total}:{percent}",
            "--seed",
            str(args.seed),
        ]
        if args.database_url:
            command += ["--database-url", args.database_url]
        child = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        if child.returncode != 0:
            say(f"case {total}:{percent} failed ({child.returncode})")
            return 1
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    rows = [
        [
            f"{r['open']:,}",
            f"{r['percent']:g} %",
            f"{r['handled']:,}",
            f"{r['firings']:,}",
            f"{r['rows']:,}",
            f"{r['sweep_s']:.2f}",
            f"{r['sweep_s'] / r['handled'] * 1000:.1f}" if r["handled"] else "–",
            f"{r['idle_s'] * 1000:.0f}",
            f"{r['digest_s']:.2f}",
            f"{r['build_s']:.0f}",
        ]
        for r in results
    ]
    kind = results[0]["kind"] if results else "sqlite"
    print(f"\nEscalation sweep, {kind}, {machine()}\n")
    print(
        markdown_table(
            [
                "open tickets",
                "due",
                "due handled",
                "firings",
                "outbox rows",
                "sweep s",
                "ms per due ticket",
                "idle sweep ms",
                "digest s",
                "build s",
            ],
            rows,
        )
    )
    errors = sum(r["errors"] for r in results)
    if errors:
        say(f"{errors} ticket(s) failed to escalate: see the progress lines above")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
