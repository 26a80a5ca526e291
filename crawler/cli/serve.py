"""`newsarchive serve DIR|s3://BUCKET/PREFIX [--port N] [--host ADDR]`: browse an archive,
replayed by pywb.

An archive in a bucket is served without downloading its WARC files: they are indexed as
they stream and pywb reads each record it replays with a ranged GET; only the article
files (the start page) are mirrored into the read cache
(`archive.serve.collection.prepare_remote`).

pywb runs on gevent, which must patch the standard library before anything imports `ssl`,
`socket` users and the like; by the time a subcommand runs, `newsarchive` has imported every
command module (and through them urllib3, ssl ...). So `run` replaces the process with a fresh
interpreter running this module (`python -m crawler.cli.serve`), which patches first.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

from archive.storage import is_remote
from crawler.cli import fail, say

DEFAULT_PORT = 8080


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="browse an archive in a web browser (pywb replay)",
        description=(
            "Serve the archive in DIR with pywb: a start page lists the archived articles, "
            "each linking to its page replayed from the WARC files, never from the live web. "
            "Prints the URL on stdout. Needs the replay extra: pip install 'newsarchive[replay]'."
        ),
    )
    _add_arguments(parser)
    parser.set_defaults(run=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        type=archive_arg,
        metavar="DIR|s3://BUCKET/PREFIX",
        help="a crawl's --out directory or bucket",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no request log, only warnings and errors"
    )


def archive_arg(text: str) -> Path | str:
    """`crawler.cli._remote.archive_arg`, without importing that module (and through it
    threads and the store) before gevent patches the standard library."""
    return text if is_remote(text) else Path(text)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return port


def run(args: argparse.Namespace) -> int:
    """Re-run `serve` in a fresh interpreter (see the module docstring); does not return."""
    # -P: no working directory on sys.path, so a stray `archive.py` there cannot shadow ours.
    argv = [sys.executable, "-P", "-m", __name__, str(args.directory)]
    argv += ["--host", args.host, "--port", str(args.port)] + (["--quiet"] if args.quiet else [])
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)
    return 1  # not reached


def main(argv: list[str] | None = None) -> int:
    """Entry point of the fresh interpreter: patch for gevent, then serve."""
    from archive.serve import ServeError

    parser = argparse.ArgumentParser(prog="newsarchive serve")
    _add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="newsarchive serve: %(message)s",
        stream=sys.stderr,
    )
    from crawler.cli._remote import RemoteArchiveError

    try:
        return _serve(args.directory, args.host, args.port)
    except ServeError as exc:
        return fail("serve", str(exc), 2)
    except RemoteArchiveError as exc:
        return fail("serve", str(exc), exc.code)
    except KeyboardInterrupt:  # before the server was up, e.g. while indexing
        return fail("serve", "interrupted", 130)


def _serve(directory: Path | str, host: str, port: int) -> int:
    from archive.serve.app import ReplayServer, load_pywb, make_app

    load_pywb()  # first: it patches the standard library for gevent
    from archive.layout import WARC_DIR
    from archive.warc.cdxj import unfinished_message, unfinished_warcs

    if isinstance(directory, Path):
        for unfinished in unfinished_warcs(directory / WARC_DIR):
            say("serve", unfinished_message(unfinished))
    from archive.serve.collection import prepare
    from archive.serve.startpage import load_articles

    server = ReplayServer(host, port)
    collection = None
    try:
        collection = prepare(directory) if isinstance(directory, Path) else _remote(directory)
        articles = load_articles(collection.out)
        app = make_app(collection, articles)
        if host not in ("127.0.0.1", "localhost", "::1"):
            logging.warning("listening on %s: other machines can browse this archive", host)
        logging.info(
            "%d articles, %d WARC files from %s; Ctrl-C stops",
            len(articles),
            len(collection.warc_files),
            directory if isinstance(directory, str) else collection.out,
        )
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops a server
            print(server.url, flush=True)
            server.serve_forever(app)
        logging.info("stopped")
        return 0
    finally:
        server.stop()
        if collection is not None:
            collection.cleanup()


def _remote(url: str) -> Any:
    """The collection of an archive in a bucket (after pywb's gevent patching: boto3 and
    the store are imported only now); RemoteArchiveError when it cannot be read."""
    from archive.serve.collection import prepare_remote
    from archive.storage import StorageError
    from crawler.cli._remote import RemoteArchiveError, connect, local_copy

    store = connect(url)
    directory = local_copy("serve", url, warcs=False, store=store)
    try:
        return prepare_remote(store, directory)
    except StorageError as exc:
        raise RemoteArchiveError(str(exc), 1) from exc


if __name__ == "__main__":
    sys.exit(main())
