"""The S3 backend of `archive.storage`: any S3-compatible store, through boto3.

Credentials and endpoint come the usual AWS way (`AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, `AWS_ENDPOINT_URL` for a store that is not AWS,
`AWS_DEFAULT_REGION`); boto3 reads them, nothing here does.

- Uploads are single PUTs with `Content-MD5` (the store refuses a body that arrived
  different), then checked with a HEAD: the size and the ETag (a single-part upload's ETag
  is the MD5 of its bytes) must be the file's. A failed attempt is retried twice, after 1
  and 4 seconds, on top of botocore's own retries.
- `create_if_absent` is a PUT with `If-None-Match: *` (AWS since 2024, MinIO, moto). A
  store that refuses the header (501 Not Implemented, or 400 naming it) gets a HEAD, then a
  PUT: a warning says once that two writers can then race.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from archive.storage import RemoteLocation, RemoteObject, StorageError, file_md5

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_SINGLE_PUT = 5 * 1024**3  # S3's limit for one PUT
UPLOAD_ATTEMPTS = 3
_BACKOFF = 1.0  # seconds; then 4
_CHUNK = 1 << 20
_NOT_FOUND = ("404", "NoSuchKey", "NotFound")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def describe(exc: BaseException) -> str:
    """One line for a boto3 failure, no traceback, no credentials."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code') or _status(exc)}: {error.get('Message') or exc}"
    return " ".join(str(exc).split()) or type(exc).__name__


