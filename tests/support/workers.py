"""Real RQ workers for fault tests: the environment they run with, and a pool of processes.

A worker is ``python -m flask --app wsgi jobs worker --name NAME`` run from the project root,
configured only through its environment, exactly as in production. :func:`delivery_settings`
builds that environment for a test (its database, its Redis, the loopback stand-ins, short
leases and backoffs); :func:`apply_settings` gives the test's own app the same settings, so a
sweep run in the test process agrees with the workers about leases and grace periods.

:class:`WorkerPool` starts workers as subprocesses (each logging to its own file), kills one
with SIGKILL, stops them all (SIGTERM, then SIGKILL), and waits for a condition with a
deadline, running a :class:`Sweeper` meanwhile as the scheduler would. Every wait is bounded
and fails with the workers' logs attached; a worker that dies on its own fails the wait at once.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: What every fault test runs with: loopback channels, no quiet hours, short leases and backoffs.
BASE_SETTINGS: dict[str, str] = {
    "APP_ENV": "testing",
    "SECRET_KEY": "test-secret",
    "DEFAULT_LOCALE": "en",
    "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_TIMEOUT": "2",
    "MAIL_USE_STARTTLS": "",
    "MAIL_USE_SSL": "",
    "SMS_PROVIDER": "http",
    "SMS_TIMEOUT": "1",
    "SMS_QUIET_HOURS": "",
    "SMS_DAILY_CAP": "100000",
    "DELIVERY_LEASE_SECONDS": "3",
    "REENQUEUE_GRACE_SECONDS": "1",
    "DELIVERY_BACKOFF_SECONDS": "1,1,2",
    "DELIVERY_MAX_ATTEMPTS": "8",
    "JOB_TIMEOUT_SECONDS": "60",
}

#: Environment names whose app setting has another name; DATABASE_URL is the test app's own.
_CONFIG_NAMES = {"DEFAULT_LOCALE": "BABEL_DEFAULT_LOCALE", "DATABASE_URL": None}

_names = itertools.count(1)


def delivery_settings(
    app: Flask, *, redis_url: str, smtp=None, sms=None, **overrides: Any
) -> dict[str, str]:
    """The environment of a worker serving ``app``'s database: :data:`BASE_SETTINGS`, the
    Redis at ``redis_url``, the SMTP stand-in ``smtp`` and SMS stand-in ``sms`` (their ports),
    then ``overrides`` (``DELIVERY_MAX_ATTEMPTS=3`` ...)."""
    env = dict(BASE_SETTINGS)
    env.update(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": str(app.instance_path),
            "UPLOAD_FOLDER": str(app.config["UPLOAD_FOLDER"]),
            "REDIS_URL": redis_url,
        }
    )
    if smtp is not None:
        env.update(MAIL_SERVER=smtp.host, MAIL_PORT=str(smtp.port))
    if sms is not None:
        env.update(SMS_GATEWAY_URL=sms.url("generic"), SMS_GATEWAY_TOKEN=sms.token)
    env.update({name: "" if value is None else str(value) for name, value in overrides.items()})
    return env


def apply_settings(app: Flask, env: Mapping[str, str]) -> None:
    """Give the test's app the settings the workers run with (typed like its own config).

    The test process sweeps and writes rows, so it must agree with the workers on Redis,
    leases, grace, backoff and attempts.
    """
    for name, raw in env.items():
        key = _CONFIG_NAMES.get(name, name)
        if key is None or key not in app.config:
            continue
        current = app.config[key]
        if isinstance(current, bool):
            value: Any = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif isinstance(current, int):
            value = int(raw)
        elif key == "REDIS_URL":
            value = raw or None
        else:
            value = raw
        app.config[key] = value
    # The app builds its channels once; rebuild them from the new settings if it ever sends.
    app.extensions.pop("servicedesk.channels", None)


#: Every wait here is for something that must happen *eventually*; none measures speed. On a
#: loaded two-core machine, with coverage tracing every worker, starting a worker alone can take
#: seconds, so the waits stretch by this factor (TEST_WAIT_SCALE, default 3).
WAIT_SCALE = float(os.environ.get("TEST_WAIT_SCALE", "3"))


@dataclass
class WorkerProcess:
    """One running (or finished) worker and where its output goes."""

    name: str
    process: subprocess.Popen
    log_path: Path
    killed: bool = False
    stopped: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


class Sweeper:
    """Runs ``servicedesk.jobs.periodic.tick`` at most every ``interval`` seconds, as the
    scheduler would; collects the errors the ticks reported."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.runs = 0
        self.errors: list[str] = []
        self._last = 0.0

    def __call__(self, force: bool = False) -> None:
        from servicedesk.extensions import db
        from servicedesk.jobs.periodic import tick

        if not force and time.monotonic() - self._last < self.interval:
            return
        self._last = time.monotonic()
        stats = tick()
        db.session.commit()
        self.runs += 1
        self.errors.extend(stats.errors)


