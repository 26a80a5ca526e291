"""Benchmark `newsarchive export`: articles/s and peak memory, 10,000 vs 100,000 articles.

    .venv/bin/python bench/export.py [--articles 100000] [--small 10000] [--formats jsonl,csv]

Writes synthetic article JSON files in the store layout
(`articles/<site>/<yyyy>/<mm>/<id>.json`, 5% of them with a second, later capture
`<id>.<stamp>.json`) into a temporary directory, runs `newsarchive export` on each tree in a
subprocess with stdout to /dev/null, and reads the child's own peak RSS (`wait4`). Target
(issue 4): at least 20,000 articles/s to JSONL, and a peak RSS that does not grow with the
number of articles.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from archive.layout import article_id

SITES = ("harbour-gazette.example", "daily.example", "news.example", "times.example")
WORDS = (
    "council harbour bridge ferry school library market residents plan week evening "
    "officials decision public consultation month repairs timetable spring term roof"
).split()


def synthetic_article(rng: random.Random, number: int) -> dict:
    site = SITES[number % len(SITES)]
    year, month = 2025 + number % 2, 1 + number % 12
    day, hour = 1 + number % 28, number % 24
    url = f"https://{site}/news/{year}/{month:02d}/{day:02d}/story-{number}.html"
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 60))).capitalize() + "."
        for _ in range(rng.randint(4, 9))
    ]
    body = "\n\n".join(paragraphs)
    published = f"{year}-{month:02d}-{day:02d}T{hour:02d}:00:00+00:00"
    return {
        "id": article_id(url),
        "url": url + "?utm_source=feed",
        "canonical_url": url,
        "site": site,
        "title": f"Story {number}: " + " ".join(rng.choice(WORDS) for _ in range(6)),
        "authors": ["Mira Castell"] if number % 3 else [],
        "published": published,
        "published_raw": published,
        "modified": None,
        "modified_raw": None,
        "section": "news",
        "breadcrumbs": ["Home", "News"],
        "tags": rng.sample(WORDS, 3),
        "language": "en",
        "description": paragraphs[0][:150],
        "site_name": site,
        "body": body,
        "body_html": "".join(f"<p>{p}</p>\n" for p in paragraphs),
        "images": [{"url": f"https://{site}/img/{number}.jpg", "caption": "A view"}],
        "word_count": len(body.split()),
        "article_score": 0.8,
        "capture": {
            "warc_file": "newsarchive-20261128000000000-00000-bench.warc.gz",
            "warc_offset": number * 4096,
            "warc_length": 4000,
            "warc_record_id": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>",
            "fetched_at": f"2026-11-{1 + number % 28:02d}T10:00:00.000000Z",
            "status": 200,
            "payload_digest": "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        },
        "extractor": "newsarchive/0.1.0",
        "extracted_at": "2026-11-28T10:00:00+00:00",
    }


def generate(root: Path, count: int) -> int:
    """Write `count` articles (plus 5% second captures); returns the bytes written."""
    rng = random.Random(count)
    total = 0
    for number in range(count):
        doc = synthetic_article(rng, number)
        year, month = doc["published"][:4], doc["published"][5:7]
        directory = root / "articles" / doc["site"] / year / month
        directory.mkdir(parents=True, exist_ok=True)
        data = json.dumps(doc, ensure_ascii=False, indent=2).encode() + b"\n"
        (directory / f"{doc['id']}.json").write_bytes(data)
        total += len(data)
        if number % 20 == 0:  # a later capture of the same article
            doc["capture"] = {**doc["capture"], "fetched_at": "2026-11-29T10:00:00.000000Z"}
            data = json.dumps(doc, ensure_ascii=False, indent=2).encode() + b"\n"
            (directory / f"{doc['id']}.20261129100000.json").write_bytes(data)
            total += len(data)
    return total


def run_export(root: Path, fmt: str) -> tuple[float, int, int]:
    """Seconds, peak RSS in KiB of the export process, and bytes it wrote."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "export", str(root), "--format", fmt],
            stdout=out,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"export failed: {process.stderr.read().decode()[-2000:]}")
        size = out.seek(0, os.SEEK_END)
    return elapsed, usage.ru_maxrss, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--formats", default="jsonl", help="comma-separated: jsonl,csv,parquet")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    work = Path(tempfile.mkdtemp(prefix="newsarchive-bench-export-"))
    try:
        print(f"{'articles':>9} {'format':>7} {'seconds':>8} {'articles/s':>11} "
              f"{'MB/s in':>8} {'peak RSS':>9} {'output':>9}")
        for count in (args.small, args.articles):
            root = work / str(count)
            size = generate(root, count)
            os.sync()
            for fmt in formats:
                run_export(root, fmt)  # warm the page cache, as a second export would
                elapsed, rss_kib, out_bytes = run_export(root, fmt)
                print(
                    f"{count:>9,} {fmt:>7} {elapsed:>8.2f} {count / elapsed:>11,.0f} "
                    f"{size / elapsed / 1e6:>8.1f} {rss_kib / 1024:>7.1f}MB "
                    f"{out_bytes / 1e6:>7.1f}MB",
                    flush=True,
                )
            shutil.rmtree(root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("(rows: one per canonical URL; 5% of articles also have a later capture, left out)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
