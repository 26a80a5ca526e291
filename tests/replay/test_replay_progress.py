"""Progress on a terminal, silence in a pipe; the summary line always."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.replay.helpers import Warc, article_html

HTML = [("Content-Type", "text/html; charset=utf-8")]


def _warcs(directory: Path, files: int) -> list[Path]:
    paths = []
    for n in range(files):
        path = directory / f"f{n}.warc.gz"
        with Warc(path) as warc:
            for i in range(20):
                warc.response(f"http://news.example/news/2026/01/05/{n}-{i}.html",
                              article_html(f"Story {n} {i}"), HTML)
        paths.append(path)
    return paths


@pytest.mark.parametrize("files", [1, 2])  # a reader and a pool; one process per file
def test_progress_is_drawn_on_a_terminal(tmp_path: Path, files: int):
    inputs = _warcs(tmp_path, files)
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "crawler", "replay", *map(str, inputs),
             "--out", str(tmp_path / "out"), "--jobs", "2"],
            stdout=subprocess.PIPE, stderr=terminal, timeout=120, check=False,
        )
        os.close(terminal)
        drawn = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(controller)
    assert process.returncode == 0
    text = drawn.decode()
    assert f"{20 * files} records" in text and f"{20 * files} articles" in text
    assert "rec/s" in text and "MB/s" in text
    summary = process.stdout.decode()
    assert summary.count("\n") == 1 and f"{20 * files} articles written" in summary
