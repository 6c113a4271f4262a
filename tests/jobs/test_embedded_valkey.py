"""The embedded Valkey of ``make run`` comes back when it dies and keeps its data."""

from __future__ import annotations

import os
import signal
import time

import redis

from servicedesk.jobs.stack import start_embedded_valkey

SCALE = float(os.environ.get("TEST_WAIT_SCALE", "3"))


def answers_ping(url: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if redis.Redis.from_url(url, socket_timeout=0.5).ping():
                return True
        except redis.RedisError:
            pass
        time.sleep(0.1)
    return False


def test_a_killed_valkey_is_restarted_on_the_same_address(tmp_path):
    valkey = start_embedded_valkey(tmp_path / "valkey")
    try:
        url, first_pid = valkey.connection_url, valkey.pid
        assert answers_ping(url, within=5)
        os.kill(first_pid, signal.SIGKILL)
        assert answers_ping(url, within=5 * SCALE), "Valkey did not come back"
        assert valkey.pid != first_pid and valkey.restarts == 1
    finally:
        valkey.stop()


def test_queued_work_survives_a_restart(tmp_path):
    valkey = start_embedded_valkey(tmp_path / "valkey")
    try:
        redis.Redis.from_url(valkey.connection_url).rpush("rq:queue:deliver", "job-1")
    finally:
        valkey.stop()
    assert any((tmp_path / "valkey").rglob("*.aof")), "no append-only file in instance/valkey"
    again = start_embedded_valkey(tmp_path / "valkey")
    try:
        queued = redis.Redis.from_url(again.connection_url).lrange("rq:queue:deliver", 0, -1)
        assert queued == [b"job-1"]
    finally:
        again.stop()


def test_work_written_just_before_a_kill_survives_too(tmp_path):
    valkey = start_embedded_valkey(tmp_path / "valkey")
    try:
        connection = redis.Redis.from_url(valkey.connection_url)
        connection.set("queued", "yes")
        time.sleep(1.5)  # appendfsync everysec: at most a second is at risk
        os.kill(valkey.pid, signal.SIGKILL)
        assert answers_ping(valkey.connection_url, within=5 * SCALE)
        assert redis.Redis.from_url(valkey.connection_url).get("queued") == b"yes"
    finally:
        valkey.stop()
