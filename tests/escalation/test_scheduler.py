"""One sweep per interval, however many schedulers run; a standby takes over from a dead leader."""

import threading

from redis import Redis

from servicedesk.jobs.scheduler import LEADER_KEY, Scheduler


def _scheduler(url, fired, name):
    return Scheduler(Redis.from_url(url), interval=10, fire=fired.append, name=name)


def test_two_schedulers_fire_each_slot_exactly_once(redis_url):
    fired: list[str] = []
    first, second = _scheduler(redis_url, fired, "a"), _scheduler(redis_url, fired, "b")
    for slot in range(100, 130):  # 30 intervals, both ticking twice per interval
        for offset in (0.0, 5.0):
            first.tick(slot * 10 + offset)
            second.tick(slot * 10 + offset + 0.1)
    assert sorted(fired) == sorted({f"sweep-{slot}" for slot in range(100, 130)})
    assert len(fired) == 30


def test_racing_schedulers_in_threads_still_fire_once_per_slot(redis_url):
    fired: list[str] = []
    lock = threading.Lock()

    def fire(job_id):
        with lock:
            fired.append(job_id)

    schedulers = [Scheduler(Redis.from_url(redis_url), 10, fire, name=f"s{i}") for i in range(4)]
    barrier = threading.Barrier(4)

    def run(scheduler):
        barrier.wait()
        for slot in range(500, 520):
            scheduler.tick(slot * 10 + 1)

    threads = [threading.Thread(target=run, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(fired) == [f"sweep-{slot}" for slot in range(500, 520)]


def test_a_standby_takes_over_when_the_leader_resigns_or_its_lock_expires(redis_url):
    fired: list[str] = []
    leader, standby = _scheduler(redis_url, fired, "leader"), _scheduler(redis_url, fired, "b")
    assert leader.tick(1000.0) is True
    assert standby.tick(1010.0) is False  # the leader holds the lock
    leader.resign()
    assert standby.tick(1010.5) is True  # next slot, new leader
    Redis.from_url(redis_url).delete(LEADER_KEY)  # the lock expired (leader died)
    assert leader.tick(1020.0) is True
    assert fired == ["sweep-100", "sweep-101", "sweep-102"]


def test_redis_emptied_the_scheduler_carries_on(redis_url):
    fired: list[str] = []
    scheduler = _scheduler(redis_url, fired, "a")
    scheduler.tick(2000.0)
    Redis.from_url(redis_url).flushall()  # Redis restarted empty
    scheduler.tick(2010.0)
    assert fired == ["sweep-200", "sweep-201"]
