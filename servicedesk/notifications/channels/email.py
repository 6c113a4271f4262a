"""E-mail channel: SMTP for real deployments, the log for development.

A sender takes one :class:`EmailMessage` and returns the provider id (its Message-ID). The caller
passes a Message-ID derived from the outbox row, so a retried send carries the same one and a
mail client or a duplicate filter can recognise a resend.
"""

from __future__ import annotations

import functools
import logging
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, localtime
from typing import Protocol

from servicedesk.config import ConfigurationError
from servicedesk.notifications.channels import DeliveryError

log = logging.getLogger("servicedesk.mail")

DEFAULT_SENDER = "Green Channel <noreply@greenchannel.local>"
# 7bit: Chinese bodies go out base64/quoted-printable, safe on servers without 8BITMIME.
_POLICY = policy.SMTP.clone(cte_type="7bit")


@dataclass(frozen=True)
class EmailMessage:
    """One rendered e-mail for one recipient."""

    to: str
    subject: str
    text: str
    html: str | None
    message_id: str
    reply_to: str | None = None


class EmailSender(Protocol):
    """What the outbox needs from an e-mail channel."""

    name: str

    def send(self, message: EmailMessage) -> str:
        """Hand the message over; return the provider id or raise :class:`DeliveryError`."""


def normalise_message_id(message_id: str) -> str:
    """The Message-ID in its header form, ``<local@domain>``."""
    value = message_id.strip()
    if not value:
        raise DeliveryError("the message has no Message-ID", retryable=False)
    return value if value.startswith("<") else f"<{value.strip('<>')}>"


def build_mime(message: EmailMessage, sender: str) -> MimeMessage:
    """The MIME message: text alone, or multipart/alternative with text and HTML."""
    if "@" not in message.to or any(c in message.to for c in "\r\n"):
        raise DeliveryError(f"{message.to!r} is not an e-mail address", retryable=False)
    mime = MimeMessage(policy=_POLICY)
    try:
        mime["From"] = sender
        mime["To"] = message.to
        # Subjects are one line; a title pasted with a line break must not break the header.
        mime["Subject"] = " ".join(message.subject.split())
        if message.reply_to:
            mime["Reply-To"] = message.reply_to
    except (ValueError, IndexError) as exc:
        raise DeliveryError(f"cannot address the message: {exc}", retryable=False) from exc
    mime["Date"] = format_datetime(localtime())
    mime["Message-ID"] = normalise_message_id(message.message_id)
    # RFC 3834: automatic notices must not trigger out-of-office replies.
    mime["Auto-Submitted"] = "auto-generated"
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    return mime


@functools.cache
def _local_hostname() -> str:
    # smtplib would look our name up (a DNS query) on every connection; once is enough.
    return socket.getfqdn()


def _smtp_failure(exc: smtplib.SMTPException, where: str) -> DeliveryError:
    """4xx answers may go through later; 5xx answers never will."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{rcpt}: {code} {text.decode(errors='replace')}"
            for rcpt, (code, text) in exc.recipients.items()
        )
        return DeliveryError(
            f"{where} refused the recipient ({detail})",
            retryable=all(400 <= code < 500 for code in codes),
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"{where}: {exc}", retryable=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return DeliveryError(
            f"{where} answered {exc.smtp_code} {text}", retryable=400 <= exc.smtp_code < 500
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc):
        return DeliveryError(f"{where} did not answer in time", retryable=True)
    # Disconnected, or another protocol hiccup: the server may be back in a minute.
    return DeliveryError(f"{where}: {exc or type(exc).__name__}", retryable=True)


class SmtpEmailSender:
    """Send through an SMTP server: plain, STARTTLS or implicit TLS (SMTPS), with optional login."""

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 25,
        use_starttls: bool = False,
        use_ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        sender: str = DEFAULT_SENDER,
        timeout: float = 10.0,
    ) -> None:
        if use_starttls and use_ssl:
            raise ConfigurationError("choose either STARTTLS or SSL for SMTP, not both")
        if not host:
            raise ConfigurationError("the SMTP server (MAIL_SERVER) is not set")
        self.host, self.port = host, int(port)
        self.use_starttls, self.use_ssl = use_starttls, use_ssl
        self.username, self.password = username or None, password or ""
        self.sender, self.timeout = sender, timeout

    def __repr__(self) -> str:
        return f"<SmtpEmailSender {self.host}:{self.port}>"

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                timeout=self.timeout,
                local_hostname=_local_hostname(),
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(
            self.host, self.port, timeout=self.timeout, local_hostname=_local_hostname()
        )

    def send(self, message: EmailMessage) -> str:
        """Send one message; return its Message-ID or raise :class:`DeliveryError`."""
        mime = build_mime(message, self.sender)
        where = f"mail server {self.host}:{self.port}"
        try:
            smtp = self._connect()
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"{where}: certificate not trusted ({exc.verify_message})", retryable=False
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise self._connection_failure(exc, where) from exc
        try:
            self._hand_over(smtp, mime, where)
        except DeliveryError:
            smtp.close()  # no polite QUIT: the server may be the thing that is stuck
            raise
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()  # the message was accepted; a lost goodbye changes nothing
        return mime["Message-ID"]

    def _hand_over(self, smtp: smtplib.SMTP, mime: MimeMessage, where: str) -> None:
        try:
            smtp.ehlo()
            if self.use_starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"{where} does not offer STARTTLS; check MAIL_USE_STARTTLS and MAIL_PORT",
                        retryable=False,
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(mime)
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"{where}: certificate not trusted ({exc.verify_message})", retryable=False
            ) from exc
        except smtplib.SMTPException as exc:
            raise _smtp_failure(exc, where) from exc
        except OSError as exc:
            raise self._connection_failure(exc, where) from exc

    @staticmethod
    def _connection_failure(exc: BaseException, where: str) -> DeliveryError:
        if isinstance(exc, smtplib.SMTPException):
            return _smtp_failure(exc, where)
        if isinstance(exc, TimeoutError):
            return DeliveryError(f"{where} did not answer in time", retryable=True)
        if isinstance(exc, ConnectionRefusedError):
            return DeliveryError(f"{where} refused the connection (down?)", retryable=True)
        return DeliveryError(f"{where}: {exc}", retryable=True)


class LogEmailSender:
    """Development default: write the message to the ``servicedesk.mail`` log instead of sending."""

    name = "log"

    def __init__(self, sender: str = DEFAULT_SENDER) -> None:
        self.sender = sender

    def send(self, message: EmailMessage) -> str:
        """Log recipient, subject and text; return the Message-ID."""
        build_mime(message, self.sender)  # the same address checks as a real send
        message_id = normalise_message_id(message.message_id)
        log.info(
            "e-mail %s to %s\nSubject: %s\n\n%s",
            message_id,
            message.to,
            message.subject,
            message.text,
        )
        return message_id


def email_sender_from_config(config: Mapping) -> SmtpEmailSender | LogEmailSender:
    """The sender the settings ask for: MAIL_BACKEND ``log`` (default) or ``smtp``."""
    backend = (config.get("MAIL_BACKEND") or "log").strip().lower()
    sender = config.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER
    if backend == "log":
        return LogEmailSender(sender)
    if backend == "smtp":
        return SmtpEmailSender(
            host=config.get("MAIL_SERVER") or "",
            port=int(config.get("MAIL_PORT") or 25),
            use_starttls=bool(config.get("MAIL_USE_STARTTLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=sender,
            timeout=float(config.get("MAIL_TIMEOUT") or 10),
        )
    raise ConfigurationError(f"MAIL_BACKEND must be log or smtp, not {backend!r}")
