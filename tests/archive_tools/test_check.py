"""`newsarchive check`: clean on a whole archive, one line per defect on damaged ones, exit
codes, `--repair`; on our WARCs and on wget's (gzip or not)."""

from __future__ import annotations

import dataclasses
import gzip
import io
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from archive.check import check
from archive.layout import ArticleStore, walk_article_files
from archive.warc.capture import Capture, write_exchange
from archive.warc.records import (
    IDENTICAL_PAYLOAD_DIGEST,
    Original,
    build_request_record,
    build_response_record,
    build_revisit_record,
)
from archive.warc.writer import RotatingWarcWriter, _serialise
from crawler.demo.server import SiteServer
from tests.archive.test_warc_writer import exchange
from tests.support import newsarchive

REPO = Path(__file__).resolve().parents[2]


@dataclasses.dataclass
class Archive:
    out: Path
    warc: Path
    captures: list[Capture]
    tail_offset: int  # where the last member (a resource record) starts


def article(n: int, capture: dict) -> dict:
    return {
        "id": f"{n:016x}",
        "url": f"http://example.test/page/{n}?q=1#frag",
        "site": "example",
        "published": "2026-01-02T00:00:00Z",
        "capture": capture,
    }


def revisit_of(writer: RotatingWarcWriter, capture: Capture, url: str) -> None:
    """A revisit of `capture` (as a crawl writes one) and its request."""
    original = Original(capture.warc_record_id, url, capture.fetched_at, capture.payload_digest)
    record = build_revisit_record(
        writer.builder, exchange(0), original, profile=IDENTICAL_PAYLOAD_DIGEST
    )
    writer.write(record)
    revisit_id = record.rec_headers.get_header("WARC-Record-ID")
    writer.write(build_request_record(writer.builder, exchange(0), revisit_id))


def build(out: Path, extra=None) -> Archive:
    """An archive as a crawl writes it: 3 pairs, a revisit and its request, a resource
    record last, and an article for each page; `extra(writer)` adds records before the tail."""
    with RotatingWarcWriter(out / "warc", prefix="t", hostname="h") as writer:
        captures = [write_exchange(writer, exchange(n)) for n in range(3)]
        revisit_of(writer, captures[0], exchange(0).url)
        if extra is not None:
            extra(writer)
        tail = writer.write(
            writer.builder.create_warc_record(
                "http://example.test/log", "resource", payload=io.BytesIO(b"log " * 200), length=800
            )
        )
    store = ArticleStore(out)
    for n, capture in enumerate(captures):
        store.write(article(n, capture.to_dict()))
    (warc,) = (out / "warc").glob("*.warc.gz")
    return Archive(out, warc, captures, tail.offset)


def lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stdout.splitlines()


def test_a_whole_archive_is_clean(tmp_path: Path):
    archive = build(tmp_path / "out")
    report = check([archive.out])
    assert report.defects == []
    assert (report.warc_files, report.records, report.articles) == (1, 10, 3)
    result = newsarchive("check", archive.out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result) == [
        "newsarchive check: 1 WARC file(s), 10 records, 3 article(s): 0 defect(s)"
    ]
    # the same WARC given as a file (no articles then)
    result = newsarchive("check", archive.warc)
    assert lines(result)[-1].endswith("1 WARC file(s), 10 records, 0 article(s): 0 defect(s)")


def test_pairs_across_rotated_files(tmp_path: Path):
    out = tmp_path / "out"
    with RotatingWarcWriter(out / "warc", prefix="t", hostname="h", max_size=1500) as writer:
        for n in range(6):
            write_exchange(writer, exchange(n, body=os.urandom(800)))
    files = sorted((out / "warc").iterdir())
    assert len(files) > 3
    # A crawl writes a response and its request with one write: never split by a rotation.
    assert all(check([f]).defects == [] for f in files)

    # Other writers do split pairs: they are paired across the set.
    split = tmp_path / "split"
    with RotatingWarcWriter(split / "warc", prefix="t", hostname="h", max_size=1500) as writer:
        for n in range(6):
            sent = exchange(n, body=os.urandom(800))
            location = writer.write(build_response_record(writer.builder, sent))
            writer.write(build_request_record(writer.builder, sent, location.record_id))
    files = sorted((split / "warc").iterdir())
    assert check([split]).defects == []
    # one file alone: the pairs that straddle it are missing their other half
    straddled = [f for f in files if check([f]).defects]
    assert straddled
    assert any("names no record here" in d.message for d in check([straddled[0]]).defects)


