"""When to crawl which profile, and keeping at most one crawl of each running.

The scheduling core of `newsarchive schedule`, with no Scrapy and no real time inside: the
clock, the sleep and the way a crawl is started are injected, so tests drive days of
schedule in milliseconds and the command line supplies the real ones.

The rules:

* A profile's next crawl is due at the first time its cron `schedule` (UTC) names after
  the start of its last crawl, plus a random delay in ``[0, jitter]`` drawn from a generator
  seeded with the profile and that time: the same while waiting, different for each run.
* A profile never crawled into the output directory is due at once.
* Missed runs coalesce: after a week with the scheduler down, a half-hourly profile is
  crawled once, not 336 times, because the next time is computed from the last start.
* The last start is the later of the catalog's (crawls started by anyone) and the last
  crawl this scheduler started, so a crawl that fails before it reaches the catalog is not
  restarted in a tight loop: it waits for the next time, like one that ran.
* One crawl of a profile at a time from this scheduler; the crawl lock
  (`archive.locks`) guards against everyone else. A crawl that exits with
  `LOCK_BUSY_EXIT_STATUS` found another crawl of its profile running: it is logged as
  skipped and the profile is due again at its next time.
* `stop()` (SIGTERM, SIGINT) forwards SIGTERM to the running crawls — Scrapy then stops
  gracefully and the run is resumable — waits for them, and ends `run()` with status 0.
"""

from __future__ import annotations

import contextlib
import logging
import random
import signal
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from croniter import croniter

from archive.locks import LOCK_BUSY_EXIT_STATUS
from crawler.durations import human_duration

logger = logging.getLogger(__name__)

#: The longest sleep between two looks at the clock, even with nothing due: a clock that
#: jumps (suspend, NTP) is noticed within this, and so is a child whose exit was missed.
MAX_SLEEP = 60.0
#: The longest sleep while crawls run. The command line's sleep wakes on SIGCHLD at once;
#: this bounds the delay should a wake-up be missed.
CHILD_POLL = 5.0


@dataclass(frozen=True)
class ScheduledProfile:
    """One profile `schedule` keeps crawling."""

    name: str  # the profile's name: its runs in the catalog and its crawl lock
    target: str  # what `newsarchive crawl` is given: a bundled name or a .toml path
    schedule: str  # cron expression, UTC
    jitter: timedelta = timedelta(0)


class Process(Protocol):
    """What the scheduler needs of a started crawl (`subprocess.Popen` is one)."""

    pid: int

    def poll(self) -> int | None: ...

    def send_signal(self, sig: int) -> None: ...


@dataclass(frozen=True)
class Started:
    """A crawl the launcher started, and where its output goes (for the log line)."""

    process: Process
    log: Path | None = None


@dataclass
class _Running:
    entry: ScheduledProfile
    started: Started
    at: datetime


@dataclass(frozen=True)
class Outcome:
    """How one crawl started by the scheduler ended."""

    profile: str
    started_at: datetime
    status: int  # the process's exit status; negative: killed by that signal

    @property
    def skipped(self) -> bool:
        return self.status == LOCK_BUSY_EXIT_STATUS

    @property
    def failed(self) -> bool:
        return self.status != 0 and not self.skipped


def crawl_command(
    target: str, out: str | Path, settings: Iterable[tuple[str, str]] = ()
) -> list[str]:
    """The command line of one scheduled crawl. `--resume` continues the profile's run if
    the last one was interrupted, and otherwise starts a normal incremental crawl."""
    command = [sys.executable, "-m", "crawler", "crawl", target, "--out", str(out), "--resume"]
    for name, value in settings:
        command += ["-s", f"{name}={value}"]
    return command


def jitter_delay(entry: ScheduledProfile, slot: datetime) -> timedelta:
    """The random delay of `entry`'s crawl due at `slot`, in ``[0, jitter]``.

    Seeded by profile and slot: recomputing it while waiting gives the same delay (the run
    does not slip away), while consecutive runs get different ones.
    """
    if entry.jitter <= timedelta(0):
        return timedelta(0)
    rng = random.Random(f"{entry.name}@{slot.isoformat()}")
    return timedelta(seconds=rng.uniform(0, entry.jitter.total_seconds()))


