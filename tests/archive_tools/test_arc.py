"""ARC files in `index`, `check`, `wacz` and the catalog: cdxj-indexer is the second reader."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive.catalog.rebuild import capture_rows
from archive.warc.cdxj import CdxjEntry
from archive.warc.reader import record_at
from tests.arcfiles import Arc, http_block
from tests.replay.helpers import Warc
from tests.replay.test_replay_arc import BASE, HTML, _version_2, _wrong_length, page, write_arc
from tests.support import newsarchive

BIN = Path(sys.executable).parent


def cdxj_indexer(*paths: Path) -> list[str]:
    return subprocess.run(
        [str(BIN / "cdxj-indexer"), "--sort", *map(str, paths)],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines(keepends=True)


@pytest.fixture
def arcs(tmp_path: Path) -> Path:
    """A folder of other tools' files: two ARC files, gzip and not."""
    folder = tmp_path / "old"
    folder.mkdir()
    write_arc(folder / "IA-2008-a.arc.gz")
    write_arc(folder / "IA-2008-b.arc", gzip=False)
    return folder


def test_index_of_arc_files_equals_cdxj_indexer(arcs: Path):
    result = newsarchive("index", arcs)
    assert result.returncode == 0, result.stderr
    assert "captures from 2 WARC files" in result.stderr
    indexed = (arcs / "index.cdxj").read_text("utf-8").splitlines(keepends=True)
    assert indexed == cdxj_indexer(*sorted(arcs.glob("*.arc*")))
    entries = [CdxjEntry.parse(line) for line in indexed]
    # dns, robots.txt, image, two pages; the filedesc record (a warcinfo) is not indexed.
    assert len(entries) == 10
    for entry in entries:
        with record_at(arcs / entry.filename, entry.offset) as record:
            assert record.rec_headers.get_header("WARC-Target-URI") == entry.url
        if entry.url.startswith("http"):
            assert entry.status == "200" and entry.fields["mime"] in (
                "text/html", "text/plain", "image/png"
            )


def test_check_passes_a_whole_arc_and_its_articles(arcs: Path, tmp_path: Path):
    out = tmp_path / "replayed"
    (out / "warc").mkdir(parents=True)
    for arc in arcs.glob("*.arc*"):
        shutil.copy(arc, out / "warc")
    assert newsarchive("replay", out / "warc", "--out", out).returncode == 0
    result = newsarchive("check", out)
    assert result.returncode == 0, result.stdout + result.stderr
    # Both files hold the same two pages: the second gives no new version.
    assert result.stdout.splitlines()[-1] == (
        "newsarchive check: 0 WARC file(s), 2 ARC file(s), 12 records, 2 article(s): 0 defect(s)"
    )
    # A pointer moved to another record of the ARC (robots.txt's) is a defect, named.
    arc = arcs / "IA-2008-a.arc.gz"
    robots = next(r for r in write_arc(tmp_path / arc.name).records if "robots" in r.url)
    article = next(
        path for path in (out / "articles").rglob("*.json")
        if json.loads(path.read_text("utf-8"))["capture"]["warc_file"] == arc.name
    )
    document = json.loads(article.read_text("utf-8"))
    document["capture"]["warc_offset"] = robots.offset
    article.write_text(json.dumps(document), "utf-8")
    result = newsarchive("check", out)
    assert result.returncode == 1
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(str(article))]
    assert f"capture {arc.name}:{robots.offset}: the record there is <urn:uuid:" in line


