"""An SMS gateway stand-in on 127.0.0.1: a generic JSON gateway, Aliyun- and Tencent-style SendSms.

Paths: ``/generic`` (Bearer token), ``/aliyun`` (form-encoded RPC call, HMAC-SHA1 signature v1),
``/tencent`` (JSON, TC3-HMAC-SHA256). Signatures are recomputed with the known test secrets
(:mod:`tests.support.sms_vendors`) and a mismatch is refused with the vendor's own error. Like a
real gateway it never de-duplicates.
"""

from __future__ import annotations

import hmac
import itertools
import json
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support._shared import HOST, Recorder, free_port
from tests.support.sms_vendors import (
    aliyun_expected_signature,
    tencent_expected_signature,
    throttled,
    vendor_error,
)

GATEWAY_TOKEN = "test-gateway-token"
ALIYUN_ACCESS_KEY_ID = "LTAI-test-key-id"
ALIYUN_ACCESS_KEY_SECRET = "test-aliyun-secret"
TENCENT_SECRET_ID = "AKID-test-secret-id"
TENCENT_SECRET_KEY = "test-tencent-secret"
TENCENT_APP_ID = "1400000000"
SIGN_NAME = "绿色通道"

#: ok: accept; error500: answer 500; timeout: sleep ``timeout_delay`` s, then 504 (nothing
#: sent); late: sleep, then accept and record (the client has given up: the ambiguous case);
#: throttle: 429 / the vendor's throttling code; down: not listening (``start()`` again).
SMS_MODES = ("ok", "error500", "timeout", "late", "throttle", "down")
_MOBILE = re.compile(r"^(?:\+86)?1[3-9]\d{9}$")


@dataclass(frozen=True)
class ReceivedSms:
    """One SMS the stand-in accepted. ``params`` is a dict (generic, Aliyun) or list (Tencent)."""

    endpoint: str
    to: str
    template: str
    params: Any
    idempotency_key: str
    text: str = ""
    sign_name: str = ""
    provider_id: str = ""
    received_at: float = field(default_factory=time.time)


