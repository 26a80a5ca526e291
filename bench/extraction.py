"""Extraction benchmark: body, title, authors, dates and language, against trafilatura.

One run scores newsarchive and trafilatura (and readability-lxml for the body) on three sets in
`../shared/bench/` (`--set` picks some):

- article-extraction (Zyte, 181 pages): body, with the set's metric: words are Unicode ``\\w+``
  runs, each text is a multiset of 4-word shingles (a text of 1-3 words is one shingle); per
  page, precision and recall of the predicted shingles against the truth's; precision averaged
  over pages with a non-empty prediction, recall over all pages; F1 the harmonic mean of the
  two averages; ``±`` the bootstrap standard deviation over pages. Only the extraction call is
  timed, with the HTML in memory (newsarchive gets bytes, as in a crawl; the others the decoded
  text); the tools run interleaved page by page, so that other load on the machine weighs on
  all of them alike. newsarchive's pages/s over trafilatura's is the speed ratio.
- readability-test-pages (the 93 real pages): body, with the Zyte set's metric, for newsarchive
  and trafilatura (the truth is Readability.js's output: pages from many sites the body rules
  were not developed on); title (exact after whitespace normalisation, and containment either
  way), authors (the set of lower-cased names), published (same day), language (primary
  subtag); each field scored on the pages whose truth gives it, a missing prediction counting
  as wrong. Pages get readability's own test URL, as the set has none.
- htmldate-eval (380 pages, with their URL): published (same day).

The two "published" rows come from bench/datesets.py (`score_published`), which scores dates
the same way for every tool.

    python bench/extraction.py                       # every set, every tool
    python bench/extraction.py --set zyte --only newsarchive --show-worst 10
    python bench/extraction.py --set readability --show-worst 20   # newsarchive's misses
    python bench/extraction.py --set zyte --anonymous-markup        # class and id say nothing
    python bench/extraction.py --set readability --set htmldate --no-metas   # visible metadata

`--anonymous-markup` gives every tool the body pages with each class name and id replaced by
a meaningless one ("c3f9a1e0"; elements that shared a class still do), as CSS-in-JS and
minified sites write them: what is left is
the tags, the text and the links. It measures how much of a tool's body comes from a page's
class names, i.e. how it fares on a site whose names it has no word for. `--no-metas` scores
the metadata rows on pages without JSON-LD and without the <meta> elements that name authors
or dates: what the visible page says, as on the many sites that give no structured metadata.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "bench" / "article-extraction"
READABILITY_DIR = "readability-test-pages"  # beside --data
FAKEHOST = "http://fakehost/test/page.html"  # readability's test URL: its pages have none
SETS = ("zyte", "readability", "htmldate")
_WORD = re.compile(r"\w+")


# --- metric -----------------------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text)
    if not words:
        return Counter()
    if len(words) < n:
        return Counter([tuple(words)])
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


@dataclass
class PageScore:
    page_id: str
    precision: float | None  # None when the prediction is empty
    recall: float
    exact: bool


def score_page(page_id: str, truth: str, pred: str) -> PageScore:
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    n_pred, n_true = sum(p.values()), sum(t.values())
    precision = tp / n_pred if n_pred else None
    recall = tp / n_true if n_true else 1.0
    exact = _WORD.findall(truth) == _WORD.findall(pred)
    return PageScore(page_id, precision, recall, exact)


def aggregate(scores: list[PageScore]) -> tuple[float, float, float, float]:
    precisions = [s.precision for s in scores if s.precision is not None]
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(s.recall for s in scores) if scores else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    acc = statistics.fmean(s.exact for s in scores) if scores else 0.0
    return p, r, f1, acc


def bootstrap_std(scores: list[PageScore], rounds: int = 300, seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    samples = [aggregate(rng.choices(scores, k=len(scores))) for _ in range(rounds)]
    return [statistics.pstdev(col) for col in zip(*samples, strict=True)]


# --- tools ------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "pre",
    "section",
    "article",
    "figure",
    "figcaption",
    "table",
    "ul",
    "ol",
}


def _html_to_text(html: str) -> str:
    import lxml.html

    if not html.strip():
        return ""
    root = lxml.html.fromstring(html)
    parts: list[str] = []

    def walk(el) -> None:
        if isinstance(el.tag, str):
            block = el.tag in _BLOCK_TAGS
            if block:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
            for child in el:
                walk(child)
            if block:
                parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    return re.sub(r"\n\s*\n+", "\n\n", "".join(parts)).strip()


def tool_newsarchive() -> tuple[str, Callable[[bytes, str, str], str]]:
    from crawler.extraction import extract

    def run(raw: bytes, text: str, url: str) -> str:
        return extract(raw, url).body

    return "0.1.0", run


def tool_trafilatura() -> tuple[str, Callable[[bytes, str, str], str]]:
    import trafilatura

    def run(raw: bytes, text: str, url: str) -> str:
        # Comments are not article body: the figures published for this set leave them out.
        return trafilatura.extract(text, url=url, include_comments=False) or ""

    return trafilatura.__version__, run


def tool_readability() -> tuple[str, Callable[[bytes, str, str], str]]:
    import logging
    from importlib.metadata import version

    from readability import Document

    logging.getLogger("readability").setLevel(logging.ERROR)

    def run(raw: bytes, text: str, url: str) -> str:
        return Document(text, url=url).summary(html_partial=True)

    # The HTML-to-text step is not the extractor's work: done outside the timed call.
    run.postprocess = _html_to_text  # type: ignore[attr-defined]
    return version("readability-lxml"), run


TOOLS = {
    "newsarchive": tool_newsarchive,
    "trafilatura": tool_trafilatura,
    "readability": tool_readability,
}


# --- running ----------------------------------------------------------------------------------


@dataclass
class Page:
    page_id: str
    url: str
    truth: str
    raw: bytes
    text: str


@dataclass
class Result:
    tool: str
    version: str
    scores: list[PageScore] = field(default_factory=list)
    predictions: dict[str, str] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0  # median of the warm passes
    cold_seconds: float = 0.0  # the first pass
    times: list[float] = field(default_factory=list)


def load_pages(data: Path, limit: int | None = None) -> list[Page]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        item = truth[page_id]
        pages.append(
            Page(
                page_id,
                item["url"],
                item["articleBody"],
                raw,
                raw.decode("utf-8", errors="replace"),
            )
        )
    return pages


def _datesets() -> ModuleType:
    """bench/datesets.py, whose date scoring and page rewriting this benchmark shares."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import datesets

    return datesets


