"""pywb behind our start page: the WSGI application and the HTTP server of `newsarchive serve`.

pywb runs on gevent and monkey-patches the standard library when its front end is imported.
`load_pywb()` does that patching first and explicitly, so the command line calls it before
anything opens a socket; importing this module alone patches nothing and needs no pywb.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs

from archive.serve import banner
from archive.serve.collection import Collection
from archive.serve.errors import PortInUseError, ReplayNotInstalledError, ServeError
from archive.serve.startpage import ArticleEntry, render

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("archive.serve.access")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
START_PATHS = ("/", "/index.html")


def load_pywb() -> None:
    """Patch the standard library for gevent and import pywb, or say how to install it."""
    try:
        from gevent import monkey
    except ImportError as exc:
        raise _import_error(exc) from exc
    monkey.patch_all()
    # pywb's cookie code uses tldextract, which downloads the Public Suffix List on first use
    # unless this is set (read at import): replay must not reach for the web. The snapshot
    # tldextract ships is used instead (as crawler/__init__.py does for Scrapy).
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    try:
        import pywb.apps.frontendapp  # noqa: F401
    except ImportError as exc:
        raise _import_error(exc) from exc


def _import_error(exc: ImportError) -> ServeError:
    if (exc.name or "").split(".")[0] in ("gevent", "pywb"):
        return ReplayNotInstalledError(str(exc))
    # Installed, but something it imports is missing: pywb 2.10 imports `cgi`, which
    # Python 3.13 removed.
    return ServeError(f"pywb is installed but cannot be imported on this Python: {exc}")


class StartPageApp:
    """WSGI: the start page at `/`, everything else to pywb."""

    def __init__(
        self,
        replay: WSGIApp,
        articles: Sequence[ArticleEntry],
        collection: str,
        archive_name: str = "",
    ) -> None:
        self.replay = replay
        self.articles = articles
        self.collection = collection
        self.archive_name = archive_name

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        if environ.get("PATH_INFO", "") not in START_PATHS:
            return self.replay(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD")])
            return [b""]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        try:
            page = int(query.get("page", ["1"])[0])
        except ValueError:
            page = 1
        body = render(
            self.articles, self.collection, page=page, archive_name=self.archive_name
        ).encode("utf-8")
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-cache"),
            ],
        )
        return [body] if method == "GET" else [b""]


def make_app(collection: Collection, articles: Sequence[ArticleEntry]) -> StartPageApp:
    """pywb's front end over `collection`, behind the start page listing `articles`."""
    load_pywb()
    from gevent.pywsgi import LoggingLogAdapter
    from pywb.apps.frontendapp import FrontEndApp

    # pywb looks for ./config.yaml, templates/ and static/ in the working directory and for a
    # config file named by $PYWB_CONFIG_FILE: run it in the collection's own directory, with
    # only our configuration, whatever directory the command was started from.
    os.environ.pop("PYWB_CONFIG_FILE", None)
    os.chdir(collection.state_dir)
    banner.install(collection.state_dir)
    replay = FrontEndApp(
        config_file=str(collection.state_dir / "config.yaml"),
        custom_config=collection.pywb_config(),
    )
    if collection.name not in replay.warcserver.fixed_routes:
        raise ServeError(f"pywb did not load the collection in {collection.state_dir}")
    # pywb talks to its own WARC server over loopback; its request lines are noise.
    replay.warcserver_server.server.log = LoggingLogAdapter(
        logging.getLogger("archive.serve.warcserver"), logging.DEBUG
    )
    name = collection.title or collection.out.name
    return StartPageApp(replay, articles, collection.name, archive_name=name)


class ReplayServer:
    """A listening socket on `host:port` (0 picks a free port) and the WSGI server on it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8080) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            self.socket = socket.create_server((host, port), family=family)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(host, port) from exc
            raise ServeError(f"cannot listen on {host} port {port}: {exc}") from exc
        self.host = host
        self.port: int = self.socket.getsockname()[1]
        self._server: Any = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self, app: WSGIApp) -> None:
        """Serve until `stop()` (SIGTERM calls it) or Ctrl-C."""
        import signal

        import gevent
        from gevent.pywsgi import LoggingLogAdapter, WSGIServer
        from pywb.utils.geventserver import RequestURIWSGIHandler

        self._server = WSGIServer(
            self.socket,
            app,
            handler_class=RequestURIWSGIHandler,
            log=LoggingLogAdapter(access_logger, logging.INFO),
            error_log=LoggingLogAdapter(logger, logging.ERROR),
        )
        gevent.signal_handler(signal.SIGTERM, self.stop)
        # Ctrl-C is a KeyboardInterrupt in whichever greenlet runs; in the accept loop gevent
        # printed its traceback before passing it on to us. It still reaches the caller (how
        # one stops a server), without the traceback.
        hub = gevent.get_hub()
        hub.NOT_ERROR = (*hub.NOT_ERROR, KeyboardInterrupt)
        self._server.serve_forever()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(timeout=2)
        else:
            self.socket.close()
