"""The loopback stand-ins themselves: loopback only, same port after a restart, clean stops."""

from __future__ import annotations

import smtplib
import socket
import threading
import time
import urllib.request

import pytest

from tests.support.loopback import SmsGatewayStandIn, SmtpStandIn


def _threads() -> set[threading.Thread]:
    return set(threading.enumerate())


def _settled(before: set[threading.Thread], timeout: float = 2.0) -> set[threading.Thread]:
    deadline = time.monotonic() + timeout
    while (extra := _threads() - before) and time.monotonic() < deadline:
        time.sleep(0.02)
    return extra


def _other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.mark.parametrize("standin_class", [SmtpStandIn, SmsGatewayStandIn])
def test_a_stand_in_restarts_on_its_port_and_leaves_no_thread_behind(standin_class):
    before = _threads()
    standin = standin_class().start()
    port = standin.port
    standin.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()

    standin.start()
    socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert standin.port == port
    standin.stop()
    standin.stop()  # twice is harmless

    assert _settled(before) == set()


@pytest.mark.parametrize("standin_class", [SmtpStandIn, SmsGatewayStandIn])
def test_a_stand_in_listens_on_loopback_only(standin_class):
    address = _other_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    with standin_class() as standin, pytest.raises(OSError):
        socket.create_connection((address, standin.port), timeout=1).close()


def test_a_gateway_holding_a_request_still_stops_promptly():
    before = _threads()
    gateway = SmsGatewayStandIn(timeout_delay=30).start()
    gateway.mode = "timeout"
    caller = threading.Thread(target=_post_quietly, args=(gateway.url(),), daemon=True)
    caller.start()
    time.sleep(0.2)

    started = time.monotonic()
    gateway.stop()

    assert time.monotonic() - started < 2
    caller.join(2)
    assert _settled(before) == set()


def _post_quietly(url: str) -> None:
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"), timeout=5)
    except OSError:
        pass


def test_a_stalled_mail_server_still_stops_promptly():
    before = _threads()
    server = SmtpStandIn().start()
    server.mode = "stall"
    caller = threading.Thread(target=_mail_quietly, args=(server.port,), daemon=True)
    caller.start()
    server.wait_until_stalled(1)

    server.stop()

    caller.join(2)
    assert server.messages == []
    assert _settled(before) == set()


def _mail_quietly(port: int) -> None:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.sendmail("a@example.com", ["b@example.com"], b"Subject: hi\r\n\r\nhello\r\n")
    except (OSError, smtplib.SMTPException):
        pass


def test_waiting_for_more_than_arrived_fails_with_what_did_arrive():
    with SmtpStandIn() as server:
        with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as client:
            client.sendmail("a@example.com", ["b@example.com"], b"Subject: one\r\n\r\nhi\r\n")

        with pytest.raises(AssertionError, match=r"expected 2 e-mails within 0.2 s, got 1"):
            server.wait_for(2, timeout=0.2)
        server.clear()
        assert server.messages == []


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        SmtpStandIn().mode = "flaky"
    with pytest.raises(ValueError, match="mode must be one of"):
        SmsGatewayStandIn().mode = "flaky"
