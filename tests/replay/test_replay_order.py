"""Whatever the process layout, outcomes are taken in archive order: dedup and names agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.replay.helpers import Warc, article_html, article_tree, replay

HTML = [("Content-Type", "text/html; charset=utf-8")]
PAGES = 60
STORIES = 25


def _url(i: int) -> str:
    return f"http://news.example/news/2026/01/05/page-{i}.html"


def _write(paths: list[Path]) -> None:
    """PAGES captures spread over `paths`; capture i declares story i % STORIES canonical."""
    per_file = -(-PAGES // len(paths))
    for n, path in enumerate(paths):
        with Warc(path) as warc:
            for i in range(n * per_file, min(PAGES, (n + 1) * per_file)):
                canonical = f'<link rel="canonical" href="/story-{i % STORIES}.html">'
                warc.response(_url(i), article_html(f"Story {i % STORIES}", head=canonical),
                              HTML, date=f"2026-01-05T09:{i // 60:02d}:{i % 60:02d}Z")


ROTATED = [f"newsarchive-2026010509000{n}000-0000{n}-host.warc.gz" for n in range(3)]


@pytest.mark.parametrize(
    ("names", "jobs"),
    [(["one.warc.gz"], "1"), (["one.warc.gz"], "2"), (ROTATED, "1"), (ROTATED, "2")],
)
def test_first_capture_of_each_canonical_wins_in_any_layout(
    tmp_path: Path, names: list[str], jobs: str
):
    paths = [tmp_path / name for name in names]
    _write(paths)
    result = replay(*paths, "--out", tmp_path / "out", "--jobs", jobs)
    assert result.returncode == 0, result.stderr
    documents = article_tree(tmp_path / "out")
    assert sorted(d["url"] for d in documents.values()) == sorted(map(_url, range(STORIES)))
    assert f"{PAGES - STORIES} duplicate" in result.stdout


def test_files_of_other_tools_are_crawls_of_their_own(tmp_path: Path):
    paths = [tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"]
    _write(paths)  # a: pages 0-29, b: pages 30-59; each file holds all 25 stories
    result = replay(*paths, "--out", tmp_path / "out", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    names = sorted(Path(name).name for name in article_tree(tmp_path / "out"))
    # Dedup within each file, not across them: each file repeats 5 of its stories; b's
    # captures of the 25 stories are new captures of unchanged articles (no new version).
    assert "10 duplicate, 25 unchanged" in result.stdout
    assert len(names) == STORIES
    assert all(name.count(".") == 1 for name in names)
