"""The bundled demo news site ("The Harbour Gazette") and the local server that serves it.

`newsarchive demo` serves `DEMO_SITE_DIR` with `SiteServer` and crawls it; the test suite uses
the same server with its own site directories. Nothing here imports Scrapy.
"""

from __future__ import annotations

from pathlib import Path

from crawler.demo.server import Routes, RoutesError, SiteServer

#: The demo site's files; absolute URLs in them use the ``{{BASE}}`` placeholder.
DEMO_SITE_DIR: Path = Path(__file__).resolve().parent / "site"

__all__ = ["DEMO_SITE_DIR", "Routes", "RoutesError", "SiteServer"]
