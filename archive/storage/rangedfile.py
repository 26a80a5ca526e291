"""Read-only, seekable files over one object, without downloading it.

- `open_ranged`: each read is a ranged GET of 1 MiB. For a few records read by offset:
  `archive.warc.reader.record_in(open_ranged(store, "warc/NAME"), offset, name)` reads one record
  of a WARC in a bucket (warcio reads on from the offset).
- `open_stream`: one GET from the position to the end of the object, read as far as the
  reader goes; a seek elsewhere than where the response stands opens another from there.
  For readers that go through a whole file once (`index`, `serve`'s indexing): as fast as
  a download, and nothing is written to disk. A seek back into the last 1 MiB read (warcio
  peeks at a file's start) is served from the buffer.

Errors of the store are raised as OSError, which the WARC readers report as "cannot read".
"""

from __future__ import annotations

import io
from typing import Any

from archive.storage import ObjectStore, StorageError

BLOCK = 1 << 20


class RangedFile(io.RawIOBase):
    def __init__(self, store: ObjectStore, relative: str, size: int) -> None:
        self.store = store
        self.relative = relative
        self.size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        length = min(len(buffer), self.size - self._position)
        if length <= 0:
            return 0
        data = self.store.read_range(self.relative, self._position, length)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


class StreamedFile(RangedFile):
    """A `RangedFile` that reads on through one open response (see the module docstring)."""

    def __init__(self, store: ObjectStore, relative: str, size: int) -> None:
        super().__init__(store, relative, size)
        self._body: Any = None
        self._body_at = -1  # where the open response stands

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        length = min(len(buffer), self.size - self._position)
        if length <= 0:
            return 0
        try:
            if self._body is None or self._body_at != self._position:
                self._drop()
                self._body = self.store.stream(self.relative, self._position)
                self._body_at = self._position
            data = self._body.read(length)
        except StorageError as exc:
            raise OSError(str(exc)) from exc
        except Exception as exc:  # botocore and urllib3 errors while the body streams
            url = f"{self.store.location.url}/{self.relative}"
            raise OSError(f"{url} at {self._position}: {exc}") from exc
        if not data:
            raise OSError(
                f"{self.store.location.url}/{self.relative} ended at {self._position} of "
                f"{self.size} bytes"
            )
        buffer[: len(data)] = data
        self._position += len(data)
        self._body_at += len(data)
        return len(data)

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop()
        super().close()


def _size(store: ObjectStore, relative: str, size: int | None) -> int:
    if size is not None:
        return size
    found = store.exists(relative)
    if found is None:
        raise StorageError(f"{store.location.url}/{relative} does not exist")
    return found.size


def open_ranged(store: ObjectStore, relative: str) -> io.BufferedReader:
    """The object `relative` as a buffered binary file (StorageError when it is missing)."""
    return io.BufferedReader(RangedFile(store, relative, _size(store, relative, None)), BLOCK)


def open_stream(store: ObjectStore, relative: str, size: int | None = None) -> io.BufferedReader:
    """The object `relative` (of `size` bytes, when a listing said) as a buffered binary
    file read through one response (StorageError when it is missing)."""
    return io.BufferedReader(StreamedFile(store, relative, _size(store, relative, size)), BLOCK)
