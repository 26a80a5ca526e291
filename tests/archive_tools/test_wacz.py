"""`newsarchive wacz`: a WACZ 1.1.1 that py-wacz validates and a replay tool can read."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archive.warc.cdxj import CdxjEntry
from tests.archive_tools.conftest import demo_crawls
from tests.support import articles, newsarchive

WACZ_CLI = Path(sys.executable).with_name("wacz")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "data"
    demo_crawls(out)
    return out


@pytest.fixture(scope="module")
def wacz(archive: Path) -> Path:
    target = archive.parent / "demo.wacz"
    result = newsarchive("wacz", archive, "-o", target, "--title", "Demo", "--text")
    assert result.returncode == 0, result.stderr
    assert "24 pages" in result.stderr
    return target


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    assert WACZ_CLI.exists(), "the wacz package (`wacz validate`) is not installed (test extra)"
    return subprocess.run(
        [str(WACZ_CLI), "validate", "-f", str(path)],
        capture_output=True, text=True, timeout=300, check=False,
    )


def test_wacz_validate_passes(wacz):
    result = validate(wacz)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


def test_wacz_validate_catches_a_tampered_file(wacz, tmp_path):
    """The validator really checks: the same package with one changed page list fails."""
    bad = tmp_path / "bad.wacz"
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "pages/pages.jsonl":
                data = data.replace(b"Demo", b"Oops").replace(b'"title": "', b'"title": "X', 1)
            target.writestr(info, data)
    assert validate(bad).returncode != 0


def test_layout_compression_and_hashes(wacz):
    with zipfile.ZipFile(wacz) as zf:
        # No ZIP64 extra fields on small members: ReplayWeb.page cannot read them.
        assert all(len(info.extra) == 0 for info in zf.infolist())
        names = zf.namelist()
        package = json.loads(zf.read("datapackage.json"))
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert package["wacz_version"] == "1.1.1" and package["title"] == "Demo"
        assert package["software"].startswith("newsarchive/")
        listed = {r["path"]: r for r in package["resources"]}
        assert set(listed) == set(names) - {"datapackage.json", "datapackage-digest.json"}
        assert {"indexes/index.cdx.gz", "indexes/index.idx", "pages/pages.jsonl"} <= set(names)
        for name in names:
            info = zf.getinfo(name)
            if name.startswith("archive/") or name.endswith(".cdx.gz"):
                assert info.compress_type == zipfile.ZIP_STORED, name
            if name in listed:
                data = zf.read(name)
                assert listed[name]["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
                assert listed[name]["bytes"] == len(data)
        assert digest["hash"] == "sha256:" + hashlib.sha256(zf.read("datapackage.json")).hexdigest()


def _index_lines(zf: zipfile.ZipFile) -> list[str]:
    """The CDXJ lines, block by block as the idx points at them (how replay reads them)."""
    idx = zf.read("indexes/index.idx").decode("utf-8").splitlines()
    assert idx[0].startswith("!meta 0 ") and '"cdxj-gzip-1.0"' in idx[0]
    blob = zf.read("indexes/index.cdx.gz")
    lines: list[str] = []
    for row in idx[1:]:
        prefix, data = row.split(" {", 1)
        block = json.loads("{" + data)
        member = blob[block["offset"] : block["offset"] + block["length"]]
        assert block["digest"] == "sha256:" + hashlib.sha256(member).hexdigest()
        text = gzip.decompress(member).decode("utf-8")
        assert text.startswith(prefix + " {")
        lines += text.splitlines(keepends=True)
    assert block["offset"] + block["length"] == len(blob)
    return lines


def test_index_inside_equals_newsarchive_index(archive, wacz):
    expected = newsarchive("index", archive, "-o", "-").stdout.splitlines(keepends=True)
    with zipfile.ZipFile(wacz) as zf:
        assert _index_lines(zf) == expected


def test_index_offsets_read_records_through_the_zip(wacz):
    with zipfile.ZipFile(wacz) as zf:
        for line in _index_lines(zf):
            entry = CdxjEntry.parse(line)
            with zf.open(f"archive/{entry.filename}") as warc:
                warc.seek(entry.offset)
                record = gzip.decompress(warc.read(entry.length))
            assert f"WARC-Target-URI: {entry.url}\r\n".encode() in record


def test_pages_are_the_articles_and_resolve_in_the_index(archive, wacz):
    with zipfile.ZipFile(wacz) as zf:
        header, *pages = [json.loads(x) for x in zf.read("pages/pages.jsonl").splitlines()]
        entries = [CdxjEntry.parse(line) for line in _index_lines(zf)]
    captured = {(entry.url, entry.timestamp) for entry in entries}
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": "Articles",
                      "hasText": True}
    docs = {d["id"]: d for d in articles(archive)}
    assert {p["id"] for p in pages} == set(docs) and len(pages) == 24
    for page in pages:
        doc = docs[page["id"]]
        assert page["url"] == doc["url"] and page["title"] == doc["title"]
        assert page["text"] == doc["body"]
        stamp = "".join(ch for ch in page["ts"] if ch.isdigit())
        assert (page["url"], stamp) in captured  # replay finds the page at its time


def test_no_warcs_is_a_clear_error(tmp_path):
    result = newsarchive("wacz", tmp_path, "-o", tmp_path / "x.wacz")
    assert result.returncode == 1 and "no WARC files" in result.stderr
    assert not (tmp_path / "x.wacz").exists()


def test_wacz_of_a_directory_of_warcs_without_articles(archive, tmp_path):
    for warc in (archive / "warc").glob("*.warc.gz"):
        shutil.copy(warc, tmp_path)
    target = tmp_path / "only-warcs.wacz"
    result = newsarchive("wacz", tmp_path, "-o", target)
    assert result.returncode == 0, result.stderr
    assert "0 pages" in result.stderr
    assert validate(target).returncode == 0