@dataclass
class WorkerPool:
    """Worker subprocesses sharing one environment; always :meth:`stop` it (or use ``with``)."""

    env: Mapping[str, str]
    log_dir: Path
    prefix: str = "worker"
    workers: list[WorkerProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._run = uuid.uuid4().hex[:6]

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, count: int = 1) -> list[WorkerProcess]:
        """Start ``count`` more workers; returns them (they may still be importing the app)."""
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        env.pop("FLASK_RUN_PORT", None)
        started = []
        for _ in range(count):
            name = f"{self.prefix}-{next(_names)}-{self._run}"
            log_path = self.log_dir / f"{name}.log"
            with open(log_path, "wb") as log_file:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "flask",
                        "--app",
                        "wsgi",
                        "jobs",
                        "worker",
                        "--name",
                        name,
                    ],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )  # same session: Ctrl+C stops them too
            worker = WorkerProcess(name, process, log_path)
            self.workers.append(worker)
            started.append(worker)
        return started

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Wait until every live worker has registered with Redis (is listening for jobs)."""
        from redis import Redis
        from rq import Worker

        connection = Redis.from_url(self.env["REDIS_URL"], socket_timeout=5)
        try:
            wanted = {w.name for w in self.alive()}

            def registered() -> bool:
                names = {w.name for w in Worker.all(connection=connection)}
                return wanted <= names

            self.wait_until(
                registered, timeout=timeout, what=f"workers {sorted(wanted)} to register with Redis"
            )
        finally:
            connection.close()

    def kill(self, worker: WorkerProcess) -> None:
        """SIGKILL one worker (no cleanup of any kind, as a power cut would) and reap it."""
        worker.killed = True
        os.kill(worker.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)

    def stop(self, timeout: float = 8.0) -> None:
        """Stop every worker: SIGTERM (finish the current job), then SIGKILL after ``timeout``."""
        for worker in self.alive():
            worker.stopped = True
            try:
                worker.process.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            try:
                worker.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(timeout=5)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def alive(self) -> list[WorkerProcess]:
        """Workers still running."""
        return [w for w in self.workers if w.alive]

    def idle(self) -> bool:
        """No job waiting or being taken from a queue, and no live worker busy with one."""
        from redis import Redis
        from rq import Worker

        from servicedesk.jobs.queues import WORKER_QUEUES, queue

        connection = Redis.from_url(self.env["REDIS_URL"], socket_timeout=5)
        try:
            for name in WORKER_QUEUES:
                q = queue(name, connection)
                if q.count or connection.llen(q.intermediate_queue_key):
                    return False
            alive = {w.name for w in self.alive()}
            return all(
                w.get_state() != "busy"
                for w in Worker.all(connection=connection)
                if w.name in alive
            )
        finally:
            connection.close()

    # -- waiting ----------------------------------------------------------------------------

    def check_health(self) -> None:
        """Fail at once if a worker ended that nobody killed or stopped."""
        for worker in self.workers:
            if not worker.alive and not (worker.killed or worker.stopped):
                raise AssertionError(
                    f"worker {worker.name} exited by itself with code "
                    f"{worker.process.returncode}\n{self.logs()}"
                )

    def wait_until(
        self,
        condition: Callable[[], Any],
        *,
        timeout: float,
        what: str,
        tick: Callable[[], None] | None = None,
        describe: Callable[[], str] | None = None,
        poll: float = 0.1,
    ) -> Any:
        """Call ``tick`` (e.g. a :class:`Sweeper`) and ``condition`` until the condition is
        truthy, and return its value; AssertionError with the state and logs after ``timeout``."""
        timeout *= WAIT_SCALE
        deadline = time.monotonic() + timeout
        while True:
            if tick is not None:
                tick()
            value = condition()
            if value:
                return value
            self.check_health()
            if time.monotonic() > deadline:
                state = describe() if describe is not None else ""
                raise AssertionError(
                    f"timed out after {timeout:g} s waiting for {what}\n{state}\n{self.logs()}"
                )
            time.sleep(poll)

    # -- logs -------------------------------------------------------------------------------

    def logs(self, lines: int = 40) -> str:
        """The last ``lines`` lines of every worker's log, for failure messages."""
        parts = []
        for worker in self.workers:
            state = (
                "killed"
                if worker.killed
                else "running"
                if worker.alive
                else f"exited {worker.process.returncode}"
            )
            try:
                text = worker.log_path.read_text(errors="replace").splitlines()[-lines:]
            except OSError as exc:
                text = [f"(no log: {exc})"]
            parts.append(
                f"--- {worker.name} (pid {worker.pid}, {state}) {worker.log_path}\n"
                + "\n".join(text)
            )
        return "\n".join(parts) or "(no workers were started)"

    def log_text(self) -> str:
        """Everything every worker logged (for assertions about the job log)."""
        return "\n".join(
            w.log_path.read_text(errors="replace") for w in self.workers if w.log_path.exists()
        )
