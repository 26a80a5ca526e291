"""Publication-date benchmark: "published same day" on two development sets.

- htmldate-eval (380 pages, bbaw and mediacloud-2020): a human-labelled publication day per page.
- readability-test-pages: the 32 real pages (fixtures left out) whose truth has a `publishedTime`.

Scoring follows each set's README: the tool's date, as `YYYY-MM-DD` in the date the page states
(never converted to UTC), must equal the label's day. tp = correct day, fp = a wrong day,
fn = no date; accuracy = tp / pages, precision = tp / (tp + fp), recall = tp / (tp + fn) (a wrong
date does not lower recall, as upstream counts it), F1 = 2tp / (2tp + fp + fn).

Every tool gets the page's bytes and, for htmldate-eval, its URL (`--no-url` scores from the HTML
alone, as htmldate's upstream does; the two are not comparable). Readability's pages have no URL:
they get `http://fakehost/test/page.html`, as in its own tests. Only the tool's call is timed.

    python bench/datesets.py                          # newsarchive, trafilatura, htmldate
    python bench/datesets.py --only newsarchive --show-misses 20
    python bench/datesets.py --set htmldate-eval --no-metas   # visible dates only

`--no-metas` removes every JSON-LD script and every <meta> whose name says date or time from the
pages first, for every tool: what is left to date a page is its visible text, its markup and its
URL, as on the many sites that publish no structured dates (or wrong ones).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
HTMLDATE_EVAL = SHARED / "htmldate-eval"
READABILITY = SHARED / "readability-test-pages"
FAKEHOST = "http://fakehost/test/page.html"

# A tool: (page bytes, url or None) -> the published date as an ISO string, or None.
Predict = Callable[[bytes, str | None], str | None]


@dataclass(frozen=True)
class DatePage:
    page_id: str
    url: str | None
    raw: bytes
    published: str  # YYYY-MM-DD
    collection: str  # "bbaw", "mediacloud-2020", "readability"


@dataclass
class Counts:
    pages: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, correct: bool | None) -> None:
        self.pages += 1
        if correct is None:
            self.fn += 1
        elif correct:
            self.tp += 1
        else:
            self.fp += 1

    @property
    def accuracy(self) -> float:
        return self.tp / self.pages if self.pages else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0


@dataclass
class PublishedScore:
    """One tool on one set: counts overall and per collection, predictions, time."""

    tool: str
    dataset: str
    total: Counts = field(default_factory=Counts)
    by_collection: dict[str, Counts] = field(default_factory=dict)
    predictions: dict[str, str | None] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0


# --- data -------------------------------------------------------------------------------------


def load_htmldate_eval(data: Path = HTMLDATE_EVAL) -> list[DatePage]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        DatePage(
            page_id,
            item["url"],
            gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes()),
            item["published"],
            item["collection"],
        )
        for page_id, item in sorted(truth.items())
    ]


def load_readability(data: Path = READABILITY) -> list[DatePage]:
    """The real (non-fixture) pages whose truth gives a published time."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        DatePage(
            page_id,
            FAKEHOST,
            gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes()),
            item["published"][:10],
            "readability",
        )
        for page_id, item in sorted(truth.items())
        if item["published"] and not item["fixture"]
    ]


# --- tools ------------------------------------------------------------------------------------


def tool_newsarchive() -> Predict:
    from crawler.extraction import extract

    def run(raw: bytes, url: str | None) -> str | None:
        return extract(raw, url or FAKEHOST).published

    return run


def tool_trafilatura() -> Predict:
    import trafilatura

    def run(raw: bytes, url: str | None) -> str | None:
        metadata = trafilatura.extract_metadata(raw, default_url=url)
        return metadata.date if metadata else None

    return run


def tool_htmldate() -> Predict:
    from htmldate import find_date

    def run(raw: bytes, url: str | None) -> str | None:
        return find_date(raw, url=url, original_date=True, extensive_search=True)

    return run


TOOLS: dict[str, Callable[[], Predict]] = {
    "newsarchive": tool_newsarchive,
    "trafilatura": tool_trafilatura,
    "htmldate": tool_htmldate,
}
DATASETS: dict[str, Callable[[], list[DatePage]]] = {
    "htmldate-eval": load_htmldate_eval,
    "readability": load_readability,
}


# --- scoring ----------------------------------------------------------------------------------


def _day(value: str | None) -> str | None:
    """The calendar day an ISO string states, as written (no conversion to UTC)."""
    return value[:10] if value and len(value) >= 10 else None


def score_tool(
    name: str, predict: Predict, pages: Iterable[DatePage], dataset: str, with_url: bool = True
) -> PublishedScore:
    score = PublishedScore(name, dataset)
    for page in pages:
        start = time.perf_counter()
        try:
            predicted = predict(page.raw, page.url if with_url else None)
        except Exception as exc:  # a benchmark counts errors, it does not stop
            predicted = None
            score.errors += 1
            print(f"{name}: {page.page_id}: {type(exc).__name__}: {exc}", file=sys.stderr)
        score.seconds += time.perf_counter() - start
        score.predictions[page.page_id] = predicted
        day = _day(predicted)
        correct = None if day is None else day == page.published
        score.total.add(correct)
        score.by_collection.setdefault(page.collection, Counts()).add(correct)
    return score