def test_flipped_payload_byte(tmp_path: Path):
    def forged(writer: RotatingWarcWriter) -> None:
        good = build_response_record(writer.builder, exchange(7, body=b"<p>original</p>"))
        declared = _serialise(good)  # computes the digests of the original body
        bad = build_response_record(writer.builder, exchange(7, body=b"<p>origiNal</p>"))
        for name in ("WARC-Block-Digest", "WARC-Payload-Digest", "WARC-Record-ID"):
            value = _header(declared, name)
            bad.rec_headers.replace_header(name, value)
        location = writer.write(bad)
        writer.write(build_request_record(writer.builder, exchange(7), location.record_id))
        forged_at.append(location.offset)

    forged_at: list[int] = []
    archive = build(tmp_path / "out", forged)
    result = newsarchive("check", archive.out)
    assert result.returncode == 1
    assert lines(result) == [
        f"{archive.warc}:{forged_at[0]}: response record {_id_at(archive.warc, forged_at[0])} "
        "for http://example.test/page/7?q=1#frag: WARC-Block-Digest and WARC-Payload-Digest "
        "do not match its content",
        "newsarchive check: 1 WARC file(s), 12 records, 3 article(s): 1 defect(s)",
    ]


def _header(serialised: bytes, name: str) -> str:
    for line in serialised.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        key, _, value = line.decode().partition(": ")
        if key == name:
            return value
    raise KeyError(name)


def _id_at(warc: Path, offset: int) -> str:
    with open(warc, "rb") as stream:
        stream.seek(offset)
        member = stream.read(1 << 16)
    return _header(zlib.decompressobj(wbits=31).decompress(member), "WARC-Record-ID")


