"""The layers of `archive/`: it never imports Scrapy (the Scrapy <-> WARC conversion sits in
`crawler/`), and only replay, which re-runs the crawl's extraction, imports `crawler`."""

from __future__ import annotations

import subprocess
import sys

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
