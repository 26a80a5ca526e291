"""Load benchmark: does a crawl's memory stay flat as the site grows?

    python bench/load.py [--small 2000] [--large 20000] [--keep] [--json FILE]

A crawl that runs for months meets sites far larger than a test site. What must not grow
with the number of pages is the crawl's memory: the WARC writer streams, article files are
written and forgotten, and what does grow (Scrapy's request fingerprints, the dedup set of
canonical URLs, the queue of pending requests) must stay small per page.

What it does: generates bench/crawl.py's news site (home page, four fronts, article pages
of 20-60 KB, each linking to its neighbours and six random others) at two sizes, serves
each with nginx (bench/crawl.py's config), crawls each with `newsarchive crawl` (bench
settings: concurrency 32, no delays), and prints pages/s and peak RSS of the whole process
tree (crawl process plus extraction worker, sampled from /proc every 0.2 s), then the ratio
large/small. Target: **peak RSS of the large crawl at most 1.3x that of the small one**.
Exit status 1 when it is missed or a crawl fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.recrawl import load_crawl_bench  # noqa: E402 - bench/ is no installed package

RSS_TARGET = 1.3


def measure(crawl: ModuleType, pages: int, workdir: Path) -> dict[str, Any]:
    """Generate, serve and crawl a `pages`-page site; the figures of the crawl."""
    root = workdir / f"site-{pages}"
    site = crawl.generate_site(root, pages)
    print(f"site: {site.pages:,} pages generated in {root}", flush=True)
    with crawl.nginx_server(root, workdir / f"nginx-{pages}") as base:
        result = crawl.run_newsarchive(
            base, crawl.crawl_settings(32), workdir, f"load-{pages}", max_pages=pages + 10
        )
    if result.returncode != 0:
        raise SystemExit(f"the {pages}-page crawl failed; see {result.log}")
    figures = {
        "pages": pages,
        "responses": int(result.responses),
        "articles": result.articles,
        "elapsed_s": round(result.elapsed_s, 1),
        "pages_per_s": round(result.pages_per_s, 1),
        "peak_rss_tree_mb": round(result.tree_rss_kb / 1024, 1),
        "peak_rss_largest_mb": round(result.maxrss_kb / 1024, 1),
        "warc_mb": round(result.warc_bytes / 1e6, 1),
        "load_before": round(result.load_before, 2),
    }
    print(
        f"  {pages:>6,} pages: {figures['responses']:,} responses in {figures['elapsed_s']} s "
        f"({figures['pages_per_s']} pages/s), peak RSS {figures['peak_rss_tree_mb']} MB "
        f"(process tree), {figures['peak_rss_largest_mb']} MB (largest process)",
        flush=True,
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=2000, help="pages of the small site")
    parser.add_argument("--large", type=int, default=20000, help="pages of the large site")
    parser.add_argument("--keep", action="store_true", help="keep sites, logs and crawls")
    parser.add_argument("--json", type=Path, metavar="FILE", help="save the figures")
    args = parser.parse_args(argv)
    crawl = load_crawl_bench()
    workdir = Path(tempfile.mkdtemp(prefix="newsarchive-load-"))
    try:
        small = measure(crawl, args.small, workdir)
        large = measure(crawl, args.large, workdir)
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept: {workdir}")
    ratio = large["peak_rss_tree_mb"] / small["peak_rss_tree_mb"]
    verdict = "PASS" if ratio <= RSS_TARGET else "FAIL"
    print(
        f"\npeak RSS (process tree) large/small: {large['peak_rss_tree_mb']} / "
        f"{small['peak_rss_tree_mb']} MB = {ratio:.2f}x  {verdict} (target <= {RSS_TARGET}x)\n"
        f"pages/s large/small: {large['pages_per_s']} / {small['pages_per_s']} = "
        f"{large['pages_per_s'] / small['pages_per_s']:.2f}x"
    )
    if args.json:
        args.json.write_text(json.dumps({"small": small, "large": large, "ratio": ratio}))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