def next_due(entry: ScheduledProfile, last_start: datetime | None) -> datetime | None:
    """When `entry` is next due after a crawl started at `last_start`; None means at once
    (never crawled). A time in the past means due now, however far back it lies: missed
    runs coalesce into one."""
    if last_start is None:
        return None
    slot = croniter(entry.schedule, last_start.astimezone(UTC)).get_next(datetime)
    return slot + jitter_delay(entry, slot)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Scheduler:
    """Starts each profile's crawl when it is due, at most one per profile at a time.

    `launch` starts a crawl (a process); `last_start(name)` is the start of the profile's
    last run in the catalog, or None; `now` and `sleep` are the clock.
    """

    entries: Sequence[ScheduledProfile]
    launch: Callable[[ScheduledProfile], Started]
    last_start: Callable[[str], datetime | None]
    now: Callable[[], datetime] = _utcnow
    sleep: Callable[[float], None] = field(default=lambda seconds: None)
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        names = [entry.name for entry in self.entries]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"profile(s) given twice: {', '.join(duplicates)}")
        self._running: dict[str, _Running] = {}
        self._attempted: dict[str, datetime] = {}
        self._stopping = False
        self._forwarded = False

    # -- state ----------------------------------------------------------------------------

    @property
    def running(self) -> Mapping[str, Process]:
        return {name: run.started.process for name, run in self._running.items()}

    def stop(self) -> None:
        """Ask `run` to end: safe to call from a signal handler (it only sets flags). A
        second call forwards SIGTERM again, which makes Scrapy stop at once."""
        if self._stopping:
            self._forwarded = False  # a second signal is forwarded again
        self._stopping = True

    def due_at(self, entry: ScheduledProfile) -> datetime | None:
        """When `entry` is due (None: at once), from the later of its last start in the
        catalog and the last start by this scheduler."""
        starts = [t for t in (self.last_start(entry.name), self._attempted.get(entry.name)) if t]
        return next_due(entry, max(starts) if starts else None)

    def is_due(self, entry: ScheduledProfile, now: datetime) -> bool:
        if entry.name in self._running:
            return False
        due = self.due_at(entry)
        return due is None or due <= now

    # -- one step -------------------------------------------------------------------------

    def start_due(self) -> list[str]:
        """Start the crawls that are due now; returns their profile names."""
        started = []
        for entry in self.entries:
            now = self.now()
            if not self.is_due(entry, now):
                continue
            self._attempted[entry.name] = now
            try:
                launched = self.launch(entry)
            except OSError as exc:
                logger.error("could not start the crawl of %s: %s", entry.name, exc)
                self.outcomes.append(Outcome(entry.name, now, 127))
                continue
            self._running[entry.name] = _Running(entry, launched, now)
            log = f", log {launched.log}" if launched.log else ""
            logger.info("started the crawl of %s (pid %d%s)", entry.name, launched.process.pid, log)
            started.append(entry.name)
        return started

    def reap(self) -> list[Outcome]:
        """Collect the crawls that ended, logging each with its exit status."""
        ended = []
        for name, run in list(self._running.items()):
            status = run.started.process.poll()
            if status is None:
                continue
            del self._running[name]
            outcome = Outcome(name, run.at, status)
            self.outcomes.append(outcome)
            ended.append(outcome)
            took = human_duration((self.now() - run.at).total_seconds())
            if outcome.skipped:
                logger.warning(
                    "the crawl of %s was skipped: another crawl of it holds the crawl lock "
                    "(exit status %d)",
                    name,
                    status,
                )
            elif status < 0:
                logger.error(
                    "the crawl of %s was killed by signal %d after %s", name, -status, took
                )
            else:
                log = logger.info if status == 0 else logger.error
                log("the crawl of %s ended with exit status %d after %s", name, status, took)
            if not self._stopping:
                self._log_next(run.entry)
        return ended

    def _log_next(self, entry: ScheduledProfile) -> None:
        due = self.due_at(entry)
        logger.info("next crawl of %s: %s", entry.name, "now" if due is None else _stamp(due))

    def _forward_stop(self) -> None:
        if self._forwarded:
            return
        self._forwarded = True
        for name, run in self._running.items():
            logger.info(
                "stopping the crawl of %s (SIGTERM to pid %d)", name, run.started.process.pid
            )
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile: reap() sees it
                run.started.process.send_signal(signal.SIGTERM)

    def _wait_time(self) -> float:
        """Seconds until something may need doing: the next due time, or at most
        `MAX_SLEEP` (a launcher's SIGCHLD or a stop request wakes a real sleep early)."""
        now = self.now()
        wait = MAX_SLEEP
        for entry in self.entries:
            if entry.name in self._running:
                continue
            due = self.due_at(entry)
            wait = min(wait, 0.0 if due is None else (due - now).total_seconds())
        return max(wait, 0.0)

    # -- the loop -------------------------------------------------------------------------

    def run(self, *, once: bool = False) -> int:
        """Schedule until stopped (status 0); with `once`, start what is due now, wait for
        those crawls and return 1 if any failed (a skipped crawl is not a failure)."""
        for entry in self.entries:
            due = self.due_at(entry)
            when = "now" if due is None or due <= self.now() else _stamp(due)
            logger.info("%s: schedule %r, next crawl %s", entry.name, entry.schedule, when)
        if once and not self.start_due():
            logger.info("no crawl is due now")
        while True:
            self.reap()
            if self._stopping:
                self._forward_stop()
                if not self._running:
                    return 0
                self.sleep(CHILD_POLL)
                continue
            if once:
                if not self._running:
                    return 1 if any(outcome.failed for outcome in self.outcomes) else 0
                self.sleep(CHILD_POLL)
                continue
            self.start_due()
            wait = self._wait_time()
            self.sleep(min(wait, CHILD_POLL) if self._running else wait)



def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
