"""The layers of `archive/`: it never imports Scrapy (the Scrapy <-> WARC conversion sits in
`crawler/`), and only replay, which re-runs the crawl's extraction, imports `crawler`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import archive

# Imports the package's modules (all, or all outside `archive.replay`) in a fresh interpreter,
# as pytest's has Scrapy and `crawler` loaded, and prints the top packages it then holds.
# The modules are found as files: pkgutil.walk_packages imports every package it walks into.
PROBE = """
import importlib, pathlib, sys
import archive
root = pathlib.Path(archive.__file__).parent
for path in sorted(root.rglob("*.py")):
    name = ".".join(("archive", *path.relative_to(root).with_suffix("").parts))
    name = name.removesuffix(".__init__")
    if {skip_replay} and name.startswith("archive.replay"):
        continue
    importlib.import_module(name)
print(sorted({{name.split(".")[0] for name in sys.modules}} & {{"scrapy", "crawler"}}))
"""


def _loaded(skip_replay: bool) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(skip_replay=skip_replay)],
        capture_output=True, text=True, check=True, timeout=120,
    )
    return result.stdout.strip()


def test_no_archive_module_imports_scrapy():
    assert "scrapy" not in _loaded(skip_replay=False)


def test_only_replay_imports_the_crawler_package():
    assert _loaded(skip_replay=True) == "[]"


ARCHIVE = Path(archive.__file__).parent
# The bottom of archive/: what every layer shares (the output layout, locks, limits, atomic
# writes, worker lifelines, errors), then the WARC layer on it. Above them: the catalog,
# storage, check and the applications, which neither may know.
SHARED = {"atomic", "errors", "layout", "lifeline", "limits", "locks"}
SHARED_FILES = [ARCHIVE / f"{name}.py" for name in sorted(SHARED)]
WARC_FILES = sorted((ARCHIVE / "warc").glob("*.py"))


def _archive_imports(path: Path) -> set[str]:
    """The `archive.*` modules a file imports, type-checking imports included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.split(".")[0] == "archive")
    return found


def _above(path: Path, warc_allowed: bool) -> list[str]:
    shared = {f"archive.{name}" for name in SHARED}
    return sorted(
        name for name in _archive_imports(path)
        if name not in shared and not (warc_allowed and name.startswith("archive.warc"))
    )


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_what_all_layers_share_imports_nothing_above_it(path: Path):
    assert _above(path, warc_allowed=False) == []


@pytest.mark.parametrize("path", WARC_FILES, ids=lambda p: f"warc/{p.name}")
def test_the_warc_layer_imports_only_itself_and_what_all_share(path: Path):
    assert _above(path, warc_allowed=True) == []
