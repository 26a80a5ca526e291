"""`archive/` never imports Scrapy: the Scrapy <-> WARC conversion sits in `crawler/`."""

from __future__ import annotations

import subprocess
import sys

# Imports every module of the package in a fresh interpreter (pytest's has Scrapy loaded).
PROBE = """
import importlib, pkgutil, sys
import archive
for module in pkgutil.walk_packages(archive.__path__, "archive."):
    importlib.import_module(module.name)
print(sorted({name.split(".")[0] for name in sys.modules if name.split(".")[0] == "scrapy"}))
"""


def test_no_archive_module_imports_scrapy():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
