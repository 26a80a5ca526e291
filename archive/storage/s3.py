"""The S3 backend of `archive.storage`: any S3-compatible store, through boto3.

Credentials and endpoint come the usual AWS way (`AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, `AWS_ENDPOINT_URL` for a store that is not AWS,
`AWS_DEFAULT_REGION`); boto3 reads them, nothing here does.

- Uploads up to `NEWSARCHIVE_MULTIPART_THRESHOLD` bytes (default 64 MiB) are single PUTs
  with `Content-MD5` (the store refuses a body that arrived different); larger files go in
  parts of that size (at least 5 MiB, at most 10,000 parts: S3's limits), each with its
  `Content-MD5` and its ETag checked, the whole file's MD5 noted in the object's metadata;
  a failed multipart upload is aborted, so that no orphan parts stay. Then a HEAD: the size
  and the ETag must be the file's (a single PUT's ETag is the MD5 of the bytes, a multipart
  upload's the MD5 of the parts' MD5s and `-N`). A failed attempt is retried twice, after 1
  and 4 seconds, on top of botocore's own retries. With `if_absent` (WARC files) the write
  carries `If-None-Match: *`: a name taken by other bytes is never replaced.
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

from archive.storage import (
    NameTaken,
    RemoteLocation,
    RemoteObject,
    StorageError,
    file_md5,
    parse_size,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_SINGLE_PUT = 5 * 1024**3  # S3's limit for one PUT
MIN_PART = 5 * 1024**2  # S3's smallest part (but the last)
MAX_PARTS = 10_000
MULTIPART_ENV = "NEWSARCHIVE_MULTIPART_THRESHOLD"
DEFAULT_MULTIPART_THRESHOLD = 64 * 1024**2
MD5_METADATA = "content-md5"  # x-amz-meta-content-md5: the whole file's MD5 (hex)
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


def multipart_threshold() -> int:
    """`$NEWSARCHIVE_MULTIPART_THRESHOLD` (e.g. `64M`), else 64 MiB; StorageError when it
    is not a size."""
    given = os.environ.get(MULTIPART_ENV, "").strip()
    if not given:
        return DEFAULT_MULTIPART_THRESHOLD
    try:
        return max(parse_size(given), 1)
    except ValueError as exc:
        raise StorageError(f"{MULTIPART_ENV}: {exc}") from exc


def file_digests(path: Path, part_size: int) -> tuple[bytes, list[bytes]]:
    """The MD5 of the file and of each of its parts of `part_size` bytes (0: one part),
    in one read."""
    whole = hashlib.md5(usedforsecurity=False)
    parts: list[bytes] = []
    with open(path, "rb") as handle:
        if not part_size:
            while chunk := handle.read(_CHUNK):
                whole.update(chunk)
            return whole.digest(), [whole.digest()]
        while True:
            part = hashlib.md5(usedforsecurity=False)
            got = 0
            while got < part_size and (chunk := handle.read(min(_CHUNK, part_size - got))):
                whole.update(chunk)
                part.update(chunk)
                got += len(chunk)
            if got:
                parts.append(part.digest())
            if got < part_size:
                return whole.digest(), parts or [part.digest()]


def expected_etag(parts: list[bytes], *, multipart: bool) -> str:
    """The ETag S3 gives an upload of these parts: the MD5 of a single PUT, else the MD5
    of the concatenated part MD5s and `-N`."""
    if not multipart:
        return parts[0].hex()
    return f"{hashlib.md5(b''.join(parts), usedforsecurity=False).hexdigest()}-{len(parts)}"


class S3Store:
    """An archive under `s3://bucket/prefix` (see `archive.storage.ObjectStore`)."""

    def __init__(
        self,
        location: RemoteLocation,
        client: Any | None = None,
        *,
        multipart_threshold: int | None = None,
    ) -> None:
        self.location = location
        self._client = client
        self._conditional_writes = True
        self.multipart_threshold = multipart_threshold or DEFAULT_MULTIPART_THRESHOLD

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
            str((head.get("Metadata") or {}).get(MD5_METADATA, "")),
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

    def stream(self, relative: str, offset: int = 0) -> Any:
        answer = self._call(
            f"cannot read {self._url(relative)} at {offset}",
            lambda: self.client.get_object(
                Bucket=self.location.bucket,
                Key=self.location.key(relative),
                **({"Range": f"bytes={offset}-"} if offset else {}),
            ),
        )
        return answer["Body"]

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

    def upload_file(self, path: Path, relative: str, *, if_absent: bool = False) -> None:
        size = path.stat().st_size
        part_size = self.part_size(size)
        whole, parts = file_digests(path, part_size)
        expected = expected_etag(parts, multipart=bool(part_size))
        error: StorageError | None = None
        for attempt in range(UPLOAD_ATTEMPTS):
            if attempt:
                time.sleep(_BACKOFF * 4 ** (attempt - 1))
            try:
                if part_size:
                    self._multipart(path, relative, part_size, parts, whole, if_absent)
                else:
                    self._put(path, relative, size, whole, if_absent)
                self._verify(path, relative, size, expected, whole)
                return
            except NameTaken:
                raise  # not something a retry mends
            except StorageError as exc:
                error = exc
                logger.info("upload of %s failed (attempt %d): %s", path, attempt + 1, exc)
        assert error is not None
        raise error

    def part_size(self, size: int) -> int:
        """The part size a file of `size` bytes is uploaded in; 0: one PUT."""
        if size <= self.multipart_threshold and size <= MAX_SINGLE_PUT:
            return 0
        return max(self.multipart_threshold, MIN_PART, -(-size // MAX_PARTS))

    def holds(self, path: Path, there: RemoteObject) -> bool:
        size = path.stat().st_size
        if there.size != size:
            return False
        if "-" not in there.etag:  # a single PUT's: the MD5 of the bytes
            return there.etag.lower() == file_md5(path).hex()
        if there.md5:  # noted by our multipart upload, whatever its part size
            return there.md5.lower() == file_md5(path).hex()
        _, parts = file_digests(path, self.part_size(size) or size)
        return there.etag.lower() == expected_etag(parts, multipart=True)

    def _conditional(self, if_absent: bool) -> dict[str, str]:
        return {"IfNoneMatch": "*"} if if_absent and self._conditional_writes else {}

    def _refuses_condition(self, exc: ClientError) -> bool:
        """True (and a warning, once) when the store does not do `If-None-Match: *`."""
        status = _status(exc)
        if status == 501 or (status == 400 and "match" in describe(exc).lower()):
            self._conditional_writes = False
            logger.warning(
                "%s refuses conditional writes (If-None-Match: *, %s): files are created "
                "with a HEAD, then a PUT; two crawls writing the same name at once could "
                "overwrite one another",
                self.location.url,
                describe(exc),
            )
            return True
        return False

    def _ours_already(self, path: Path, relative: str, exc: ClientError) -> bool:
        """After a failed conditional write: True when the name was taken by this file's
        bytes (an earlier attempt succeeded but its answer was lost), NameTaken when by
        other bytes, False when `exc` is another failure."""
        if not (_status(exc) == 412 or _code(exc) == "PreconditionFailed"):
            return False
        there = self.exists(relative)
        if there is not None and self.holds(path, there):
            return True
        raise NameTaken(
            f"{self._url(relative)} exists with other bytes: {path} is kept, not uploaded "
            "over it"
        ) from exc

    def _put(self, path: Path, relative: str, size: int, md5: bytes, if_absent: bool) -> None:
        what = f"cannot upload {path.name} to {self._url(relative)}"
        while True:
            condition = self._conditional(if_absent)
            try:
                with open(path, "rb") as body:
                    self.client.put_object(
                        Bucket=self.location.bucket,
                        Key=self.location.key(relative),
                        Body=body,
                        ContentLength=size,
                        ContentMD5=base64.b64encode(md5).decode("ascii"),
                        **condition,
                    )
                return
            except ClientError as exc:
                if condition and self._refuses_condition(exc):
                    continue
                if condition and self._ours_already(path, relative, exc):
                    return
                raise StorageError(f"{what}: {describe(exc)}") from exc
            except BotoCoreError as exc:
                raise StorageError(f"{what}: {describe(exc)}") from exc

    def _multipart(
        self,
        path: Path,
        relative: str,
        part_size: int,
        digests: list[bytes],
        whole: bytes,
        if_absent: bool,
    ) -> None:
        """One multipart upload: each part sent with its Content-MD5 and its ETag checked;
        on any failure the upload is aborted, so that no orphan parts stay (billed, and
        invisible to a listing)."""
        bucket, key = self.location.bucket, self.location.key(relative)
        what = f"cannot upload {path.name} to {self._url(relative)}"
        created = self._call(
            what,
            lambda: self.client.create_multipart_upload(
                Bucket=bucket, Key=key, Metadata={MD5_METADATA: whole.hex()}
            ),
        )
        upload_id = created["UploadId"]
        try:
            parts = []
            with open(path, "rb") as handle:
                for number, digest in enumerate(digests, start=1):
                    data = handle.read(part_size)
                    if hashlib.md5(data, usedforsecurity=False).digest() != digest:
                        raise StorageError(f"{what}: the file changed while being uploaded")
                    answer = self._call(
                        f"{what} (part {number} of {len(digests)})",
                        lambda data=data, number=number, digest=digest: self.client.upload_part(
                            Bucket=bucket,
                            Key=key,
                            UploadId=upload_id,
                            PartNumber=number,
                            Body=data,
                            ContentMD5=base64.b64encode(digest).decode("ascii"),
                        ),
                    )
                    etag = str(answer.get("ETag", "")).strip('"')
                    if etag.lower() != digest.hex():
                        raise StorageError(
                            f"{what}: part {number} arrived as ETag {etag}, not {digest.hex()}"
                        )
                    parts.append({"ETag": answer["ETag"], "PartNumber": number})
            self._complete(path, relative, upload_id, parts, if_absent)
        except BaseException:
            self._abort(relative, upload_id)
            raise

    def _complete(
        self, path: Path, relative: str, upload_id: str, parts: list[dict[str, Any]],
        if_absent: bool,
    ) -> None:
        what = f"cannot upload {path.name} to {self._url(relative)}"
        while True:
            condition = self._conditional(if_absent)
            try:
                self.client.complete_multipart_upload(
                    Bucket=self.location.bucket,
                    Key=self.location.key(relative),
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                    **condition,
                )
                return
            except ClientError as exc:
                if condition and self._refuses_condition(exc):
                    continue
                if condition and self._ours_already(path, relative, exc):
                    self._abort(relative, upload_id)
                    return
                raise StorageError(f"{what}: {describe(exc)}") from exc
            except BotoCoreError as exc:
                raise StorageError(f"{what}: {describe(exc)}") from exc

    def _abort(self, relative: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(
                Bucket=self.location.bucket, Key=self.location.key(relative), UploadId=upload_id
            )
        except (ClientError, BotoCoreError) as exc:
            if isinstance(exc, ClientError) and _code(exc) == "NoSuchUpload":
                return  # completed or aborted already
            logger.warning(
                "cannot abort the multipart upload %s of %s: %s (its parts stay until a "
                "lifecycle rule for incomplete uploads removes them)",
                upload_id,
                self._url(relative),
                describe(exc),
            )

    def _verify(self, path: Path, relative: str, size: int, expected: str, whole: bytes) -> None:
        """A HEAD: the store's size and ETag must be the file's."""
        url = self._url(relative)
        stored = self.exists(relative)
        if stored is None:
            raise StorageError(f"uploaded {path.name} but {url} is not there")
        if stored.size != size or stored.etag.lower() != expected:
            raise StorageError(
                f"uploaded {path.name} but {url} differs: {stored.size} bytes, ETag "
                f"{stored.etag} (the file: {size} bytes, expected ETag {expected}, "
                f"MD5 {whole.hex()})"
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
                if not self._refuses_condition(exc):
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
