"""`newsarchive extract PAGE.html [--url URL]` and `newsarchive extract --jsonl`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.cli import fail, say
from crawler.extraction import ExtractionError, extract
from crawler.siteprofile import ProfileError, resolve_profile


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract the article from a saved HTML page",
        description=(
            "Print the article JSON of PAGE.html, or with --jsonl read JSON Lines "
            '{"id", "url", "html"} on stdin and write one article JSON per line.'
        ),
    )
    parser.add_argument("page", nargs="?", type=Path, metavar="PAGE.html")
    parser.add_argument("--url", default=None, help="the page's URL (resolves links, dates)")
    parser.add_argument("--profile", default=None, help="use this site profile's hints")
    parser.add_argument("--jsonl", action="store_true", help="batch mode on stdin/stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rules = None
    if args.profile:
        try:
            rules = resolve_profile(args.profile).extraction
        except ProfileError as exc:
            return fail("extract", str(exc), 2)
    if args.jsonl:
        return _run_jsonl(rules)
    if args.page is None:
        return fail("extract", "give PAGE.html or --jsonl", 2)
    try:
        html = args.page.read_bytes()
    except OSError as exc:
        return fail("extract", f"cannot read {args.page}: {exc}", 2)
    url = args.url or args.page.resolve().as_uri()
    try:
        article = extract(html, url, rules=rules)
    except ExtractionError as exc:
        return fail("extract", f"{args.page}: {exc}", 1)
    json.dump(article.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _run_jsonl(rules: Any) -> int:
    failures = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            task = json.loads(line)
            html, url = task["html"], task["url"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            say("extract", f"line {number}: not a {{id, url, html}} object: {exc}")
            failures += 1
            continue
        out: dict[str, Any] = {"id": task.get("id")}
        try:
            out.update(extract(html, url, rules=rules).to_dict())
        except ExtractionError as exc:
            out["error"] = str(exc)
            failures += 1
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 1 if failures else 0
