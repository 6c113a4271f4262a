"""Aliyun- and Tencent-style SMS providers: those vendors' SendSms APIs with their request
signatures (POP signature v1, TC3-HMAC-SHA256), using only the standard library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from servicedesk.notifications.channels import DeliveryError
from servicedesk.notifications.channels.sms import (
    SmsMessage,
    SmsProvider,
    mobile_or_refuse,
    post,
    status_is_retryable,
)
from servicedesk.notifications.render import SMS_PARAMS

# --- Aliyun-style SendSms (RPC API, signature version 1.0) -------------------------------------

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
# Throttled or a passing fault on their side: the same request may go through later.
_ALIYUN_RETRYABLE = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isp.SYSTEM_ERROR",
    "SignatureNonceUsed",
    "InvalidTimeStamp.Expired",
    "ServiceUnavailable",
    "InternalError",
}


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 text, as Aliyun's signature wants (space is %20)."""
    return urllib.parse.quote(str(value), safe="")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """POP signature v1: HMAC-SHA1 over ``METHOD&%2F&<encoded sorted query>``, key secret + "&"."""
    query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def vendor_code(codes: Mapping[str, str], template: str, setting: str) -> str:
    """The vendor's template code for our template name, or a permanent DeliveryError."""
    code = codes.get(template)
    if not code:
        raise DeliveryError(
            f"no vendor template code for SMS template {template!r}; add it to {setting}",
            retryable=False,
        )
    return code


@dataclass(kw_only=True, repr=False)
class VendorSmsProvider(SmsProvider):
    """What a vendor's SendSms is set up with: where to post (empty: the vendor's own endpoint),
    the access key pair that signs each request, our SMS signature (签名), the vendor's template
    code for each of our templates, the timeout and the vendor's region."""

    default_endpoint: ClassVar[str]

    endpoint: str
    access_key_id: str
    access_key_secret: str
    sign_name: str
    template_codes: Mapping[str, str]
    timeout: float = 5.0
    region: str

    def __post_init__(self) -> None:
        self.endpoint = self.endpoint or self.default_endpoint
        self.template_codes = dict(self.template_codes)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.endpoint}>"

    def template_code(self, message: SmsMessage) -> str:
        """The vendor's template code for the message's template, or a permanent DeliveryError."""
        return vendor_code(self.template_codes, message.template, "SMS_TEMPLATE_CODES")


@dataclass(kw_only=True, repr=False)
class AliyunSmsProvider(VendorSmsProvider):
    """Aliyun-style SendSms: named parameters (TemplateParam, a JSON object), OutId = our key."""

    name = "aliyun"
    default_endpoint = ALIYUN_ENDPOINT

    region: str = "cn-hangzhou"

    def signed_params(self, message: SmsMessage, to: str) -> dict[str, str]:
        """The request's form fields, Signature included (a fresh nonce on every call)."""
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            "PhoneNumbers": to,
            "SignName": self.sign_name,
            "TemplateCode": self.template_code(message),
            "OutId": message.idempotency_key,
        }
        if message.params:
            params["TemplateParam"] = json.dumps(
                dict(message.params), ensure_ascii=False, separators=(",", ":")
            )
        params["Signature"] = aliyun_signature(params, self.access_key_secret)
        return params

    def send(self, message: SmsMessage) -> str:
        """Send through SendSms; return the BizId."""
        to = mobile_or_refuse(message.to)
        body = urllib.parse.urlencode(
            self.signed_params(message, to), quote_via=urllib.parse.quote
        ).encode("ascii")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        where = f"Aliyun SMS {self.endpoint}"
        answer = post(self.endpoint, body, headers, self.timeout, where)
        payload = answer.json_object()
        code = str(payload.get("Code") or "")
        if code == "OK" and answer.status < 300:
            return str(payload.get("BizId") or message.idempotency_key)
        if not code:
            raise DeliveryError(
                f"{where} answered {answer.status}: {answer.excerpt()}",
                retryable=answer.status < 300 or status_is_retryable(answer.status),
            )
        retryable = code in _ALIYUN_RETRYABLE or code.startswith("Throttling")
        raise DeliveryError(
            f"{where} refused: {code} {payload.get('Message') or ''}".strip(), retryable=retryable
        )


