"""What both benchmarks share: a throw-away database, the app on it, a Markdown table.

A SQLite database is a file in a temporary folder. With ``--database-url`` (PostgreSQL) the
benchmark works in a schema of its own (``bench_<random>``), chosen through the connection's
``search_path`` and dropped afterwards, so it never touches the tables already in that database.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def say(message: str) -> None:
    """Progress on standard error, so standard output holds only the result tables."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Database:
    url: str  # what DATABASE_URL is set to, for this process and any worker it starts
    folder: Path  # a temporary INSTANCE_PATH (secret key, uploads, SQLite file)
    kind: str  # sqlite or postgresql


def _with_search_path(url: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@contextlib.contextmanager
def throwaway_database(database_url: str | None, label: str) -> Iterator[Database]:
    """A fresh, empty database for one benchmark case; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"greenchannel-bench-{label}-"))
    if not database_url:
        try:
            yield Database(f"sqlite:///{folder / 'bench.db'}", folder, "sqlite")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from sqlalchemy import create_engine, text

    if not database_url.startswith("postgresql"):
        raise SystemExit("--database-url must be a PostgreSQL URL (postgresql+psycopg://...)")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Database(_with_search_path(database_url, schema), folder, "postgresql")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def bench_environment(database: Database, **settings: str) -> dict[str, str]:
    """The environment of the benchmark (and of any worker it starts): no Redis unless given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MAIL_", "SMS_"))
        and k
        not in {
            "REDIS_URL",
            "DATABASE_URL",
            "APP_ENV",
            "WORKING_HOURS",
            "TIMEZONE",
            "SWEEP_BATCH_SIZE",
            "SMS_QUIET_HOURS",
            "SMS_DAILY_CAP",
        }
    }
    env.update(
        {
            "APP_ENV": "development",
            "INSTANCE_PATH": str(database.folder),
            "DATABASE_URL": database.url,
            "MAIL_BACKEND": "log",
            "SMS_PROVIDER": "console",
        }
    )
    env.update(settings)
    return env


def make_app(env: dict[str, str]):
    """The app on the benchmark database, its schema migrated (alembic, as in production)."""
    os.environ.clear()
    os.environ.update(env)
    from flask_migrate import upgrade

    from servicedesk import create_app

    app = create_app()
    with app.app_context():
        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
    return app


def build_people(app, password: str = "bench-password") -> None:
    """The demonstration park's people, task forces, enterprises and categories (no tickets)."""
    from servicedesk.demo.build import build_park
    from servicedesk.extensions import db

    with app.app_context():
        build_park(password)
        db.session.commit()


SWEEP_OPTIONS = {"--sizes", "--due-percent", "--contrast-percent", "--seed"}
DELIVERY_OPTIONS = {"--messages", "--workers", "--timeout"}


def parse_shared(parser, others: set[str]):
    """Parse the arguments; options of the other benchmark (``make bench BENCH_ARGS=...`` gives
    both the same ones) are skipped with their values, anything else unknown is an error."""
    args, rest = parser.parse_known_args()
    skipping = False
    for item in rest:
        if item.startswith("-"):
            skipping = item.split("=", 1)[0] in others
            if not skipping:
                parser.error(f"unrecognized argument: {item}")
        elif not skipping:
            parser.error(f"unrecognized argument: {item}")
    return args


def machine() -> str:
    """One line about the machine, for the report."""
    return (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def markdown_table(headers: list[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    numeric = [
        all(_is_number(r[i]) for r in cells) if cells else False for i in range(len(headers))
    ]

    def line(values: list[str]) -> str:
        return (
            "| "
            + " | ".join(
                v.rjust(w) if n else v.ljust(w)
                for v, w, n in zip(values, widths, numeric, strict=True)
            )
            + " |"
        )

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if n else ("-" * (w + 2))
            for w, n in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(r) for r in cells)])


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True