def _meaningless(name: str) -> str:
    return f"c{zlib.crc32(name.encode()):08x}"


def anonymised(page: Page) -> Page:
    """`page` with each class name and id replaced by one that says nothing (the same name, the
    same replacement: elements that shared a class still do), re-encoded as UTF-8
    (`datesets.rewritten`)."""
    def rename(root: Any) -> None:
        for element in root.iter():
            for attribute in ("class", "id"):
                value = element.get(attribute) if isinstance(element.tag, str) else None
                if value is not None:
                    element.set(attribute, " ".join(map(_meaningless, value.split())))

    raw = _datesets().rewritten(page.raw, page.url, rename)
    return Page(page.page_id, page.url, page.truth, raw, raw.decode("utf-8"))


def run_tools(names: list[str], pages: list[Page], passes: int) -> list[Result]:
    """Run every tool on every page, interleaved page by page, so that a load change on the
    machine during the run weighs on all tools alike.

    The first pass is the warm-up: it is scored, and timed apart (`Result.cold_seconds`), as
    it also pays for what a process does once (lazy imports, compiled patterns, caches
    filling); `passes` timed passes follow, and their median is the speed reported, as a
    crawl's extraction worker runs warm for hours. pyperf also leaves its warm-ups out."""
    tools = []
    for name in names:
        try:
            version, fn = TOOLS[name]()
        except ImportError as exc:
            print(f"{name}: not installed ({exc}); pip install -e '.[bench]'", file=sys.stderr)
            continue
        tools.append((Result(name, version), fn, getattr(fn, "postprocess", None)))
    totals = {result.tool: [0.0] * (passes + 1) for result, _, _ in tools}
    for i in range(passes + 1):
        for page in pages:
            for result, fn, post in tools:
                start = time.perf_counter()
                try:
                    out = fn(page.raw, page.text, page.url)
                except Exception as exc:  # a benchmark counts errors, it does not stop
                    out = ""
                    if i == 0:
                        result.errors += 1
                        print(
                            f"{result.tool}: {page.page_id}: {type(exc).__name__}: {exc}",
                            file=sys.stderr,
                        )
                elapsed = time.perf_counter() - start
                totals[result.tool][i] += elapsed
                if i == 1 or passes == 0:
                    result.times.append(elapsed)
                if i == 0:
                    if post is not None:
                        out = post(out)
                    result.predictions[page.page_id] = out
                    result.scores.append(score_page(page.page_id, page.truth, out))
    for result, _, _ in tools:
        result.cold_seconds = totals[result.tool][0]
        result.seconds = statistics.median(totals[result.tool][1:] or totals[result.tool])
    return [r for r, _, _ in tools]


