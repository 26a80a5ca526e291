"""Readers open only WARC files inside the archive; files the project writes follow the umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.layout import safe_warc_name
from archive.lookup import warc_path
from tests.support import newsarchive

SECRET = "top-secret-line-never-shown"


@pytest.mark.parametrize(
    "name", ["../../../../etc/passwd", "/etc/passwd", "a/b.warc.gz", "a\\b", "..", ".", "", "a\0b"]
)
def test_unsafe_warc_names_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="refused"):
        safe_warc_name(name, "article x.json")
    with pytest.raises(ArchiveError):
        warc_path(tmp_path, name)


def test_plain_names_pass(tmp_path: Path) -> None:
    assert safe_warc_name("newsarchive-1-00000-host.warc.gz") == "newsarchive-1-00000-host.warc.gz"
    assert warc_path(tmp_path, "a..b.warc").name == "a..b.warc"


def _archive_with_hostile_pointer(root: Path) -> Path:
    out = root / "out"
    (out / "warc").mkdir(parents=True)
    outside = root / "outside.warc"
    outside.write_text(SECRET + "\n")
    article = out / "articles" / "site" / "2026" / "01" / "abcdef0123456789.json"
    article.parent.mkdir(parents=True)
    pointer = {
        "warc_file": "../../outside.warc",
        "warc_offset": 0,
        "warc_length": 10,
        "warc_record_id": "<urn:uuid:00000000-0000-0000-0000-000000000000>",
    }
    article.write_text(
        json.dumps(
            {
                "id": "abcdef0123456789",
                "site": "site",
                "url": "http://127.0.0.1/x.html",
                "fetched_at": "2026-01-05T10:00:00Z",
                "capture": pointer,
            }
        )
    )
    return out


def test_show_raw_never_opens_a_file_outside_the_archive(tmp_path: Path) -> None:
    out = _archive_with_hostile_pointer(tmp_path)
    result = newsarchive("show", "abcdef01", "--dir", out, "--raw")
    assert result.returncode == 1
    assert "refused" in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_check_reports_the_pointer_without_opening_it(tmp_path: Path) -> None:
    out = _archive_with_hostile_pointer(tmp_path)
    result = newsarchive("check", out)
    assert result.returncode != 0
    assert "abcdef0123456789.json" in result.stdout + result.stderr
    assert "refused" in result.stdout + result.stderr
    assert SECRET not in result.stderr + result.stdout


_WRITE_FILES = textwrap.dedent(
    """
    import os, sys
    os.umask(int(sys.argv[2], 8))
    from pathlib import Path
    from archive.atomic import replacing
    from archive.layout import ArticleStore
    from archive.locks import crawl_lock, lock_path
    out = Path(sys.argv[1])
    store = ArticleStore(out)
    record = {"id": "abc", "site": "s", "url": "http://x/", "fetched_at": "2026-01-05T10:00:00Z"}
    print(store.write(record))
    with replacing(out / "index.cdxj") as tmp:
        Path(tmp).write_text("x")
    print(out / "index.cdxj")
    with crawl_lock(out, "s"):
        print(lock_path(out, "s"))
    """
)


@pytest.mark.parametrize(("umask", "expected"), [("022", 0o644), ("027", 0o640), ("077", 0o600)])
def test_files_follow_the_umask(tmp_path: Path, umask: str, expected: int) -> None:
    script = _WRITE_FILES
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), umask],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr
    for line in result.stdout.split():
        assert stat.S_IMODE(os.stat(line).st_mode) == expected, line
