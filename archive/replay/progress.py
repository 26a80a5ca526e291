"""Live progress of a replay on a terminal, and silence when there is none.

The runner feeds `Progress` the counts as it reads and writes (in the file mode, the workers'
counts come through a queue); `stderr_if_terminal` is where the command line draws it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """A one-line live counter on a terminal; does nothing when there is none."""

    INTERVAL = 0.5

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self._last = 0.0
        self.records = self.bytes_read = self.pages = self.articles = 0

    def add(self, records: int = 0, bytes_read: int = 0, pages: int = 0, articles: int = 0):
        self.records += records
        self.bytes_read += bytes_read
        self.pages += pages
        self.articles += articles

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.stream is None or (not force and now - self._last < self.INTERVAL):
            return
        self._last = now
        seconds = max(now - self.started, 1e-9)
        self.stream.write(
            f"\r{self.records:,} records  {self.bytes_read / 1e6:,.1f} MB  "
            f"{self.pages:,} pages  {self.articles:,} articles  "
            f"{self.records / seconds:,.0f} rec/s  {self.bytes_read / 1e6 / seconds:,.1f} MB/s "
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None:
            self.draw(force=True)
            self.stream.write("\n")
            self.stream.flush()


def stderr_if_terminal() -> TextIO | None:
    return sys.stderr if sys.stderr.isatty() else None
