"""`make smoke`: the whole system on embedded defaults, end to end, in about three minutes.

Starts an SMTP and an SMS gateway stand-in on 127.0.0.1, prepares a fresh instance (SQLite,
demo data, a 24-hour calendar, one-minute limits, a fast ladder), starts ``flask jobs run-all``
(no REDIS_URL, so it starts its embedded Valkey), files a ticket through the web form as the
demo enterprise, waits for the yellow and red reminders by e-mail and SMS (the blue step comes
due with the yellow and is superseded), closes the ticket through the web (sign, resolve, confirm
"satisfied"), waits three sweeps more and checks that no reminder for the ticket arrived after
it closed. Prints a timeline; exits 0 on success,
1 with a readable message on any failure. Everything it started is stopped in any case.

Run from the repository root: ``.venv/bin/python scripts/smoke.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smoke_support import (  # noqa: E402  (beside this script)
    CARDS,
    Arrival,
    Browser,
    SmokeFailure,
    arrival_lines,
    escalations,
    missing,
    say,
    stop_group,
)

from tests.support.loopback import SmsGatewayStandIn, SmtpStandIn, free_port  # noqa: E402

PASSWORD = "greenchannel"
ENTERPRISE = "enterprise@demo.local"
SWEEP_SECONDS = 5
#: Not "00:00-24:00": the calendar reads times of day and 24:00 is none. One minute a day
#: (23:59-24:00 Asia/Shanghai) is therefore not working time; a run across it waits a minute more.
WORKING_HOURS = "00:00-23:59"
BUDGET_SECONDS = 285  # the whole run, setup included; `make smoke` promises under five minutes


class Budget:
    """One deadline for the whole run; every wait takes what is left of it at most."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def wait_until(self, what: str, check, timeout: float, interval: float = 0.5):
        """Poll ``check()`` until it returns something truthy; SmokeFailure after ``timeout``."""
        allowed = min(timeout, max(self.left(), 0))
        end = time.monotonic() + allowed
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() >= end:
                why = "" if allowed == timeout else f" (all the {BUDGET_SECONDS} s budget left)"
                raise SmokeFailure(f"timed out after {allowed:.0f} s{why} waiting for {what}")
            time.sleep(interval)


# --- the system under test ------------------------------------------------------------------


