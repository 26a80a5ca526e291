"""`newsarchive schedule --out DIR|s3://BUCKET/PREFIX [PROFILE ...] [--once] [-s NAME=VALUE ...]`

Keeps an archive up to date: crawls each profile into DIR when its `schedule` says, one
`newsarchive crawl PROFILE --out DIR --resume` process per crawl (Twisted's reactor runs
once per process, and a crashed crawl must not take the scheduler with it). The decisions
are `crawler.scheduler`'s; this module supplies the real clock, processes and signals.

With `--out s3://…` each crawl is `crawl --out s3://…` (it writes into this machine's
spool directory of the bucket and uploads); the last starts are read from the spool's
catalog, which those crawls keep, fetched from the bucket's snapshot when this machine has
none yet; the crawl logs go to the spool's `logs/`.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.catalog import CatalogError, catalog_path, open_catalog
from crawler.cli import fail
from crawler.cli._remote import RemoteArchiveError, archive_arg, connect
from crawler.cli.crawl import add_settings_option
from crawler.scheduler import ScheduledProfile, Scheduler, Started, crawl_command
from crawler.siteprofile import ProfileError, bundled_profiles, resolve_profile

logger = logging.getLogger("crawler.scheduler")

#: Each crawl's output (Scrapy's log and the summary) goes to its own file here, in DIR:
#: concurrent crawls would interleave their lines on a shared stderr.
LOGS_DIR = "logs"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schedule",
        help="crawl profiles into DIR on their schedules",
        description="Crawl each PROFILE into DIR whenever its `schedule` (cron, UTC) says; "
        "with no PROFILE, every bundled profile that has a schedule. Runs until SIGTERM "
        "or Ctrl-C, which stop the running crawls gracefully (resumable).",
    )
    parser.add_argument("profiles", nargs="*", metavar="PROFILE", help="name or .toml path")
    parser.add_argument(
        "--out", "-o", type=archive_arg, required=True, metavar="DIR|s3://BUCKET/PREFIX"
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="start the crawls due now, wait for them and exit (for cron or a systemd timer)",
    )
    add_settings_option(parser)
    parser.set_defaults(run=run)


def scheduled_profiles(targets: list[str]) -> list[ScheduledProfile]:
    """The profiles to schedule; ProfileError for one without a `schedule`, or none at all."""
    if not targets:
        profiles = [resolve_profile(name) for name in bundled_profiles()]
        entries = [
            ScheduledProfile(p.name, p.name, p.schedule, p.jitter) for p in profiles if p.schedule
        ]
        if not entries:
            raise ProfileError(
                "no bundled profile has a schedule; name the profiles to schedule "
                "(profile .toml files with a `schedule` key)"
            )
        return entries
    entries = []
    for target in targets:
        profile = resolve_profile(target)
        if profile.schedule is None:
            raise ProfileError(
                f"{profile.source}: profile '{profile.name}' has no schedule; "
                'add e.g. schedule = "*/30 * * * *"'
            )
        entries.append(ScheduledProfile(profile.name, target, profile.schedule, profile.jitter))
    return entries


def _parse_time(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class _CatalogStarts:
    """`last_start` from DIR's catalog, opened read-only at each question: the crawls write
    it meanwhile, and a scheduler that waits for days must not hold it open."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._warned: set[str] = set()

    def __call__(self, profile: str) -> datetime | None:
        if not catalog_path(self.out).exists():
            return None
        try:
            with open_catalog(self.out, readonly=True) as catalog:
                run = catalog.last_run(profile)
            return None if run is None else _parse_time(run.started_at)
        except (CatalogError, ValueError) as exc:
            if str(exc) not in self._warned:  # once, not at every look at the clock
                self._warned.add(str(exc))
                logger.warning("cannot read the last runs from the catalog: %s", exc)
            return None


class _Launcher:
    """Starts `crawl --out TARGET` (a directory or an s3:// URL); logs into `out/logs`."""

    def __init__(self, out: Path, settings: list[tuple[str, str]], target: str = "") -> None:
        self.out = out
        self.target = target or str(out)
        self.settings = settings

    def __call__(self, entry: ScheduledProfile) -> Started:
        logs = self.out / LOGS_DIR
        logs.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = logs / f"crawl-{entry.name}-{stamp}-{os.getpid()}.log"
        with path.open("ab") as log:
            process = subprocess.Popen(
                crawl_command(entry.target, self.target, self.settings),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: Ctrl-C in a terminal reaches only the scheduler, which
                # forwards one SIGTERM (a second signal would make Scrapy stop uncleanly).
                start_new_session=True,
            )
        return Started(process, path)


def _spool(url: str) -> Path:
    """This machine's spool directory of the bucket's archive (where `crawl --out URL`
    writes), holding the bucket's catalog snapshot when it had no catalog yet; a bad or
    unreachable bucket is a RemoteArchiveError, said before any crawl starts."""
    from archive.storage import StorageError, cache_dir
    from crawler.remotesession import prepare_spool

    store = connect(url)
    spool = cache_dir(store.location, "spool")
    try:
        prepare_spool(store, spool)
    except StorageError as exc:
        raise RemoteArchiveError(str(exc), 1) from exc
    return spool


def _configure_logging() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(
        "%(asctime)s newsarchive schedule: %(message)s", "%Y-%m-%dT%H:%M:%SZ"
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def run(args: argparse.Namespace) -> int:
    try:
        entries = scheduled_profiles(args.profiles)
        names = [entry.name for entry in entries]
        if len(set(names)) != len(names):
            raise ProfileError(f"a profile is given twice: {' '.join(args.profiles)}")
    except ProfileError as exc:
        return fail("schedule", str(exc), 2)
    target = ""
    if isinstance(args.out, str):
        try:
            out, target = _spool(args.out), args.out
        except RemoteArchiveError as exc:
            return fail("schedule", str(exc), exc.code)
    else:
        out = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return fail("schedule", f"cannot create {out}: {exc}", 2)

    wake = threading.Event()

    def sleep(seconds: float) -> None:
        # Woken early by SIGCHLD (a crawl ended) and by SIGTERM/SIGINT.
        wake.wait(seconds)
        wake.clear()

    scheduler = Scheduler(
        entries,
        launch=_Launcher(out, list(args.settings), target),
        last_start=_CatalogStarts(out),
        sleep=sleep,
    )

    def on_stop(signum: int, frame: object) -> None:
        scheduler.stop()
        wake.set()

    def on_child(signum: int, frame: object) -> None:
        wake.set()

    handler = _configure_logging()
    previous = {
        sig: signal.signal(sig, on)
        for sig, on in (
            (signal.SIGTERM, on_stop),
            (signal.SIGINT, on_stop),
            (signal.SIGCHLD, on_child),
        )
    }
    try:
        return scheduler.run(once=args.once)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        logger.removeHandler(handler)
