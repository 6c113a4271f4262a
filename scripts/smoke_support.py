"""What scripts/smoke.py needs besides its story: a small browser (a cookie jar, forms read from
pages with their hidden fields and CSRF token, redirects followed), recognising the reminders the
loopback stand-ins received, and stopping a process group.
"""

from __future__ import annotations

import contextlib
import html.parser
import http.cookiejar
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the stand-ins live in tests/support; smoke.py puts the root on sys.path
    from tests.support.loopback import SmsGatewayStandIn, SmtpStandIn

CARDS = ("blue", "yellow", "red")


class SmokeFailure(Exception):
    """The system did not do what the smoke test expects; the message says what."""


def say(message: str) -> None:
    """One line of progress, with the time."""
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


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
            self._form = Form(
                a.get("action", ""),
                a.get("method", "get").lower(),
                a.get("enctype", "application/x-www-form-urlencoded"),
            )
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
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.url, self.page = "", ""

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as answer:
                self.url, self.page = answer.geturl(), answer.read().decode("utf-8", "replace")
                return answer.status, self.page
        except urllib.error.HTTPError as exc:
            self.url, self.page = exc.geturl(), exc.read().decode("utf-8", "replace")
            raise SmokeFailure(
                f"{request.get_method()} {request.full_url} answered {exc.code}"
            ) from None

    def get(self, path: str) -> str:
        self._open(urllib.request.Request(urllib.parse.urljoin(self.base, path)))
        return self.page

    def form(self, action_ends: str) -> Form:
        parser = FormParser()
        parser.feed(self.page)
        for form in parser.forms:
            if urllib.parse.urlsplit(urllib.parse.urljoin(self.url, form.action)).path.endswith(
                action_ends
            ):
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
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": content_type, "Referer": self.url},
        )
        self._open(request)
        return self.page

    def act(self, reference: str, name: str, values: dict[str, str]) -> None:
        """Take action ``name`` on the ticket page; SmokeFailure when the form is refused."""
        self.get(f"/tickets/{reference}")
        self.submit(f"/act/{name}", values)
        if urllib.parse.urlsplit(self.url).path.endswith(f"/act/{name}"):  # no redirect
            alerts = re.findall(r'class="alert alert-danger[^"]*"[^>]*>(.*?)<', self.page, re.S)
            raise SmokeFailure(
                f"{name} on {reference} was refused: "
                f"{'; '.join(a.strip() for a in alerts) or 'no message'}"
            )

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the sign-in form; SmokeFailure when it does not let us in."""
        self.get("/login")
        self.submit("/login", {"email": email, "password": password})
        if urllib.parse.urlsplit(self.url).path.endswith("/login"):
            raise SmokeFailure(f"signing in as {email} failed (still on the sign-in page)")


def _file_fields(page: str, form: Form) -> list[str]:
    """Names of the form's file inputs (a browser sends them empty when nothing is chosen)."""

    class Files(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = False
            self.names: list[str] = []

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
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name in empty_files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n'.encode()
        )
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
    #: Every card the message names: one reminder folds all the deadlines of a ticket that
    #: came due in one sweep, under the highest card (``card``).
    named: frozenset[str] = frozenset()


def card_of(text: str, labels: dict[str, set[str]]) -> str | None:
    """Which card a subject or SMS names (the red check first: labels never overlap)."""
    for card in reversed(CARDS):
        if any(label in text for label in labels[card]):
            return card
    return None


def cards_named(text: str, labels: dict[str, set[str]]) -> frozenset[str]:
    """Every card a message's text names."""
    return frozenset(c for c in CARDS if any(label in text for label in labels[c]))


def escalations(
    reference: str, smtp: SmtpStandIn, sms: SmsGatewayStandIn, labels: dict[str, set[str]]
) -> list[Arrival]:
    """Every reminder for ``reference`` the stand-ins accepted, oldest first."""
    found = []
    for mail in smtp.messages:
        card = card_of(mail.subject, labels)
        if reference in mail.subject and card:
            body = mail.message.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            found.append(
                Arrival(
                    mail.received_at,
                    "e-mail",
                    card,
                    ",".join(mail.envelope_to),
                    mail.subject,
                    mail.message_id,
                    cards_named(text, labels) | {card},
                )
            )
    for message in sms.messages:
        text = message.text or str(message.params)
        card = card_of(text, labels)
        if message.template == "escalation" and reference in text and card:
            found.append(
                Arrival(
                    message.received_at,
                    "SMS",
                    card,
                    message.to,
                    text,
                    message.idempotency_key,
                    cards_named(text, labels) | {card},
                )
            )
    return sorted(found, key=lambda a: a.at)


def arrival_lines(arrivals: list[Arrival], start: float, verbose: bool) -> list[tuple[float, str]]:
    """Timeline entries: one per message when ``verbose``, else one per card and channel."""
    if verbose:
        return [(a.at, f"{a.card} {a.channel} to {a.to}: {a.text[:70]}") for a in arrivals]
    groups: dict[tuple[str, str], list[Arrival]] = {}
    for arrival in arrivals:
        groups.setdefault((arrival.card, arrival.channel), []).append(arrival)
    lines = []
    for (card, channel), items in groups.items():
        people = ", ".join(sorted({a.to for a in items}))
        lines.append(
            (
                items[0].at,
                f"{card} {channel} ×{len(items)} (last at t+"
                f"{items[-1].at - start:.1f} s) to {people}",
            )
        )
    return lines


def missing(arrivals: list[Arrival]) -> list[str]:
    """The expected reminders not yet seen: yellow and red, by e-mail and SMS. With one-minute
    limits the blue step (50 % used) comes due in the same sweep as the yellow card, so catch-up
    records it as superseded and only the yellow goes out (a blue never follows a yellow)."""
    seen = {(a.channel, card) for a in arrivals for card in a.named}
    wanted = [("e-mail", "yellow"), ("e-mail", "red"), ("SMS", "yellow"), ("SMS", "red")]
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