def print_table(results: list[Result], n_pages: int) -> None:
    header = (
        f"{'tool':<13}{'version':<9}{'precision':<13}{'recall':<13}{'F1':<13}"
        f"{'accuracy':<13}{'empty':>6}{'err':>5}{'pages/s':>9}{'p95 ms':>8}"
    )
    print(header)
    for res in results:
        p, r, f1, acc = aggregate(res.scores)
        sp, sr, sf, sa = bootstrap_std(res.scores)
        empty = sum(s.precision is None for s in res.scores)
        times = sorted(res.times)
        p95 = times[int(0.95 * (len(times) - 1))] * 1000 if times else 0.0
        speed = n_pages / res.seconds if res.seconds else 0.0
        print(
            f"{res.tool:<13}{res.version:<9}{p:.3f}±{sp:.3f}  {r:.3f}±{sr:.3f}  "
            f"{f1:.3f}±{sf:.3f}  {acc:.3f}±{sa:.3f}  {empty:>5}{res.errors:>5}"
            f"{speed:>9.1f}{p95:>8.1f}"
        )


def show_worst(result: Result, pages: list[Page], n: int) -> None:
    by_id = {p.page_id: p for p in pages}

    def f1(s: PageScore) -> float:
        p = s.precision or 0.0
        return 2 * p * s.recall / (p + s.recall) if p + s.recall else 0.0

    print(f"\nworst {n} pages for {result.tool}:")
    for s in sorted(result.scores, key=f1)[:n]:
        prec = f"{s.precision:.3f}" if s.precision is not None else "  -  "
        print(
            f"  F1 {f1(s):.3f}  P {prec}  R {s.recall:.3f}  {s.page_id[:12]}  "
            f"{by_id[s.page_id].url}"
        )


# --- body: readability-test-pages --------------------------------------------------------------

# Readability.js's output is the truth: readability-lxml would be scored against its parent.
READABILITY_BODY_TOOLS = ("newsarchive", "trafilatura")


