"""Where our body and trafilatura's differ, on pages without body truth (htmldate-eval).

htmldate-eval's 380 pages (mostly German and multilingual news, blogs and magazines) have no
body truth; what one extractor keeps and the other drops is the next best thing to read. For
each page, the runs of six words or more that only one of the two bodies holds (4-word
shingles, the Zyte metric's unit) are listed; the pages are ranked by the words of such runs.

    .venv/bin/python bench/bodydiff.py --show 30              # text only trafilatura keeps
    .venv/bin/python bench/bodydiff.py --side ours --show 30  # text only we keep
    .venv/bin/python bench/bodydiff.py --save now.json        # then, after a change:
    .venv/bin/python bench/bodydiff.py --against now.json     # the pages whose body changed
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from pathlib import Path

from datesets import HTMLDATE_EVAL

_WORD = re.compile(r"\w+")
_N = 4


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def only_in(a: list[str], b: list[str], min_run: int = 6) -> list[str]:
    """Runs of `a`'s words that no 4-word shingle of `b` covers."""
    grams = {tuple(b[i : i + _N]) for i in range(len(b) - _N + 1)}
    covered = [False] * len(a)
    for i in range(len(a) - _N + 1):
        if tuple(a[i : i + _N]) in grams:
            covered[i : i + _N] = [True] * _N
    runs, run = [], []
    for word, seen in zip(a, covered, strict=True):
        if not seen:
            run.append(word)
            continue
        if len(run) >= min_run:
            runs.append(" ".join(run))
        run = []
    if len(run) >= min_run:
        runs.append(" ".join(run))
    return runs


def bodies(data: Path) -> dict[str, dict]:
    import trafilatura

    from crawler.extraction import extract

    truth = json.loads((data / "ground-truth.json").read_text())
    out = {}
    for page_id, labels in sorted(truth.items()):
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        url = labels.get("url") or "http://example.com/"
        ours = extract(raw, url).body
        theirs = trafilatura.extract(raw, url=url, include_comments=False) or ""
        out[page_id] = {"url": url, "ours": ours, "theirs": theirs}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=HTMLDATE_EVAL)
    parser.add_argument("--side", choices=("theirs", "ours"), default="theirs")
    parser.add_argument("--show", type=int, default=20, help="pages to show")
    parser.add_argument("--save", type=Path, help="write the bodies to this JSON file")
    parser.add_argument("--against", type=Path, help="a --save file: list the changed bodies")
    args = parser.parse_args(argv)

    pages = bodies(args.data)
    if args.save:
        args.save.write_text(json.dumps(pages, ensure_ascii=False))
    if args.against:
        before = json.loads(args.against.read_text())
        changed = [p for p in pages if before.get(p, {}).get("ours") != pages[p]["ours"]]
        for page_id in changed:
            old, new = words(before[page_id]["ours"]), words(pages[page_id]["ours"])
            print(f"== {page_id}: {len(old)} -> {len(new)} words")
            for run in only_in(new, old, 3):
                print(f"  + {run[:300]}")
            for run in only_in(old, new, 3):
                print(f"  - {run[:300]}")
        print(f"{len(changed)} of {len(pages)} bodies changed")
        return 0

    rows = []
    total = {"ours": 0, "theirs": 0}
    for page_id, page in pages.items():
        ours, theirs = words(page["ours"]), words(page["theirs"])
        runs = {"ours": only_in(ours, theirs), "theirs": only_in(theirs, ours)}
        counts = {side: sum(len(r.split()) for r in runs[side]) for side in runs}
        for side in total:
            total[side] += counts[side]
        rows.append((counts[args.side], page_id, len(ours), len(theirs), runs[args.side]))
    empty = sum(1 for p in pages.values() if not p["ours"])
    print(
        f"{len(pages)} pages: {total['ours']} words only in ours, {total['theirs']} only in "
        f"trafilatura's; {empty} empty bodies of ours"
    )
    for count, page_id, n_ours, n_theirs, runs in sorted(rows, reverse=True)[: args.show]:
        print(f"== {page_id}: {count} words only in {args.side} ({n_ours} ours, {n_theirs} theirs)")
        for run in runs[:4]:
            print(f"  {run[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
