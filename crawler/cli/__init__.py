"""The `newsarchive` command: one entry point, one module per subcommand."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from crawler import __version__
from crawler.cli import crawl, demo, extract

COMMANDS = (crawl, demo, extract)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Crawl news sites into WARC 1.1 archives and clean article JSON.",
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("newsarchive: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