class _Refused(Exception):
    """Answer ``status`` with ``payload`` instead of accepting."""

    def __init__(self, status: int, payload: dict) -> None:
        super().__init__(payload)
        self.status, self.payload = status, payload


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (stdlib's name)
        pass  # keep test output clean

    def _answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        standin = self.server.standin
        endpoint = self.path.split("?")[0].strip("/")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        standin._hit()
        if endpoint not in ("generic", "aliyun", "tencent"):
            self._answer(404, {"error": f"no endpoint /{endpoint}"})
            return
        mode = standin.mode
        if mode in ("timeout", "late"):
            if standin._waking.wait(standin.timeout_delay):
                return  # stopping: drop the connection
            if mode == "timeout":
                self._answer(504, {"error": "upstream timed out"})
                return
        if mode == "error500":
            self._answer(500, vendor_error(endpoint, "InternalError", "internal error"))
            return
        if mode == "throttle":
            self._answer(*throttled(endpoint))
            return
        try:
            handler = {"generic": self._generic, "aliyun": self._aliyun, "tencent": self._tencent}[
                endpoint
            ]
            status, payload, received = handler(body)
        except _Refused as refusal:
            self._answer(refusal.status, refusal.payload)
            return
        standin._received.add(received)
        self._answer(status, payload)

    # -- endpoints: each returns (status, payload, ReceivedSms) or raises _Refused ----------

    def _generic(self, body: bytes) -> tuple[int, dict, ReceivedSms]:
        standin = self.server.standin
        if self.headers.get("Authorization") != f"Bearer {standin.token}":
            raise _Refused(401, {"error": "invalid token"})
        try:
            request = json.loads(body)
        except ValueError:
            raise _Refused(400, {"error": "body is not JSON"}) from None
        if not _MOBILE.match(str(request.get("to", ""))):
            raise _Refused(400, {"error": "invalid mobile number"})
        if not request.get("text"):
            raise _Refused(400, {"error": "text is required"})
        provider_id = f"gw-{standin._next_id()}"
        return (
            200,
            {"id": provider_id, "status": "accepted"},
            ReceivedSms(
                "generic",
                request["to"],
                str(request.get("template", "")),
                dict(request.get("params") or {}),
                str(request.get("idempotency_key", "")),
                text=request["text"],
                provider_id=provider_id,
            ),
        )

    def _aliyun(self, body: bytes) -> tuple[int, dict, ReceivedSms]:
        standin = self.server.standin
        fields = {
            k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()
        }
        request_id = str(uuid.uuid4()).upper()

        def refuse(status: int, code: str, message: str) -> _Refused:
            return _Refused(status, {"Code": code, "Message": message, "RequestId": request_id})

        signature = fields.pop("Signature", "")
        if fields.get("AccessKeyId") != standin.aliyun_key_id:
            raise refuse(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if signature != aliyun_expected_signature(fields, standin.aliyun_secret):
            raise refuse(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        nonce = fields.get("SignatureNonce", "")
        if not standin._nonce_is_fresh(nonce):
            raise refuse(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        try:
            sent_at = datetime.strptime(fields.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise refuse(400, "MissingTimestamp", "Timestamp is mandatory.") from None
        if abs(sent_at.replace(tzinfo=UTC).timestamp() - time.time()) > 15 * 60:
            raise refuse(400, "InvalidTimeStamp.Expired", "Specified time stamp has expired.")
        if fields.get("Action") != "SendSms" or fields.get("Version") != "2017-05-25":
            raise refuse(400, "InvalidAction", "Specified action is not valid.")
        if not _MOBILE.match(fields.get("PhoneNumbers", "")):
            raise refuse(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if not fields.get("SignName") or not fields.get("TemplateCode"):
            raise refuse(400, "MissingParameter", "SignName and TemplateCode are mandatory.")
        try:
            params = json.loads(fields.get("TemplateParam") or "{}")
        except ValueError:
            params = None
        if not isinstance(params, dict):
            raise refuse(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        biz_id = f"{standin._next_id()}^0"
        return (
            200,
            {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id},
            ReceivedSms(
                "aliyun",
                fields["PhoneNumbers"],
                fields["TemplateCode"],
                params,
                fields.get("OutId", ""),
                sign_name=fields["SignName"],
                provider_id=biz_id,
            ),
        )

    def _tencent(self, body: bytes) -> tuple[int, dict, ReceivedSms]:
        standin = self.server.standin
        request_id = str(uuid.uuid4())

        def refuse(code: str, message: str) -> _Refused:
            return _Refused(
                200,
                {
                    "Response": {
                        "Error": {"Code": code, "Message": message},
                        "RequestId": request_id,
                    }
                },
            )

        match = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/(\w+)/"
            r"tc3_request, SignedHeaders=([\w;-]+), Signature=([0-9a-f]{64})",
            self.headers.get("Authorization", ""),
        )
        if not match:
            raise refuse("AuthFailure.InvalidAuthorization", "Authorization is invalid.")
        secret_id, date, service, signed, signature = match.groups()
        if secret_id != standin.tencent_secret_id:
            raise refuse("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        timestamp = self.headers.get("X-TC-Timestamp", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 300:
            raise refuse("AuthFailure.SignatureExpire", "Signature expired.")
        if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
            raise refuse("AuthFailure.SignatureFailure", "Credential date does not match.")
        headers = {name.lower(): value for name, value in self.headers.items()}
        expected = tencent_expected_signature(
            secret_key=standin.tencent_secret_key,
            headers=headers,
            signed=signed.split(";"),
            path=self.path,
            body=body,
            timestamp=timestamp,
            scope=f"{date}/{service}/tc3_request",
        )
        if not hmac.compare_digest(signature, expected):
            raise refuse(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be "
                "validated. Please check your signature is correct.",
            )
        if self.headers.get("X-TC-Action") != "SendSms":
            raise refuse("InvalidAction", "The action does not exist.")
        try:
            request = json.loads(body)
        except ValueError:
            raise refuse("InvalidParameter", "The body is not JSON.") from None
        if request.get("SmsSdkAppId") != standin.tencent_app_id:
            raise refuse("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId is wrong.")
        params = request.get("TemplateParamSet") or []
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            raise refuse(
                "InvalidParameterValue.TemplateParameterFormatError",
                "TemplateParamSet must be a list of strings.",
            )
        number = (request.get("PhoneNumberSet") or [""])[0]
        serial = f"2433:{standin._next_id()}"
        status = {
            "SerialNo": serial,
            "PhoneNumber": number,
            "Fee": 1,
            "Code": "Ok",
            "SessionContext": request.get("SessionContext", ""),
            "Message": "send success",
            "IsoCode": "CN",
        }
        if not _MOBILE.match(number) or not number.startswith("+86"):
            status.update(
                SerialNo="",
                Fee=0,
                Code="InvalidParameterValue.IncorrectPhoneNumber",
                Message="invalid phone number",
            )
            raise _Refused(200, {"Response": {"SendStatusSet": [status], "RequestId": request_id}})
        return (
            200,
            {"Response": {"SendStatusSet": [status], "RequestId": request_id}},
            ReceivedSms(
                "tencent",
                number,
                str(request.get("TemplateId", "")),
                params,
                str(request.get("SessionContext", "")),
                sign_name=str(request.get("SignName", "")),
                provider_id=serial,
            ),
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: SmsGatewayStandIn


class SmsGatewayStandIn:
    """The gateway stand-in. ``mode`` (see :data:`SMS_MODES`) can change at any time."""

    def __init__(
        self, port: int | None = None, *, token: str = GATEWAY_TOKEN, timeout_delay: float = 2.0
    ) -> None:
        self.host = HOST
        self.port = port or free_port()
        self.token = token
        self.aliyun_key_id, self.aliyun_secret = ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET
        self.tencent_secret_id, self.tencent_secret_key = TENCENT_SECRET_ID, TENCENT_SECRET_KEY
        self.tencent_app_id = TENCENT_APP_ID
        #: How long ``timeout`` / ``late`` hold a request: keep it above the client's timeout.
        self.timeout_delay = timeout_delay
        self.hits = 0
        self._fault = "ok"
        self._received = Recorder()
        self._ids = itertools.count(1)
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self._lifecycle = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._waking = threading.Event()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> SmsGatewayStandIn:
        """Listen (again) on the same port; returns self."""
        with self._lifecycle:
            if self._server is not None:
                return self
            server = _Server((self.host, self.port), _Handler)
            server.standin = self
            self._waking = threading.Event()
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                daemon=True,
                name=f"sms-standin-{self.port}",
            )
            self._server = server
            self._thread.start()
            return self

    def stop(self) -> None:
        """Stop listening; held requests are dropped; returns once every thread has ended."""
        with self._lifecycle:
            server, thread, self._server, self._thread = self._server, self._thread, None, None
            if server is None:
                return
            assert thread is not None, "start() sets the server and its thread together"
            self._waking.set()
            server.shutdown()
            server.server_close()  # joins the request threads
            thread.join()

    @property
    def running(self) -> bool:
        """True while the server listens."""
        return self._server is not None

    def __enter__(self) -> SmsGatewayStandIn:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- faults -----------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """The current behaviour, one of :data:`SMS_MODES` (``down`` while stopped)."""
        return self._fault if self.running else "down"

    @mode.setter
    def mode(self, mode: str) -> None:
        self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        """Switch to one of :data:`SMS_MODES`; ``down`` stops the server, any other starts it."""
        if mode not in SMS_MODES:
            raise ValueError(f"mode must be one of {SMS_MODES}, not {mode!r}")
        if mode == "down":
            self.stop()
            return
        self._fault = mode
        self.start()

    # -- bookkeeping ------------------------------------------------------------------------

    def _hit(self) -> None:
        with self._lock:
            self.hits += 1

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def _nonce_is_fresh(self, nonce: str) -> bool:
        with self._lock:
            if not nonce or nonce in self._nonces:
                return False
            self._nonces.add(nonce)
            return True

    @property
    def messages(self) -> list[ReceivedSms]:
        """Every accepted SMS, oldest first (a copy)."""
        return self._received.snapshot()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedSms]:
        """Wait until ``count`` SMS were accepted; AssertionError after ``timeout``."""
        return self._received.wait_for(count, timeout, "SMS")

    def clear(self) -> None:
        """Forget what was received."""
        self._received.clear()

    def idempotency_keys(self) -> list[str]:
        """The idempotency key (OutId / SessionContext) of every accepted SMS, duplicates kept."""
        return [sms.idempotency_key for sms in self.messages]

    def url(self, endpoint: str = "generic") -> str:
        """The URL of ``generic``, ``aliyun`` or ``tencent``."""
        return f"http://{self.host}:{self.port}/{endpoint}"

    def config(
        self,
        provider: str = "http",
        template_codes: dict[str, str] | None = None,
        timeout: float = 2.0,
    ) -> dict[str, Any]:
        """Settings that point ``sms_provider_from_config`` at this stand-in.

        ``provider`` is ``http``, ``aliyun`` or ``tencent``; ``template_codes`` maps our template
        names to vendor codes (Aliyun/Tencent only).
        """
        endpoint = {"http": "generic", "aliyun": "aliyun", "tencent": "tencent"}[provider]
        settings: dict[str, Any] = {
            "SMS_PROVIDER": provider,
            "SMS_GATEWAY_URL": self.url(endpoint),
            "SMS_TIMEOUT": timeout,
        }
        if provider == "http":
            settings["SMS_GATEWAY_TOKEN"] = self.token
        elif provider == "aliyun":
            settings.update(
                SMS_ACCESS_KEY_ID=self.aliyun_key_id, SMS_ACCESS_KEY_SECRET=self.aliyun_secret
            )
        else:
            settings.update(
                SMS_ACCESS_KEY_ID=self.tencent_secret_id,
                SMS_ACCESS_KEY_SECRET=self.tencent_secret_key,
                SMS_APP_ID=self.tencent_app_id,
            )
        if provider != "http":
            settings.update(
                SMS_SIGN_NAME=SIGN_NAME, SMS_TEMPLATE_CODES=json.dumps(template_codes or {})
            )
        return settings

    def __repr__(self) -> str:
        return f"<SmsGatewayStandIn {self.host}:{self.port} mode={self.mode}>"
