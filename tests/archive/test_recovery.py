"""Recovery of unfinished WARC files: cut at every byte, killed writers, live writers, and
the article files whose record was cut off. Real files throughout, read back by warcio,
`gzip -t` and FastWARC."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from fastwarc.warc import ArchiveIterator as FastIterator
from warcio.archiveiterator import ArchiveIterator

from archive.layout import ArticleStore, walk_article_files
from archive.warc.capture import write_exchange
from archive.warc.recovery import CLOSED, IN_USE, REMOVED, recover, recover_open_files
from archive.warc.stream import last_complete_end
from archive.warc.writer import RotatingWarcWriter
from tests.archive.test_warc_writer import exchange

REPO = Path(__file__).resolve().parents[2]


def make_warc(directory: Path, exchanges: int = 4, body_size: int = 300) -> tuple[Path, list[int]]:
    """A finished WARC of warcinfo + `exchanges` response/request pairs; the end offset of
    every member, in order."""
    with RotatingWarcWriter(directory, prefix="t", hostname="h") as writer:
        for n in range(exchanges):
            body = bytes((n * 7 + i * 13) % 251 for i in range(body_size))
            write_exchange(writer, exchange(n, body=body))
    (path,) = directory.glob("*.warc.gz")
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        ends = []
        for _record in iterator:
            ends.append(iterator.get_record_offset() + iterator.get_record_length())
    return path, ends


def read_whole(path: Path) -> int:
    """Records in `path`, read with warcio (digests checked, raising) and FastWARC, after
    `gzip -t`; all three must agree."""
    if path.name.endswith(".gz"):
        subprocess.run(["gzip", "-t", str(path)], check=True, capture_output=True)
    with open(path, "rb") as stream:
        count = 0
        for record in ArchiveIterator(stream, check_digests="raise"):
            record.content_stream().read()
            count += 1
    with open(path, "rb") as stream:
        fast = 0
        for record in FastIterator(stream, parse_http=False):
            assert record.verify_block_digest()
            fast += 1
    assert fast == count
    return count


def test_cut_at_every_byte_of_the_last_two_members(tmp_path: Path):
    source, ends = make_warc(tmp_path / "src")
    data = source.read_bytes()
    work = tmp_path / "warc"
    work.mkdir()
    open_path = work / (source.name + ".open")
    final = work / source.name
    start = ends[-3]  # the last two members are [ends[-3], ends[-1])
    checked = 0
    for cut in range(start, len(data) + 1):
        open_path.write_bytes(data[:cut])
        kept_records = sum(1 for end in ends if end <= cut)
        kept = ends[kept_records - 1]
        assert last_complete_end(open_path) == (kept, kept_records), cut
        (result,) = recover_open_files(work)
        assert result.action == CLOSED
        assert (result.kept_size, result.records_kept) == (kept, kept_records)
        assert result.original_size == cut and result.bytes_dropped == cut - kept
        assert not open_path.exists() and final.stat().st_size == kept
        if cut in (start, start + 1, ends[-2] - 1, ends[-2], len(data) - 1) or cut % 97 == 0:
            assert read_whole(final) == kept_records
            checked += 1
        final.unlink()
    assert checked > 10


def test_cut_uncompressed_warc(tmp_path: Path):
    source, _ends = make_warc(tmp_path / "src", exchanges=2)
    plain = gzip.decompress(source.read_bytes())  # one member per record: records back to back
    starts = [i for i in range(len(plain)) if plain.startswith(b"WARC/1.1\r\n", i)]
    ends = [*starts[1:], len(plain)]
    work = tmp_path / "warc"
    work.mkdir()
    open_path = work / "plain.warc.open"
    for cut in range(starts[-2], len(plain) + 1):
        open_path.write_bytes(plain[:cut])
        records = sum(1 for end in ends if end <= cut)
        assert last_complete_end(open_path) == (ends[records - 1], records), cut
    (result,) = recover_open_files(work)
    assert result.action == CLOSED and result.records_kept == len(ends)
    assert read_whole(work / "plain.warc") == len(ends)


def test_a_file_without_a_complete_record_is_removed(tmp_path: Path):
    source, ends = make_warc(tmp_path / "src", exchanges=1)
    work = tmp_path / "warc"
    work.mkdir()
    for cut in (0, 1, 10, ends[0] - 1):
        (work / "x.warc.gz.open").write_bytes(source.read_bytes()[:cut])
        (result,) = recover_open_files(work)
        assert result.action == REMOVED and result.records_kept == 0
        assert list(work.iterdir()) == []


def test_garbage_after_the_last_member_is_dropped(tmp_path: Path):
    source, ends = make_warc(tmp_path / "src", exchanges=1)
    work = tmp_path / "warc"
    work.mkdir()
    (work / "x.warc.gz.open").write_bytes(source.read_bytes() + b"\0" * 100)
    (result,) = recover_open_files(work)
    assert (result.kept_size, result.records_kept, result.bytes_dropped) == (ends[-1], 3, 100)


# -- writers in other processes ---------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import io, sys, time
    from archive.warc.writer import RotatingWarcWriter
    writer = RotatingWarcWriter(sys.argv[1], prefix="t", hostname="h")
    n = 0
    while True:
        writer.write(writer.builder.create_warc_record(
            f"http://x.test/{n}", "resource", payload=io.BytesIO(b"x" * 5000), length=5000))
        n += 1
        print(n, flush=True)
        if sys.argv[2] == "stop" and n == 3:
            time.sleep(600)
    """
)


