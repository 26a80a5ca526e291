"""Multipart uploads against moto's S3 server: files above the threshold go in parts, each
checked, the whole verified by its multipart ETag, and a failed upload leaves no parts.

The threshold is lowered to 5 MiB (S3's smallest part) so that a 12 MiB file makes three
parts. (A crawl that uploads in parts: `test_s3_archive.test_schedule_crawls_into_the_bucket`.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from archive.storage import NameTaken, StorageError, open_store
from archive.storage.sync import upload_warc
from tests.storage.conftest import MotoServer, make_bucket

BUCKET = "multipart"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def bucket(s3_env: MotoServer) -> MotoServer:
    make_bucket(s3_env, BUCKET)
    return s3_env


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_MULTIPART_THRESHOLD", "5M")
    monkeypatch.setattr("archive.storage.s3._BACKOFF", 0.0)  # retries without waiting


def _file(path: Path, size: int, seed: bytes = b"warc") -> Path:
    block = hashlib.sha256(seed).digest() * (MIB // 32)
    with open(path, "wb") as handle:
        for _ in range(size // MIB):
            handle.write(block)
        handle.write(block[: size % MIB])
    return path


def _multipart_etag(path: Path, part: int) -> str:
    data = path.read_bytes()
    digests = [hashlib.md5(data[i : i + part]).digest() for i in range(0, len(data), part)]
    return f"{hashlib.md5(b''.join(digests)).hexdigest()}-{len(digests)}"


def _uploads_in_progress(server: MotoServer) -> list[Any]:
    return server.client().list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])


def test_large_file_goes_in_verified_parts(
    bucket: MotoServer, small_parts: None, tmp_path: Path
) -> None:
    path = _file(tmp_path / "big.warc.gz", 12 * MIB + 123)
    expected = _multipart_etag(path, 5 * MIB)
    original = path.read_bytes()
    store = open_store(f"s3://{BUCKET}/p")
    upload_warc(store, path)
    assert not path.exists()  # removed only after the HEAD showed size and ETag
    head = bucket.client().head_object(Bucket=BUCKET, Key="p/warc/big.warc.gz")
    assert head["ContentLength"] == len(original)
    assert head["ETag"].strip('"') == expected and expected.endswith("-3")
    assert head["Metadata"]["content-md5"] == hashlib.md5(original).hexdigest()
    assert store.read("warc/big.warc.gz") == original
    assert _uploads_in_progress(bucket) == []

    # The same bytes again (a crash between upload and removal): only the local file goes.
    path.write_bytes(original)
    upload_warc(store, path)
    assert not path.exists()
    # Other bytes under the name: kept locally, nothing overwritten.
    _file(path, 12 * MIB + 123, seed=b"other")
    with pytest.raises(NameTaken, match="exists with other bytes"):
        upload_warc(store, path)
    assert path.exists() and store.read("warc/big.warc.gz") == original


def test_a_writer_racing_for_the_name_is_not_overwritten(
    bucket: MotoServer, small_parts: None, tmp_path: Path
) -> None:
    """The name appears between the look and the upload: `If-None-Match: *` on the
    completion refuses it, and the parts sent are aborted."""
    store = open_store(f"s3://{BUCKET}/race")
    bucket.client().put_object(Bucket=BUCKET, Key="race/warc/r.warc.gz", Body=b"theirs")
    path = _file(tmp_path / "r.warc.gz", 6 * MIB)
    with pytest.raises(NameTaken):
        store.upload_file(path, "warc/r.warc.gz", if_absent=True)
    assert store.read("warc/r.warc.gz") == b"theirs"
    assert _uploads_in_progress(bucket) == []


class _FailingPart:
    """The real client, except that part 2 of every upload fails (a network error)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.failed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def upload_part(self, **kwargs: Any) -> Any:
        if kwargs["PartNumber"] == 2:
            from botocore.exceptions import EndpointConnectionError

            self.failed += 1
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1")
        return self._client.upload_part(**kwargs)


def test_a_failed_upload_is_aborted_and_retried(
    bucket: MotoServer, small_parts: None, tmp_path: Path
) -> None:
    store = open_store(f"s3://{BUCKET}/fail")
    failing = _FailingPart(store.client)
    store._client = failing
    path = _file(tmp_path / "f.warc.gz", 11 * MIB)
    with pytest.raises(StorageError, match="part 2 of 3"):
        upload_warc(store, path)
    assert failing.failed == 3  # every attempt
    assert path.exists() and store.exists("warc/f.warc.gz") is None
    assert _uploads_in_progress(bucket) == []  # each attempt's parts were aborted
