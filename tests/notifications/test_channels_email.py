"""E-mail channel: the SMTP sender against a real SMTP server on loopback, and the log sender."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from servicedesk.config import ConfigurationError
from servicedesk.notifications.channels import DeliveryError
from servicedesk.notifications.channels.email import (
    EmailMessage,
    LogEmailSender,
    SmtpEmailSender,
    email_sender_from_config,
)
from tests.support import fixtures
from tests.support.loopback import SmtpStandIn

# Until tests/conftest.py registers the stand-in fixtures for everyone.
smtp_standin = fixtures.smtp_standin

SUBJECT = "【黄牌】诉求 GC-2026-000123 消防验收超期"


def escalation_mail(**changes) -> EmailMessage:
    values = {
        "to": "li.na@boe.example",
        "subject": SUBJECT,
        "text": "本诉求的办结期限已过。\nOpen the ticket: http://127.0.0.1/t/1\n",
        "html": "<p>本诉求的<strong>办结期限</strong>已过。</p>",
        "message_id": "<gc-17-3f2a9c@greenchannel.local>",
    }
    return EmailMessage(**{**values, **changes})


def sender_for(standin: SmtpStandIn, **options) -> SmtpEmailSender:
    return SmtpEmailSender(
        standin.host,
        standin.port,
        timeout=options.pop("timeout", 2.0),
        sender="绿色通道 Green Channel <noreply@greenchannel.local>",
        **options,
    )


def test_a_chinese_reminder_arrives_intact_as_text_and_html(smtp_standin):
    provider_id = sender_for(smtp_standin).send(escalation_mail())

    [mail] = smtp_standin.wait_for(1)
    assert provider_id == "<gc-17-3f2a9c@greenchannel.local>" == mail.message_id
    assert mail.subject == SUBJECT
    assert mail.message.get_content_type() == "multipart/alternative"
    assert "办结期限已过" in mail.part("plain")
    assert "<strong>办结期限</strong>" in mail.part("html")
    assert mail.envelope_to == ("li.na@boe.example",)
    assert mail.envelope_from == "noreply@greenchannel.local"
    assert mail.message["From"].addresses[0].display_name == "绿色通道 Green Channel"
    assert mail.message["Date"] and mail.message["Auto-Submitted"] == "auto-generated"


def test_a_retried_message_carries_the_same_message_id(smtp_standin):
    sender = sender_for(smtp_standin)
    sender.send(escalation_mail(message_id="gc-17-3f2a9c@greenchannel.local"))
    sender.send(escalation_mail(message_id="gc-17-3f2a9c@greenchannel.local"))

    smtp_standin.wait_for(2)
    assert smtp_standin.unique_message_ids() == {"<gc-17-3f2a9c@greenchannel.local>"}


def test_a_message_without_html_is_plain_text(smtp_standin):
    sender_for(smtp_standin).send(escalation_mail(html=None, reply_to="desk@park.example"))

    [mail] = smtp_standin.wait_for(1)
    assert mail.message.get_content_type() == "text/plain"
    assert mail.message["Reply-To"] == "desk@park.example"


def test_a_server_without_starttls_gives_a_clear_permanent_error(smtp_standin):
    with pytest.raises(DeliveryError, match="does not offer STARTTLS") as refused:
        sender_for(smtp_standin, use_starttls=True).send(escalation_mail())

    assert refused.value.retryable is False
    assert smtp_standin.messages == []


def test_a_temporary_failure_is_retried_later_and_then_goes_through(smtp_standin):
    sender = sender_for(smtp_standin)
    smtp_standin.mode = "tempfail"
    with pytest.raises(DeliveryError, match="451") as refused:
        sender.send(escalation_mail())
    assert refused.value.retryable is True
    assert smtp_standin.messages == []

    smtp_standin.mode = "ok"
    sender.send(escalation_mail())
    assert len(smtp_standin.wait_for(1)) == 1


def test_a_mail_server_down_for_a_while_is_retryable_and_comes_back_on_its_port(smtp_standin):
    sender = sender_for(smtp_standin)
    smtp_standin.stop()
    with pytest.raises(DeliveryError, match="refused the connection") as refused:
        sender.send(escalation_mail())
    assert refused.value.retryable is True

    smtp_standin.start()
    sender.send(escalation_mail())
    assert len(smtp_standin.wait_for(1)) == 1


def test_no_such_user_is_permanent(smtp_standin):
    smtp_standin.unknown_recipients.add("gone@boe.example")

    with pytest.raises(DeliveryError, match="550") as refused:
        sender_for(smtp_standin).send(escalation_mail(to="gone@boe.example"))

    assert refused.value.retryable is False


def test_a_message_rejected_after_data_is_permanent(smtp_standin):
    smtp_standin.mode = "reject"

    with pytest.raises(DeliveryError, match="554") as refused:
        sender_for(smtp_standin).send(escalation_mail())

    assert refused.value.retryable is False


def test_a_stalled_server_times_out_as_retryable_and_keeps_nothing(smtp_standin):
    smtp_standin.mode = "stall"
    started = time.monotonic()

    with pytest.raises(DeliveryError, match="did not answer in time") as refused:
        sender_for(smtp_standin, timeout=0.5).send(escalation_mail())

    assert refused.value.retryable is True
    assert time.monotonic() - started < 3
    smtp_standin.release(accept=True)  # too late: the client has hung up
    time.sleep(0.2)
    assert smtp_standin.messages == []


def test_a_stalled_message_counts_only_once_the_server_answers(smtp_standin):
    smtp_standin.mode = "stall"
    outcome: list[object] = []
    sending = threading.Thread(
        target=lambda: outcome.append(sender_for(smtp_standin, timeout=5).send(escalation_mail()))
    )
    sending.start()
    smtp_standin.wait_until_stalled(1)
    assert smtp_standin.messages == []

    smtp_standin.release(accept=True)
    sending.join(5)

    assert outcome == ["<gc-17-3f2a9c@greenchannel.local>"]
    assert len(smtp_standin.messages) == 1


def test_login_with_the_configured_account():
    with SmtpStandIn(credentials=("desk", "s3cret")) as server:
        sender_for(server, username="desk", password="s3cret").send(escalation_mail())
        assert len(server.wait_for(1)) == 1

        with pytest.raises(DeliveryError, match="535") as refused:
            sender_for(server, username="desk", password="wrong").send(escalation_mail())
        assert refused.value.retryable is False


def test_an_address_that_is_not_one_is_permanent_without_a_connection(smtp_standin):
    smtp_standin.stop()  # nothing is listening: a connection attempt would be retryable

    with pytest.raises(DeliveryError, match="not an e-mail address") as refused:
        sender_for(smtp_standin).send(escalation_mail(to="李娜"))

    assert refused.value.retryable is False


def test_in_development_mail_goes_to_the_log(caplog):
    caplog.set_level(logging.INFO, logger="servicedesk.mail")

    provider_id = LogEmailSender().send(escalation_mail(message_id="gc-1-ab@greenchannel.local"))

    assert provider_id == "<gc-1-ab@greenchannel.local>"
    [record] = [r for r in caplog.records if r.name == "servicedesk.mail"]
    assert "li.na@boe.example" in record.getMessage()
    assert SUBJECT in record.getMessage()
    assert "办结期限已过" in record.getMessage()


def test_settings_choose_the_sender(smtp_standin):
    assert isinstance(email_sender_from_config({}), LogEmailSender)
    sender = email_sender_from_config(smtp_standin.config(timeout=1))
    assert isinstance(sender, SmtpEmailSender)
    assert (sender.host, sender.port, sender.timeout) == ("127.0.0.1", smtp_standin.port, 1.0)
    sender.send(escalation_mail())
    assert len(smtp_standin.wait_for(1)) == 1

    with pytest.raises(ConfigurationError, match="MAIL_BACKEND"):
        email_sender_from_config({"MAIL_BACKEND": "carrier-pigeon"})
    with pytest.raises(ConfigurationError, match="STARTTLS or SSL"):
        email_sender_from_config(
            {
                "MAIL_BACKEND": "smtp",
                "MAIL_SERVER": "mail.example",
                "MAIL_USE_STARTTLS": True,
                "MAIL_USE_SSL": True,
            }
        )


def test_the_app_reads_mail_settings_from_the_environment(monkeypatch, tmp_path):
    from servicedesk.config import load_config

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MAIL_BACKEND", "smtp")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_STARTTLS", "true")
    config = load_config()

    assert config["MAIL_BACKEND"] == "smtp"
    assert config["MAIL_PORT"] == 587 and config["MAIL_USE_STARTTLS"] is True
    assert config["MAIL_DEFAULT_SENDER"] == "Green Channel <noreply@greenchannel.local>"
    assert config["MAIL_TIMEOUT"] == 10


def test_a_server_that_wants_a_login_refuses_anonymous_mail():
    with SmtpStandIn(credentials=("desk", "s3cret")) as server:
        with pytest.raises(DeliveryError, match="530") as refused:
            sender_for(server).send(escalation_mail())

    assert refused.value.retryable is False
    assert server.messages == []
