"""Object storage when things go wrong: a crawl killed with SIGKILL, a store that goes away
mid-crawl, an article name another machine took. Nothing is lost: what stays local is said
in one line and uploaded by the next crawl."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.storage import open_store
from archive.storage.sync import upload_articles
from crawler.demo.server import SiteServer
from tests.evolving_site import served_site
from tests.storage.conftest import MotoServer, cache_root, make_bucket
from tests.support import crawl, free_port, newsarchive, start_crawl, wait_for_requests

ARTICLES = 30
SLOW = ["-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.05"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, Path]]:
    with served_site(tmp_path_factory.mktemp("s3-site"), ARTICLES) as served:
        yield served.server, served.profile


def _start(profile: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    return start_crawl(profile, url, *SLOW, *extra, output=True)


def _bucket_articles(server: MotoServer, bucket: str, prefix: str) -> dict[str, int]:
    client = server.client()
    found: dict[str, int] = {}
    for item in client.list_objects_v2(Bucket=bucket, Prefix=prefix + "/articles/").get(
        "Contents", []
    ):
        document = json.loads(client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
        assert document["id"] not in found, f"{document['url']} written twice"
        found[document["id"]] = document["version"]
    return found


def _spool(prefix: str) -> Path:
    (spool,) = cache_root().glob(f"s3/*/{prefix}-*/spool")
    return spool


def test_killed_crawl_is_uploaded_by_the_next(
    s3_env: MotoServer, site: tuple[SiteServer, Path], tmp_path: Path
) -> None:
    server, profile = site
    reference = crawl(str(profile), tmp_path / "local")
    assert reference.returncode == 0, reference.stderr[-2000:]
    expected = {
        json.loads(p.read_text())["id"] for p in (tmp_path / "local").rglob("articles/**/*.json")
    }

    make_bucket(s3_env, "killed")
    process = _start(profile, "s3://killed/k")
    assert wait_for_requests(server, process, 15), "the crawl ended first"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    spool = _spool("k")
    assert list((spool / "warc").glob("*.open")), "the kill left no WARC being written"
    listed = s3_env.client().list_objects_v2(Bucket="killed", Prefix="k/warc/")
    assert not listed.get("Contents")  # nothing was closed, nothing uploaded

    again = _start(profile, "s3://killed/k", "--resume")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-3000:]
    assert "closed what an interrupted crawl left" in err
    assert "an earlier crawl left in" in err
    assert not list((spool / "warc").iterdir())
    names = [
        i["Key"]
        for i in s3_env.client().list_objects_v2(Bucket="killed", Prefix="k/warc/")["Contents"]
    ]
    assert len(names) == 2  # the killed crawl's, recovered, and the resumed one's
    assert set(_bucket_articles(s3_env, "killed", "k")) == expected
    check = newsarchive("check", "s3://killed/k")
    assert check.returncode == 0, check.stdout[-3000:]


def test_store_gone_mid_crawl_keeps_the_file(
    site: tuple[SiteServer, Path],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, profile = site
    store = MotoServer(free_port())
    monkeypatch.setenv("AWS_ENDPOINT_URL", store.url)
    monkeypatch.setenv("NEWSARCHIVE_CACHE", str(tmp_path_factory.mktemp("gone-cache")))
    store.start()
    try:
        make_bucket(store, "gone")
        process = _start(profile, "s3://gone/g")
        assert wait_for_requests(server, process, 5), "the crawl ended first"
        store.stop()
        _, err = process.communicate(timeout=300)
        assert process.returncode == 1, err[-3000:]
        lines = [line for line in err.splitlines() if "not uploaded" in line]
        assert len(lines) == 1, err[-3000:]
        assert "kept in" in lines[0] and "for the next crawl to upload" in lines[0]
        spool = _spool("g")
        (kept,) = (spool / "warc").glob("*.warc.gz")

        store.start()  # an empty store again (moto keeps nothing): the next crawl fills it
        make_bucket(store, "gone")
        result = crawl(str(profile), "s3://gone/g", *SLOW)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "an earlier crawl left in" in result.stderr
        keys = [i["Key"] for i in store.client().list_objects_v2(Bucket="gone")["Contents"]]
        assert f"g/warc/{kept.name}" in keys
        assert not list((spool / "warc").iterdir())
    finally:
        store.stop()


def test_articles_created_only_if_absent(s3_env: MotoServer, tmp_path: Path) -> None:
    make_bucket(s3_env, "articles")
    store = open_store("s3://articles/a")
    assert store.create_if_absent("x.json", b"1") is True
    assert store.create_if_absent("x.json", b"2") is False
    assert store.read("x.json") == b"1"

    # Another machine wrote version 1 under the name this spool's article has.
    folder = tmp_path / "articles" / "site" / "2026" / "01"
    folder.mkdir(parents=True)
    document = {"id": "0123456789abcdef", "capture": {"fetched_at": "2026-01-02T03:04:05Z"}}
    (folder / "0123456789abcdef.json").write_text(json.dumps(document))
    assert store.create_if_absent("articles/site/2026/01/0123456789abcdef.json", b"other")
    report = upload_articles(store, tmp_path)
    assert report.renamed == [
        (
            "articles/site/2026/01/0123456789abcdef.json",
            "articles/site/2026/01/0123456789abcdef.20260102030405.json",
        )
    ]
    assert store.read("articles/site/2026/01/0123456789abcdef.json") == b"other"
    assert upload_articles(store, tmp_path).uploaded == []  # noted: not sent again


def test_upload_is_verified_and_never_overwrites(s3_env: MotoServer, tmp_path: Path) -> None:
    from archive.storage import StorageError
    from archive.storage.sync import upload_warc

    make_bucket(s3_env, "verify")
    store = open_store("s3://verify")
    path = tmp_path / "a.warc.gz"
    path.write_bytes(b"x" * 1000)
    upload_warc(store, path)
    assert not path.exists()
    assert store.exists("warc/a.warc.gz").size == 1000
    path.write_bytes(b"y" * 1000)  # another writer's file of the same name
    with pytest.raises(StorageError, match="exists with other bytes"):
        upload_warc(store, path)
    assert path.exists() and store.read("warc/a.warc.gz") == b"x" * 1000
