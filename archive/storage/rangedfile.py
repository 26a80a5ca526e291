"""A read-only, seekable file over one object: each read is a ranged GET.

`archive.reader.record_in(open_ranged(store, "warc/NAME"), offset, name)` reads one record
of a WARC in a bucket without downloading the file: warcio reads on from the offset, and
the buffer fetches 1 MiB a request.
"""

from __future__ import annotations

import io

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


def open_ranged(store: ObjectStore, relative: str) -> io.BufferedReader:
    """The object `relative` as a buffered binary file (StorageError when it is missing)."""
    found = store.exists(relative)
    if found is None:
        raise StorageError(f"{store.location.url}/{relative} does not exist")
    return io.BufferedReader(RangedFile(store, relative, found.size), buffer_size=BLOCK)
