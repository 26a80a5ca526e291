"""A small local HTTP server for the demo site and for the test suite's test sites.

Crawls must run without the internet, and the WARC capture has to be tested against real HTTP
behaviour (gzip on the wire, keep-alive, redirects, repeated headers, error statuses). This
module serves a site directory on 127.0.0.1 with the standard library only, in a background
thread, so the demo command and the tests can start one in a ``with`` block::

    with SiteServer(directory) as server:
        crawl(server.base_url + "/")

Behaviour:

* ``{{BASE}}`` in text files (html, xml, txt, ...) is replaced by the real base URL, e.g.
  ``http://127.0.0.1:41234``, because absolute URLs in feeds, sitemaps, robots.txt and canonical
  links must point at a port that is only known once the server has started. ``{{CDN}}`` is
  the same server under the host name ``localhost``: another host, as the CDN a news site
  serves its images from, without leaving 127.0.0.1.
* ``/dir/`` serves ``dir/index.html``; ``/dir`` redirects to ``/dir/`` like real servers do.
* Text responses are gzip-encoded when the client accepts it, so the capture of compressed
  bodies is exercised; ``Content-Length`` is always that of the bytes sent, which keeps HTTP/1.1
  keep-alive working.
* An optional ``_routes.toml`` in the site directory declares special responses::

      [[redirect]]
      path = "/old"
      to = "/new"          # may contain {{BASE}}
      status = 301         # default 301

      [[headers]]          # added to whatever response the path gets
      path = "/cookies.html"
      set = [["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]]

      [[status]]
      path = "/gone"
      status = 410
      body = "optional body"             # default: a small HTML error page
      content_type = "text/plain"         # default: text/html; charset=utf-8

  A header given in ``set`` whose name is one the server sets itself (``Content-Type``,
  ``Cache-Control`` ...) replaces the server's value; any other name is added, repeats included.
* Files and directories whose name starts with ``_`` are never served (``_routes.toml``,
  ``_about.txt``), nor is anything outside the directory.
* ``Last-Modified`` and ``ETag`` are sent and ``If-None-Match``/``If-Modified-Since`` answered
  with 304, so re-crawls can be tested.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import html
import logging
import mimetypes
import posixpath
import sys
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

BASE_PLACEHOLDER = b"{{BASE}}"
CDN_PLACEHOLDER = b"{{CDN}}"
ROUTES_FILE = "_routes.toml"

#: Extensions whose content is text: ``{{BASE}}`` is substituted and the body may be gzipped.
TEXT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}

#: Bodies smaller than this are sent uncompressed, as nginx's ``gzip_min_length`` does.
GZIP_MIN_LENGTH = 0


class RoutesError(ValueError):
    """``_routes.toml`` is malformed; the message names the file and the offending entry."""


@dataclass(frozen=True)
class Redirect:
    """A path answered with a redirect status and a ``Location``."""

    to: str
    status: int = 301


@dataclass(frozen=True)
class StatusResponse:
    """A path answered with a fixed status and body instead of a file."""

    status: int
    body: bytes | None = None
    content_type: str = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Routes:
    """The special responses declared by a site's ``_routes.toml``, keyed by request path."""

    redirects: Mapping[str, Redirect] = field(default_factory=dict)
    statuses: Mapping[str, StatusResponse] = field(default_factory=dict)
    headers: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Routes:
        """Read and validate ``path``; a missing file means no special routes."""
        if not path.is_file():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise RoutesError(f"{path}: {exc}") from exc
        unknown = set(data) - {"redirect", "headers", "status"}
        if unknown:
            raise RoutesError(f"{path}: unknown table(s) {sorted(unknown)}")

        redirects: dict[str, Redirect] = {}
        for entry in _entries(path, data, "redirect", {"path", "to", "status"}):
            status = _int(path, entry, "status", 301)
            if not 300 <= status < 400:
                raise RoutesError(f"{path}: redirect {entry['path']!r} has status {status}")
            redirects[_path(path, entry)] = Redirect(to=_str(path, entry, "to"), status=status)

        statuses: dict[str, StatusResponse] = {}
        for entry in _entries(path, data, "status", {"path", "status", "body", "content_type"}):
            body = entry.get("body")
            if body is not None and not isinstance(body, str):
                raise RoutesError(f"{path}: status {entry['path']!r}: body must be a string")
            statuses[_path(path, entry)] = StatusResponse(
                status=_int(path, entry, "status", None),
                body=body.encode("utf-8") if body is not None else None,
                content_type=entry.get("content_type", "text/html; charset=utf-8"),
            )

        headers: dict[str, tuple[tuple[str, str], ...]] = {}
        for entry in _entries(path, data, "headers", {"path", "set"}):
            pairs = entry.get("set")
            if not isinstance(pairs, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
                for p in pairs
            ):
                raise RoutesError(
                    f"{path}: headers {entry.get('path')!r}: set must be a list of [name, value]"
                )
            key = _path(path, entry)
            headers[key] = headers.get(key, ()) + tuple((n, v) for n, v in pairs)
        return cls(redirects=redirects, statuses=statuses, headers=headers)


