"""The body-size limit of replay and `show --decode`: decompression streams and stops at
`archive.limits.MAX_BODY`, whatever a WARC record holds.

The bomb is the issue's case: 5 MB of gzip that inflates to 5 GiB of zeros. It is built
without ever holding (or compressing) 5 GiB: deflate blocks of 1 MiB of zeros, each ended by a
full flush, are byte for byte alike, so one block is repeated; the trailer's CRC is computed
over the zeros a MiB at a time (about two seconds).
"""

from __future__ import annotations

import gzip
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from archive.limits import MAX_BODY
from archive.replay.codings import BodyTooLarge, Codings, decodable_codings
from tests.replay.helpers import Warc, article_html, article_tree
from tests.support import read_warc

BASE = "https://bomb.example.org/"
HTML = [("Content-Type", "text/html; charset=utf-8")]
MIB = 1 << 20
RSS_CEILING_KB = 300 * 1024  # the replay of a 5 GiB bomb, every process of it, under 300 MB


def gzip_of_zeros(mebibytes: int) -> bytes:
    """A valid gzip member of `mebibytes` MiB of zeros, about 1 KB per MiB."""
    zeros = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, (mebibytes * MIB) & 0xFFFFFFFF)
    final_empty_block = b"\x03\x00"
    return header + first + block * (mebibytes - 1) + final_empty_block + trailer


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_of_zeros(5 * 1024)  # 5 GiB of zeros


def test_the_bomb_is_what_it_says():
    small = gzip_of_zeros(3)
    assert gzip.decompress(small) == bytes(3 * MIB)