def start_writer(directory: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(directory), mode],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_writer_killed_with_sigkill_leaves_a_file_recovery_takes(tmp_path: Path):
    process = start_writer(tmp_path, "run")
    assert process.stdout is not None
    for _ in range(200):  # let it write a while, then kill it mid-stream
        written = int(process.stdout.readline())
    process.send_signal(signal.SIGKILL)
    process.wait()
    (leftover,) = tmp_path.iterdir()
    assert leftover.name.endswith(".warc.gz.open")
    (result,) = recover_open_files(tmp_path)
    assert result.action == CLOSED and result.records_kept >= written + 1  # + warcinfo
    (final,) = tmp_path.iterdir()
    assert final.name == leftover.name.removesuffix(".open")
    assert read_whole(final) == result.records_kept


def test_a_file_a_live_writer_holds_is_left_alone(tmp_path: Path):
    process = start_writer(tmp_path, "stop")
    try:
        assert process.stdout is not None
        while process.stdout.readline().strip() != "3":
            pass
        (leftover,) = tmp_path.iterdir()
        size = leftover.stat().st_size
        (result,) = recover_open_files(tmp_path)
        assert result.action == IN_USE and result.bytes_dropped == 0
        assert leftover.exists() and leftover.stat().st_size == size
        assert "a live crawl is writing it" in result.describe()
    finally:
        process.kill()
        process.wait()
    (result,) = recover_open_files(tmp_path)  # its writer is dead now
    assert result.action == CLOSED and result.records_kept == 4


# -- articles -----------------------------------------------------------------------------------


def article(n: int, capture: dict) -> dict:
    return {
        "id": f"{n:016x}",
        "url": f"http://example.test/page/{n}",
        "site": "example",
        "published": "2026-01-02T00:00:00Z",
        "capture": capture,
    }


def test_articles_of_dropped_records_are_set_aside(tmp_path: Path):
    out = tmp_path / "out"
    store = ArticleStore(out)
    with RotatingWarcWriter(out / "warc", prefix="t", hostname="h") as writer:
        captures = [write_exchange(writer, exchange(n)) for n in range(3)]
    for n, capture in enumerate(captures):
        store.write(article(n, capture.to_dict()))
    (warc,) = (out / "warc").iterdir()
    # The crash: the last response member cut in the middle, its request never written.
    last = captures[-1]
    cut = last.warc_offset + last.warc_length // 2
    os.truncate(warc, cut)
    warc.rename(warc.with_name(warc.name + ".open"))

    report = recover(out)

    (result,) = report.files
    assert result.action == CLOSED and result.kept_size == last.warc_offset
    assert result.name == last.warc_file == warc.name  # as capture pointers name it
    assert result.open_name == warc.name + ".open"
    (quarantined,) = report.quarantined
    assert quarantined.path.name == f"{2:016x}.json.orphan"
    assert quarantined.path.exists() and quarantined.warc_file == warc.name
    assert [Path(p).name for _id, p in walk_article_files(out)] == [
        f"{0:016x}.json",
        f"{1:016x}.json",
    ]
    for _id, path in walk_article_files(out):  # every article left points at its record
        capture = json.loads(Path(path).read_text())["capture"]
        with open(warc, "rb") as stream:
            stream.seek(capture["warc_offset"])
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Record-ID") == capture["warc_record_id"]
    lines = report.lines()
    assert lines[0].startswith(f"closed {warc.name}.open as {warc.name}: kept 5 record(s)")
    assert "set aside" in lines[1] and "incomplete part" in lines[1]


