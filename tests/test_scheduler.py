"""The scheduling core, driven by a fake clock and fake crawls: days pass in milliseconds."""

from __future__ import annotations

import itertools
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archive.catalog import open_catalog
from archive.locks import LOCK_BUSY_EXIT_STATUS
from crawler.cli import main
from crawler.cli.schedule import scheduled_profiles
from crawler.demo.server import SiteServer
from crawler.scheduler import (
    ScheduledProfile,
    Scheduler,
    Started,
    crawl_command,
    jitter_delay,
    next_due,
)
from crawler.siteprofile import bundled_profiles, resolve_profile
from tests.support import FAST

T0 = datetime(2026, 12, 1, 10, 5, tzinfo=UTC)
HALF_HOURLY = ScheduledProfile("demo", "demo", "*/30 * * * *")


@dataclass
class FakeCrawl:
    """A crawl that ends `duration` after its start with `status` (or soon after SIGTERM)."""

    world: World
    profile: str
    pid: int
    started: datetime
    ends_at: datetime
    status: int
    signals: list[int] = field(default_factory=list)

    def poll(self) -> int | None:
        return self.status if self.world.now() >= self.ends_at else None

    def send_signal(self, sig: int) -> None:
        self.signals.append(sig)
        self.ends_at = min(self.ends_at, self.world.now() + timedelta(seconds=5))


@dataclass
class World:
    """The clock, the catalog's last starts, and the crawls started."""

    t: datetime = T0
    catalog: dict[str, datetime] = field(default_factory=dict)
    crawls: list[FakeCrawl] = field(default_factory=list)
    duration: timedelta = timedelta(minutes=10)
    status: int = 0
    stop_at: datetime | None = None
    scheduler: Scheduler | None = None
    max_concurrent: dict[str, int] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.t += timedelta(seconds=max(seconds, 0.001))
        if self.stop_at and self.t >= self.stop_at and self.scheduler:
            self.scheduler.stop()

    def launch(self, entry: ScheduledProfile) -> Started:
        running = [c for c in self.crawls if c.profile == entry.name and c.poll() is None]
        self.max_concurrent[entry.name] = max(
            self.max_concurrent.get(entry.name, 0), len(running) + 1
        )
        crawl = FakeCrawl(self, entry.name, 1000 + len(self.crawls), self.t,
                          self.t + self.duration, self.status)  # fmt: skip
        self.crawls.append(crawl)
        if self.status != LOCK_BUSY_EXIT_STATUS:  # the crawl records its run
            self.catalog[entry.name] = self.t
        return Started(crawl)

    def make(self, *entries: ScheduledProfile) -> Scheduler:
        self.scheduler = Scheduler(
            list(entries),
            launch=self.launch,
            last_start=self.catalog.get,
            now=self.now,
            sleep=self.sleep,
        )
        return self.scheduler

    def starts(self, profile: str = "demo") -> list[datetime]:
        return [c.started for c in self.crawls if c.profile == profile]


def test_never_crawled_is_due_at_once():
    world = World()
    scheduler = world.make(HALF_HOURLY)
    assert next_due(HALF_HOURLY, None) is None
    assert scheduler.is_due(HALF_HOURLY, T0)
    assert scheduler.start_due() == ["demo"]


def test_next_due_is_the_next_cron_time_after_the_last_start():
    assert next_due(HALF_HOURLY, T0) == datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    hourly = ScheduledProfile("h", "h", "0 * * * *")
    assert next_due(hourly, datetime(2026, 12, 1, 11, 0, tzinfo=UTC)) == datetime(
        2026, 12, 1, 12, 0, tzinfo=UTC
    )
    world = World(catalog={"demo": T0})
    scheduler = world.make(HALF_HOURLY)
    assert not scheduler.is_due(HALF_HOURLY, T0 + timedelta(minutes=24))
    assert scheduler.is_due(HALF_HOURLY, T0 + timedelta(minutes=25))


def test_missed_runs_coalesce_into_one():
    # A week without the scheduler: one crawl now, then the schedule's next time.
    world = World(catalog={"demo": T0 - timedelta(days=7)})
    world.stop_at = T0 + timedelta(minutes=20)
    assert world.make(HALF_HOURLY).run() == 0
    assert world.starts() == [T0]


def test_crawls_follow_the_schedule():
    world = World(catalog={"demo": T0 - timedelta(minutes=5)})  # crawled at 10:00
    world.stop_at = T0 + timedelta(hours=2)
    world.make(HALF_HOURLY).run()
    assert [t.strftime("%H:%M") for t in world.starts()] == ["10:30", "11:00", "11:30", "12:00"]