def _entries(
    source: Path, data: Mapping[str, Any], table: str, allowed: set[str]
) -> Iterable[Mapping[str, Any]]:
    entries = data.get(table, [])
    if not isinstance(entries, list):
        raise RoutesError(f"{source}: {table} must be an array of tables ([[{table}]])")
    for entry in entries:
        extra = set(entry) - allowed
        if extra:
            raise RoutesError(f"{source}: [[{table}]] has unknown key(s) {sorted(extra)}")
        yield entry


def _path(source: Path, entry: Mapping[str, Any]) -> str:
    value = entry.get("path")
    if not isinstance(value, str) or not value.startswith("/"):
        raise RoutesError(f"{source}: path must be a string starting with '/', got {value!r}")
    return value


def _str(source: Path, entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise RoutesError(f"{source}: {entry.get('path')!r}: {key} must be a non-empty string")
    return value


def _int(source: Path, entry: Mapping[str, Any], key: str, default: int | None) -> int:
    value = entry.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 100 <= value <= 599:
        raise RoutesError(f"{source}: {entry.get('path')!r}: {key} must be an HTTP status")
    return value


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``q=0`` refuses it)."""
    if not header:
        return False
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() not in {"gzip", "x-gzip", "*"}:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        return q > 0
    return False


def error_page(status: int, detail: str = "") -> bytes:
    """A small HTML error page, as real servers send with 4xx/5xx responses."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    title = f"{status} {html.escape(phrase)}"
    extra = f"<p>{html.escape(detail)}</p>" if detail else ""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head>\n<body><h1>{title}</h1>{extra}</body></html>\n"
    ).encode()


class _SiteHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer carrying the site's configuration for its handlers."""

    daemon_threads = True
    # Handler threads are daemons and a keep-alive client may hold one open; don't wait on them.
    block_on_close = False

    def __init__(self, address: tuple[str, int], root: Path, routes: Routes) -> None:
        super().__init__(address, _SiteRequestHandler)
        self.root = root
        self.routes = routes
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._base_bytes = self.base_url.encode("ascii")
        self._cdn_bytes = f"http://localhost:{port}".encode("ascii")
        self._cache: dict[tuple[Path, int, int], tuple[bytes, bytes, str]] = {}
        self._cache_lock = threading.Lock()
        # Every request path as received, in order: lets tests prove what was (not) fetched.
        self.requested: list[str] = []

    def substitute(self, text: bytes) -> bytes:
        return text.replace(BASE_PLACEHOLDER, self._base_bytes).replace(
            CDN_PLACEHOLDER, self._cdn_bytes
        )

    def load(self, path: Path) -> tuple[bytes, bytes, str]:
        """The body of a file as served, its gzip encoding and its ETag (cached by mtime)."""
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        body = path.read_bytes()
        is_text = path.suffix.lower() in TEXT_TYPES
        if is_text:
            body = self.substitute(body)
        # mtime=0 keeps the compressed bytes stable, so captures of the same page compare equal.
        gz = gzip.compress(body, compresslevel=6, mtime=0) if is_text else b""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        with self._cache_lock:
            self._cache[key] = (body, gz, etag)
        return body, gz, etag


