"""Where a replay's outcomes go: the article store, in archive order, and the tally.

`ArticleSink` takes the pages' outcomes in the order the crawl saw them, so the canonical-URL
deduplication and the store's file names (`ID.json`, then `ID.<stamp>.json`) come out as the
crawl's did. It counts what it does in a `ReplaySummary`, to which the runner adds what each
file's reader counted; the summary renders the line `newsarchive replay` prints at the end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from archive.layout import ArticleStore, content_hash
from archive.replay.imagecaptures import ImageCaptures
from archive.replay.pages import Outcome
from archive.replay.source import FileStats
from crawler.article_record import ArticleDocument

logger = logging.getLogger(__name__)


@dataclass
class ReplaySummary:
    files: int = 0
    failed: list[str] = field(default_factory=list)  # one message per file that failed
    records: int = 0
    bytes_read: int = 0
    html_pages: int = 0
    article_pages: int = 0  # pages the spider would have handed to extraction
    articles: int = 0  # documents written
    duplicates: int = 0
    unchanged: int = 0  # articles whose content equals their latest version: no new file
    not_articles: int = 0
    extraction_errors: int = 0
    unresolved_revisits: int = 0
    seconds: float = 0.0

    def add_file(self, stats: FileStats) -> None:
        self.records += stats.records
        self.bytes_read += stats.bytes_read
        self.html_pages += stats.html_pages
        self.unresolved_revisits += stats.revisits_unresolved
        if stats.error:
            self.failed.append(stats.error)

    def render(self, extract: bool) -> str:
        seconds = max(self.seconds, 1e-9)
        mb = self.bytes_read / 1e6
        line = (
            f"newsarchive replay: {self.files} file(s), {self.records:,} records, {mb:,.1f} MB, "
            f"{self.html_pages:,} HTML pages"
        )
        if extract:
            line += (
                f", {self.articles:,} articles written ({self.duplicates} duplicate, "
                + (f"{self.unchanged} unchanged, " if self.unchanged else "")
                + f"{self.not_articles} not articles, {self.extraction_errors} errors)"
            )
        if self.unresolved_revisits:
            line += f", {self.unresolved_revisits} revisits without original"
        line += (
            f" in {self.seconds:.1f} s ({self.records / seconds:,.0f} records/s, "
            f"{mb / seconds:,.1f} MB/s)"
        )
        if self.failed:
            line += f"; {len(self.failed)} file(s) failed"
        return line


class ArticleSink:
    """Takes outcomes in archive order: canonical dedup per crawl, then the article store,
    which gets a new version of an article only when its content changed (as in a crawl:
    crawler.pipelines.articlestore)."""

    def __init__(
        self,
        store: ArticleStore | None,
        summary: ReplaySummary,
        images: ImageCaptures | None = None,
    ) -> None:
        self.store = store
        self.summary = summary
        self.images = images  # fills images[i].capture as the crawl did
        self.seen: set[str] = set()
        self.versions: dict[str, tuple[int, str]] = {}  # id -> latest (version, content hash)

    def new_crawl(self) -> None:
        self.seen.clear()

    def take(self, outcome: Outcome) -> None:
        if outcome.canonical is None:
            if outcome.error:
                self.summary.extraction_errors += 1
                logger.warning("%s: %s", outcome.url, outcome.error)
            return
        if outcome.canonical in self.seen:  # NewsSpider._article_page
            self.summary.duplicates += 1
            return
        self.seen.add(outcome.canonical)
        self.summary.article_pages += 1
        if outcome.error:
            self.summary.extraction_errors += 1
            logger.warning("%s: %s", outcome.url, outcome.error)
        elif outcome.record is None:
            self.summary.not_articles += 1
        elif self.store is not None:
            self._store(outcome.record)

    def _store(self, record: ArticleDocument) -> None:
        assert self.store is not None
        if self.images is not None and record.get("images"):
            record = self.images.fill(record)
        digest = content_hash(record)
        latest = self.versions.get(record["id"])
        if latest is not None and latest[1] == digest:
            self.summary.unchanged += 1
            return
        version = latest[0] + 1 if latest is not None else 1
        if record.get("version") != version:
            record = record.with_fields(version=version)
        self.versions[record["id"]] = (version, digest)
        self.store.write(record, record.encoded)
        self.summary.articles += 1