def test_jitter_is_within_bounds_and_stable_while_waiting():
    entry = ScheduledProfile("demo", "demo", "*/30 * * * *", jitter=timedelta(minutes=5))
    slots = [T0 + timedelta(minutes=30 * i) for i in range(200)]
    delays = [jitter_delay(entry, slot) for slot in slots]
    assert all(timedelta(0) <= d <= timedelta(minutes=5) for d in delays)
    assert delays == [jitter_delay(entry, slot) for slot in slots]  # same seed, same delay
    assert len(set(delays)) > 150  # and a different one for each run
    assert max(delays) > timedelta(minutes=4) and min(delays) < timedelta(minutes=1)
    other = ScheduledProfile("other", "other", "*/30 * * * *", jitter=timedelta(minutes=5))
    assert jitter_delay(other, slots[0]) != jitter_delay(entry, slots[0])
    assert jitter_delay(HALF_HOURLY, slots[0]) == timedelta(0)
    slot = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    assert next_due(entry, T0) == slot + jitter_delay(entry, slot)


def test_jittered_crawls_start_within_the_jitter():
    entry = ScheduledProfile("demo", "demo", "0 * * * *", jitter=timedelta(minutes=10))
    world = World(catalog={"demo": datetime(2026, 12, 1, 10, 0, tzinfo=UTC)})
    world.stop_at = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    world.make(entry).run()
    starts = world.starts()
    assert [start.hour for start in starts] == [11, 12, 13, 14, 15, 16]
    for start in starts:
        slot = start.replace(minute=0, second=0, microsecond=0)
        assert timedelta(0) <= start - slot <= timedelta(minutes=10, seconds=1)
    assert len({start.minute for start in starts}) > 1


def test_never_two_crawls_of_one_profile_at_once():
    # Crawls take 75 minutes on a half-hourly schedule: the next starts when one ends.
    world = World(duration=timedelta(minutes=75))
    other = ScheduledProfile("other", "other", "*/30 * * * *")
    world.stop_at = T0 + timedelta(hours=8)
    world.make(HALF_HOURLY, other).run()
    assert world.max_concurrent == {"demo": 1, "other": 1}
    starts = world.starts()
    assert len(starts) >= 6
    for earlier, later in itertools.pairwise(starts):
        assert later - earlier >= timedelta(minutes=75)


def test_several_profiles_crawl_at_the_same_time():
    world = World()
    other = ScheduledProfile("other", "other", "*/30 * * * *")
    scheduler = world.make(HALF_HOURLY, other)
    assert scheduler.start_due() == ["demo", "other"]
    assert set(scheduler.running) == {"demo", "other"}


def test_a_busy_lock_skips_the_run_until_the_next_time(caplog):
    world = World(status=LOCK_BUSY_EXIT_STATUS, duration=timedelta(seconds=1))
    world.stop_at = T0 + timedelta(minutes=40)
    with caplog.at_level(logging.INFO, logger="crawler.scheduler"):
        assert world.make(HALF_HOURLY).run() == 0
    # Due at once (never crawled): skipped; then at 10:30, skipped again; no retry loop.
    assert [t.strftime("%H:%M") for t in world.starts()] == ["10:05", "10:30"]
    assert "skipped: another crawl of it holds the crawl lock (exit status 75)" in caplog.text


def test_once_starts_what_is_due_waits_and_reports_failures():
    world = World(catalog={"later": T0}, duration=timedelta(minutes=3))
    later = ScheduledProfile("later", "later", "*/30 * * * *")
    assert world.make(HALF_HOURLY, later).run(once=True) == 0
    assert [c.profile for c in world.crawls] == ["demo"]
    assert world.t >= T0 + timedelta(minutes=3)  # it waited for the crawl

    failing = World(status=1)
    assert failing.make(HALF_HOURLY).run(once=True) == 1

    skipped = World(status=LOCK_BUSY_EXIT_STATUS)
    assert skipped.make(HALF_HOURLY).run(once=True) == 0
    assert skipped.scheduler is not None and skipped.scheduler.outcomes[0].skipped


def test_stop_forwards_sigterm_waits_and_exits_0(caplog):
    world = World(duration=timedelta(hours=3))
    other = ScheduledProfile("other", "other", "*/30 * * * *")
    world.stop_at = T0 + timedelta(minutes=1)
    with caplog.at_level(logging.INFO, logger="crawler.scheduler"):
        assert world.make(HALF_HOURLY, other).run() == 0
    assert len(world.crawls) == 2  # nothing started after the stop
    for crawl in world.crawls:
        assert crawl.signals == [signal.SIGTERM]
        assert crawl.poll() is not None
    assert world.scheduler is not None and not world.scheduler.running
    assert world.t < T0 + timedelta(minutes=2)  # it waited for them, not for the schedule
    assert "stopping the crawl of demo (SIGTERM to pid 1000)" in caplog.text


def test_a_second_stop_forwards_sigterm_again():
    world = World(duration=timedelta(hours=3))
    scheduler = world.make(HALF_HOURLY)
    scheduler.start_due()
    scheduler.stop()
    scheduler._forward_stop()
    scheduler.stop()
    scheduler._forward_stop()
    assert world.crawls[0].signals == [signal.SIGTERM, signal.SIGTERM]


