"""`newsarchive serve` as a command: its errors, its index cache, its HTTP answers."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.arcfiles import Arc
from tests.serve.conftest import stop_server
from tests.support import newsarchive

PAGE = "<!DOCTYPE html><html><head><title>Quay</title></head><body><p>{text}</p></body></html>"


def write_warc(out: Path, name: str, url: str, text: str, date: str) -> None:
    """One response record (and a conversion record that must not be replayed)."""
    (out / "warc").mkdir(parents=True, exist_ok=True)
    with open(out / "warc" / name, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        body = PAGE.format(text=text).encode()
        headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        writer.write_record(
            writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": date},
            )
        )
        writer.write_record(
            writer.create_warc_record(
                url,
                "conversion",
                payload=io.BytesIO(b'{"title": "not a page"}'),
                warc_content_type="application/json",
                warc_headers_dict={"WARC-Date": date},
            )
        )


def make_archive(out: Path) -> Path:
    url = "http://quay.example/story.html"
    write_warc(out, "one.warc.gz", url, "The quay wall was rebuilt.", "2026-11-28T17:25:28Z")
    article = out / "articles" / "quay" / "2026" / "11" / "s1.json"
    article.parent.mkdir(parents=True)
    article.write_text(
        json.dumps(
            {
                "id": "s1",
                "url": url,
                "site": "quay",
                "title": "Quay <rebuilt>",
                "published": "2026-11-27T10:00:00Z",
                "capture": {"fetched_at": "2026-11-28T17:25:28Z"},
            }
        ),
        "utf-8",
    )
    return out


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_serves_start_page_and_replay_then_stops_on_sigterm(tmp_path, server_factory):
    out = make_archive(tmp_path / "arch")
    served = server_factory(out)
    assert served.url.startswith("http://127.0.0.1:")  # loopback unless told otherwise
    status, page = get(served.url)
    assert status == 200
    assert "Quay &lt;rebuilt&gt;" in page
    assert 'href="/archive/20261128172528/http://quay.example/story.html"' in page
    status, replay = get(f"{served.url}archive/20261128172528/http://quay.example/story.html")
    assert status == 200 and "The quay wall was rebuilt." in replay
    assert "not a page" not in replay  # the conversion record is not a capture
    status, _ = get(f"{served.url}archive/20261128172528/http://quay.example/other.html")
    assert status == 404
    assert stop_server(served) == 0
    assert "stopped" in served.log()
    assert (out / ".pywb" / "index.cdxj").is_file()


def test_ctrl_c_stops_quietly(tmp_path, server_factory):
    served = server_factory(make_archive(tmp_path / "arch"))
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=20) == 0
    log = served.log()
    assert "stopped" in log and "Traceback" not in log


def test_index_is_reused_and_extended_incrementally(tmp_path, server_factory):
    out = make_archive(tmp_path / "arch")
    first = server_factory(out)
    assert "indexing one.warc.gz" in first.log()
    stop_server(first)

    second = server_factory(out)
    assert "indexing" not in second.log()
    stop_server(second)

    url = "http://quay.example/later.html"
    write_warc(out, "two.warc.gz", url, "A later story.", "2026-11-29T08:00:00Z")
    third = server_factory(out)
    log = third.log()
    assert "indexing two.warc.gz" in log and "indexing one.warc.gz" not in log
    status, replay = get(f"{third.url}archive/20261129080000/{url}")
    assert status == 200 and "A later story." in replay
    status, replay = get(f"{third.url}archive/20261128172528/http://quay.example/story.html")
    assert status == 200 and "The quay wall was rebuilt." in replay


def test_each_capture_link_replays_its_own_capture(tmp_path, server_factory):
    out = make_archive(tmp_path / "arch")
    url = "http://quay.example/story.html"
    write_warc(out, "two.warc.gz", url, "The quay wall was rebuilt again.", "2026-12-05T09:30:00Z")
    later = out / "articles" / "quay" / "2026" / "11" / "s1.20261205093000.json"
    doc = json.loads((later.parent / "s1.json").read_text("utf-8"))
    doc.update(title="Quay rebuilt again", capture={"fetched_at": "2026-12-05T09:30:00Z"})
    later.write_text(json.dumps(doc), "utf-8")
    served = server_factory(out)
    _, page = get(served.url)
    assert page.count('<tr class="article"') == 1 and "Quay rebuilt again" in page
    assert ">2026-12-05 09:30</a> <a href=" in page and ">2026-11-28 17:25</a>" in page
    _, old = get(f"{served.url}archive/20261128172528/{url}")
    _, new = get(f"{served.url}archive/20261205093000/{url}")
    assert "The quay wall was rebuilt." in old and "again" not in old
    assert "The quay wall was rebuilt again." in new


def test_unwritable_archive_is_indexed_in_a_temporary_directory(tmp_path, server_factory):
    out = make_archive(tmp_path / "arch")
    (out / ".pywb").write_text("in the way")  # mkdir fails, as on a read-only archive
    served = server_factory(out)
    status, replay = get(f"{served.url}archive/20261128172528/http://quay.example/story.html")
    assert status == 200 and "The quay wall was rebuilt." in replay
    temporary = served.log().split("indexing into ", 1)[1].split()[0]
    assert Path(temporary).is_dir()
    assert stop_server(served) == 0
    assert not Path(temporary).exists(), "the temporary index outlived the server"
    assert (out / ".pywb").read_text() == "in the way"


def test_directory_without_warc_files(tmp_path, pywb_installed):
    (tmp_path / "articles").mkdir()
    result = newsarchive("serve", tmp_path, "--port", "0")
    assert result.returncode == 2
    assert "holds no WARC or ARC files" in result.stderr and "newsarchive crawl" in result.stderr
    missing = newsarchive("serve", tmp_path / "nowhere", "--port", "0")
    assert missing.returncode == 2 and "is not a directory" in missing.stderr


def test_port_in_use(tmp_path, pywb_installed):
    out = make_archive(tmp_path / "arch")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = newsarchive("serve", out, "--port", str(port))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port 0" in result.stderr


def test_bad_port_number(tmp_path):
    result = newsarchive("serve", tmp_path, "--port", "70000")
    assert result.returncode == 2 and "not a port number" in result.stderr


def fake_modules(directory: Path, missing: dict[str, str]) -> Path:
    """Modules named like the keys that fail to import as if the values were missing."""
    directory.mkdir()
    for module, name in missing.items():
        message = f"No module named '{name}'"
        (directory / f"{module}.py").write_text(
            f"raise ModuleNotFoundError({message!r}, name={name!r})"
        )
    return directory


def test_pywb_not_installed(tmp_path):
    fake = fake_modules(tmp_path / "fake", {"gevent": "gevent", "pywb": "pywb"})
    out = make_archive(tmp_path / "arch")
    result = newsarchive_with_path(fake, "serve", out, "--port", "0")
    assert result.returncode == 2
    assert "pip install 'newsarchive[replay]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_pywb_installed_but_broken(tmp_path, pywb_installed):
    # What pywb 2.10 does on Python 3.13, which removed the `cgi` module it imports.
    fake = fake_modules(tmp_path / "fake", {"pywb": "cgi"})
    out = make_archive(tmp_path / "arch")
    result = newsarchive_with_path(fake, "serve", out, "--port", "0")
    assert result.returncode == 2
    assert "pywb is installed but cannot be imported" in result.stderr
    assert "'cgi'" in result.stderr and "Traceback" not in result.stderr


def newsarchive_with_path(path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`newsarchive ARGS` with `path` first on the module search path."""
    search_path = os.pathsep.join([str(path), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": search_path}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_arc_files_of_older_crawls_are_served_too(tmp_path, server_factory):
    """An archive may hold ARC files (Internet Archive, Heritrix 1) imported beside ours."""
    out = make_archive(tmp_path / "arch")
    body = PAGE.format(text="The old harbour crane, in 2008.").encode()
    with Arc(out / "warc" / "IA-2008-00001.arc.gz") as arc:
        arc.response(
            "http://quay.example/crane.html",
            body,
            [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
            date="20080105090000",
        )
    served = server_factory(out)
    status, replay = get(f"{served.url}archive/20080105090000/http://quay.example/crane.html")
    assert status == 200 and "The old harbour crane, in 2008." in replay
    status, replay = get(f"{served.url}archive/20261128172528/http://quay.example/story.html")
    assert status == 200 and "The quay wall was rebuilt." in replay
    assert stop_server(served) == 0