def test_flipped_byte_in_the_compressed_data(tmp_path: Path):
    archive = build(tmp_path / "out")
    second = archive.captures[1]
    data = bytearray(archive.warc.read_bytes())
    data[second.warc_offset + second.warc_length // 2] ^= 0x55
    archive.warc.write_bytes(bytes(data))
    result = newsarchive("check", archive.out)
    assert result.returncode == 1
    found = lines(result)
    assert len(found) == 3
    assert found[0].startswith(f"{archive.warc}:{second.warc_offset}: corrupt gzip member")
    assert found[0].endswith("the rest of the file was not read")
    assert f"{1:016x}.json: capture {archive.warc.name}:{second.warc_offset}: " in found[1]
    assert "the gzip member there is broken" in found[1]
    assert found[2].endswith(": 2 defect(s)")


def test_cut_member_and_trailing_garbage(tmp_path: Path):
    archive = build(tmp_path / "out")
    size = archive.warc.stat().st_size
    os.truncate(archive.warc, size - 20)
    result = newsarchive("check", archive.out)
    assert result.returncode == 1
    assert lines(result)[0] == (
        f"{archive.warc}:{archive.tail_offset}: gzip member cut short by the end of the file"
    )
    assert lines(result)[1].endswith(": 1 defect(s)")

    archive = build(tmp_path / "out2")
    with open(archive.warc, "ab") as handle:
        handle.write(b"garbage\n")
    result = newsarchive("check", archive.warc)
    size = archive.warc.stat().st_size
    assert lines(result) == [
        f"{archive.warc}:{size - 8}: 8 byte(s) after the last gzip member are not gzip",
        "newsarchive check: 1 WARC file(s), 10 records, 0 article(s): 1 defect(s)",
    ]


def test_missing_request(tmp_path: Path):
    located = []

    def lone_response(writer: RotatingWarcWriter) -> None:
        located.append(writer.write(build_response_record(writer.builder, exchange(9))))

    archive = build(tmp_path / "out", lone_response)
    result = newsarchive("check", archive.out)
    assert result.returncode == 1
    (defect, summary) = lines(result)
    assert defect == (
        f"{archive.warc}:{located[0].offset}: response record {located[0].record_id} for "
        "http://example.test/page/9?q=1#frag: no request record names it (WARC-Concurrent-To)"
    )
    assert summary.endswith("11 records, 3 article(s): 1 defect(s)")


def test_dangling_revisit(tmp_path: Path):
    def dangling(writer: RotatingWarcWriter) -> None:
        gone = Capture("x.warc.gz", 0, 1, "<urn:uuid:gone>", "2020-01-01T00:00:00Z", 200, "sha1:X")
        revisit_of(writer, gone, "http://example.test/elsewhere")

    archive = build(tmp_path / "out", dangling)
    result = newsarchive("check", archive.out)
    assert result.returncode == 1
    (defect, summary) = lines(result)
    assert defect.startswith(f"{archive.warc}:")
    assert ": revisit record <urn:uuid:" in defect
    assert defect.endswith(
        "its original (WARC-Refers-To <urn:uuid:gone>; http://example.test/elsewhere at "
        "2020-01-01T00:00:00Z) is not in the checked WARC files"
    )
    assert summary.endswith(": 1 defect(s)")


def test_articles_pointing_nowhere(tmp_path: Path):
    archive = build(tmp_path / "out")
    store = ArticleStore(archive.out)
    first = archive.captures[0]
    store.write(article(10, {**first.to_dict(), "warc_offset": first.warc_offset + 1}))
    store.write(article(11, {**first.to_dict(), "warc_file": "gone.warc.gz"}))
    store.write(article(12, {**first.to_dict(), "warc_length": first.warc_length + 1}))
    request_offset = first.warc_offset + first.warc_length
    store.write(article(13, {**first.to_dict(), "warc_offset": request_offset}))
    result = newsarchive("check", archive.out)
    assert result.returncode == 1
    folder = archive.out / "articles" / "example" / "2026" / "01"
    name = archive.warc.name
    assert lines(result) == [
        f"{folder / f'{10:016x}.json'}: capture {name}:{first.warc_offset + 1}: "
        "no gzip member starts there",
        f"{folder / f'{11:016x}.json'}: capture gone.warc.gz:{first.warc_offset}: "
        f"no such WARC file in {archive.out / 'warc'}",
        f"{folder / f'{12:016x}.json'}: capture {name}:{first.warc_offset}: "
        f"warc_length is {first.warc_length + 1}, but the gzip member there is "
        f"{first.warc_length} bytes",
        f"{folder / f'{13:016x}.json'}: capture {name}:{request_offset}: the record there is "
        f"{_id_at(archive.warc, request_offset)}, not {first.warc_record_id}",
        "newsarchive check: 1 WARC file(s), 10 records, 7 article(s): 4 defect(s)",
    ]


def test_unfinished_file_then_repair(tmp_path: Path):
    archive = build(tmp_path / "out")
    second = archive.captures[1]
    os.truncate(archive.warc, second.warc_offset + 30)  # a crash in the second response
    unfinished = archive.warc.with_name(archive.warc.name + ".open")
    archive.warc.rename(unfinished)

    result = newsarchive("check", archive.out)
    assert result.returncode == 1
    found = lines(result)
    assert found[0] == (
        f"{unfinished}: unfinished WARC: a crawl was interrupted (or died) while writing it; "
        f"run `newsarchive check {archive.out} --repair`"
    )
    assert (
        found[1]
        == f"{unfinished}:{second.warc_offset}: gzip member cut short by the end of the file"
    )
    # (the articles of pages 1 and 2 point past the cut)
    assert found[-1].endswith(": 4 defect(s)")

    result = newsarchive("check", archive.out, "--repair")
    assert result.returncode == 0, result.stdout
    found = lines(result)
    assert found[0] == (
        f"repair: closed {unfinished.name} as {archive.warc.name}: kept 3 record(s), "
        f"{second.warc_offset:,} bytes; dropped 30 bytes of an incomplete record"
    )
    assert found[1].startswith("repair: set aside ") and found[2].startswith("repair: set aside ")
    assert found[-1] == "newsarchive check: 1 WARC file(s), 3 records, 1 article(s): 0 defect(s)"
    assert len(list(walk_article_files(archive.out))) == 1
    assert len(list(archive.out.rglob("*.json.orphan"))) == 2
    assert newsarchive("check", archive.out, "--repair").stdout.startswith(
        "repair: nothing to repair"
    )


def test_repair_of_an_open_file_given_by_name(tmp_path: Path):
    archive = build(tmp_path / "out")
    os.truncate(archive.warc, archive.tail_offset + 5)
    unfinished = archive.warc.with_name(archive.warc.name + ".open")
    archive.warc.rename(unfinished)
    result = newsarchive("check", unfinished, "--repair")
    assert result.returncode == 0, result.stdout
    assert lines(result)[-1].endswith("1 WARC file(s), 9 records, 0 article(s): 0 defect(s)")
    assert archive.warc.exists() and not unfinished.exists()


HOLD = """
import io, sys, time
from archive.warc.writer import RotatingWarcWriter
writer = RotatingWarcWriter(sys.argv[1], prefix="live", hostname="h")
writer.write(writer.builder.create_warc_record(
    "http://x.test/", "resource", payload=io.BytesIO(b"x"), length=1))
print("ready", flush=True)
time.sleep(600)
"""


def test_a_live_writer_is_named_not_a_defect(tmp_path: Path):
    archive = build(tmp_path / "out")
    live = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(archive.out / "warc")],
        stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        assert live.stdout is not None and live.stdout.readline().strip() == "ready"
        (held,) = (archive.out / "warc").glob("live-*.open")
        result = newsarchive("check", archive.out, "--repair")
        assert result.returncode == 0, result.stdout
        assert f"newsarchive check: skipping {held}: a live crawl is writing it" in result.stderr
        assert f"repair: left {held.name} alone: a live crawl is writing it" in result.stdout
        assert lines(result)[-1].endswith("1 WARC file(s), 10 records, 3 article(s): 0 defect(s)")
        assert held.exists()
    finally:
        live.kill()
        live.wait()


