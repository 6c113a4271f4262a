"""`make smoke`: the whole system on embedded defaults, end to end, in about three minutes.

Starts an SMTP and an SMS gateway stand-in on 127.0.0.1, prepares a fresh instance (SQLite,
demo data, a 24-hour calendar, one-minute limits, a fast ladder), starts ``flask jobs run-all``
(no REDIS_URL, so it starts its embedded Valkey), files a ticket through the web form as the
demo enterprise, waits for the blue, yellow and red reminders by e-mail and SMS, closes the
ticket through the web (sign, resolve, confirm "satisfied"), waits three sweeps more and checks
that no reminder for the ticket arrived after it closed. Prints a timeline; exits 0 on success,
1 with a readable message on any failure. Everything it started is stopped in any case.

Run from the repository root: ``.venv/bin/python scripts/smoke.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import contextlib
import html.parser
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.loopback import SmsGatewayStandIn, SmtpStandIn, free_port  # noqa: E402

PASSWORD = "greenchannel"
ENTERPRISE = "enterprise@demo.local"
SWEEP_SECONDS = 5
#: Not "00:00-24:00": the calendar reads times of day and 24:00 is none. One minute a day
#: (23:59-24:00 Asia/Shanghai) is therefore not working time; a run across it waits a minute more.
WORKING_HOURS = "00:00-23:59"
BUDGET_SECONDS = 285  # the whole run, setup included; `make smoke` promises under five minutes
CARDS = ("blue", "yellow", "red")


class SmokeFailure(Exception):
    """The system did not do what the smoke test expects; the message says what."""


def say(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


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
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MAIL_", "SMS_", "FLASK_"))
           and k not in {"REDIS_URL", "DATABASE_URL", "APP_ENV", "SECRET_KEY", "WORKING_HOURS",
                         "TIMEZONE", "PORT", "PUBLIC_BASE_URL", "UPLOAD_FOLDER",
                         "SWEEP_INTERVAL_SECONDS", "REENQUEUE_GRACE_SECONDS",
                         "DELIVERY_BACKOFF_SECONDS", "MORNING_DIGEST_AT", "DEFAULT_LOCALE"}}
    env.update({
        "APP_ENV": "development",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'smoke.db'}",
        "WORKING_HOURS": WORKING_HOURS,
        "SWEEP_INTERVAL_SECONDS": str(SWEEP_SECONDS),
        "REENQUEUE_GRACE_SECONDS": "2",
        "DELIVERY_BACKOFF_SECONDS": "2,5,10",
        "SMS_QUIET_HOURS": "",
        "SMS_DAILY_CAP": "1000",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": smtp.host, "MAIL_PORT": str(smtp.port),
        "MAIL_TIMEOUT": "5",
        "SMS_PROVIDER": "http", "SMS_GATEWAY_URL": sms.url("generic"),
        "SMS_GATEWAY_TOKEN": sms.token, "SMS_TIMEOUT": "5",
        "PORT": str(port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def run_flask(env: dict, *args: str, timeout: float = 120) -> None:
    """Run one ``flask`` command to completion; SmokeFailure with its output when it fails."""
    result = subprocess.run(flask_command(*args), cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode != 0:
        raise SmokeFailure(f"flask {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}{result.stderr}")


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
    from servicedesk.notifications.render import CARD_LABELS
    from servicedesk.sla.calendar_store import load_calendar, local_today, set_day
    from servicedesk.sla.models import Tier
    from servicedesk.sla.policy import Limits
    from servicedesk.sla.services import save_policy
    from servicedesk.tickets.models import Category

    app = create_app()
    with app.app_context():
        category = db.session.scalar(select(Category).where(
            Category.name == CATEGORIES["policy"][0]))
        if category is None:
            raise SmokeFailure("the demo category 政策咨询 is missing after `flask demo load`")
        for tier in Tier:
            save_policy(category, tier, Limits(1, 1, 1))
        today = local_today()
        for offset in range(-1, 9):
            set_day(today + timedelta(days=offset), True, "smoke test: every day is worked")
        email, sms = "email", "sms"
        rungs = [  # level, trigger, threshold, audiences, channels, active
            (Level.BLUE, Trigger.SHARE_USED, 50, [Audience.ASSIGNEE], [email], True),
            (Level.YELLOW, Trigger.OVERDUE, 0, [Audience.ASSIGNEE, Audience.LEAD],
             [email, sms], True),
            (Level.RED, Trigger.OVERDUE, 1, [Audience.LEAD, Audience.SUPERVISORS],
             [email, sms], True),
            (Level.REPEAT, Trigger.DAILY, 1, [Audience.LEAD, Audience.SUPERVISORS],
             [email, sms], False),
        ]
        db.session.execute(delete(EscalationStep))
        for stage in Stage:
            for level, trigger, threshold, audiences, channels, active in rungs:
                db.session.add(EscalationStep(
                    stage=stage.value, level=level.value, trigger=trigger.value,
                    threshold=threshold, audiences=[a.value for a in audiences],
                    channels=channels, active=active))
        db.session.commit()
        if load_calendar().minutes_per_day != 1439:
            raise SmokeFailure(f"WORKING_HOURS {WORKING_HOURS} not in force")
        labels = {}
        for card in CARDS:
            names = set()
            for locale in app.config["LANGUAGES"]:
                with force_locale(locale):
                    names.add(str(CARD_LABELS[card]))
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
    rows = db.session.scalars(select(Notification).where(
        Notification.ticket_id == ticket.id, Notification.kind == "escalation")).all()
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + 1
    state = {
        "status": ticket.status, "card": ticket.card,
        "task_force": ticket.task_force.name if ticket.task_force else None,
        "members": [m.email for m in ticket.task_force.members] if ticket.task_force else [],
        "lead": ticket.task_force.lead.email if ticket.task_force and ticket.task_force.lead
        else None,
        "escalations": by_status,
        "failed": [f"{r.channel} to {r.address}: {r.last_error}" for r in rows
                   if r.status == "failed"],
    }
    db.session.remove()
    return state


# --- a small browser: cookies, forms, CSRF tokens --------------------------------------------

@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser would send
    names: set[str] = field(default_factory=set)


class FormParser(html.parser.HTMLParser):
    """Every <form> of a page with the values a browser would submit by default."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._submitted = False

    def handle_starttag(self, tag, attrs) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(),
                              a.get("enctype", "application/x-www-form-urlencoded"))
            self._submitted = False
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or ("name" not in a and tag in ("input", "select", "textarea")):
            return
        if tag == "input":
            kind, name = a.get("type", "text").lower(), a["name"]
            form.names.add(name)
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                if not self._submitted:  # the button a person clicks
                    form.fields.append((name, a.get("value", "")))
                    self._submitted = True
            elif kind != "file":
                form.fields.append((name, a.get("value", "")))
        elif tag == "select":
            self._select = (a["name"], [])
            form.names.add(a["name"])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = (a["name"], [])
            form.names.add(a["name"])

    def handle_data(self, data) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options[:1]]
            self._form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            self._form.fields.append((name, "".join(text).lstrip("\n")))
            self._textarea = None


