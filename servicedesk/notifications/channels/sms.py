"""SMS channel: one small provider interface, a console provider and a generic HTTP gateway
(the vendor-style providers are in :mod:`.sms_vendors`).

Chinese gateways are template based (a signature, a template code, named or ordered parameters)
and do not de-duplicate: every provider passes the outbox's idempotency key along (as the
gateway's own field where it has one) but exactly-once is the outbox's job. Aliyun- and
Tencent-style providers speak those vendors' SendSms APIs with their request signatures, using
only the standard library (no vendor SDKs). :func:`sms_provider_from_config` builds whichever
provider the settings name.
"""

from __future__ import annotations

import http.client
import json
import logging
import ssl
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from servicedesk.config import ConfigurationError
from servicedesk.enterprises.validators import is_mobile, normalise_mobile
from servicedesk.notifications.channels import DeliveryError

log = logging.getLogger("servicedesk.sms")


@dataclass(frozen=True)
class SmsMessage:
    """One rendered SMS for one mobile number.

    ``template`` is our template name (``escalation`` ...), ``params`` its parameters in the
    order the template lists them, ``text`` the whole message for gateways that take free text.
    """

    to: str
    template: str
    params: dict[str, str]
    text: str
    idempotency_key: str


class SmsProvider(ABC):
    """What the outbox needs from an SMS gateway."""

    name: str = "sms"

    @abstractmethod
    def send(self, message: SmsMessage) -> str:
        """Hand the message over; return the gateway's message id or raise DeliveryError."""


def mobile_or_refuse(number: str) -> str:
    """The normalised mainland mobile number, or a permanent DeliveryError."""
    if not number or not is_mobile(number):
        raise DeliveryError(f"{number!r} is not a mainland mobile number", retryable=False)
    return normalise_mobile(number)


@dataclass(frozen=True)
class HttpAnswer:
    """Status and body of an HTTP answer, whatever the status."""

    status: int
    body: bytes

    def json_object(self) -> dict:
        """The body as a JSON object, or an empty dict when it is not one."""
        try:
            payload = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {}
        return payload if isinstance(payload, dict) else {}

    def excerpt(self) -> str:
        """The start of the body, for error messages."""
        return self.body[:200].decode("utf-8", errors="replace").strip()


