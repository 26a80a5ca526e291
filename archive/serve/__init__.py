"""Browse an archive directory in a web browser, replayed by pywb.

The stages of `newsarchive serve DIR`, in order:

1. `app.load_pywb` — patch the standard library for gevent and import pywb (optional extra);
2. `app.ReplayServer` — listen on 127.0.0.1 (by default), failing early if the port is taken;
3. `collection.prepare` — index the WARC files of `DIR/warc` with pywb's indexer into a
   pywb collection under `DIR/.pywb/` (only files that changed since the last run);
4. `startpage.load_articles` — read `DIR/articles/**.json` for the start page;
5. `app.make_app` — pywb's front end (unframed replay, no live web) behind the start page,
   with `banner` on every replayed page;
6. `ReplayServer.serve_forever`.

Only `app` and `collection` import pywb, and only when called: the rest works without it.
"""

from __future__ import annotations

from archive.serve.errors import (
    NoWarcFilesError,
    PortInUseError,
    ReplayNotInstalledError,
    ServeError,
)

__all__ = ["NoWarcFilesError", "PortInUseError", "ReplayNotInstalledError", "ServeError"]
