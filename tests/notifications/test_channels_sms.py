"""SMS channel: every provider against the loopback gateway stand-in, faults and settings."""

from __future__ import annotations

import json
import logging
import time

import pytest

from servicedesk.config import ConfigurationError
from servicedesk.notifications.channels import DeliveryError
from servicedesk.notifications.channels.sms import (
    ConsoleSmsProvider,
    HttpGatewaySmsProvider,
    SmsMessage,
    sms_provider_from_config,
)
from servicedesk.notifications.channels.sms_vendors import (
    AliyunSmsProvider,
    TencentSmsProvider,
    aliyun_signature,
)
from tests.support import fixtures

# Until tests/conftest.py registers the stand-in fixtures for everyone.
sms_standin = fixtures.sms_standin

CODES = {"escalation": "SMS_480215001"}
KEY = "esc:17:0:resolve:yellow:0:5:sms"


def reminder(**changes) -> SmsMessage:
    # The title has a space, an asterisk and a tilde: the characters signatures get wrong.
    values = {
        "to": "+86 138-0013-8000",
        "template": "escalation",
        "params": {
            "ref": "GC-2026-000123",
            "title": "消防验收 *复验~",
            "card": "黄牌",
            "stage": "办结期限",
            "due": "2026-11-27 17:30",
        },
        "text": "黄牌：诉求GC-2026-000123「消防验收 *复验~」办结期限2026-11-27 17:30已过，"
        "请尽快处理。",
        "idempotency_key": KEY,
    }
    return SmsMessage(**{**values, **changes})


def provider(standin, kind: str, timeout: float = 2.0):
    return sms_provider_from_config(standin.config(kind, CODES, timeout=timeout))


def test_the_generic_gateway_gets_text_template_params_and_key(sms_standin):
    sent = provider(sms_standin, "http")
    assert isinstance(sent, HttpGatewaySmsProvider)

    gateway_id = sent.send(reminder())

    [sms] = sms_standin.wait_for(1)
    assert gateway_id == sms.provider_id
    assert sms.to == "13800138000"
    assert sms.template == "escalation"
    assert sms.params == reminder().params
    assert sms.text == reminder().text
    assert sms.idempotency_key == KEY


def test_aliyun_gets_named_params_a_template_code_and_our_key_as_out_id(sms_standin):
    sent = provider(sms_standin, "aliyun")
    assert isinstance(sent, AliyunSmsProvider)

    biz_id = sent.send(reminder())

    [sms] = sms_standin.wait_for(1)
    assert biz_id == sms.provider_id
    assert (sms.endpoint, sms.to, sms.template) == ("aliyun", "13800138000", "SMS_480215001")
    assert sms.params == reminder().params  # a JSON object: named
    assert sms.idempotency_key == KEY
    assert sms.sign_name == "绿色通道"


def test_tencent_gets_ordered_params_and_our_key_as_session_context(sms_standin):
    sent = provider(sms_standin, "tencent")
    assert isinstance(sent, TencentSmsProvider)
    # Stored params may come back in another order; the template's order is restored.
    shuffled = dict(reversed(list(reminder().params.items())))

    serial = sent.send(reminder(params=shuffled))

    [sms] = sms_standin.wait_for(1)
    assert serial == sms.provider_id
    assert (sms.endpoint, sms.to, sms.template) == ("tencent", "+8613800138000", "SMS_480215001")
    assert sms.params == [
        "GC-2026-000123",
        "消防验收 *复验~",
        "黄牌",
        "办结期限",
        "2026-11-27 17:30",
    ]
    assert sms.idempotency_key == KEY


@pytest.mark.parametrize(
    ("kind", "setting", "error"),
    [
        ("aliyun", "SMS_ACCESS_KEY_SECRET", "SignatureDoesNotMatch"),
        ("tencent", "SMS_ACCESS_KEY_SECRET", "AuthFailure.SignatureFailure"),
        ("http", "SMS_GATEWAY_TOKEN", "401"),
    ],
)
def test_a_wrong_secret_is_refused_by_the_gateway_for_good(sms_standin, kind, setting, error):
    config = {**sms_standin.config(kind, CODES), setting: "not-the-secret"}

    with pytest.raises(DeliveryError, match=error) as refused:
        sms_provider_from_config(config).send(reminder())

    assert refused.value.retryable is False
    assert sms_standin.messages == []


