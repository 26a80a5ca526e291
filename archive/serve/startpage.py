"""The start page of `newsarchive serve`: every archived article, linked to its replay.

Articles are read from `OUT/articles/**/*.json` (see `archive.layout`); the captures of one
article (`<id>.json`, `<id>.<stamp>.json`) are grouped under it. Each capture links to pywb's
replay URL `/<collection>/<14-digit timestamp>/<url>`, the timestamp taken from
`capture.fetched_at`, so the link opens the very capture the article was extracted from.
Everything taken from the JSON is HTML-escaped: titles come from the pages crawled.
"""

from __future__ import annotations

import html
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from archive.layout import ARTICLES_DIR, fetched_at, timestamp14

logger = logging.getLogger(__name__)

PER_PAGE = 100

# Characters left as they are when a URL is put into a replay path: reserved and already
# percent-encoded ones, so that a URL crawled with `%20` is not encoded a second time.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


@dataclass(frozen=True)
class Capture:
    """One capture of an article: the URL fetched and when."""

    url: str
    fetched_at: str
    timestamp: str | None  # 14 digits, or None when fetched_at is unusable


@dataclass
class ArticleEntry:
    """One article of the start page, with all its captures, newest first."""

    id: str
    title: str
    site: str
    published: str | None
    captures: list[Capture] = field(default_factory=list)


def wayback_timestamp(fetched_at: str | None) -> str | None:
    """`2026-11-28T17:25:28.52Z` -> `20261128172528`; None when there are not 14 digits."""
    digits = timestamp14(fetched_at or "")
    return digits if len(digits) == 14 else None


def replay_path(collection: str, url: str, timestamp: str | None) -> str:
    """The pywb replay path of `url` as captured at `timestamp` (the latest one when None)."""
    quoted = quote(url, safe=_URL_SAFE)
    if timestamp is None:
        return f"/{collection}/{quoted}"
    return f"/{collection}/{timestamp}/{quoted}"


def load_articles(out: Path) -> list[ArticleEntry]:
    """Read every article JSON under `out/articles`, grouped by article id.

    Title, site and date are those of an article's newest capture. Sorted newest published
    first (undated articles last), then by title. A file that is not an article JSON is skipped
    with a warning: one bad file must not hide the others.
    """
    # Only what the page shows is kept: bodies are dropped as each file is read.
    by_id: dict[str, list[tuple[Capture, ArticleEntry]]] = {}
    for path in sorted((out / ARTICLES_DIR).rglob("*.json")):
        if path.name.startswith("."):
            continue  # a store's temporary file
        try:
            doc = json.loads(path.read_bytes())
            capture = _capture_of(doc)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            logger.warning("skipping %s: not an article JSON (%s)", path, exc)
            continue
        summary = ArticleEntry(
            id=str(doc["id"]),
            title=str(doc.get("title") or doc["url"]),
            site=str(doc.get("site_name") or doc.get("site") or ""),
            published=str(doc["published"]) if doc.get("published") else None,
        )
        by_id.setdefault(summary.id, []).append((capture, summary))
    entries = []
    for captures in by_id.values():
        captures.sort(key=lambda pair: pair[0].fetched_at, reverse=True)
        entry = captures[0][1]
        entry.captures = [capture for capture, _ in captures]
        entries.append(entry)
    # Two stable sorts: by title, then newest published first ("" for undated sorts last).
    entries.sort(key=lambda e: e.title.casefold())
    entries.sort(key=lambda e: e.published or "", reverse=True)
    return entries


def _capture_of(doc: dict) -> Capture:
    if not isinstance(doc, dict) or not doc.get("id") or not doc.get("url"):
        raise KeyError("id or url missing")
    when = fetched_at(doc)
    return Capture(url=str(doc["url"]), fetched_at=when, timestamp=wayback_timestamp(when))


def render(
    articles: Sequence[ArticleEntry],
    collection: str,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    archive_name: str = "",
) -> str:
    """The start page (one page of `per_page` articles) as an HTML document."""
    pages = max(1, math.ceil(len(articles) / per_page))
    page = min(max(page, 1), pages)
    shown = articles[(page - 1) * per_page : page * per_page]
    e = html.escape
    heading = f"Archived articles in {e(archive_name)}" if archive_name else "Archived articles"
    rows = "\n".join(_row(entry, collection) for entry in shown)
    if not articles:
        rows = '<tr><td colspan="4">No article JSON in this archive yet.</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading} — newsarchive</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd; }}
td {{ vertical-align: top; }}
td.date, td.captures {{ white-space: nowrap; }}
.captures a {{ color: #555; font-size: 90%; }}
nav.pages {{ margin: 1em 0; }}
</style>
</head>
<body>
<h1>{heading}</h1>
<p>{len(articles)} articles. Each link replays the page as it was captured, served from the
archive by pywb. <a href="/{e(collection)}/">Search the archive by URL</a>.</p>
{_pager(page, pages)}
<table id="articles">
<thead><tr><th>Published</th><th>Title</th><th>Site</th><th>Captured</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
{_pager(page, pages)}
</body>
</html>
"""


def _row(entry: ArticleEntry, collection: str) -> str:
    e = html.escape
    latest = entry.captures[0]
    href = replay_path(collection, latest.url, latest.timestamp)
    captured = " ".join(
        f'<a href="{e(replay_path(collection, c.url, c.timestamp))}">{e(_when(c))}</a>'
        for c in entry.captures
    )
    return (
        f'<tr class="article" data-id="{e(entry.id)}">'
        f'<td class="date">{e((entry.published or "")[:10])}</td>'
        f'<td class="title"><a href="{e(href)}">{e(entry.title)}</a></td>'
        f'<td class="site">{e(entry.site)}</td>'
        f'<td class="captures">{captured}</td></tr>'
    )


def _when(capture: Capture) -> str:
    stamp = capture.timestamp
    if stamp is None:
        return "latest"
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[8:10]}:{stamp[10:12]}"


def _pager(page: int, pages: int) -> str:
    if pages == 1:
        return ""
    parts = []
    if page > 1:
        parts.append(f'<a rel="prev" href="/?page={page - 1}">&lsaquo; newer</a>')
    parts.append(f"page {page} of {pages}")
    if page < pages:
        parts.append(f'<a rel="next" href="/?page={page + 1}">older &rsaquo;</a>')
    return f'<nav class="pages">{" · ".join(parts)}</nav>'