def test_bad_arguments(tmp_path: Path):
    result = newsarchive("check", tmp_path / "missing")
    assert result.returncode == 2
    assert "no such file or directory" in result.stderr
    result = newsarchive("check", tmp_path)
    assert result.returncode == 2
    assert "no WARC files and no articles" in result.stderr
    assert newsarchive("check").returncode == 2


def test_not_a_warc(tmp_path: Path):
    text = tmp_path / "notes.warc"
    text.write_text("hello, world\n" * 10)
    result = newsarchive("check", text)
    assert result.returncode == 1
    assert lines(result)[0] == (
        f"{text}:0: no WARC record begins here (no WARC/ version line); "
        "the rest of the file was not read"
    )


# -- other tools' WARCs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wget_warcs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("wget") is None:
        pytest.fail("wget is not installed (make test installs it)")
    folder = tmp_path_factory.mktemp("wget")
    from tests.support import TEST_SITE

    with SiteServer(TEST_SITE) as server:
        for name, extra in (("gz", []), ("plain", ["--no-warc-compression"])):
            subprocess.run(
                ["wget", "-q", "-r", "-l", "1", f"--warc-file={folder / name}", *extra,
                 "-P", str(folder / f"files-{name}"), server.url("/")],
                check=False, timeout=120,
            )  # fmt: skip
    for tree in folder.glob("files-*"):
        shutil.rmtree(tree)
    assert sorted(p.name for p in folder.iterdir()) == ["gz.warc.gz", "plain.warc"]
    return folder


def test_wget_warcs_are_clean(wget_warcs: Path):
    report = check([wget_warcs])
    assert report.defects == [] and report.warc_files == 2 and report.records > 10
    result = newsarchive("check", wget_warcs / "plain.warc", wget_warcs / "gz.warc.gz")
    assert result.returncode == 0 and lines(result)[-1].endswith(": 0 defect(s)")


def test_wget_plain_warc_with_a_flipped_payload_byte(wget_warcs: Path, tmp_path: Path):
    data = bytearray((wget_warcs / "plain.warc").read_bytes())
    at = data.index(b"</html>")  # in the first HTML payload
    data[at + 2] ^= 0x20
    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(bytes(data))
    record_start = data.rindex(b"WARC/1.0\r\n", 0, at)
    result = newsarchive("check", damaged)
    assert result.returncode == 1
    (defect, _summary) = lines(result)
    assert defect.startswith(f"{damaged}:{record_start}: response record <urn:uuid:")
    assert defect.endswith("WARC-Block-Digest and WARC-Payload-Digest do not match its content")
    # gzip it member by member: the same defect, at the member's offset
    records = [b"WARC/1.0\r\n" + r for r in bytes(data).split(b"WARC/1.0\r\n")[1:]]
    members = [gzip.compress(r) for r in records]
    index = next(i for i, r in enumerate(records) if b"</Html>" in r)
    zipped = tmp_path / "damaged.warc.gz"
    zipped.write_bytes(b"".join(members))
    result = newsarchive("check", zipped)
    offset = sum(len(m) for m in members[:index])
    assert lines(result)[0].startswith(f"{zipped}:{offset}: response record")


# -- the commands that skip unfinished files say so ----------------------------------------------


@pytest.mark.parametrize(
    "command", [("index", "-o", "-"), ("wacz", "-o", "{tmp}/a.wacz"), ("replay", "--no-extract")]
)
def test_commands_name_the_unfinished_files_they_skip(tmp_path: Path, command: tuple[str, ...]):
    archive = build(tmp_path / "out")
    unfinished = archive.out / "warc" / "t-interrupted.warc.gz.open"
    unfinished.write_bytes(archive.warc.read_bytes()[:500])
    name, *options = command
    options = [o.format(tmp=tmp_path) for o in options]
    result = newsarchive(name, archive.out, *options)
    assert result.returncode == 0, result.stderr
    expected = (
        f"newsarchive {name}: skipping {unfinished}: unfinished WARC (a crawl was interrupted "
        f"or is still running); `newsarchive check {archive.out} --repair` closes it"
    )
    assert expected in result.stderr.splitlines()
