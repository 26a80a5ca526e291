"""The error every step of an export raises, in a module of its own so that each step
can raise it without importing the others."""

from __future__ import annotations

from archive.errors import ArchiveError


class ExportError(ArchiveError):
    """An export could not be set up or written."""