def post(
    url: str, body: bytes, headers: Mapping[str, str], timeout: float, where: str
) -> HttpAnswer:
    """POST and return the answer; no answer at all (down, timeout) is a retryable error."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpAnswer(response.status, response.read())
    except urllib.error.HTTPError as exc:
        try:
            content = exc.read()
        except (OSError, http.client.HTTPException):
            content = b""
        return HttpAnswer(exc.code, content or b"")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise DeliveryError(
                f"{where}: certificate not trusted ({reason.verify_message})", retryable=False
            ) from exc
        if isinstance(reason, TimeoutError):
            raise DeliveryError(
                f"{where} did not answer within {timeout:g} s", retryable=True
            ) from exc
        raise DeliveryError(f"{where} unreachable: {reason}", retryable=True) from exc
    except TimeoutError as exc:
        raise DeliveryError(f"{where} did not answer within {timeout:g} s", retryable=True) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"{where}: {exc or type(exc).__name__}", retryable=True) from exc


def status_is_retryable(status: int) -> bool:
    """HTTP statuses worth another try later: throttled, request timeout, server errors."""
    return status in (408, 429) or status >= 500


class ConsoleSmsProvider(SmsProvider):
    """Development: write the SMS to the ``servicedesk.sms`` log instead of sending it."""

    name = "console"

    def send(self, message: SmsMessage) -> str:
        """Log the message; return ``console-<idempotency key>``."""
        to = mobile_or_refuse(message.to)
        log.info(
            "SMS %s to %s [%s %s]: %s",
            message.idempotency_key,
            to,
            message.template,
            json.dumps(message.params, ensure_ascii=False),
            message.text,
        )
        return f"console-{message.idempotency_key}"


class HttpGatewaySmsProvider(SmsProvider):
    """A generic JSON gateway: POST {to, text, template, params, idempotency_key}, Bearer token.

    2xx is sent (the id is the answer's ``id``, else the idempotency key); 408, 429, 5xx and no
    answer are retryable; any other 4xx (bad token, bad request) is permanent.
    """

    name = "http"

    def __init__(self, url: str, token: str, timeout: float = 5.0) -> None:
        if not url:
            raise ConfigurationError("the SMS gateway URL (SMS_GATEWAY_URL) is not set")
        self.url, self.token, self.timeout = url, token, timeout

    def __repr__(self) -> str:
        return f"<HttpGatewaySmsProvider {self.url}>"

    def send(self, message: SmsMessage) -> str:
        """POST the message to the gateway; return the gateway's id."""
        to = mobile_or_refuse(message.to)
        body = json.dumps(
            {
                "to": to,
                "text": message.text,
                "template": message.template,
                "params": dict(message.params),
                "idempotency_key": message.idempotency_key,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": message.idempotency_key,
        }
        where = f"SMS gateway {self.url}"
        answer = post(self.url, body, headers, self.timeout, where)
        if 200 <= answer.status < 300:
            return str(answer.json_object().get("id") or message.idempotency_key)
        raise DeliveryError(
            f"{where} answered {answer.status}: {answer.excerpt()}",
            retryable=status_is_retryable(answer.status),
        )


def template_codes(value: str | Mapping | None) -> dict[str, str]:
    """SMS_TEMPLATE_CODES (a JSON object, or already a mapping) as our name -> vendor code."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        mapping = value
    else:
        try:
            mapping = json.loads(value)
        except ValueError as exc:
            raise ConfigurationError(f"SMS_TEMPLATE_CODES is not valid JSON: {exc}") from exc
    if not isinstance(mapping, Mapping) or not all(
        isinstance(v, str | int) for v in mapping.values()
    ):
        raise ConfigurationError(
            'SMS_TEMPLATE_CODES must be a JSON object such as {"escalation": "SMS_123456"}'
        )
    return {str(name): str(code) for name, code in mapping.items()}


def _required(config: Mapping, *names: str) -> None:
    missing = [name for name in names if not config.get(name)]
    if missing:
        raise ConfigurationError(
            f"SMS_PROVIDER={config.get('SMS_PROVIDER')} needs {', '.join(missing)}"
        )


def sms_provider_from_config(config: Mapping) -> SmsProvider:
    """The provider SMS_PROVIDER names: ``console`` (default), ``http``, ``aliyun``, ``tencent``."""
    kind = (config.get("SMS_PROVIDER") or "console").strip().lower()
    timeout = float(config.get("SMS_TIMEOUT") or 5)
    if kind == "console":
        return ConsoleSmsProvider()
    if kind == "http":
        _required(config, "SMS_GATEWAY_URL")
        return HttpGatewaySmsProvider(
            config["SMS_GATEWAY_URL"], config.get("SMS_GATEWAY_TOKEN") or "", timeout
        )
    # The vendor providers build on this module's base classes: a real cycle, kept in here.
    from servicedesk.notifications.channels.sms_vendors import (
        ALIYUN_ENDPOINT,
        TENCENT_ENDPOINT,
        AliyunSmsProvider,
        TencentSmsProvider,
    )

    codes = template_codes(config.get("SMS_TEMPLATE_CODES"))
    if kind == "aliyun":
        _required(config, "SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME")
        return AliyunSmsProvider(
            endpoint=config.get("SMS_GATEWAY_URL") or ALIYUN_ENDPOINT,
            access_key_id=config["SMS_ACCESS_KEY_ID"],
            access_key_secret=config["SMS_ACCESS_KEY_SECRET"],
            sign_name=config["SMS_SIGN_NAME"],
            template_codes=codes,
            timeout=timeout,
        )
    if kind == "tencent":
        _required(
            config, "SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_APP_ID"
        )
        return TencentSmsProvider(
            endpoint=config.get("SMS_GATEWAY_URL") or TENCENT_ENDPOINT,
            access_key_id=config["SMS_ACCESS_KEY_ID"],
            access_key_secret=config["SMS_ACCESS_KEY_SECRET"],
            sdk_app_id=str(config["SMS_APP_ID"]),
            sign_name=config["SMS_SIGN_NAME"],
            template_codes=codes,
            timeout=timeout,
        )
    raise ConfigurationError(f"SMS_PROVIDER must be console, http, aliyun or tencent, not {kind!r}")