def test_the_aliyun_signature_matches_the_vendors_documented_example():
    fields = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }

    assert aliyun_signature(fields, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


@pytest.mark.parametrize("kind", ["http", "aliyun", "tencent"])
@pytest.mark.parametrize("mode", ["error500", "throttle", "timeout", "down"])
def test_a_gateway_in_trouble_means_try_again_later(sms_standin, kind, mode):
    sms_standin.timeout_delay = 3.0
    sms_standin.mode = mode
    started = time.monotonic()

    with pytest.raises(DeliveryError) as refused:
        provider(sms_standin, kind, timeout=0.5).send(reminder())

    assert refused.value.retryable is True
    assert time.monotonic() - started < 2.0  # the client's 0.5 s, not the gateway's 3 s
    assert sms_standin.messages == []


@pytest.mark.parametrize("kind", ["http", "aliyun", "tencent"])
def test_after_the_trouble_the_same_message_goes_through(sms_standin, kind):
    sms_standin.mode = "down"
    with pytest.raises(DeliveryError):
        provider(sms_standin, kind).send(reminder())

    sms_standin.mode = "ok"
    provider(sms_standin, kind).send(reminder())

    assert [sms.idempotency_key for sms in sms_standin.wait_for(1)] == [KEY]


def test_a_gateway_that_answers_too_late_may_still_send_it_so_keys_matter(sms_standin):
    sms_standin.timeout_delay = 1.0
    sms_standin.mode = "late"
    with pytest.raises(DeliveryError) as refused:
        provider(sms_standin, "aliyun", timeout=0.3).send(reminder())
    assert refused.value.retryable is True
    sms_standin.wait_for(1, timeout=3)  # it went out after all

    sms_standin.mode = "ok"
    provider(sms_standin, "aliyun").send(reminder())

    # The gateway does not de-duplicate: only the outbox can, by not resending.
    assert sms_standin.idempotency_keys() == [KEY, KEY]


@pytest.mark.parametrize("kind", ["console", "http", "aliyun", "tencent"])
@pytest.mark.parametrize("number", ["12345678901", "138001380", "", "not a number"])
def test_an_invalid_mobile_number_is_permanent_and_never_reaches_the_gateway(
    sms_standin, kind, number
):
    config = {"SMS_PROVIDER": "console"} if kind == "console" else sms_standin.config(kind, CODES)

    with pytest.raises(DeliveryError, match="not a mainland mobile number") as refused:
        sms_provider_from_config(config).send(reminder(to=number))

    assert refused.value.retryable is False
    assert sms_standin.hits == 0


@pytest.mark.parametrize("kind", ["aliyun", "tencent"])
def test_a_template_without_a_vendor_code_is_permanent(sms_standin, kind):
    with pytest.raises(
        DeliveryError, match="no vendor template code for SMS template 'ticket_reply'"
    ) as refused:
        provider(sms_standin, kind).send(reminder(template="ticket_reply", params={"ref": "X"}))

    assert refused.value.retryable is False
    assert sms_standin.hits == 0


def test_in_development_sms_goes_to_the_log(caplog):
    caplog.set_level(logging.INFO, logger="servicedesk.sms")

    provider_id = ConsoleSmsProvider().send(reminder())

    assert provider_id == f"console-{KEY}"
    [record] = [r for r in caplog.records if r.name == "servicedesk.sms"]
    assert "13800138000" in record.getMessage()
    assert reminder().text in record.getMessage()


def test_settings_choose_the_provider(sms_standin):
    assert isinstance(sms_provider_from_config({}), ConsoleSmsProvider)
    with pytest.raises(ConfigurationError, match="SMS_PROVIDER"):
        sms_provider_from_config({"SMS_PROVIDER": "pager"})
    with pytest.raises(ConfigurationError, match="SMS_ACCESS_KEY_ID"):
        sms_provider_from_config({"SMS_PROVIDER": "aliyun"})
    with pytest.raises(ConfigurationError, match="SMS_GATEWAY_URL"):
        sms_provider_from_config({"SMS_PROVIDER": "http"})
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        sms_provider_from_config({**sms_standin.config("tencent"), "SMS_TEMPLATE_CODES": "{x"})
    with pytest.raises(ConfigurationError, match="JSON object"):
        sms_provider_from_config({**sms_standin.config("tencent"), "SMS_TEMPLATE_CODES": "[1]"})


def test_the_app_reads_sms_settings_from_the_environment(monkeypatch, tmp_path):
    from servicedesk.config import load_config

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SMS_PROVIDER", "aliyun")
    monkeypatch.setenv("SMS_TEMPLATE_CODES", json.dumps(CODES))
    config = load_config()

    assert config["SMS_PROVIDER"] == "aliyun"
    assert json.loads(config["SMS_TEMPLATE_CODES"]) == CODES
    assert config["SMS_TIMEOUT"] == 5
