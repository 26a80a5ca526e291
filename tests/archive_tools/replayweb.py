"""ReplayWeb.page, for real, on loopback: its npm package and a static server with ranges.

ReplayWeb.page is two bundled scripts (`ui.js`, `sw.js`, in the `replaywebpage` npm package).
Its `<replay-web-page>` element loads a WACZ by URL with HTTP range requests and replays it
through a service worker. `StaticServer` serves a folder on 127.0.0.1 with the range support
that needs (the standard library's server has none).
"""

from __future__ import annotations

import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REPLAYWEBPAGE = "replaywebpage@2.5.3"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


# `make test` unpacks the package's `ui.js` and `sw.js` here (npm pack, an install step).
REPLAYWEBPAGE_DIR = Path(
    os.environ.get("REPLAYWEBPAGE_DIR", Path(__file__).resolve().parents[2] / ".venv/replaywebpage")
)


def replaywebpage_assets() -> Path | None:
    """The folder holding ReplayWeb.page's `ui.js` and `sw.js`, or None when not installed."""
    if all((REPLAYWEBPAGE_DIR / name).is_file() for name in ("ui.js", "sw.js")):
        return REPLAYWEBPAGE_DIR
    return None


class _Handler(SimpleHTTPRequestHandler):
    server_netloc = ""
    requests: list[str]
    refused: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        # As the browser's proxy, requests come in absolute form: serve our own, refuse the rest.
        self.requests.append(self.path)
        if self.command == "CONNECT":
            self.refused.append(self.path)
            self.send_error(403, "no tunnels")
            return False
        target = urlsplit(self.path)
        if target.scheme:
            if target.netloc != self.server_netloc:
                self.refused.append(self.path)
                self.send_error(403, "only the test server answers")
                return False
            self.path = target.path + (f"?{target.query}" if target.query else "")
        return True

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        match = _RANGE.match(self.headers.get("Range", "").strip())
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            super().do_GET()
            return
        size = path.stat().st_size
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:  # a suffix: the last N bytes
            start, end = max(size - int(last or 0), 0), size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        with open(path, "rb") as handle:
            handle.seek(start)
            self.wfile.write(handle.read(end - start + 1))


class StaticServer:
    """Serves `root` on a free port of 127.0.0.1, with byte ranges.

    It is also the browser's HTTP proxy (`address`): every request the browser makes is
    recorded in `requests`, and any for another host is refused and kept in `refused`.
    """

    def __init__(self, root: Path) -> None:
        root = Path(root)
        self.requests: list[str] = []
        self.refused: list[str] = []
        owner = self

        class Handler(_Handler):
            requests = owner.requests
            refused = owner.refused

            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, directory=os.fspath(root), **kwargs)

        Handler.extensions_map = {
            **_Handler.extensions_map, ".js": "application/javascript", ".wacz": "application/wacz"
        }
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        Handler.server_netloc = self.netloc

    @property
    def netloc(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    address = netloc  # as a proxy, for `DevTools`

    def __enter__(self) -> StaticServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
