"""Fuzz the extractor: any bytes in, an `Article` or an `ExtractionError` out.

    .venv/bin/pip install -e '.[fuzz]'
    .venv/bin/python fuzz/fuzz_extract.py -max_total_time=300 fuzz/corpus/extract

libFuzzer's options follow the script (`-help=1` lists them); a crash is written to
`crash-<hash>` in the current directory and reproduces with `python fuzz/fuzz_extract.py
crash-<hash>`. Seed the corpus with real pages (tests/fixtures/extraction) for depth.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from crawler.extraction import ExtractionError, extract


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    charset = provider.PickValueInList([None, "utf-8", "windows-1252", "shift_jis", "bogus"])
    html = provider.ConsumeBytes(provider.remaining_bytes())
    try:
        article = extract(html, "https://news.example/2026/01/05/story.html", http_charset=charset)
    except ExtractionError:
        return
    article.to_dict()  # every field serialisable


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