def load_readability_pages(data: Path, limit: int | None = None) -> list[Page]:
    """The real pages of readability-test-pages (not the hand-written fixtures) with their body
    as truth, under readability's test URL."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = [page_id for page_id in sorted(truth) if not truth[page_id]["fixture"]][:limit]
    pages = []
    for page_id in ids:
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        text = raw.decode("utf-8", errors="replace")
        pages.append(Page(page_id, FAKEHOST, truth[page_id]["articleBody"] or "", raw, text))
    return pages


# --- metadata: readability-test-pages ---------------------------------------------------------


@dataclass
class MetaPage:
    page_id: str
    raw: bytes
    text: str
    truth: dict


@dataclass
class Meta:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None


def meta_newsarchive() -> Callable[[bytes, str], Meta]:
    from crawler.extraction import extract

    def run(raw: bytes, text: str) -> Meta:
        article = extract(raw, FAKEHOST)
        return Meta(article.title, article.authors, article.language)

    return run


def meta_trafilatura() -> Callable[[bytes, str], Meta]:
    import trafilatura

    def run(raw: bytes, text: str) -> Meta:
        doc = trafilatura.bare_extraction(text, url=FAKEHOST, with_metadata=True)
        if doc is None:
            return Meta()
        # trafilatura joins several authors with "; "; it reports a language only when asked
        # to filter on one, so its language is always missing here.
        authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
        return Meta(doc.title, authors, doc.language)

    return run


META_TOOLS = {"newsarchive": meta_newsarchive, "trafilatura": meta_trafilatura}


# With --no-metas: the <meta> names of authors and dates (JSON-LD goes whole).
_AUTHOR_OR_DATE_META = re.compile(
    r"author|creator|byl|parsely|sailthru|date|time|publish|modified|created|updated|issued",
    re.I,
)


def load_meta_pages(
    data: Path, limit: int | None = None, metas: bool = True
) -> list[MetaPage]:
    """The real pages (not the hand-written fixtures) of readability-test-pages; `metas=False`:
    without their JSON-LD and author and date metas."""
    metas_removed = _datesets().metas_removed
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = [page_id for page_id in sorted(truth) if not truth[page_id]["fixture"]][:limit]
    pages = []
    for page_id in ids:
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        if not metas:
            raw = metas_removed(raw, FAKEHOST, _AUTHOR_OR_DATE_META)
        pages.append(MetaPage(page_id, raw, raw.decode("utf-8", errors="replace"), truth[page_id]))
    return pages


def _spaces(text: str | None) -> str:
    return " ".join((text or "").split())


def _title_exact(truth: str, got: str | None) -> bool:
    return _spaces(truth) == _spaces(got)


def _title_contained(truth: str, got: str | None) -> bool:
    t, g = _spaces(truth), _spaces(got)
    return bool(g) and (g in t or t in g)


def _authors_match(truth: list[str], got: list[str]) -> bool:
    return {_spaces(a).lower() for a in truth} == {_spaces(a).lower() for a in got}


def _language_match(truth: str, got: str | None) -> bool:
    primary = truth.lower().replace("_", "-").split("-")[0]
    return bool(got) and got.lower().replace("_", "-").split("-")[0] == primary


# field: (truth key, check); a page is scored on a field when its truth is not null.
META_FIELDS: dict[str, tuple[str, Callable[..., bool]]] = {
    "title": ("title", lambda t, m: _title_exact(t, m.title)),
    "title contained": ("title", lambda t, m: _title_contained(t, m.title)),
    "authors": ("authors", lambda t, m: _authors_match(t, m.authors)),
    "language": ("language", lambda t, m: _language_match(t, m.language)),
}


@dataclass
class MetaResult:
    tool: str
    hits: dict[str, list[bool]] = field(default_factory=dict)
    predictions: dict[str, Meta] = field(default_factory=dict)
    errors: int = 0

    def share(self, name: str) -> tuple[float, int]:
        hits = self.hits.get(name, [])
        return (sum(hits) / len(hits) if hits else 0.0), len(hits)


def run_meta(names: list[str], pages: list[MetaPage]) -> list[MetaResult]:
    results = []
    for name in names:
        if name not in META_TOOLS:
            continue
        try:
            fn = META_TOOLS[name]()
        except ImportError as exc:
            print(f"{name}: not installed ({exc}); pip install -e '.[bench]'", file=sys.stderr)
            continue
        result = MetaResult(name)
        for page in pages:
            try:
                meta = fn(page.raw, page.text)
            except Exception as exc:  # counted, never fatal
                meta = Meta()
                result.errors += 1
                print(f"{name}: {page.page_id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            result.predictions[page.page_id] = meta
            for field_name, (key, check) in META_FIELDS.items():
                truth = page.truth.get(key)
                if truth is not None:
                    result.hits.setdefault(field_name, []).append(check(truth, meta))
        results.append(result)
    return results


def show_meta_misses(result: MetaResult, pages: list[MetaPage], n: int) -> None:
    print(f"\n{result.tool} on readability-test-pages: misses (up to {n} per field)")
    for field_name in ("title", "authors", "language"):
        key, check = META_FIELDS[field_name]
        shown = 0
        for page in pages:
            truth = page.truth.get(key)
            meta = result.predictions[page.page_id]
            if truth is None or check(truth, meta) or shown >= n:
                continue
            got = getattr(meta, field_name)
            print(f"  {field_name:<9}{page.page_id:<28} truth {truth!r}  got {got!r}")
            shown += 1


# --- published: bench/datesets.py ---------------------------------------------------------------


@dataclass
class PublishedRow:
    dataset: str  # "readability" or "htmldate-eval", as datesets names them
    tool: str
    pages: int
    accuracy: float  # same day / pages: a missing date counts as wrong
    precision: float
    recall: float
    f1: float


def published_rows(
    tools: list[str], sets: list[str], limit: int | None, metas: bool = True
) -> list[PublishedRow]:
    """'published, same day' on readability-test-pages and htmldate-eval, scored by
    bench/datesets.py so that dates are counted one way in every benchmark."""
    datesets = _datesets()
    wanted = [s for s in ("readability", "htmldate-eval") if s.split("-")[0] in sets]
    tools = [t for t in tools if t in datesets.TOOLS]
    if limit is None:
        scores = datesets.score_published(tools, wanted, metas=metas)
    else:  # the first `limit` pages of each set, as --limit does for the others
        scores = []
        loaded = {name: datesets.DATASETS[name]()[:limit] for name in wanted}
        if not metas:
            loaded = {n: [datesets.without_metas(p) for p in ps] for n, ps in loaded.items()}
        for tool in tools:
            predict = datesets.TOOLS[tool]()
            for name, pages in loaded.items():
                scores.append(datesets.score_tool(tool, predict, pages, name))
    return [
        PublishedRow(s.dataset, s.tool, s.total.pages, s.total.accuracy, s.total.precision,
                     s.total.recall, s.total.f1)
        for s in scores
    ]  # fmt: skip


# --- report -------------------------------------------------------------------------------------


def print_metadata_table(
    meta: list[MetaResult], published: list[PublishedRow], tools: list[str]
) -> None:
    tools = [t for t in tools if t in META_TOOLS]
    print("\nmetadata (share of scored pages right; a missing value is wrong)")
    print(f"{'set':<24}{'field':<18}{'pages':>6}" + "".join(f"{t:>14}" for t in tools))
    by_tool = {r.tool: r for r in meta}
    for field_name in META_FIELDS:
        if not meta:
            break
        cells, pages = [], 0
        for tool in tools:
            share, pages_t = by_tool[tool].share(field_name) if tool in by_tool else (0.0, 0)
            pages = pages or pages_t
            cells.append(f"{share:>14.3f}" if tool in by_tool else f"{'-':>14}")
        note = "  (trafilatura gives none)" if field_name == "language" else ""
        print(f"{'readability-test-pages':<24}{field_name:<18}{pages:>6}{''.join(cells)}{note}")
        if field_name == "authors":
            _print_published(published, "readability", tools)
    _print_published(published, "htmldate-eval", tools)


def _print_published(rows: list[PublishedRow], dataset: str, tools: list[str]) -> None:
    mine = {r.tool: r for r in rows if r.dataset == dataset}
    if not mine:
        return
    label = "readability-test-pages" if dataset == "readability" else dataset
    pages = next(iter(mine.values())).pages
    cells = "".join(f"{mine[t].accuracy:>14.3f}" if t in mine else f"{'-':>14}" for t in tools)
    detail = "  ".join(
        f"{t} P {r.precision:.3f} R {r.recall:.3f} F1 {r.f1:.3f}" for t, r in mine.items()
    )
    print(f"{label:<24}{'published (day)':<18}{pages:>6}{cells}  [{detail}]")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--data", type=Path, default=DATA,
        help="the Zyte article-extraction set; readability-test-pages is read beside it",
    )  # fmt: skip
    ap.add_argument(
        "--set", action="append", choices=SETS, dest="sets",
        help="zyte (body, speed), readability (body, title, authors, published, language), "
        "htmldate (published); repeatable, default all",
    )  # fmt: skip
    ap.add_argument(
        "--only", action="append", choices=sorted(TOOLS), help="score only this tool (repeatable)"
    )
    ap.add_argument(
        "--passes", type=int, default=1,
        help="timed passes after the warm-up pass (their median is reported; 0: the warm-up's)",
    )  # fmt: skip
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each set only")
    ap.add_argument(
        "--show-worst", type=int, default=0, metavar="N",
        help="the N worst body pages of each tool, and newsarchive's metadata misses",
    )  # fmt: skip
    ap.add_argument(
        "--dump", type=Path, default=None,
        help="write newsarchive's predictions as JSON to this file: {set: {page: ...}}",
    )  # fmt: skip
    ap.add_argument(
        "--anonymous-markup", action="store_true",
        help="body pages with every class and id replaced by a meaningless name (all tools)",
    )  # fmt: skip
    ap.add_argument(
        "--no-metas", action="store_true",
        help="metadata rows on pages without JSON-LD and author and date metas (all tools)",
    )  # fmt: skip
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    markup = anonymised if args.anonymous_markup else (lambda page: page)
    marked = " (anonymous markup)" if args.anonymous_markup else ""
    sets = args.sets or list(SETS)
    names = args.only or list(TOOLS)
    dump: dict[str, dict] = {}
    if "zyte" in sets:
        pages = [markup(page) for page in load_pages(args.data, args.limit)]
        results = run_tools(names, pages, args.passes)
        print(
            f"article-extraction (Zyte){marked}: {len(pages)} pages, a warm-up pass and "
            f"{args.passes} timed pass(es)"
        )
        print_table(results, len(pages))
        speeds = {r.tool: len(pages) / r.seconds for r in results if r.seconds}
        if "newsarchive" in speeds and "trafilatura" in speeds:
            ratio = speeds["newsarchive"] / speeds["trafilatura"]
            print(f"newsarchive runs at {ratio:.2f}x trafilatura's pages/s in this run")
            cold = {r.tool: r.cold_seconds for r in results}
            print(
                f"(first, cold pass: {cold['trafilatura'] / cold['newsarchive']:.2f}x; "
                "the ratio above is of the warm passes)"
            )
        for res in results:
            if args.show_worst:
                show_worst(res, pages, args.show_worst)
            if res.tool == "newsarchive":
                dump["article-extraction"] = res.predictions
    meta: list[MetaResult] = []
    meta_pages: list[MetaPage] = []
    if "readability" in sets:
        body_names = [n for n in names if n in READABILITY_BODY_TOOLS]
        body_pages = [
            markup(page)
            for page in load_readability_pages(args.data.parent / READABILITY_DIR, args.limit)
        ]
        body_results = run_tools(body_names, body_pages, args.passes)
        if body_results:
            print(
                f"\nreadability-test-pages body{marked}: {len(body_pages)} pages "
                "(truth: Readability.js)"
            )
            print_table(body_results, len(body_pages))
        for res in body_results:
            if args.show_worst:
                show_worst(res, body_pages, args.show_worst)
            if res.tool == "newsarchive":
                dump["readability-test-pages body"] = res.predictions
        meta_pages = load_meta_pages(
            args.data.parent / READABILITY_DIR, args.limit, metas=not args.no_metas
        )
        meta = run_meta(names, meta_pages)
    published = published_rows(names, sets, args.limit, metas=not args.no_metas)
    if meta or published:
        if args.no_metas:
            print("\n(--no-metas: the pages have no JSON-LD and no author or date metas)")
        print_metadata_table(meta, published, names)
    for res in meta:
        if res.tool == "newsarchive":
            if args.show_worst:
                show_meta_misses(res, meta_pages, args.show_worst)
            dump["readability-test-pages"] = {
                page_id: {"title": m.title, "authors": m.authors, "language": m.language}
                for page_id, m in res.predictions.items()
            }
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
