"""The scheduler: fires one periodic tick (:mod:`servicedesk.jobs.periodic`) per interval,
however many schedulers run.

Two guards, so that "only one fires" holds and "two would be harmless" is never needed:
a leader lock (``SET NX PX`` with a token, renewed while alive, so a second scheduler waits as a
hot standby and takes over when the leader dies) and a marker per time slot (``SET NX``), so
even two leaders in the same slot (a lock that expired during a pause) enqueue one tick. And if
two ticks did run, their unique keys would make the second write nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from redis import Redis

log = logging.getLogger(__name__)

LEADER_KEY = "greenchannel:scheduler:leader"
SLOT_KEY = "greenchannel:scheduler:slot:{slot}"
HEARTBEAT_KEY = "greenchannel:scheduler:heartbeat:{name}"
LAST_FIRED_KEY = "greenchannel:scheduler:last_fired"

# Renew the lock only while we still own it.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class Scheduler:
    """Enqueues a tick every ``interval`` seconds while it holds the leader lock."""

    def __init__(self, connection: Redis, interval: int, fire, name: str | None = None):
        self.connection = connection
        self.interval = max(int(interval), 1)
        self.fire = fire  # callable(job_id) that enqueues one tick
        self.name = name or f"{socket.gethostname()}.{os.getpid()}"
        self.token = uuid.uuid4().hex
        self._renew = connection.register_script(_RENEW)

    @property
    def lock_ms(self) -> int:
        return self.interval * 3 * 1000

    def is_leader(self) -> bool:
        """Take the lock when free, renew it when ours; True while we lead."""
        if self.connection.set(LEADER_KEY, self.token, nx=True, px=self.lock_ms):
            log.info("scheduler %s is now the leader", self.name)
            return True
        return bool(self._renew(keys=[LEADER_KEY], args=[self.token, self.lock_ms]))

    def tick(self, now: float | None = None) -> bool:
        """One beat: heartbeat, and fire this slot's tick if we lead and nobody fired it yet."""
        now = time.time() if now is None else now
        self.connection.set(HEARTBEAT_KEY.format(name=self.name), int(now), ex=self.interval * 5)
        if not self.is_leader():
            return False
        slot = int(now // self.interval)
        if not self.connection.set(
            SLOT_KEY.format(slot=slot), self.name, nx=True, ex=self.interval * 10
        ):
            return False
        self.fire(f"sweep-{slot}")
        self.connection.set(LAST_FIRED_KEY, int(now))
        return True

    def resign(self) -> None:
        """Give up the lock at shutdown so a standby takes over at once."""
        try:
            if self.connection.get(LEADER_KEY) == self.token.encode():
                self.connection.delete(LEADER_KEY)
        except Exception:  # shutting down anyway
            pass

    def run(self, stop: threading.Event, beat_seconds: float | None = None) -> None:
        """Tick until ``stop`` is set; Redis errors are logged and retried, never fatal."""
        beat = beat_seconds or min(5.0, self.interval / 2)
        while not stop.is_set():
            try:
                self.tick()
            except Exception as exc:
                log.warning("scheduler %s: %s (retrying)", self.name, exc)
            stop.wait(beat)
        self.resign()