def test_a_crawl_that_cannot_start_is_not_retried_in_a_loop():
    calls = []

    def launch(entry: ScheduledProfile) -> Started:
        calls.append(entry.name)
        raise OSError("no such interpreter")

    world = World()
    world.stop_at = T0 + timedelta(minutes=50)
    scheduler = Scheduler(
        [HALF_HOURLY], launch=launch, last_start=world.catalog.get, now=world.now,
        sleep=world.sleep,
    )  # fmt: skip
    world.scheduler = scheduler
    assert scheduler.run() == 0
    assert calls == ["demo", "demo"]  # at once, then at 10:30
    assert all(outcome.failed for outcome in scheduler.outcomes)


def test_profiles_given_twice_are_refused():
    with pytest.raises(ValueError, match="given twice: demo"):
        World().make(HALF_HOURLY, HALF_HOURLY)


def test_crawl_command():
    assert crawl_command("demo", "data/demo", [("DOWNLOAD_DELAY", "2")]) == [
        sys.executable, "-m", "crawler", "crawl", "demo", "--out", "data/demo", "--resume",
        "-s", "DOWNLOAD_DELAY=2",
    ]  # fmt: skip


# -- the command, with real processes ----------------------------------------------------


def _profile(tmp_path: Path, server: SiteServer) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(f'name = "site"\nstart_urls = ["{server.base_url}/"]\nschedule = "0 0 1 1 *"\n')
    return path


def _schedule(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "schedule", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_schedulers_at_once_crawl_a_profile_once(tmp_path, test_site):
    profile = _profile(tmp_path, test_site)
    out = tmp_path / "out"
    first, second = (_schedule("--out", out, profile, "--once", *FAST) for _ in range(2))
    results = [process.communicate(timeout=180) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], results
    logs = "\n".join(stderr for _, stderr in results)
    with open_catalog(out, readonly=True) as catalog:
        runs = catalog.runs(profile="site")
    assert len(runs) == 1, logs
    assert runs[0].state == "finished"
    # The other one either found the lock taken or, started after the crawl, nothing due.
    assert "holds the crawl lock (exit status 75)" in logs or "no crawl is due now" in logs
    assert logs.count("ended with exit status 0") == 1


class _EndlessSite(ThreadingHTTPServer):
    """A site with no end (each page links to new ones): only a signal stops its crawl.
    `crawling` is set at the third request, once Scrapy is well under way."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EndlessPage)
        self.requests = 0
        self.crawling = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _EndlessPage(BaseHTTPRequestHandler):
    server: _EndlessSite

    def do_GET(self) -> None:
        self.server.requests += 1
        if self.server.requests >= 3:
            self.server.crawling.set()
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        n = int(self.path.rsplit("/", 1)[-1] or 0) if self.path.startswith("/p/") else 0
        links = "".join(f'<a href="/p/{n * 4 + i}">page {n * 4 + i}</a> ' for i in range(1, 5))
        body = f"<html><body><h1>Page {n}</h1>{links}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def endless_site() -> Iterator[_EndlessSite]:
    server = _EndlessSite()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_sigterm_stops_the_crawls_gracefully_and_exits_0(tmp_path, endless_site):
    profile = tmp_path / "endless.toml"
    profile.write_text(
        f'name = "endless"\nstart_urls = ["{endless_site.base_url}/"]\nschedule = "0 0 1 1 *"\n'
    )
    out = tmp_path / "out"
    # CLOSESPIDER_TIMEOUT: only a safety net should the stop not work.
    scheduler = _schedule("--out", out, profile, *FAST, "-s", "CLOSESPIDER_TIMEOUT=150")
    try:
        assert endless_site.crawling.wait(timeout=120), "the crawl never started"
        scheduler.send_signal(signal.SIGTERM)
        _, stderr = scheduler.communicate(timeout=120)
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
            scheduler.wait()
    assert scheduler.returncode == 0, stderr
    assert "stopping the crawl of endless (SIGTERM" in stderr
    assert "the crawl of endless ended with exit status" in stderr
    with open_catalog(out, readonly=True) as catalog:
        runs = catalog.runs(profile="endless")
    # Stopped gracefully: recorded as interrupted, which `crawl --resume` continues.
    assert [run.state for run in runs] == ["interrupted"], stderr


def test_the_command_refuses_profiles_without_a_schedule(tmp_path, capsys):
    assert main(["schedule", "--out", str(tmp_path / "out"), "demo"]) == 2
    err = capsys.readouterr().err
    assert "profile 'demo' has no schedule" in err and "demo.toml" in err
    unscheduled = [name for name in bundled_profiles() if not resolve_profile(name).schedule]
    if len(unscheduled) == len(bundled_profiles()):
        assert main(["schedule", "--out", str(tmp_path / "out")]) == 2
        assert "no bundled profile has a schedule" in capsys.readouterr().err


def test_the_command_takes_scheduled_profiles(tmp_path):
    profile = tmp_path / "s.toml"
    profile.write_text(
        'name = "s"\nstart_urls = ["http://127.0.0.1:9/"]\nschedule = "@hourly"\njitter = "2m"\n'
    )
    assert scheduled_profiles([str(profile)]) == [
        ScheduledProfile("s", str(profile), "@hourly", timedelta(minutes=2))
    ]
