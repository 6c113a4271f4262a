"""Loopback stand-ins for the outside world: an SMTP server and an SMS gateway on 127.0.0.1.

Both listen only on 127.0.0.1, on a free port picked at construction, and keep that port across
``stop()`` / ``start()`` so a test can take a service down "for minutes" and bring it back where
the application expects it. Both record what they accepted in a thread-safe list and can be told
to misbehave at runtime. Use them from pytest (``tests/support/fixtures.py``) or from a script::

    with SmtpStandIn() as smtp, SmsGatewayStandIn() as sms:
        app = create_app({**smtp.config(), **sms.config("aliyun", {"escalation": "SMS_1"})})
        ...
        smtp.wait_for(3, timeout=60)
        sms.wait_for(2, timeout=60)

Neither de-duplicates: like a real mail server or a Chinese SMS gateway they accept every
message handed to them, so a test that counts ``messages`` sees any duplicate the app sends.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support._shared import HOST, Recorder, free_port
from tests.support.sms_gateway import (
    ALIYUN_ACCESS_KEY_ID,
    ALIYUN_ACCESS_KEY_SECRET,
    GATEWAY_TOKEN,
    SMS_MODES,
    TENCENT_APP_ID,
    TENCENT_SECRET_ID,
    TENCENT_SECRET_KEY,
    ReceivedSms,
    SmsGatewayStandIn,
)

__all__ = [
    "ALIYUN_ACCESS_KEY_ID",
    "ALIYUN_ACCESS_KEY_SECRET",
    "GATEWAY_TOKEN",
    "SMS_MODES",
    "SMTP_MODES",
    "TENCENT_APP_ID",
    "TENCENT_SECRET_ID",
    "TENCENT_SECRET_KEY",
    "ReceivedMail",
    "ReceivedSms",
    "SmsGatewayStandIn",
    "SmtpStandIn",
    "free_port",
]

#: ok: accept; tempfail: 451 after DATA; reject: 554 after DATA; stall: hold the answer to DATA
#: until :meth:`SmtpStandIn.release` (or ``stall_release.set()``). A stalled message is recorded
#: only if the server finally answers 250 while the client is still connected: a client that
#: timed out has hung up, and its session (with the message) is dropped.
SMTP_MODES = ("ok", "tempfail", "reject", "stall")


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP stand-in answered 250 to."""

    envelope_from: str
    envelope_to: tuple[str, ...]
    message: EmailMessage
    received_at: float = field(default_factory=time.time)

    @property
    def message_id(self) -> str:
        """The Message-ID header, with its angle brackets."""
        return str(self.message["Message-ID"] or "")

    @property
    def subject(self) -> str:
        """The decoded Subject header."""
        return str(self.message["Subject"] or "")

    def part(self, subtype: str) -> str:
        """The decoded body of the text/``subtype`` part (plain or html); "" when absent."""
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""

    def __repr__(self) -> str:
        return f"<ReceivedMail to={list(self.envelope_to)} {self.message_id} {self.subject!r}>"


def _client_gone(server) -> bool:
    """Whether the SMTP client hung up, even if the event loop has not noticed it yet (a peek
    at the socket: end-of-file or a reset means nobody is left to hear our answer)."""
    transport = server.transport
    if transport is None or transport.is_closing():
        return True
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    try:
        with socket.fromfd(sock.fileno(), sock.family, sock.type) as probe:
            return probe.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False  # connected, nothing sent: the client is waiting for our answer
    except OSError:
        return True