def test_articles_of_a_removed_file_are_set_aside(tmp_path: Path):
    out = tmp_path / "out"
    with RotatingWarcWriter(out / "warc", prefix="t", hostname="h") as writer:
        capture = write_exchange(writer, exchange(1))
    ArticleStore(out).write(article(1, capture.to_dict()))
    (warc,) = (out / "warc").iterdir()
    os.truncate(warc, 100)  # not even the warcinfo record is whole
    warc.rename(warc.with_name(warc.name + ".open"))
    report = recover(out)
    assert [f.action for f in report.files] == [REMOVED]
    assert len(report.quarantined) == 1 and "removed" in report.quarantined[0].reason
    assert list(walk_article_files(out)) == []


_HALF_WRITTEN_ARTICLE = """
import sys, tempfile
from archive.layout import temp_article_prefix
fd, path = tempfile.mkstemp(dir=sys.argv[1], prefix=temp_article_prefix(), suffix=".tmp")
print(path, flush=True)
sys.stdin.read()  # killed here: written, never linked into place
"""


def _half_written_article(directory: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process stopped inside `ArticleStore.write`, after the temporary file was made."""
    process = subprocess.Popen(
        [sys.executable, "-c", _HALF_WRITTEN_ARTICLE, str(directory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_a_killed_writers_temporary_article_is_removed(tmp_path: Path):
    out = tmp_path / "out"
    written = ArticleStore(out).write(article(1, {"warc_file": "x.warc.gz"}))
    month = written.parent
    killed, leftover = _half_written_article(month)
    killed.kill()
    killed.wait()
    live, in_use = _half_written_article(month)  # another profile's crawl, writing now
    try:
        old = month / f".tmp-{os.getpid()}-old.tmp"  # our own pid, but a day old
        old.write_bytes(b"")
        os.utime(old, (0, 0))
        assert leftover.exists() and not leftover.name.endswith(".json")

        report = recover(out)

        assert report.temp_files_removed == 2
        assert not leftover.exists() and not old.exists()
        assert in_use.exists()
        assert written.exists()
    finally:
        live.kill()
        live.wait()
    assert recover(out).temp_files_removed == 1  # its writer is gone now


def test_nothing_to_recover_reads_no_article(tmp_path: Path):
    out = tmp_path / "out"
    with RotatingWarcWriter(out / "warc", prefix="t", hostname="h") as writer:
        capture = write_exchange(writer, exchange(1))
    ArticleStore(out).write(article(1, {**capture.to_dict(), "warc_offset": 10**9}))
    report = recover(out)  # the article is wrong, but no file was recovered: not touched
    assert report.files == [] and report.quarantined == [] and report.lines() == []
    assert len(list(walk_article_files(out))) == 1


def test_recover_on_an_empty_out_dir(tmp_path: Path):
    assert recover(tmp_path / "nothing").files == []


def test_stored_bytes_match_for_a_revisit_too(tmp_path: Path):
    """A revisit record counts as a complete record like any other."""
    with RotatingWarcWriter(tmp_path, prefix="t", hostname="h") as writer:
        writer.write(
            writer.builder.create_revisit_record(
                "http://x.test/", "sha1:AAAA", "http://x.test/", "2026-01-01T00:00:00Z"
            )
        )
    (path,) = tmp_path.iterdir()
    assert last_complete_end(path) == (path.stat().st_size, 2)
    assert read_whole(path) == 2


def test_a_record_spanning_members_counts_where_it_ends(tmp_path: Path):
    record = (
        b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        b"Content-Length: 10\r\n\r\n0123456789\r\n\r\n"
    )
    halves = gzip.compress(record[:40]) + gzip.compress(record[40:])
    path = tmp_path / "split.warc.gz.open"
    path.write_bytes(halves + gzip.compress(record)[:-3])
    assert last_complete_end(path) == (len(halves), 1)


def test_a_member_after_a_large_one_is_read_once() -> None:
    """A member that inflates past the reader's output step (1 MiB) used to make the next
    member be read twice, with `check` reporting duplicate record ids on a valid file."""
    import gzip
    import io

    from archive.warc.stream import read_members

    big, small = gzip.compress(bytes(5 << 20)), gzip.compress(b"x" * 100)
    seen: list[bytes] = []
    members = list(read_members(io.BytesIO(big + small), seen.append))
    assert [(m.offset, m.length, m.error) for m in members] == [
        (0, len(big), None),
        (len(big), len(small), None),
    ]
    assert sum(map(len, seen)) == (5 << 20) + 100