# --- Tencent-style SendSms (API 3.0, TC3-HMAC-SHA256) ------------------------------------------

TENCENT_ENDPOINT = "https://sms.tencentcloudapi.com/"
_TENCENT_RETRYABLE_PREFIXES = (
    "LimitExceeded",
    "RequestLimitExceeded",
    "InternalError",
    "ResourceUnavailable",
    "AuthFailure.SignatureExpire",
)


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac_sha256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tencent_authorization(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    path: str,
    content_type: str,
    payload: bytes,
    timestamp: int,
    service: str = "sms",
) -> str:
    """The TC3-HMAC-SHA256 ``Authorization`` header for a POST of ``payload``."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        [
            "POST",
            path or "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            _sha256_hex(payload),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, _sha256_hex(canonical_request.encode())]
    )
    key = _hmac_sha256(f"TC3{secret_key}".encode(), date)
    key = _hmac_sha256(_hmac_sha256(key, service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


def ordered_params(message: SmsMessage) -> list[str]:
    """The parameters in the template's order (the render table's, else as given)."""
    names = SMS_PARAMS.get(message.template)
    if names and set(names) == set(message.params):
        return [str(message.params[name]) for name in names]
    return [str(value) for value in message.params.values()]


@dataclass(kw_only=True, repr=False)
class TencentSmsProvider(VendorSmsProvider):
    """Tencent-style SendSms: ordered parameters (TemplateParamSet), SessionContext = our key.
    Tencent calls the key pair SecretId and SecretKey; the SMS application is ``sdk_app_id``."""

    name = "tencent"
    default_endpoint = TENCENT_ENDPOINT
    content_type = "application/json; charset=utf-8"

    sdk_app_id: str
    region: str = "ap-guangzhou"

    def send(self, message: SmsMessage) -> str:
        """Send through SendSms; return the SerialNo."""
        to = mobile_or_refuse(message.to)
        payload = json.dumps(
            {
                "PhoneNumberSet": [f"+86{to}"],
                "SmsSdkAppId": self.sdk_app_id,
                "SignName": self.sign_name,
                "TemplateId": self.template_code(message),
                "TemplateParamSet": ordered_params(message),
                "SessionContext": message.idempotency_key,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        url = urllib.parse.urlsplit(self.endpoint)
        timestamp = int(time.time())
        headers = {
            "Authorization": tencent_authorization(
                secret_id=self.access_key_id,
                secret_key=self.access_key_secret,
                host=url.netloc.lower(),
                path=url.path,
                content_type=self.content_type,
                payload=payload,
                timestamp=timestamp,
            ),
            "Content-Type": self.content_type,
            "Host": url.netloc,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": "2021-01-11",
            "X-TC-Region": self.region,
        }
        where = f"Tencent SMS {self.endpoint}"
        answer = post(self.endpoint, payload, headers, self.timeout, where)
        response = answer.json_object().get("Response")
        response = response if isinstance(response, dict) else {}
        error = response.get("Error") if isinstance(response.get("Error"), dict) else None
        statuses = response.get("SendStatusSet") or []
        first = statuses[0] if statuses and isinstance(statuses[0], dict) else None
        if error is None and first is not None and first.get("Code") == "Ok":
            return str(first.get("SerialNo") or message.idempotency_key)
        refusal = error or first
        if refusal is None:
            raise DeliveryError(
                f"{where} answered {answer.status}: {answer.excerpt()}",
                retryable=answer.status < 300 or status_is_retryable(answer.status),
            )
        code = str(refusal.get("Code") or "")
        raise DeliveryError(
            f"{where} refused: {code} {refusal.get('Message') or ''}".strip(),
            retryable=code.startswith(_TENCENT_RETRYABLE_PREFIXES),
        )
