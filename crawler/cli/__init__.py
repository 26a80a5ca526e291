"""The `newsarchive` command: one entry point, one module per subcommand.

Every module of this package that defines `add_parser(subparsers)` is a subcommand; its
parser sets `run` (a function of the parsed arguments returning the exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from crawler import __version__

# Order of the commands in `newsarchive --help`; modules not listed come after, by name.
ORDER = (
    "crawl",
    "demo",
    "schedule",
    "runs",
    "catalog",
    "extract",
    "replay",
    "index",
    "show",
    "serve",
    "wacz",
    "export",
)


def say(command: str, message: str) -> None:
    """`newsarchive COMMAND: MESSAGE` on stderr: how every command speaks outside its output."""
    print(f"newsarchive {command}: {message}", file=sys.stderr)


def fail(command: str, message: str, code: int) -> int:
    """`say` what went wrong; returns `code`, the exit status (2: usage, 1: failure)."""
    say(command, message)
    return code


def human_bytes(size: int | None) -> str:
    """`912.3 KB`, `2.3 MB` (powers of 1000, as file managers show them); `-` for none."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def stdout_closed() -> int:
    """The reader of stdout went away (head, less, jq): not an error of ours. Stdout is
    pointed at /dev/null so that the flush at exit does not fail again; returns 0."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _command_modules() -> list:
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    names.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return [m for m in modules if hasattr(m, "add_parser")]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Crawl news sites into WARC 1.1 archives and clean article JSON.",
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _command_modules():
        module.add_parser(subparsers)
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
