"""How long the supervision dashboard takes with 100k and 1M tickets.

Tickets are bulk-inserted with Core (not through the services) into a throw-away database —
an SQLite file, or a schema of its own with ``--database-url postgresql+psycopg://...`` —
spread over the last twelve months in every state the metrics count. Then a supervisor asks
for ``/supervision/?period=this_year`` a few times; the table gives the median.

    .venv/bin/python bench/supervision.py --sizes 100000,1000000 [--database-url ...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    bench_environment,
    build_people,
    machine,
    make_app,
    markdown_table,
    say,
    throwaway_database,
)

PASSWORD = "bench-password"
BATCH = 20_000


def insert_tickets(app, total: int, seed: int) -> None:
    """``total`` tickets over the last year: open, resolved, closed (rated or not), returned."""
    from sqlalchemy import Table, insert, select

    from servicedesk.auth.models import User
    from servicedesk.clock import utcnow
    from servicedesk.enterprises.models import Enterprise
    from servicedesk.extensions import db
    from servicedesk.taskforces.models import TaskForce
    from servicedesk.tickets.models import Category, Ticket

    rng = random.Random(seed)
    now = utcnow()
    with app.app_context():
        enterprises = db.session.scalars(select(Enterprise.id)).all()
        contact = db.session.scalar(select(User.id).where(User.enterprise_id.is_not(None)))
        categories = db.session.scalars(select(Category.id)).all()
        teams = db.session.scalars(select(TaskForce.id)).all()
        table = cast(Table, Ticket.__table__)  # a mapped class's table is a Table
        started = time.perf_counter()
        for offset in range(0, total, BATCH):
            rows = []
            for n in range(offset, min(total, offset + BATCH)):
                filed = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
                dispatched = filed + timedelta(minutes=rng.randrange(5, 600))
                state = rng.random()
                resolved = (
                    dispatched + timedelta(hours=rng.randrange(2, 400)) if state < 0.8 else None
                )
                if resolved is not None and resolved > now:
                    resolved = None
                closed = (
                    resolved + timedelta(days=rng.randrange(1, 8))
                    if resolved is not None and state < 0.7
                    else None
                )
                if closed is not None and closed > now:
                    closed = None
                status = (
                    "closed"
                    if closed
                    else "resolved"
                    if resolved
                    else rng.choice(["dispatched", "signed", "in_progress"])
                )
                rows.append(
                    {
                        "reference": f"GC-B-{n:09d}",
                        "enterprise_id": rng.choice(enterprises),
                        "filed_by_id": contact,
                        "category_id": rng.choice(categories),
                        "urgency": "urgent" if rng.random() < 0.1 else "normal",
                        "preferred_channel": "email",
                        "title": "bench",
                        "description": "bench",
                        "status": status,
                        "green_channel": False,
                        "task_force_id": rng.choice(teams),
                        "filed_at": filed,
                        "dispatched_at": dispatched,
                        "updated_at": now,
                        "signed_at": dispatched + timedelta(hours=1)
                        if status != "dispatched"
                        else None,
                        "sign_due_at": dispatched + timedelta(hours=8),
                        "signed_on_time": rng.random() < 0.9 if status != "dispatched" else None,
                        "contacted_on_time": rng.random() < 0.85,
                        "resolved_at": resolved,
                        "resolved_on_time": rng.random() < 0.8 if resolved else None,
                        "handling_minutes": rng.randrange(60, 6000) if resolved else None,
                        "closed_at": closed,
                        "close_reason": ("confirmed" if rng.random() < 0.7 else "auto")
                        if closed
                        else None,
                        "rating": rng.choice(["satisfied", "basically_satisfied", None])
                        if closed
                        else None,
                        "next_due_at": (now - timedelta(hours=rng.randrange(-300, 300)))
                        if status in ("dispatched", "signed", "in_progress")
                        else None,
                        "card": rng.choice(["none", "none", "blue", "yellow", "red"])
                        if not closed
                        else "none",
                        "clock_epoch": 1,
                        "extension_working_days": 3 if rng.random() < 0.05 else 0,
                        "rework_count": 1 if rng.random() < 0.05 else 0,
                        "version": 1,
                    }
                )
            db.session.execute(insert(table), rows)
            db.session.commit()
            done = min(total, offset + BATCH)
            say(f"  {done:,} / {total:,} tickets ({done / (time.perf_counter() - started):,.0f}/s)")


def time_dashboard(app, repeats: int) -> list[float]:
    """Sign in as a supervisor and time the dashboard ``repeats`` times (seconds)."""
    from sqlalchemy import select

    from servicedesk.auth.models import Role, User, UserRole
    from servicedesk.extensions import db

    with app.app_context():
        email = db.session.scalar(
            select(User.email).join(UserRole).where(UserRole.role == Role.SUPERVISOR.value)
        )
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get("/supervision/?period=this_year&slice=task_force")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with throwaway_database(args.database_url, f"supervision-{size}") as database:
            app = make_app(bench_environment(database))
            app.config["WTF_CSRF_ENABLED"] = False
            build_people(app, PASSWORD)
            say(f"{database.kind}: inserting {size:,} tickets")
            insert_tickets(app, size, args.seed)
            timings = time_dashboard(app, args.repeats)
            rows.append(
                [
                    database.kind,
                    f"{size:,}",
                    f"{statistics.median(timings):.2f}",
                    f"{min(timings):.2f}",
                    f"{max(timings):.2f}",
                ]
            )
            say(f"  dashboard: median {statistics.median(timings):.2f} s")
    print(machine())
    print(markdown_table(["database", "tickets", "median s", "min s", "max s"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