class _SmtpHandler:
    """aiosmtpd handler: the stand-in's current mode decides the answers."""

    def __init__(self, standin: SmtpStandIn) -> None:
        self.standin = standin

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.standin.credentials and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.standin.unknown_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        standin = self.standin
        mode = standin.mode
        if mode == "tempfail":
            return "451 4.3.0 Temporary failure, please try again later"
        if mode == "reject":
            return "554 5.7.1 Message rejected"
        if mode == "stall":
            gate = standin.stall_release
            standin._stalled_changed(+1)
            try:
                # Poll: blocking the event loop would freeze every other connection too.
                while not gate.is_set():
                    await asyncio.sleep(0.02)
            finally:
                standin._stalled_changed(-1)
            if not standin._accept_after_stall:
                return "451 4.3.0 Timed out while processing, please try again"
            if _client_gone(server):
                # The client died while we held the answer: it never learns the message was
                # taken, so (like a server that cannot say 250) we do not count it.
                return "451 4.3.0 Client went away"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        standin._record(ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 2.0.0 OK: queued"


class SmtpStandIn:
    """An aiosmtpd server on 127.0.0.1 recording every message it accepts.

    ``mode`` (see :data:`SMTP_MODES`) and ``unknown_recipients`` (answered 550 at RCPT) change
    its answers at runtime. It offers no STARTTLS; give ``credentials=(user, password)`` to make
    it require AUTH (PLAIN/LOGIN, allowed without TLS on loopback).
    """

    def __init__(self, port: int | None = None, credentials: tuple[str, str] | None = None) -> None:
        self.host = HOST
        self.port = port or free_port()
        self.credentials = credentials
        self.unknown_recipients: set[str] = set()
        self.stall_release = threading.Event()
        self._accept_after_stall = True
        self._mode = "ok"
        self._stalled = 0
        self._stalled_cond = threading.Condition()
        self._received = Recorder()
        self._controller: Controller | None = None
        self._lifecycle = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> SmtpStandIn:
        """Listen (again) on the same port; returns self."""
        with self._lifecycle:
            if self._controller is not None:
                return self
            kwargs: dict[str, Any] = {}
            if self.credentials:
                # AUTH without TLS is fine on loopback; handle_MAIL insists on it.
                kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
            # A fresh controller each time: a stopped one has closed its event loop.
            controller = Controller(
                _SmtpHandler(self),
                hostname=self.host,
                port=self.port,
                server_hostname="smtp-standin.localhost",
                ready_timeout=5,
                **kwargs,
            )
            controller.start()
            self._controller = controller
            return self

    def stop(self) -> None:
        """Stop listening; a stalled message is dropped unanswered (and not recorded)."""
        with self._lifecycle:
            controller, self._controller = self._controller, None
            if controller is not None:
                controller.stop()

    @property
    def running(self) -> bool:
        """True while the server listens."""
        return self._controller is not None

    def __enter__(self) -> SmtpStandIn:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- faults -----------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """The current behaviour, one of :data:`SMTP_MODES`."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        """Switch to one of :data:`SMTP_MODES`; entering ``stall`` arms a fresh release event."""
        if mode not in SMTP_MODES:
            raise ValueError(f"mode must be one of {SMTP_MODES}, not {mode!r}")
        if mode == "stall":
            self.stall_release = threading.Event()
            self._accept_after_stall = True
        self._mode = mode

    def release(self, accept: bool = True) -> None:
        """Answer stalled messages: 250 (recorded) when ``accept``, else 451; back to ``ok``."""
        self._accept_after_stall = accept
        self._mode = "ok"
        self.stall_release.set()

    def _stalled_changed(self, delta: int) -> None:
        with self._stalled_cond:
            self._stalled += delta
            self._stalled_cond.notify_all()

    def wait_until_stalled(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until ``count`` messages are being held in ``stall`` mode."""
        with self._stalled_cond:
            if not self._stalled_cond.wait_for(lambda: self._stalled >= count, timeout):
                raise AssertionError(f"expected {count} stalled messages, got {self._stalled}")

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.credentials == (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ):
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    # -- what arrived -----------------------------------------------------------------------

    def _record(self, mail: ReceivedMail) -> None:
        self._received.add(mail)

    @property
    def messages(self) -> list[ReceivedMail]:
        """Every accepted message, oldest first (a copy)."""
        return self._received.snapshot()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """Wait until ``count`` messages were accepted; AssertionError after ``timeout``."""
        return self._received.wait_for(count, timeout, "e-mails")

    def clear(self) -> None:
        """Forget what was received."""
        self._received.clear()

    def message_ids(self) -> list[str]:
        """The Message-ID of every accepted message, duplicates included."""
        return [mail.message_id for mail in self.messages]

    def unique_message_ids(self) -> set[str]:
        """The distinct Message-IDs accepted (compare with ``len(messages)`` for duplicates)."""
        return set(self.message_ids())

    def config(self, timeout: float = 2.0) -> dict[str, Any]:
        """Settings that point the app's SMTP sender at this stand-in."""
        user, password = self.credentials or (None, None)
        return {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_STARTTLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": user,
            "MAIL_PASSWORD": password,
            "MAIL_TIMEOUT": timeout,
        }

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<SmtpStandIn {self.host}:{self.port} {state} mode={self.mode}>"