def base_env(instance: Path, port: int, smtp: SmtpStandIn, sms: SmsGatewayStandIn) -> dict:
    """The environment of every process: embedded defaults plus the smoke's fast settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MAIL_", "SMS_", "FLASK_"))
        and k
        not in {
            "REDIS_URL",
            "DATABASE_URL",
            "APP_ENV",
            "SECRET_KEY",
            "WORKING_HOURS",
            "TIMEZONE",
            "PORT",
            "PUBLIC_BASE_URL",
            "UPLOAD_FOLDER",
            "SWEEP_INTERVAL_SECONDS",
            "REENQUEUE_GRACE_SECONDS",
            "DELIVERY_BACKOFF_SECONDS",
            "MORNING_DIGEST_AT",
            "DEFAULT_LOCALE",
        }
    }
    env.update(
        {
            "APP_ENV": "development",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'smoke.db'}",
            "WORKING_HOURS": WORKING_HOURS,
            "SWEEP_INTERVAL_SECONDS": str(SWEEP_SECONDS),
            "REENQUEUE_GRACE_SECONDS": "2",
            "DELIVERY_BACKOFF_SECONDS": "2,5,10",
            "SMS_QUIET_HOURS": "",
            "SMS_DAILY_CAP": "1000",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": str(smtp.port),
            "MAIL_TIMEOUT": "5",
            "SMS_PROVIDER": "http",
            "SMS_GATEWAY_URL": sms.url("generic"),
            "SMS_GATEWAY_TOKEN": sms.token,
            "SMS_TIMEOUT": "5",
            "PORT": str(port),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def run_flask(env: dict, *args: str, timeout: float = 120) -> None:
    """Run one ``flask`` command to completion; SmokeFailure with its output when it fails."""
    result = subprocess.run(
        flask_command(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SmokeFailure(
            f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


@dataclass
class Setup:
    category_id: int
    category_name: str
    card_labels: dict[str, set[str]]  # card -> its label in every language


def configure(env: dict):
    """24-hour working days for the coming week, one-minute limits, the fast ladder.

    Returns the :class:`Setup` and this process's app (used to read the ticket's rows later).
    """
    os.environ.update(env)  # this process reads the same settings as the system it tests
    from flask_babel import force_locale
    from sqlalchemy import delete, select

    from servicedesk import create_app
    from servicedesk.demo.park import CATEGORIES
    from servicedesk.escalation.models import Audience, EscalationStep, Level, Stage, Trigger
    from servicedesk.extensions import db
    from servicedesk.sla.calendar_store import load_calendar, local_today, set_day
    from servicedesk.sla.models import Tier
    from servicedesk.sla.policy import Limits
    from servicedesk.tickets.labels import CARD_LABELS
    from servicedesk.tickets.models import Card, Category
    from servicedesk.tickets.sla import save_policy

    app = create_app()
    with app.app_context():
        category = db.session.scalar(
            select(Category).where(Category.name == CATEGORIES["policy"][0])
        )
        if category is None:
            raise SmokeFailure("the demo category 政策咨询 is missing after `flask demo load`")
        for tier in Tier:
            save_policy(category, tier, Limits(1, 1, 1, dispatch_minutes=1))
        today = local_today()
        for offset in range(-1, 9):
            set_day(today + timedelta(days=offset), True, "smoke test: every day is worked")
        email, sms = "email", "sms"
        rungs = [  # level, trigger, threshold, audiences, channels, active
            (Level.BLUE, Trigger.SHARE_USED, 50, [Audience.ASSIGNEE], [email], True),
            (
                Level.YELLOW,
                Trigger.OVERDUE,
                0,
                [Audience.ASSIGNEE, Audience.LEAD],
                [email, sms],
                True,
            ),
            (
                Level.RED,
                Trigger.OVERDUE,
                1,
                [Audience.LEAD, Audience.SUPERVISORS],
                [email, sms],
                True,
            ),
            (
                Level.REPEAT,
                Trigger.DAILY,
                1,
                [Audience.LEAD, Audience.SUPERVISORS],
                [email, sms],
                False,
            ),
        ]
        db.session.execute(delete(EscalationStep))
        for stage in Stage:
            for level, trigger, threshold, audiences, channels, active in rungs:
                db.session.add(
                    EscalationStep(
                        stage=stage.value,
                        level=level.value,
                        trigger=trigger.value,
                        threshold=threshold,
                        audiences=[a.value for a in audiences],
                        channels=channels,
                        active=active,
                    )
                )
        db.session.commit()
        if load_calendar().minutes_per_day != 1439:
            raise SmokeFailure(f"WORKING_HOURS {WORKING_HOURS} not in force")
        labels = {}
        for card in CARDS:
            names = set()
            for locale in app.config["LANGUAGES"]:
                with force_locale(locale):
                    names.add(str(CARD_LABELS[Card(card)]))
            labels[card] = names
        setup = Setup(category.id, category.name, labels)
        db.session.remove()
        db.engine.dispose()
    return setup, app


def ticket_state(reference: str) -> dict:
    """The ticket as the database has it, with its escalation rows by status (for checks)."""
    from sqlalchemy import select

    from servicedesk.extensions import db
    from servicedesk.notifications.models import Notification
    from servicedesk.tickets.models import Ticket

    ticket = db.session.scalar(select(Ticket).where(Ticket.reference == reference))
    if ticket is None:
        return {}
    rows = db.session.scalars(
        select(Notification).where(
            Notification.ticket_id == ticket.id, Notification.kind == "escalation"
        )
    ).all()
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + 1
    state = {
        "status": ticket.status,
        "card": ticket.card,
        "task_force": ticket.task_force.name if ticket.task_force else None,
        "members": [m.email for m in ticket.task_force.members] if ticket.task_force else [],
        "lead": ticket.task_force.lead.email
        if ticket.task_force and ticket.task_force.lead
        else None,
        "escalations": by_status,
        "failed": [
            f"{r.channel} to {r.address}: {r.last_error}" for r in rows if r.status == "failed"
        ],
    }
    db.session.remove()
    return state


def _sigterm(*_args) -> None:
    raise SystemExit("stopped by SIGTERM")


# --- the story ------------------------------------------------------------------------------


def smoke(args, budget: Budget, state: dict) -> list[str]:
    smtp = state["smtp"] = SmtpStandIn().start()
    sms = state["sms"] = SmsGatewayStandIn().start()
    say(f"SMTP stand-in on {smtp.host}:{smtp.port}, SMS gateway stand-in on {sms.url()}")
    instance = Path(state["tmp"]) / "instance"
    port = free_port()
    env = base_env(instance, port, smtp, sms)
    run_flask(env, "db", "upgrade")
    run_flask(env, "demo", "load")
    setup, app = configure(env)
    say(
        f"instance {instance}: demo data, 24-hour calendar ({WORKING_HOURS}), one-minute limits "
        f"for {setup.category_name}, ladder blue 50 % / yellow at deadline / red +1 min"
    )

    log_path = Path(state["tmp"]) / "run-all.log"
    state["log"] = log_path
    log = open(log_path, "w")  # noqa: SIM115  (closed in main's finally with the process)
    state["log_file"] = log
    state["stack"] = stack = subprocess.Popen(
        flask_command("jobs", "run-all", "--workers", str(args.workers), "--port", str(port)),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def web_up() -> bool:
        if stack.poll() is not None:
            raise SmokeFailure(f"flask jobs run-all exited ({stack.returncode}) while starting")
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    budget.wait_until("the web server to answer /login", web_up, timeout=60)
    say(f"flask jobs run-all is up on {base} ({args.workers} workers, embedded Valkey)")

    enterprise = Browser(base)
    enterprise.sign_in(ENTERPRISE, PASSWORD)
    enterprise.get("/tickets/new")
    title = f"Smoke test {time.strftime('%H:%M:%S')}: power supply to line 3"
    enterprise.submit(
        "/tickets/new",
        {
            "category": str(setup.category_id),
            "urgency": "normal",
            "title": title,
            "description": "Filed by scripts/smoke.py through the web form.",
            "key_project": "0",
            "preferred_channel": "email",
        },
    )
    filed_at = time.time()
    path = urllib.parse.urlsplit(enterprise.url).path
    if not path.startswith("/tickets/") or path.rstrip("/") == "/tickets/new":
        raise SmokeFailure(f"filing the ticket did not lead to the ticket page (at {path})")
    reference = path.rstrip("/").rsplit("/", 1)[-1]
    events = [(filed_at, f"filed {reference} as {ENTERPRISE}")]

    with app.app_context():
        ticket = ticket_state(reference)
    if ticket.get("status") != "dispatched":
        raise SmokeFailure(f"ticket {reference} was not dispatched by the routing rules: {ticket}")
    say(
        f"filed {reference}; routed to {ticket['task_force']} (lead {ticket['lead']}, "
        f"members {', '.join(ticket['members'])})"
    )

    def all_cards() -> list[Arrival] | None:
        if stack.poll() is not None:
            raise SmokeFailure(f"flask jobs run-all exited ({stack.returncode})")
        arrivals = escalations(reference, smtp, sms, setup.card_labels)
        return arrivals if not missing(arrivals) else None

    # Red is due two working minutes after filing, then a sweep and a delivery: ~125 s. The
    # timeout leaves room for the minute a day that is not working time (see WORKING_HOURS).
    try:
        budget.wait_until("yellow and red reminders", all_cards, timeout=230)
    except SmokeFailure as exc:
        arrivals = escalations(reference, smtp, sms, setup.card_labels)
        with app.app_context():
            ticket = ticket_state(reference)
        raise SmokeFailure(
            f"{exc}; still missing: {', '.join(missing(arrivals))}; ticket {ticket}"
        ) from None
    say(
        f"yellow and red reminders arrived by e-mail and SMS "
        f"({time.time() - filed_at:.0f} s after filing)"
    )

    signer = (
        ticket["members"][0]
        if "member@demo.local" not in ticket["members"]
        else "member@demo.local"
    )
    member = Browser(base)
    member.sign_in(signer, PASSWORD)
    member.act(reference, "sign", {})
    events.append((time.time(), f"signed for by {signer}"))
    member.act(reference, "resolve", {"resolve-summary": "Power restored; smoke test done."})
    events.append((time.time(), f"resolved by {signer}"))
    enterprise.act(reference, "confirm", {"confirm-rating": "satisfied"})
    closed_at = time.time()
    events.append((closed_at, f"confirmed 'satisfied' by {ENTERPRISE}: closed"))
    with app.app_context():
        ticket = ticket_state(reference)
    if ticket["status"] != "closed":
        raise SmokeFailure(f"ticket {reference} is {ticket['status']} after confirming, not closed")
    say(f"{reference} closed through the web (signed, resolved, confirmed 'satisfied')")

    quiet = 3 * SWEEP_SECONDS + 10
    say(f"watching {quiet} s (three sweeps and then some) for reminders after the close")
    time.sleep(min(quiet, max(budget.left() - 5, 0)))
    if stack.poll() is not None:
        raise SmokeFailure(f"flask jobs run-all exited ({stack.returncode})")

    arrivals = escalations(reference, smtp, sms, setup.card_labels)
    late = [a for a in arrivals if a.at > closed_at]
    events.extend(arrival_lines(arrivals, filed_at, args.verbose))
    timeline = [f"  t+{at - filed_at:6.1f} s  {what}" for at, what in sorted(events)]
    print("\nTimeline (seconds after filing):\n" + "\n".join(timeline), flush=True)
    if late:
        raise SmokeFailure(
            f"{len(late)} reminder(s) for {reference} arrived after it closed: "
            + "; ".join(f"{a.channel} {a.card} to {a.to}" for a in late)
        )
    keys = [a.key for a in arrivals]
    if len(keys) != len(set(keys)):
        raise SmokeFailure(f"a reminder for {reference} arrived twice: {sorted(keys)}")
    with app.app_context():
        ticket = ticket_state(reference)
    unsettled = {s: n for s, n in ticket["escalations"].items() if s in ("pending", "sending")}
    if unsettled:
        raise SmokeFailure(
            f"escalation rows of {reference} still waiting after the close: {unsettled}"
        )
    return [
        f"{reference}: {len(arrivals)} reminders delivered, each once; escalation rows by "
        f"status {ticket['escalations']}; none arrived in the {quiet} s after the close"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="RQ workers for run-all")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="list every reminder in the timeline, not one line per card",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary instance folder (kept anyway on failure)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _sigterm)
    started = time.monotonic()
    budget = Budget(BUDGET_SECONDS)
    state: dict = {"tmp": tempfile.mkdtemp(prefix="greenchannel-smoke-")}
    ok = False
    try:
        for line in smoke(args, budget, state):
            say(line)
        ok = True
    except SmokeFailure as exc:
        say(f"FAILED: {exc}")
    except Exception as exc:  # noqa: BLE001  (any crash is a failed smoke test, with its story)
        import traceback

        traceback.print_exc()
        say(f"FAILED: {type(exc).__name__}: {exc}")
    finally:
        stop_group(state.get("stack"))
        if state.get("log_file"):
            state["log_file"].close()
        for name in ("smtp", "sms"):
            if state.get(name):
                state[name].stop()
        if not ok and state.get("log"):
            lines = Path(state["log"]).read_text(errors="replace").splitlines()
            print("\nLast lines of flask jobs run-all:\n  " + "\n  ".join(lines[-40:]))
        if ok and not args.keep:
            import shutil

            shutil.rmtree(state["tmp"], ignore_errors=True)
        else:
            say(f"files kept in {state['tmp']}")
    elapsed = time.monotonic() - started
    say(f"{'passed' if ok else 'FAILED'} in {elapsed:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