@pytest.mark.parametrize("gzip", [True, False], ids=["arc.gz", "arc"])
def test_check_names_each_arc_defect_with_its_offset(tmp_path: Path, gzip: bool):
    suffix = ".arc.gz" if gzip else ".arc"
    _version_2(tmp_path / f"v2{suffix}", gzip)
    _wrong_length(tmp_path / f"length{suffix}", gzip)
    truncated = tmp_path / f"cut{suffix}"
    arc = write_arc(truncated, gzip=gzip)
    truncated.write_bytes(truncated.read_bytes()[:-200])
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(b"")
    with Arc(tmp_path / f"bad-date{suffix}", gzip=gzip) as bad_date:
        block = http_block(page(), HTML)
        bad = bad_date.raw(f"{BASE}a.html 1.2.3.4 2008-01-05 text/html {len(block)}\n".encode(),
                           block)
    result = newsarchive("check", *sorted(tmp_path.glob(f"*{suffix}")))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].endswith("5 defect(s)")
    defects = dict(line.split(": ", 1) for line in lines[:-1])
    last = arc.records[-1]
    cut_message = "gzip member cut short by the end of the file" if gzip else (
        "the last record is incomplete (cut short)")
    assert defects[f"{truncated}:{last.offset}"] == cut_message
    assert defects[f"{tmp_path / f'v2{suffix}'}:0"].startswith("ARC version 2 file")
    assert defects[f"{bad_date.path}:{bad.offset}"].startswith(
        "ARC header line: archive date '2008-01-05' is not a 14-digit date")
    assert defects[str(empty)] == "not an ARC file: empty, no filedesc:// header record"
    (length_defect,) = [v for k, v in defects.items() if k.startswith(f"{tmp_path}/length")]
    assert "is the Archive-length of the record before it wrong?" in length_defect


def test_wacz_refuses_arc_files_and_its_advice_works(arcs: Path, tmp_path: Path):
    result = newsarchive("wacz", arcs, "-o", tmp_path / "old.wacz")
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert "ARC files cannot go into a WACZ (WACZ 1.1.1 allows WARC files only" in line
    assert not (tmp_path / "old.wacz").exists()
    # What it says to do: convert with warcio, move the ARC files out, package.
    moved = tmp_path / "arc-originals"
    moved.mkdir()
    for arc in sorted(arcs.glob("*.arc*")):
        warc = arc.with_name(arc.name.removesuffix(".gz").removesuffix(".arc") + ".warc.gz")
        converted = subprocess.run([str(BIN / "warcio"), "recompress", str(arc), str(warc)],
                                   capture_output=True, text=True, check=False)
        assert converted.returncode == 0, converted.stdout
        shutil.move(arc, moved)
    result = newsarchive("wacz", arcs, "-o", tmp_path / "old.wacz")
    assert result.returncode == 0, result.stderr
    assert "10 captures" in result.stderr
    validated = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(tmp_path / "old.wacz")],
                               capture_output=True, text=True, check=False)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_catalog_rows_of_an_arc_keep_their_ids(arcs: Path):
    """Every read of an ARC gives its records the same ids (warcio alone makes random ones),
    so a catalog synced twice holds each capture once, and its ids are replay's."""
    arc = arcs / "IA-2008-a.arc.gz"
    first, second = list(capture_rows(arc)), list(capture_rows(arc))
    assert [row.record_id for row in first] == [row.record_id for row in second]
    assert len({row.record_id for row in first}) == len(first) == 4  # the dns record is no URL
    for row in first:
        with record_at(arc, row.warc_offset) as record:
            assert record.rec_headers.get_header("WARC-Record-ID") == row.record_id
        assert row.payload_digest.startswith("sha1:") and row.fetched_at.startswith("2008-01-05")


def test_check_follows_pointers_into_uncompressed_files(tmp_path: Path):
    """A plain `.warc` or `.arc` record's length leaves its closing blank lines out, as warcio
    and CDX indexes count it, and as replay writes it into `warc_length`."""
    out = tmp_path / "out"
    (out / "warc").mkdir(parents=True)
    write_arc(out / "warc" / "old.arc", gzip=False)
    with Warc(out / "warc" / "new.warc", gzip=False) as warc:
        warc.response(BASE + "later.html", page("A later story on the harbour"), HTML,
                      date="2009-03-01T10:00:00Z")
    assert newsarchive("replay", out / "warc", "--out", out).returncode == 0
    result = newsarchive("check", out)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].endswith(", 3 article(s): 0 defect(s)")
