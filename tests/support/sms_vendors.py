"""What the SMS vendors compute and answer, as the gateway stand-in imitates it.

The signatures are written from the vendors' documentation, independently of the providers in
``servicedesk.notifications.channels.sms``, so a mistake on one side shows up as a refusal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
import uuid


def _aliyun_encode(value: str) -> str:
    # Aliyun's documented recipe: URL-encode (UTF-8), then + -> %20, * -> %2A, %7E -> ~.
    encoded = urllib.parse.quote_plus(value, safe="", encoding="utf-8")
    return encoded.replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_expected_signature(fields: dict[str, str], secret: str) -> str:
    """What Aliyun computes for these fields (Signature excluded)."""
    pairs = sorted((_aliyun_encode(k), _aliyun_encode(v)) for k, v in fields.items())
    canonical = "&".join(f"{k}={v}" for k, v in pairs)
    to_sign = "POST&%2F&" + _aliyun_encode(canonical)
    mac = hmac.new((secret + "&").encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def tencent_expected_signature(
    *,
    secret_key: str,
    headers: dict[str, str],
    signed: list[str],
    path: str,
    body: bytes,
    timestamp: str,
    scope: str,
) -> str:
    """What Tencent computes for this request (TC3-HMAC-SHA256, headers as received)."""
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed
    )
    canonical = "\n".join(
        ["POST", path, "", canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()]
    )
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    date, service, _ = scope.split("/")
    key = ("TC3" + secret_key).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def vendor_error(endpoint: str, code: str, message: str) -> dict:
    if endpoint == "aliyun":
        return {"Code": code, "Message": message, "RequestId": str(uuid.uuid4())}
    if endpoint == "tencent":
        return {
            "Response": {
                "Error": {"Code": code, "Message": message},
                "RequestId": str(uuid.uuid4()),
            }
        }
    return {"error": message}


def throttled(endpoint: str) -> tuple[int, dict]:
    if endpoint == "aliyun":
        return 200, {
            "Code": "isv.BUSINESS_LIMIT_CONTROL",
            "Message": "触发号码天级流控Permits:10",
            "RequestId": str(uuid.uuid4()),
        }
    if endpoint == "tencent":
        return 200, {
            "Response": {
                "SendStatusSet": [
                    {
                        "SerialNo": "",
                        "PhoneNumber": "",
                        "Fee": 0,
                        "SessionContext": "",
                        "Code": "LimitExceeded.PhoneNumberThirtySecondLimit",
                        "Message": "the number of sms messages sent from a single mobile number "
                        "within 30 "
                        "seconds exceeds the upper limit",
                        "IsoCode": "CN",
                    }
                ],
                "RequestId": str(uuid.uuid4()),
            }
        }
    return 429, {"error": "too many requests"}
