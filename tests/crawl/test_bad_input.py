"""Bad input gets a clear message and never damages what is already archived."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer
from tests.support import all_records, archived_files, crawl, newsarchive, warc_files


@pytest.fixture(scope="module")
def earlier_crawl(test_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("earlier")
    assert crawl(test_site.url("/"), out).returncode == 0
    return out


@pytest.fixture
def out_with_data(earlier_crawl: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(earlier_crawl, out)
    return out


def _assert_untouched_and_valid(out: Path, before: dict[Path, bytes]) -> None:
    for path, content in before.items():
        assert path.read_bytes() == content, f"{path} was changed"
    files = warc_files(out)
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    assert not list((out / "warc").glob("*.open"))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'name = "x"\nstrat_urls = ["http://127.0.0.1/"]\n',
            "unknown key 'strat_urls' (did you mean 'start_urls'?)",
        ),
        (
            'name = "x"\nstart_urls = ["ftp://example.org/"]\n',
            "'start_urls' has 'ftp://example.org/', which is not an http(s) URL",
        ),
        (
            'name = "x"\nstart_urls = ["http://127.0.0.1/"]\narticle_patterns = ["(unclosed"]\n',
            "'article_patterns' has an invalid regex",
        ),
        (
            'name = "x"\nstart_urls = ["http://127.0.0.1/"]\n'
            '[extraction]\ncontent_selecter = "article"\n',
            "did you mean 'content_selector'",
        ),
        ('name = "x"\nstart_urls = "http://127.0.0.1/\n', "not valid TOML"),
        ('start_urls = ["http://127.0.0.1/"]\n', "missing required key 'name'"),
    ],
)
def test_malformed_profile_is_rejected_before_crawling(
    tmp_path: Path, out_with_data: Path, toml: str, message: str
):
    profile = tmp_path / "bad.toml"
    profile.write_text(toml)
    before = archived_files(out_with_data)
    result = newsarchive("crawl", profile, "--out", out_with_data)
    assert result.returncode == 2
    assert str(profile) in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    _assert_untouched_and_valid(out_with_data, before)
    assert len(warc_files(out_with_data)) == len([p for p in before if p.suffix == ".gz"])


def test_unknown_profile_name_lists_the_bundled_ones(tmp_path: Path):
    result = newsarchive("crawl", "no-such-site", "--out", tmp_path)
    assert result.returncode == 2
    assert "no profile named 'no-such-site'" in result.stderr and "presstv" in result.stderr


def test_unreachable_start_url(out_with_data: Path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = archived_files(out_with_data)
    result = crawl(f"http://127.0.0.1:{port}/", out_with_data, "-s", "RETRY_TIMES=0")
    assert result.returncode == 1
    assert f"start URL failed: could not fetch http://127.0.0.1:{port}/" in result.stderr
    assert "no page could be crawled" in result.stderr
    assert "Traceback" not in result.stderr
    _assert_untouched_and_valid(out_with_data, before)


def test_non_html_start_url_is_archived_not_parsed(site_dir: Path, out_with_data: Path):
    (site_dir / "report.pdf").write_bytes(b"%PDF-1.4\n% not HTML\n%%EOF\n")
    before = archived_files(out_with_data)
    with SiteServer(site_dir) as server:
        url = server.url("/report.pdf")
        result = crawl(url, out_with_data)
    assert f"{url} is not HTML (Content-Type: application/pdf)" in result.stderr
    assert result.returncode == 1
    _assert_untouched_and_valid(out_with_data, before)
    new_files = [f for f in warc_files(out_with_data) if f not in before]
    assert len(new_files) == 1
    pdf = [r for r in all_records(out_with_data) if r.type == "response" and r.uri == url]
    assert pdf and pdf[0].raw_payload.startswith(b"%PDF-1.4")


def test_bad_setting_syntax(tmp_path: Path):
    result = newsarchive("crawl", "demo", "--out", tmp_path, "-s", "NOEQUALS")
    assert result.returncode == 2 and "expected NAME=VALUE" in result.stderr


def test_unwritable_warc_directory_stops_the_crawl(test_site: SiteServer, tmp_path: Path):
    (tmp_path / "warc").write_text("a file where the WARC directory should be")
    result = crawl(test_site.url("/"), tmp_path)
    assert result.returncode == 1
    assert "cannot create a WARC file in" in result.stderr
    assert "WARC files could not be written" in result.stderr
    assert "finished (warc_write_error)" in result.stdout
    assert not (tmp_path / "articles").exists()
