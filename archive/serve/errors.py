"""Errors of `newsarchive serve`: each one is a message the command line can print as is."""

from __future__ import annotations

from archive.errors import ArchiveError

REPLAY_EXTRA = "pip install 'newsarchive[replay]'"


class ServeError(ArchiveError):
    """The archive cannot be served."""


class ReplayNotInstalledError(ServeError):
    """pywb (the optional `replay` extra) is not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"serving needs pywb, which is not installed ({missing}): {REPLAY_EXTRA}")


class NoWarcFilesError(ServeError):
    """The directory holds no WARC files to replay."""


class PortInUseError(ServeError):
    """Another program already listens on the requested address."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"port {port} on {host} is already in use: choose another with --port N, "
            "or --port 0 for a free one"
        )
        self.host = host
        self.port = port