_DATE_META = re.compile(r"date|time|publish|modified|created|updated|issued", re.I)


def rewritten(raw: bytes, url: str, change: Callable[[Any], None]) -> bytes:
    """The page `raw` changed by `change` (called with its lxml root) and written out as UTF-8
    that says so. Decoded and parsed by newsarchive's `parse_page`, so that no tool is scored
    on a page a decoder got wrong: its own charset declarations go, `<meta charset="utf-8">`
    takes their place."""
    from lxml import etree

    from crawler.extraction.parse import parse_page

    root = parse_page(raw, None, url=url).root
    change(root)
    for meta in root.xpath("//meta"):
        if meta.get("charset") or (meta.get("http-equiv") or "").lower() == "content-type":
            meta.getparent().remove(meta)
    head = root.find("head")
    if head is not None:
        head.insert(0, etree.Element("meta", charset="utf-8"))
    return etree.tostring(root, encoding="utf-8", method="html", doctype="<!DOCTYPE html>")


def metas_removed(raw: bytes, url: str, names: re.Pattern[str] = _DATE_META) -> bytes:
    """The page `raw` (`rewritten`) without its JSON-LD and the <meta> elements whose name,
    property, itemprop or http-equiv `names` matches."""

    def remove(root: Any) -> None:
        for script in root.xpath("//script[contains(@type, 'ld+json')]"):
            script.getparent().remove(script)
        for meta in root.xpath("//meta"):
            said = (meta.get(a) for a in ("name", "property", "itemprop", "http-equiv"))
            if names.search(" ".join(filter(None, said))):
                meta.getparent().remove(meta)

    return rewritten(raw, url, remove)


def without_metas(page: DatePage) -> DatePage:
    """`page` without its JSON-LD and date metas (`metas_removed`)."""
    raw = metas_removed(page.raw, page.url or "")
    return DatePage(page.page_id, page.url, raw, page.published, page.collection)


def score_published(
    tools: Iterable[str] = ("newsarchive", "trafilatura"),
    datasets: Iterable[str] = ("htmldate-eval", "readability"),
    *,
    with_url: bool = True,
    metas: bool = True,
) -> list[PublishedScore]:
    """Score each tool on each set ("published same day"); tools not installed are skipped.
    `metas=False`: on the pages `without_metas`."""
    loaded = {name: DATASETS[name]() for name in datasets}
    if not metas:
        loaded = {name: [without_metas(page) for page in pages] for name, pages in loaded.items()}
    results = []
    for tool in tools:
        try:
            predict = TOOLS[tool]()
        except ImportError as exc:
            print(f"{tool}: not installed ({exc}); pip install -e '.[bench]'", file=sys.stderr)
            continue
        for dataset, pages in loaded.items():
            results.append(score_tool(tool, predict, pages, dataset, with_url))
    return results


def print_scores(results: list[PublishedScore]) -> None:
    print(
        f"{'set':<15}{'tool':<13}{'collection':<17}{'pages':>6}{'accuracy':>10}"
        f"{'precision':>11}{'recall':>8}{'F1':>7}{'err':>5}{'pages/s':>9}"
    )
    for result in results:
        rows = [("all", result.total)]
        if len(result.by_collection) > 1:
            rows += sorted(result.by_collection.items())
        for collection, counts in rows:
            speed = ""
            if collection == "all" and result.seconds:
                speed = f"{counts.pages / result.seconds:.1f}"
            print(
                f"{result.dataset:<15}{result.tool:<13}{collection:<17}{counts.pages:>6}"
                f"{counts.accuracy:>10.3f}{counts.precision:>11.3f}{counts.recall:>8.3f}"
                f"{counts.f1:>7.3f}{result.errors if collection == 'all' else '':>5}{speed:>9}"
            )


def show_misses(result: PublishedScore, pages: list[DatePage], n: int) -> None:
    print(f"\n{result.tool} on {result.dataset}: misses")
    shown = 0
    for page in pages:
        predicted = result.predictions.get(page.page_id)
        if _day(predicted) == page.published:
            continue
        print(f"  {page.page_id[:40]:<40} truth {page.published}  got {predicted}  {page.url}")
        shown += 1
        if shown >= n:
            break


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", action="append", choices=sorted(TOOLS), help="repeatable")
    ap.add_argument("--set", action="append", choices=sorted(DATASETS), dest="sets")
    ap.add_argument("--no-url", action="store_true", help="score from the HTML alone")
    ap.add_argument(
        "--no-metas", action="store_true",
        help="remove JSON-LD and date metas from the pages first (visible dates only)",
    )  # fmt: skip
    ap.add_argument("--show-misses", type=int, default=0, metavar="N")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    tools = args.only or list(TOOLS)
    sets = args.sets or list(DATASETS)
    results = score_published(tools, sets, with_url=not args.no_url, metas=not args.no_metas)
    print_scores(results)
    if args.show_misses:
        for result in results:
            if result.tool == "newsarchive":
                pages = DATASETS[result.dataset]()
                if args.no_metas:
                    pages = [without_metas(page) for page in pages]
                show_misses(result, pages, args.show_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