@pytest.fixture(scope="module")
def bomb_warc(bomb: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A WARC with a control article, the bomb (an HTML page, gzip-encoded), and another
    article after it: replay must get past the bomb."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.warc.gz"
    with Warc(path) as warc:
        warc.response(BASE + "news/before.html", article_html("Harbour bridge reopens"), HTML)
        warc.response(BASE + "news/bomb.html", bomb, [*HTML, ("Content-Encoding", "gzip")])
        warc.response(BASE + "news/after.html", article_html("Ferry timetable changes"), HTML)
    assert len(bomb) < 6_000_000
    return path


def _offset_of(path: Path, url: str) -> int:
    (record,) = [r for r in read_warc(path) if r.type == "response" and r.uri == url]
    return record.offset


def _replay_measured(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """`newsarchive replay ARGS` in a child of a fresh interpreter, and the peak RSS (KB) of
    the replay and every worker process it started: RUSAGE_CHILDREN of that interpreter,
    so that no earlier test's processes count."""
    runner = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stdout); sys.stderr.write(done.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(done.returncode)\n"
    )
    command = [sys.executable, "-c", runner, sys.executable, "-m", "crawler", "replay",
               *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    *lines, peak = result.stdout.rstrip("\n").split("\n")
    result.stdout = "\n".join(lines)
    return result, int(peak)


def _one_warning(stderr: str, *parts: str) -> str:
    lines = [line for line in stderr.splitlines() if "over " in line and "bytes" in line]
    assert len(lines) == 1, stderr
    for part in parts:
        assert part in lines[0], (part, lines[0])
    assert len(lines[0]) < 300
    return lines[0]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_gzip_bomb_is_skipped_in_bounded_memory(bomb_warc: Path, tmp_path: Path, jobs: str):
    result, peak_kb = _replay_measured(bomb_warc, "--out", tmp_path, "--jobs", jobs)
    assert result.returncode == 0, result.stderr
    _one_warning(result.stderr, BASE + "news/bomb.html", bomb_warc.name,
                 f"offset {_offset_of(bomb_warc, BASE + 'news/bomb.html')}",
                 f"decompressed body over {MAX_BODY} bytes")
    titles = sorted(doc["title"] for doc in article_tree(tmp_path).values())
    assert titles == ["Ferry timetable changes", "Harbour bridge reopens"]
    assert "1 errors" in result.stdout
    assert peak_kb < RSS_CEILING_KB, f"peak RSS {peak_kb // 1024} MB"


def test_gzip_bomb_without_extraction(bomb_warc: Path):
    result, peak_kb = _replay_measured(bomb_warc, "--no-extract")
    assert result.returncode == 0, result.stderr
    _one_warning(result.stderr, BASE + "news/bomb.html", str(bomb_warc),
                 f"offset {_offset_of(bomb_warc, BASE + 'news/bomb.html')}",
                 f"decompressed body over {MAX_BODY} bytes")
    assert "2 HTML pages" in result.stdout
    assert peak_kb < RSS_CEILING_KB, f"peak RSS {peak_kb // 1024} MB"


def test_max_body_option_applies_to_stored_bodies_too(tmp_path: Path):
    page = article_html("Harbour bridge reopens")
    path = tmp_path / "x.warc.gz"
    with Warc(path) as warc:
        warc.response(BASE + "news/big.html", page, HTML)
    result, _ = _replay_measured(path, "--out", tmp_path / "out", "--max-body", "1000")
    assert result.returncode == 0, result.stderr
    _one_warning(result.stderr, BASE + "news/big.html", "stored body over 1000 bytes")
    assert not article_tree(tmp_path / "out")
    fits, _ = _replay_measured(path, "--out", tmp_path / "out", "--max-body", str(len(page)))
    assert fits.returncode == 0 and len(article_tree(tmp_path / "out")) == 1, fits.stderr
    bad, _ = _replay_measured(path, "--no-extract", "--max-body", "0")
    assert bad.returncode == 2


# -- the decoders, one by one ----------------------------------------------------------------

ZEROS = bytes(3 * MIB)


def _encoders() -> dict[str, object]:
    import brotlicffi

    from archive.replay.codings import zstd

    assert zstd is not None
    return {
        "gzip": gzip.compress,
        "x-gzip": gzip.compress,
        "deflate": zlib.compress,
        "br": brotlicffi.compress,
        "zstd": zstd.compress,
    }


def test_every_coding_scrapy_decodes_is_decodable_here():
    assert set(decodable_codings()) == {"gzip", "x-gzip", "deflate", "br", "zstd"}


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "br", "zstd", "gzip, br"])
def test_each_decoder_stops_at_the_limit(coding: str):
    encoders = _encoders()
    stored = ZEROS
    for name in coding.split(", "):
        stored = encoders[name](stored)  # type: ignore[operator]
    content = tuple(coding.split(", "))
    assert Codings(False, content, len(ZEROS)).undo(stored) == ZEROS
    with pytest.raises(BodyTooLarge, match=f"decompressed body over {len(ZEROS) - 1} bytes"):
        Codings(False, content, len(ZEROS) - 1).undo(stored)
    start, whole = Codings(False, content, MIB).undo_start(stored)
    assert start == bytes(MIB) and not whole


# -- show --decode -------------------------------------------------------------------------


def test_show_decode_prints_at_most_the_limit(bomb: bytes, tmp_path: Path):
    (tmp_path / "warc").mkdir()
    with Warc(tmp_path / "warc" / "bomb.warc.gz") as warc:
        warc.response(BASE + "news/bomb.html", bomb, [*HTML, ("Content-Encoding", "gzip")])
    command = [sys.executable, "-c",
               "import resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
               "sys.stderr.buffer.write(done.stderr)\n"
               "print(len(done.stdout), done.stdout.count(b'\\0'), done.returncode)\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n",
               sys.executable, "-m", "crawler", "show", BASE + "news/bomb.html",
               "--dir", str(tmp_path), "--raw", "--decode"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    printed, zeros, status = map(int, result.stdout.split("\n")[0].split())
    peak_kb = int(result.stdout.split("\n")[1])
    assert status == 0, result.stderr
    assert zeros == MAX_BODY and printed < MAX_BODY + 1000
    assert f"stopped after {MAX_BODY} bytes" in result.stderr
    assert peak_kb < RSS_CEILING_KB