class _SiteRequestHandler(BaseHTTPRequestHandler):
    """Serves files of the site directory plus the routes of ``_routes.toml``."""

    # HTTP/1.1 makes connections persistent; every response below carries Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "HarbourSiteServer/1.0"
    server: _SiteHTTPServer

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def _respond(self, send_body: bool) -> None:
        self.server.requested.append(self.path)  # list.append is atomic under the GIL
        try:
            self._dispatch(send_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            logger.error("error serving %s", self.path, exc_info=True)
            self.close_connection = True

    def _dispatch(self, send_body: bool) -> None:
        routes = self.server.routes
        target = self.path
        path = urlsplit(target).path or "/"
        extra = routes.headers.get(target) or routes.headers.get(path) or ()

        redirect = routes.redirects.get(target) or routes.redirects.get(path)
        if redirect is not None:
            location = self.server.substitute(redirect.to.encode()).decode()
            body = error_page(redirect.status, f"Moved to {location}")
            self._send(
                redirect.status,
                body,
                "text/html; charset=utf-8",
                extra=(("Location", location), *extra),
                send_body=send_body,
            )
            return

        fixed = routes.statuses.get(target) or routes.statuses.get(path)
        if fixed is not None:
            body = fixed.body if fixed.body is not None else error_page(fixed.status)
            self._send(
                fixed.status,
                self.server.substitute(body),
                fixed.content_type,
                extra=extra,
                send_body=send_body,
            )
            return

        file, redirect_to = self._resolve(path)
        if redirect_to is not None:
            self._send(
                301,
                error_page(301, f"Moved to {redirect_to}"),
                "text/html; charset=utf-8",
                extra=(("Location", redirect_to), *extra),
                send_body=send_body,
            )
            return
        if file is None:
            self._send(
                404,
                error_page(404, f"{path} was not found on this server."),
                "text/html; charset=utf-8",
                extra=extra,
                send_body=send_body,
            )
            return

        body, gz, etag = self.server.load(file)
        mtime = int(file.stat().st_mtime)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        validators = (("ETag", etag), ("Last-Modified", last_modified))
        if self._not_modified(etag, mtime):
            self._send(304, b"", None, extra=(*validators, *extra), send_body=False)
            return
        suffix = file.suffix.lower()
        content_type = TEXT_TYPES.get(suffix) or (
            mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )
        encoded = bool(gz) and len(body) >= GZIP_MIN_LENGTH
        if encoded and accepts_gzip(self.headers.get("Accept-Encoding")):
            self._send(
                200,
                gz,
                content_type,
                extra=(
                    ("Content-Encoding", "gzip"),
                    ("Vary", "Accept-Encoding"),
                    *validators,
                    *extra,
                ),
                send_body=send_body,
            )
        else:
            vary = (("Vary", "Accept-Encoding"),) if encoded else ()
            self._send(
                200, body, content_type, extra=(*vary, *validators, *extra), send_body=send_body
            )

    def _resolve(self, path: str) -> tuple[Path | None, str | None]:
        """Map a URL path to a file, or to a redirect target for a directory without ``/``.

        Returns ``(file, None)``, ``(None, location)`` or ``(None, None)`` for not found.
        """
        decoded = unquote(path)
        normalized = posixpath.normpath(decoded)
        parts = [p for p in normalized.split("/") if p and p != "."]
        if any(p == ".." or p.startswith("_") or "\\" in p or "\x00" in p for p in parts):
            return None, None
        root = self.server.root
        candidate = root.joinpath(*parts)
        try:
            candidate.resolve().relative_to(root)
        except ValueError:
            return None, None
        if candidate.is_dir():
            if not decoded.endswith("/"):
                return None, path + "/"
            candidate = candidate / "index.html"
        elif decoded.endswith("/"):
            return None, None
        if candidate.is_file():
            return candidate, None
        return None, None

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in {t.strip() for t in inm.split(",")} or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return mtime <= since
        return False

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        *,
        extra: Iterable[tuple[str, str]] = (),
        send_body: bool,
    ) -> None:
        extra = list(extra)
        overridden = {name.lower() for name, _ in extra}
        self.send_response(status)
        defaults = [("Content-Type", content_type)] if content_type else []
        if status >= 400:
            defaults.append(("Cache-Control", "no-store"))
        for name, value in defaults:
            if name.lower() not in overridden:
                self.send_header(name, value)
        for name, value in extra:
            self.send_header(name, self.server.substitute(value.encode()).decode())
        # 304 has no body and must not claim one (RFC 9110 §15.4.5).
        if status != 304 and status >= 200:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)


class SiteServer:
    """Serves a site directory on 127.0.0.1 in a background thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. ``base_url`` (no trailing
    slash) is known once started.
    """

    def __init__(self, directory: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.directory = Path(directory).resolve()
        if not self.directory.is_dir():
            raise NotADirectoryError(f"site directory {self.directory} does not exist")
        self.host = host
        self.port = port
        self._httpd: _SiteHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the running server, without a trailing slash."""
        if self._httpd is None:
            raise RuntimeError("SiteServer is not running; call start() first")
        return self._httpd.base_url

    @property
    def requested(self) -> list[str]:
        """Request paths (with query) received so far, in arrival order."""
        if self._httpd is None:
            raise RuntimeError("SiteServer is not running; call start() first")
        return list(self._httpd.requested)

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> SiteServer:
        """Bind (port 0 picks a free port) and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        routes = Routes.load(self.directory / ROUTES_FILE)
        self._httpd = _SiteHTTPServer((self.host, self.port), self.directory, routes)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"SiteServer-{self._httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        logger.info("serving %s at %s", self.directory, self._httpd.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = self._thread = None
        logger.info("stopped serving %s", self.directory)

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m crawler.demo.server [DIR] [--port N]``: serve until Ctrl-C."""
    import argparse

    from crawler.demo import DEMO_SITE_DIR

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "directory",
        nargs="?",
        default=str(DEMO_SITE_DIR),
        help="site directory (default: the bundled demo site)",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    try:
        server = SiteServer(args.directory, host=args.host, port=args.port).start()
    except (OSError, RoutesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Serving {server.directory} at {server.base_url}/  (Ctrl-C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
