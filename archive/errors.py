"""The error hierarchy of the archive package."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class: something about an archive (WARC files, article store) is wrong."""


class WarcWriteError(ArchiveError):
    """A WARC file could not be created or written."""


class WarcReadError(ArchiveError):
    """A WARC record could not be read back where it was expected."""
