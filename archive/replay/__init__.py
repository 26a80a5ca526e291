"""Replay WARC archives: re-run extraction over old captures, ours or other tools'.

Stages, in order (one module each):
1. source  — stream every record of one WARC file (warcio), keep the HTML responses, resolve
             `revisit` records to their original's payload, and point each page's `capture`
             at the record it came from (source.py)
2. codings — undo chunked transfer and content encodings, as Scrapy would, where the page
             is used: usually in a worker process (codings.py)
3. pages   — decide article-ness as the spider does, on the extractor's own parse when it
             provably equals Scrapy's, and extract with the functions the crawl uses (pages.py)
4. runner  — one process per input file or, for a single file, a reader feeding a pool of
             extraction workers; results are merged in archive order, deduplicated by canonical
             URL per crawl, and written with `archive.layout.ArticleStore` (runner.py)

The runner's helpers, one job each: inputs.py (which files to read, where a crawl starts),
profiles.py (the site profile a page is replayed with), sink.py (the in-order writing with
canonical dedup, and the summary's tally), progress.py (the live counter on a terminal).

Nothing here imports Scrapy. What the spider gets from Scrapy (the decoded body, the decoded
text, the parsed tree) is rebuilt with the libraries Scrapy itself uses for it (w3lib, parsel),
so a replay of a crawl's WARC writes the same article JSON as the crawl did.
"""

from __future__ import annotations

from archive.replay.inputs import find_warcs
from archive.replay.runner import ReplayOptions, replay
from archive.replay.sink import ReplaySummary

__all__ = ["ReplayOptions", "ReplaySummary", "find_warcs", "replay"]