class Browser:
    """One person's browser: a cookie jar, forms read from pages, redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.url, self.page = "", ""

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as answer:
                self.url, self.page = answer.geturl(), answer.read().decode("utf-8", "replace")
                return answer.status, self.page
        except urllib.error.HTTPError as exc:
            self.url, self.page = exc.geturl(), exc.read().decode("utf-8", "replace")
            raise SmokeFailure(f"{request.get_method()} {request.full_url} answered "
                               f"{exc.code}") from None

    def get(self, path: str) -> str:
        self._open(urllib.request.Request(urllib.parse.urljoin(self.base, path)))
        return self.page

    def form(self, action_ends: str) -> Form:
        parser = FormParser()
        parser.feed(self.page)
        for form in parser.forms:
            if urllib.parse.urlsplit(urllib.parse.urljoin(self.url, form.action)).path \
                    .endswith(action_ends):
                return form
        actions = [f.action for f in parser.forms]
        raise SmokeFailure(f"no form posting to …{action_ends} on {self.url} (forms: {actions})")

    def submit(self, action_ends: str, values: dict[str, str]) -> str:
        """Fill in the form like a person (hidden fields, CSRF token kept) and send it."""
        form = self.form(action_ends)
        unknown = set(values) - form.names
        if unknown:
            raise SmokeFailure(f"the form …{action_ends} has no field {sorted(unknown)}")
        fields = [(k, v) for k, v in form.fields if k not in values] + list(values.items())
        url = urllib.parse.urljoin(self.url, form.action or self.url)
        if form.enctype == "multipart/form-data":
            body, content_type = multipart(fields, empty_files=_file_fields(self.page, form))
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": content_type,
                                                  "Referer": self.url})
        self._open(request)
        return self.page

    def act(self, reference: str, name: str, values: dict[str, str]) -> None:
        """Take action ``name`` on the ticket page; SmokeFailure when the form is refused."""
        self.get(f"/tickets/{reference}")
        self.submit(f"/act/{name}", values)
        if urllib.parse.urlsplit(self.url).path.endswith(f"/act/{name}"):  # no redirect
            alerts = re.findall(r'class="alert alert-danger[^"]*"[^>]*>(.*?)<', self.page, re.S)
            raise SmokeFailure(f"{name} on {reference} was refused: "
                               f"{'; '.join(a.strip() for a in alerts) or 'no message'}")

    def sign_in(self, email: str) -> None:
        self.get("/login")
        self.submit("/login", {"email": email, "password": PASSWORD})
        if urllib.parse.urlsplit(self.url).path.endswith("/login"):
            raise SmokeFailure(f"signing in as {email} failed (still on the sign-in page)")


def _file_fields(page: str, form: Form) -> list[str]:
    """Names of the form's file inputs (a browser sends them empty when nothing is chosen)."""

    class Files(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.names = False, []

        def handle_starttag(self, tag, attrs) -> None:
            a = dict(attrs)
            if tag == "form":
                self.inside = (a.get("action") or "") == form.action
            elif tag == "input" and self.inside and (a.get("type") or "") == "file":
                self.names.append(a.get("name") or "")

        def handle_endtag(self, tag) -> None:
            if tag == "form":
                self.inside = False

    parser = Files()
    parser.feed(page)
    return [n for n in parser.names if n]


def multipart(fields: list[tuple[str, str]], empty_files: list[str]) -> tuple[bytes, str]:
    boundary = f"----smoke{uuid.uuid4().hex}"
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name in empty_files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n'
                     .encode())
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- what arrived ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Arrival:
    at: float
    channel: str  # e-mail or SMS
    card: str
    to: str
    text: str
    key: str  # Message-ID or idempotency key: the same for a duplicate


