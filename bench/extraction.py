"""Article-body extraction benchmark on the Zyte article-extraction set (181 pages).

Scores newsarchive, trafilatura and readability-lxml in one run, with the benchmark's metric:
words are Unicode ``\\w+`` runs, each text is a multiset of 4-word shingles (a text of 1-3 words is
one shingle); per page, precision and recall of the predicted shingles against the truth's;
precision is averaged over pages with a non-empty prediction, recall over all pages; F1 is the
harmonic mean of those two averages. ``±`` is the bootstrap standard deviation over pages.
Only the extraction call is timed, with the HTML already in memory (newsarchive gets bytes, as in
a crawl; the others get the decoded text); the tools run interleaved page by page, so that other
load on the machine weighs on all of them alike.

    python bench/extraction.py                       # all tools
    python bench/extraction.py --only newsarchive --show-worst 10
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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "bench" / "article-extraction"
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
    seconds: float = 0.0
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


def run_tools(names: list[str], pages: list[Page], passes: int) -> list[Result]:
    """Run every tool on every page, interleaved page by page, so that a load change on the
    machine during the run weighs on all tools alike."""
    tools = []
    for name in names:
        try:
            version, fn = TOOLS[name]()
        except ImportError as exc:
            print(f"{name}: not installed ({exc}); pip install -e '.[bench]'", file=sys.stderr)
            continue
        tools.append((Result(name, version), fn, getattr(fn, "postprocess", None)))
    totals = {result.tool: [0.0] * passes for result, _, _ in tools}
    for i in range(passes):
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
                if i == 0:
                    result.times.append(elapsed)
                    if post is not None:
                        out = post(out)
                    result.predictions[page.page_id] = out
                    result.scores.append(score_page(page.page_id, page.truth, out))
    for result, _, _ in tools:
        result.seconds = statistics.median(totals[result.tool])
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument(
        "--only", action="append", choices=sorted(TOOLS), help="score only this tool (repeatable)"
    )
    ap.add_argument("--passes", type=int, default=1, help="timing passes (median is reported)")
    ap.add_argument("--limit", type=int, default=None, help="first N pages only")
    ap.add_argument("--show-worst", type=int, default=0, metavar="N")
    ap.add_argument(
        "--dump", type=Path, default=None, help="write newsarchive predictions as JSON to this file"
    )
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    pages = load_pages(args.data, args.limit)
    names = args.only or list(TOOLS)
    results = run_tools(names, pages, args.passes)
    print(f"{len(pages)} pages, {args.passes} timing pass(es)")
    print_table(results, len(pages))
    speeds = {r.tool: len(pages) / r.seconds for r in results if r.seconds}
    if "newsarchive" in speeds and "trafilatura" in speeds:
        ratio = speeds["newsarchive"] / speeds["trafilatura"]
        print(f"newsarchive runs at {ratio:.2f}x trafilatura's pages/s in this run")
    for res in results:
        if args.show_worst:
            show_worst(res, pages, args.show_worst)
        if args.dump and res.tool == "newsarchive":
            args.dump.write_text(json.dumps(res.predictions, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
