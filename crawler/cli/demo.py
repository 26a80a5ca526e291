"""`newsarchive demo`: serve the bundled demo news site on 127.0.0.1 and crawl it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.cli import say
from crawler.cli.crawl import add_settings_option, exit_code, run_crawl
from crawler.siteprofile import resolve_profile

# Our own server on loopback: no politeness delay needed, and a quiet log for a clean summary.
DEMO_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl the bundled demo news site (no internet needed)",
        description="Serve the bundled demo site on 127.0.0.1 (free port) and crawl it.",
    )
    parser.add_argument("--out", "-o", type=Path, default=Path("data/demo"), metavar="DIR")
    add_settings_option(parser)
    parser.set_defaults(run=run)


def _demo_server(server_class: Any, directory: Path, start_url: str) -> Any:
    """The demo site on the port its profile names when that port is free, so that a second
    `newsarchive demo` crawls the same URLs (and is incremental); else on a free port."""
    port = urlsplit(start_url).port or 0
    try:
        return server_class(directory, port=port).start()
    except OSError:
        return server_class(directory).start()


def run(args: argparse.Namespace) -> int:
    from crawler.demo import DEMO_SITE_DIR
    from crawler.demo.server import SiteServer

    profile = resolve_profile("demo")
    with _demo_server(SiteServer, DEMO_SITE_DIR, profile.start_urls[0]) as server:
        say("demo", f"serving the demo site at {server.base_url}")
        profile = profile.rebased(server.base_url)
        summary = run_crawl(
            profile, args.out, defaults=DEMO_SETTINGS, overrides=dict(args.settings)
        )
    print(summary.render())
    return exit_code(summary)
