"""`--out s3://BUCKET/PREFIX` against a real S3-compatible server (moto's, on 127.0.0.1).

A crawl (and an incremental recrawl, whose 304s need originals that are only in the
bucket) into s3://; then every reader gives from s3:// what it gives from a local copy of
the same files.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer
from tests.storage.conftest import MotoServer, cache_root, make_bucket
from tests.support import FAST, crawl, newsarchive

BUCKET = "news-archive"
URL = f"s3://{BUCKET}/runs/site"


def _download(server: MotoServer, prefix: str, target: Path) -> None:
    client = server.client()
    for item in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix + "/").get("Contents", []):
        path = target / item["Key"][len(prefix) + 1 :]
        path.parent.mkdir(parents=True, exist_ok=True)
        client.download_file(BUCKET, item["Key"], str(path))


def _show(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """`newsarchive show ARGS`, its output as bytes (a raw body may be gzip)."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", "show", *map(str, args)],
        capture_output=True,
        timeout=120,
        check=False,
    )


def _keys(server: MotoServer, prefix: str) -> list[str]:
    listed = server.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix + "/")
    return [item["Key"][len(prefix) + 1 :] for item in listed.get("Contents", [])]


@pytest.fixture(scope="module")
def s3_archive(
    s3_env: MotoServer, test_site: SiteServer, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The test site crawled twice into s3://; returns a local copy of the bucket's files."""
    make_bucket(s3_env, BUCKET)
    first = crawl(test_site.url("/"), URL)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"-> {URL}/warc" in first.stdout
    second = crawl(test_site.url("/"), URL)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "cannot read its original capture" not in second.stderr
    assert "revisit records" in second.stdout  # 304s stored against originals in the bucket
    local = tmp_path_factory.mktemp("local-copy")
    _download(s3_env, "runs/site", local)
    return local


def test_crawl_uploads_and_empties_the_spool(s3_env: MotoServer, s3_archive: Path) -> None:
    keys = _keys(s3_env, "runs/site")
    warcs = [k for k in keys if k.startswith("warc/")]
    assert len(warcs) == 2
    for name in warcs:  # host and process id in every name
        assert re.fullmatch(r"warc/newsarchive-\d{17}-\d{5}-[^-]+_\d+\.warc\.gz", name)
    assert any(k.startswith("articles/") and k.endswith(".json") for k in keys)
    assert "catalog.sqlite" in keys
    spools = list(cache_root().glob("s3/news-archive/*/spool"))
    assert len(spools) == 1
    assert not list((spools[0] / "warc").iterdir())  # uploaded, verified, removed


def test_export_index_check_replay_as_from_a_local_dir(s3_archive: Path, tmp_path: Path) -> None:
    for args in (["export"], ["export", "--format", "csv"], ["index", "-o", "-"]):
        remote = newsarchive(*args, URL)
        local = newsarchive(*args, s3_archive)
        assert remote.returncode == local.returncode == 0, remote.stderr
        assert remote.stdout == local.stdout and remote.stdout
    remote, local = newsarchive("check", URL), newsarchive("check", s3_archive)
    assert remote.returncode == local.returncode == 0, remote.stdout
    assert remote.stdout.splitlines()[-1] == local.stdout.splitlines()[-1]

    replayed = {}
    for name, source in (("remote", URL), ("local", s3_archive)):
        result = newsarchive("replay", source, "--out", tmp_path / name, "--jobs", "1")
        assert result.returncode == 0, result.stderr
        documents = {}
        for path in sorted((tmp_path / name / "articles").rglob("*.json")):
            document = json.loads(path.read_text("utf-8"))
            document.pop("extracted_at")
            documents[path.relative_to(tmp_path / name).as_posix()] = document
        replayed[name] = documents
    assert replayed["remote"] == replayed["local"] and replayed["remote"]


def test_wacz_as_from_a_local_dir(s3_archive: Path, tmp_path: Path) -> None:
    members = {}
    for name, source in (("remote", URL), ("local", s3_archive)):
        target = tmp_path / f"{name}.wacz"
        result = newsarchive("wacz", source, "-o", target, "--title", "t")
        assert result.returncode == 0, result.stderr
        with zipfile.ZipFile(target) as wacz:
            members[name] = {
                info.filename: wacz.read(info)
                for info in wacz.infolist()
                if not info.filename.startswith("datapackage")  # holds the creation time
            }
    assert members["remote"] == members["local"]


def test_show_with_ranged_reads(s3_env: MotoServer, s3_archive: Path) -> None:
    for read_cache in cache_root().glob("s3/news-archive/*/read"):
        shutil.rmtree(read_cache)  # what the other readers downloaded
    document = json.loads(next((s3_archive / "articles").rglob("*.json")).read_text("utf-8"))
    for args in ([document["id"]], [document["id"], "--raw"], [document["url"], "--raw"]):
        remote = _show(*args, "--dir", URL)
        local = _show(*args, "--dir", s3_archive)
        assert remote.returncode == local.returncode == 0, remote.stderr
        assert remote.stdout == local.stdout and remote.stdout
    read_cache = next(cache_root().glob("s3/news-archive/*/read"))
    assert not list(read_cache.rglob("*.warc.gz"))  # records read with ranged GETs
    # Any captured URL: through the index uploaded by `index`, its record by ranged GETs.
    assert newsarchive("index", URL).returncode == 0
    assert "index.cdxj" in _keys(s3_env, "runs/site")
    robots = document["url"].split("/news/")[0] + "/robots.txt"
    remote = _show(robots, "--raw", "--decode", "--dir", URL)
    local = _show(robots, "--raw", "--decode", "--dir", s3_archive)
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and b"User-agent" in remote.stdout


@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        ("s3://Not_A_Bucket/x", 2, "not a bucket name"),
        ("s3://no-such-bucket-here/x", 1, "no such bucket"),
    ],
)
def test_bad_urls_give_one_line(s3_env: MotoServer, url: str, code: int, words: str) -> None:
    for args in (["export", url], ["check", url], ["crawl", "demo", "--out", url, *FAST]):
        result = newsarchive(*args)
        assert result.returncode == code, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert words in result.stderr