def card_of(text: str, labels: dict[str, set[str]]) -> str | None:
    """Which card a subject or SMS names (the red check first: labels never overlap)."""
    for card in reversed(CARDS):
        if any(label in text for label in labels[card]):
            return card
    return None


def escalations(reference: str, smtp: SmtpStandIn, sms: SmsGatewayStandIn,
                labels: dict[str, set[str]]) -> list[Arrival]:
    """Every reminder for ``reference`` the stand-ins accepted, oldest first."""
    found = []
    for mail in smtp.messages:
        card = card_of(mail.subject, labels)
        if reference in mail.subject and card:
            found.append(Arrival(mail.received_at, "e-mail", card, ",".join(mail.envelope_to),
                                 mail.subject, mail.message_id))
    for message in sms.messages:
        text = message.text or str(message.params)
        card = card_of(text, labels)
        if message.template == "escalation" and reference in text and card:
            found.append(Arrival(message.received_at, "SMS", card, message.to, text,
                                 message.idempotency_key))
    return sorted(found, key=lambda a: a.at)


def arrival_lines(arrivals: list[Arrival], start: float, verbose: bool
                  ) -> list[tuple[float, str]]:
    """Timeline entries: one per message when ``verbose``, else one per card and channel."""
    if verbose:
        return [(a.at, f"{a.card} {a.channel} to {a.to}: {a.text[:70]}") for a in arrivals]
    groups: dict[tuple[str, str], list[Arrival]] = {}
    for arrival in arrivals:
        groups.setdefault((arrival.card, arrival.channel), []).append(arrival)
    lines = []
    for (card, channel), items in groups.items():
        people = ", ".join(sorted({a.to for a in items}))
        lines.append((items[0].at, f"{card} {channel} ×{len(items)} (last at t+"
                                   f"{items[-1].at - start:.1f} s) to {people}"))
    return lines