class S3Store:
    """An archive under `s3://bucket/prefix` (see `archive.storage.ObjectStore`)."""

    def __init__(self, location: RemoteLocation, client: Any | None = None) -> None:
        self.location = location
        self._client = client
        self._conditional_writes = True

    @property
    def client(self) -> Any:
        if self._client is None:
            config = Config(
                connect_timeout=10,
                read_timeout=60,
                retries={"mode": "standard"},  # attempts: AWS_MAX_ATTEMPTS (default 3)
            )
            self._client = boto3.session.Session().client("s3", config=config)
        return self._client

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"{what}: {describe(exc)}") from exc

    def _url(self, relative: str) -> str:
        return f"{self.location.url}/{relative}"

    # -- reading ------------------------------------------------------------------------

    def check(self) -> None:
        url = self.location.url
        try:
            self.client.head_bucket(Bucket=self.location.bucket)
        except ClientError as exc:
            status = _status(exc)
            if status == 404 or _code(exc) in (*_NOT_FOUND, "NoSuchBucket"):
                raise StorageError(f"{url}: no such bucket") from exc
            if status in (401, 403):
                raise StorageError(
                    f"{url}: access denied (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY "
                    f"and the bucket's policy; {describe(exc)})"
                ) from exc
            raise StorageError(f"{url}: {describe(exc)}") from exc
        except NoCredentialsError as exc:
            raise StorageError(
                f"{url}: no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                "AWS_PROFILE)"
            ) from exc
        except BotoCoreError as exc:
            endpoint = os.environ.get("AWS_ENDPOINT_URL") or "AWS"
            raise StorageError(f"{url}: cannot reach {endpoint}: {describe(exc)}") from exc

    def list(self, relative_dir: str) -> Iterator[RemoteObject]:
        prefix = self.location.key(relative_dir.strip("/")) + "/"
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.location.bucket, Prefix=prefix)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield RemoteObject(
                        self.location.relative(item["Key"]),
                        int(item["Size"]),
                        str(item.get("ETag", "")).strip('"'),
                        item["LastModified"].timestamp() if "LastModified" in item else 0.0,
                    )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"cannot list {self._url(relative_dir)}/: {describe(exc)}") from exc

    def exists(self, relative: str) -> RemoteObject | None:
        try:
            head = self.client.head_object(
                Bucket=self.location.bucket, Key=self.location.key(relative)
            )
        except ClientError as exc:
            if _status(exc) == 404 or _code(exc) in _NOT_FOUND:
                return None
            raise StorageError(f"cannot look at {self._url(relative)}: {describe(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot look at {self._url(relative)}: {describe(exc)}") from exc
        modified = head.get("LastModified")
        return RemoteObject(
            relative,
            int(head["ContentLength"]),
            str(head["ETag"]).strip('"'),
            modified.timestamp() if modified else 0.0,
        )

    def read_range(self, relative: str, offset: int, length: int) -> bytes:
        if length <= 0:
            raise StorageError(f"cannot read {self._url(relative)}: no length given")
        answer = self._call(
            f"cannot read {self._url(relative)} at {offset}",
            lambda: self.client.get_object(
                Bucket=self.location.bucket,
                Key=self.location.key(relative),
                Range=f"bytes={offset}-{offset + length - 1}",
            ),
        )
        return self._call(f"cannot read {self._url(relative)}", answer["Body"].read)

    def read(self, relative: str) -> bytes:
        answer = self._call(
            f"cannot read {self._url(relative)}",
            lambda: self.client.get_object(
                Bucket=self.location.bucket, Key=self.location.key(relative)
            ),
        )
        return self._call(f"cannot read {self._url(relative)}", answer["Body"].read)

    def download(self, relative: str, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".download-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                answer = self._call(
                    f"cannot download {self._url(relative)}",
                    lambda: self.client.get_object(
                        Bucket=self.location.bucket, Key=self.location.key(relative)
                    ),
                )
                expected = int(answer.get("ContentLength", -1))
                body = answer["Body"]
                try:
                    while chunk := body.read(_CHUNK):
                        handle.write(chunk)
                except (ClientError, BotoCoreError) as exc:
                    raise StorageError(
                        f"cannot download {self._url(relative)}: {describe(exc)}"
                    ) from exc
                written = handle.tell()
            if expected >= 0 and written != expected:
                raise StorageError(
                    f"cannot download {self._url(relative)}: got {written} of {expected} bytes"
                )
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    # -- writing ------------------------------------------------------------------------

    def upload_file(self, path: Path, relative: str) -> None:
        size = path.stat().st_size
        if size > MAX_SINGLE_PUT:
            raise StorageError(
                f"{path} is over 5 GiB, S3's limit for one upload: keep WARC_MAX_SIZE lower"
            )
        md5 = file_md5(path)
        error: StorageError | None = None
        for attempt in range(UPLOAD_ATTEMPTS):
            if attempt:
                time.sleep(_BACKOFF * 4 ** (attempt - 1))
            try:
                self._put_verified(path, relative, size, md5)
                return
            except StorageError as exc:
                error = exc
                logger.info("upload of %s failed (attempt %d): %s", path, attempt + 1, exc)
        assert error is not None
        raise error

    def _put_verified(self, path: Path, relative: str, size: int, md5: bytes) -> None:
        url = self._url(relative)
        with open(path, "rb") as body:
            self._call(
                f"cannot upload {path.name} to {url}",
                lambda: self.client.put_object(
                    Bucket=self.location.bucket,
                    Key=self.location.key(relative),
                    Body=body,
                    ContentLength=size,
                    ContentMD5=base64.b64encode(md5).decode("ascii"),
                ),
            )
        stored = self.exists(relative)
        if stored is None:
            raise StorageError(f"uploaded {path.name} but {url} is not there")
        if stored.size != size or stored.etag.lower() != md5.hex():
            raise StorageError(
                f"uploaded {path.name} but {url} differs: {stored.size} bytes, ETag "
                f"{stored.etag} (the file: {size} bytes, MD5 {md5.hex()})"
            )

    def create_if_absent(self, relative: str, data: bytes) -> bool:
        url = self._url(relative)
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        key = self.location.key(relative)
        if self._conditional_writes:
            try:
                self.client.put_object(
                    Bucket=self.location.bucket,
                    Key=key,
                    Body=data,
                    ContentMD5=md5,
                    IfNoneMatch="*",
                )
                return True
            except ClientError as exc:
                status, code = _status(exc), _code(exc)
                if status == 412 or code == "PreconditionFailed":
                    return False
                if status == 409:  # ConditionalRequestConflict: a concurrent write; look
                    return False if self.exists(relative) else self.create_if_absent(
                        relative, data
                    )
                if status == 501 or (status == 400 and "match" in describe(exc).lower()):
                    self._conditional_writes = False
                    logger.warning(
                        "%s refuses conditional writes (If-None-Match: *, %s): article "
                        "files are created with a HEAD, then a PUT; two crawls writing the "
                        "same article at once could overwrite one another",
                        self.location.url,
                        describe(exc),
                    )
                else:
                    raise StorageError(f"cannot create {url}: {describe(exc)}") from exc
            except BotoCoreError as exc:
                raise StorageError(f"cannot create {url}: {describe(exc)}") from exc
        if self.exists(relative) is not None:
            return False
        self._call(
            f"cannot create {url}",
            lambda: self.client.put_object(
                Bucket=self.location.bucket, Key=key, Body=data, ContentMD5=md5
            ),
        )
        return True

    def delete(self, relative: str) -> None:
        self._call(
            f"cannot delete {self._url(relative)}",
            lambda: self.client.delete_object(
                Bucket=self.location.bucket, Key=self.location.key(relative)
            ),
        )