def test_missing_credentials_and_unreachable_store_give_one_line(
    s3_env: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = newsarchive("export", URL)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"newsarchive export: {URL}: no credentials (set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)"
    ]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    result = newsarchive("index", URL)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot reach http://127.0.0.1:9" in result.stderr


def _read_cache_bytes() -> int:
    return sum(
        path.stat().st_size
        for path in cache_root().glob("s3/*/*/read/**/*")
        if path.is_file() and path.name != ".in-use"
    )


def test_read_cache_stays_within_its_cap(
    s3_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cap below the archive's size, the readers still print what they print from a
    local copy, and the read cache holds at most the cap once each has ended; `index`
    streams the WARC files and downloads none."""
    for read_cache in cache_root().glob("s3/*/*/read"):
        shutil.rmtree(read_cache)
    warc_bytes = sum(p.stat().st_size for p in (s3_archive / "warc").iterdir())
    cap = warc_bytes // 2
    monkeypatch.setenv("NEWSARCHIVE_CACHE_MAX", str(cap))

    remote = newsarchive("index", "-o", "-", URL)
    local = newsarchive("index", "-o", "-", s3_archive)
    assert remote.returncode == 0 and remote.stdout == local.stdout, remote.stderr
    assert not list(cache_root().glob("s3/*/*/read/**/*.warc.gz"))  # streamed, not stored

    remote, local = newsarchive("check", URL), newsarchive("check", s3_archive)
    assert remote.returncode == local.returncode == 0, remote.stdout
    assert remote.stdout.splitlines()[-1] == local.stdout.splitlines()[-1]
    assert "removed to keep it within NEWSARCHIVE_CACHE_MAX" in remote.stderr
    assert _read_cache_bytes() <= cap

    monkeypatch.setenv("NEWSARCHIVE_CACHE_MAX", "0")
    result = newsarchive("wacz", URL, "-o", tmp_path / "a.wacz")
    assert result.returncode == 0, result.stderr
    assert _read_cache_bytes() == 0  # a cap of 0 keeps nothing once a command ends

    monkeypatch.setenv("NEWSARCHIVE_CACHE_MAX", "ten gigs")
    result = newsarchive("export", URL)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newsarchive export: NEWSARCHIVE_CACHE_MAX: 'ten gigs' is not a size (e.g. 64M, 10G, "
        "1048576)"
    ]


def test_more_commands_refuse_bad_urls_in_one_line(s3_env: MotoServer, tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text('name = "p"\nstart_urls = ["http://127.0.0.1:9/"]\nschedule = "0 0 1 1 *"\n')
    for args, code, words in (
        (["runs", "s3://Not_A_Bucket/x"], 2, "not a bucket name"),
        (["serve", "s3://Not_A_Bucket/x", "--port", "0"], 2, "not a bucket name"),
        (["catalog", "s3://no-such-bucket-here/x"], 1, "no such bucket"),
        (["schedule", "--out", "s3://no-such-bucket-here/x", "--once", profile], 1, "no such"),
    ):
        result = newsarchive(*args)
        assert result.returncode == code, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert words in result.stderr


def test_runs_and_catalog_read_the_snapshot(s3_archive: Path) -> None:
    remote = newsarchive("runs", URL, "--json")
    local = newsarchive("runs", s3_archive, "--json")
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and len(remote.stdout.splitlines()) == 2
    assert f"{URL}/catalog.sqlite: the snapshot uploaded " in remote.stderr

    remote, local = newsarchive("catalog", URL), newsarchive("catalog", s3_archive)
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert remote.stdout.splitlines()[1:4] == local.stdout.splitlines()[1:4]  # the figures
    assert f"catalog      : {URL}/catalog.sqlite (the snapshot uploaded " in remote.stdout
    assert f"WARC files   : 2 indexed, 2 in {URL}/warc" in remote.stdout


def _copy_prefix(server: MotoServer, source: str, target: str) -> None:
    client = server.client()
    for item in client.list_objects_v2(Bucket=BUCKET, Prefix=source + "/")["Contents"]:
        key = target + item["Key"][len(source) :]
        source_key = {"Bucket": BUCKET, "Key": item["Key"]}
        client.copy_object(Bucket=BUCKET, Key=key, CopySource=source_key)


DATE = "2026-11-28T17:25:28Z"


def test_catalog_rebuild_and_import_upload_a_new_snapshot(
    s3_env: MotoServer, s3_archive: Path, tmp_path: Path
) -> None:
    from tests.serve.test_serve_cli import write_warc

    _copy_prefix(s3_env, "runs/site", "runs/copy")
    url = f"s3://{BUCKET}/runs/copy"
    client = s3_env.client()
    old = client.head_object(Bucket=BUCKET, Key="runs/copy/catalog.sqlite")["ETag"]
    local = newsarchive("catalog", s3_archive)

    rebuilt = newsarchive("catalog", url, "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilt {url}/catalog.sqlite (a new snapshot)" in rebuilt.stderr
    assert client.head_object(Bucket=BUCKET, Key="runs/copy/catalog.sqlite")["ETag"] != old
    assert rebuilt.stdout.splitlines()[1:] == [  # the same figures; the runs kept
        line.replace(str(s3_archive), url) for line in local.stdout.splitlines()[1:]
    ]

    write_warc(tmp_path / "ours", "quay.warc.gz", "http://quay.example/s", "Rebuilt.", DATE)
    warc = tmp_path / "ours" / "warc" / "quay.warc.gz"
    imported = newsarchive("catalog", url, "--import", warc)
    assert imported.returncode == 0, imported.stderr
    assert client.get_object(Bucket=BUCKET, Key="runs/copy/warc/quay.warc.gz")["Body"].read() == (
        warc.read_bytes()
    )
    assert f"WARC files   : 3 indexed, 3 in {url}/warc" in imported.stdout

    # The same name, other bytes: refused, nothing replaced.
    write_warc(tmp_path / "theirs", "quay.warc.gz", "http://quay.example/t", "No.", DATE)
    refused = newsarchive("catalog", url, "--import", tmp_path / "theirs" / "warc" / "quay.warc.gz")
    assert refused.returncode == 1
    assert "exists and holds other bytes" in refused.stderr
    assert "nothing was imported" in refused.stderr
    assert client.get_object(Bucket=BUCKET, Key="runs/copy/warc/quay.warc.gz")["Body"].read() == (
        warc.read_bytes()
    )


def test_serve_replays_from_the_bucket_without_downloading_warcs(
    s3_env: MotoServer, tmp_path: Path
) -> None:
    pytest.importorskip("pywb")
    from tests.serve.conftest import start_server, stop_server
    from tests.serve.test_serve_cli import get, make_archive

    local = make_archive(tmp_path / "arch")
    client = s3_env.client()
    for path in local.rglob("*"):
        if path.is_file():
            client.upload_file(str(path), BUCKET, f"served/{path.relative_to(local).as_posix()}")
    served = start_server(f"s3://{BUCKET}/served", tmp_path / "serve.log")  # type: ignore[arg-type]
    try:
        status, page = get(served.url)
        assert status == 200 and "Quay &lt;rebuilt&gt;" in page
        status, replay = get(f"{served.url}archive/20261128172528/http://quay.example/story.html")
        assert status == 200 and "The quay wall was rebuilt." in replay, served.log()
    finally:
        assert stop_server(served) == 0
    assert not list(cache_root().glob("s3/*/served-*/read/**/*.warc.gz"))


def test_schedule_crawls_into_the_bucket(
    s3_env: MotoServer, test_site: SiteServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduled crawl into s3://, with a multipart threshold of one byte: its WARC files
    and catalog snapshot go as one-part multipart uploads, verified, and read back."""
    monkeypatch.setenv("NEWSARCHIVE_MULTIPART_THRESHOLD", "1")
    profile = tmp_path / "site.toml"
    profile.write_text(
        f'name = "site"\nstart_urls = ["{test_site.url("/")}"]\nschedule = "0 0 1 1 *"\n'
    )
    make_bucket(s3_env, "scheduled")
    url = "s3://scheduled/s"
    result = newsarchive("schedule", "--out", url, profile, "--once", *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ended with exit status 0" in result.stderr
    listed = s3_env.client().list_objects_v2(Bucket="scheduled")["Contents"]
    etags = {item["Key"]: item["ETag"].strip('"') for item in listed}
    warcs = [key for key in etags if key.startswith("s/warc/")]
    assert warcs and all(etags[key].endswith("-1") for key in [*warcs, "s/catalog.sqlite"])
    assert not s3_env.client().list_multipart_uploads(Bucket="scheduled").get("Uploads")
    runs = newsarchive("runs", url, "--json")
    assert runs.returncode == 0, runs.stderr
    (run,) = [json.loads(line) for line in runs.stdout.splitlines()]
    assert (run["profile"], run["state"]) == ("site", "finished")
    again = newsarchive("schedule", "--out", url, profile, "--once", *FAST)
    assert again.returncode == 0 and "no crawl is due now" in again.stderr  # the spool's catalog