def missing(arrivals: list[Arrival]) -> list[str]:
    """The expected reminders not yet seen: blue/yellow/red e-mail, yellow/red SMS."""
    seen = {(a.channel, a.card) for a in arrivals}
    wanted = [("e-mail", c) for c in CARDS] + [("SMS", "yellow"), ("SMS", "red")]
    return [f"{card} {channel}" for channel, card in wanted if (channel, card) not in seen]


# --- stopping what we started ---------------------------------------------------------------

def stop_group(process: subprocess.Popen | None, grace: float = 15) -> None:
    """SIGTERM the process group, wait, then SIGKILL whatever of the group is left."""
    if process is None:
        return
    pgid = process.pid  # start_new_session: the group id is the leader's pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    end = time.monotonic() + grace
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    while time.monotonic() < end:  # the leader's children may take a moment longer
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
        say("some processes ignored SIGTERM: killed")
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


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
    say(f"instance {instance}: demo data, 24-hour calendar ({WORKING_HOURS}), one-minute limits "
        f"for {setup.category_name}, ladder blue 50 % / yellow at deadline / red +1 min")

    log_path = Path(state["tmp"]) / "run-all.log"
    state["log"] = log_path
    log = open(log_path, "w")  # noqa: SIM115  (closed in main's finally with the process)
    state["log_file"] = log
    state["stack"] = stack = subprocess.Popen(
        flask_command("jobs", "run-all", "--workers", str(args.workers), "--port", str(port)),
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
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
    enterprise.sign_in(ENTERPRISE)
    enterprise.get("/tickets/new")
    title = f"Smoke test {time.strftime('%H:%M:%S')}: power supply to line 3"
    enterprise.submit("/tickets/new", {
        "category": str(setup.category_id), "urgency": "normal", "title": title,
        "description": "Filed by scripts/smoke.py through the web form.",
        "key_project": "0", "preferred_channel": "email"})
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
    say(f"filed {reference}; routed to {ticket['task_force']} (lead {ticket['lead']}, "
        f"members {', '.join(ticket['members'])})")

    def all_cards() -> list[Arrival] | None:
        if stack.poll() is not None:
            raise SmokeFailure(f"flask jobs run-all exited ({stack.returncode})")
        arrivals = escalations(reference, smtp, sms, setup.card_labels)
        return arrivals if not missing(arrivals) else None

    # Red is due two working minutes after filing, then a sweep and a delivery: ~125 s. The
    # timeout leaves room for the minute a day that is not working time (see WORKING_HOURS).
    try:
        budget.wait_until("blue, yellow and red reminders", all_cards, timeout=230)
    except SmokeFailure as exc:
        arrivals = escalations(reference, smtp, sms, setup.card_labels)
        with app.app_context():
            ticket = ticket_state(reference)
        raise SmokeFailure(f"{exc}; still missing: {', '.join(missing(arrivals))}; "
                           f"ticket {ticket}") from None
    say(f"blue, yellow and red reminders arrived by e-mail and SMS "
        f"({time.time() - filed_at:.0f} s after filing)")

    signer = ticket["members"][0] if "member@demo.local" not in ticket["members"] \
        else "member@demo.local"
    member = Browser(base)
    member.sign_in(signer)
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
        raise SmokeFailure(f"ticket {reference} is {ticket['status']} after confirming, "
                           "not closed")
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
        raise SmokeFailure(f"{len(late)} reminder(s) for {reference} arrived after it closed: "
                           + "; ".join(f"{a.channel} {a.card} to {a.to}" for a in late))
    keys = [a.key for a in arrivals]
    if len(keys) != len(set(keys)):
        raise SmokeFailure(f"a reminder for {reference} arrived twice: {sorted(keys)}")
    with app.app_context():
        ticket = ticket_state(reference)
    unsettled = {s: n for s, n in ticket["escalations"].items() if s in ("pending", "sending")}
    if unsettled:
        raise SmokeFailure(f"escalation rows of {reference} still waiting after the close: "
                           f"{unsettled}")
    return [f"{reference}: {len(arrivals)} reminders delivered, each once; escalation rows by "
            f"status {ticket['escalations']}; none arrived in the {quiet} s after the close"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="RQ workers for run-all")
    parser.add_argument("--verbose", action="store_true",
                        help="list every reminder in the timeline, not one line per card")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary instance folder (kept anyway on failure)")
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
