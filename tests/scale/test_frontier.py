"""The shared frontier's state in a real Redis: workers, taken requests, the end of a crawl."""

from __future__ import annotations

import pytest
import redis

from crawler.frontier import crawl_prefix
from crawler.frontier.state import Frontier


def _frontier(url: str, profile: str, worker: str, ttl: float = 30.0) -> Frontier:
    return Frontier(redis.StrictRedis.from_url(url), profile, worker=worker, ttl=ttl)


def _push(frontier: Frontier, data: bytes, score: int = 0) -> None:
    frontier.server.execute_command("ZADD", frontier.key("requests"), score, data)


def test_profiles_never_share_keys() -> None:
    assert crawl_prefix("harbour") == "newsarchive:harbour:"
    assert crawl_prefix("harbour") != crawl_prefix("courier")
    odd = crawl_prefix("https://example.org/%(spider)s")
    assert "%" not in odd and ":" not in odd[len("newsarchive:") : -1].replace("_", "")
    assert odd != crawl_prefix("https://example.org/_(spider)s")


def test_a_pop_is_taken_until_done(redis_url: str) -> None:
    a = _frontier(redis_url, "p1", "a~1")
    a.join(resume=False)
    _push(a, b"r1")
    assert a.pop() == b"r1"
    assert a.pop() is None
    assert a.taken_count() == 1
    a.taken("http://x/1", b"r1")
    a.done("http://x/1")
    assert a.taken_count() == 0
    assert a.leave(finished=True)  # the last worker: the crawl's keys are gone
    assert not a.server.keys("newsarchive:p1:*")


@pytest.mark.alone  # `a` must stay alive (TTL 0.2 s) through b's first calls
def test_a_dead_workers_requests_go_back_to_the_queue(redis_url: str) -> None:
    a = _frontier(redis_url, "p2", "a~1", ttl=0.2)
    b = _frontier(redis_url, "p2", "b~2")
    a.join(resume=False)
    b.join(resume=False)  # a is alive: b joins its crawl, nothing deleted
    _push(a, b"r1")
    _push(a, b"r2")
    assert a.pop() is not None
    assert b.pop() is not None
    b.set_idle()
    assert not b.finished()  # a is busy
    assert b.reclaim() == 0
    import time

    time.sleep(0.3)  # a's heartbeat expires: killed
    assert not b.finished()  # a's request waits to be reclaimed
    assert b.reclaim() == 1
    assert b.queued() == 1
    assert b.pop() is not None
    b.set_idle()
    assert b.finished()
    assert b.leave(finished=True)


def test_finished_only_when_every_live_worker_is_idle(redis_url: str) -> None:
    a = _frontier(redis_url, "p3", "a~1")
    b = _frontier(redis_url, "p3", "b~2")
    a.join(resume=False)
    b.join(resume=False)
    a.set_idle()
    assert not a.finished()  # b busy
    b.set_idle()
    assert a.finished() and b.finished()
    _push(a, b"r")
    assert not a.finished()  # something queued
    # A stopped worker (Ctrl-C, --max-pages) gives its taken requests back.
    assert a.pop() == b"r"
    assert not a.leave(finished=False)
    assert b.queued() == 1


def test_a_new_crawl_forgets_an_abandoned_one_unless_resumed(redis_url: str) -> None:
    a = _frontier(redis_url, "p4", "a~1", ttl=0.1)
    a.join(resume=False)
    _push(a, b"left")
    import time

    time.sleep(0.2)  # a killed: nobody alive
    resumed = _frontier(redis_url, "p4", "b~2")
    assert not resumed.join(resume=True)
    assert resumed.queued() == 1
    resumed.leave(finished=False)
    fresh = _frontier(redis_url, "p4", "c~3")
    assert fresh.join(resume=False)
    assert fresh.queued() == 0


def test_canonicals_and_requisites_are_claimed_once(redis_url: str) -> None:
    a = _frontier(redis_url, "p5", "a~1")
    b = _frontier(redis_url, "p5", "b~2")
    a.join(resume=False)
    b.join(resume=False)
    assert a.claim_canonical("http://x/story", "http://x/story?ref=1")
    assert not b.claim_canonical("http://x/story", "http://x/story?ref=2")
    # The same page again (a dead worker's request, reclaimed) is not a duplicate.
    assert b.claim_canonical("http://x/story", "http://x/story?ref=1")
    assert a.claim_requisite("http://x/logo.png")
    assert not b.claim_requisite("http://x/logo.png")
    assert a.claim_robots("x:80") and not b.claim_robots("x:80")
    assert b.robots("x:80") is None
    a.put_robots("x:80", b"200\nUser-agent: *")
    assert b.robots("x:80") == b"200\nUser-agent: *"


def test_host_delay_is_shared(redis_url: str) -> None:
    a = _frontier(redis_url, "p6", "a~1")
    b = _frontier(redis_url, "p6", "b~2")
    assert a.host_wait("x:80", 1.0) == 0.0
    assert 0.9 < b.host_wait("x:80", 1.0) <= 1.0
    assert 1.9 < a.host_wait("x:80", 1.0) <= 2.0
