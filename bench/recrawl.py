"""Recrawl benchmark: what a second, incremental crawl of a site that moved on costs.

    python bench/recrawl.py [--articles 2000] [--page-kb 30] [--keep] [--json FILE]

What it does, in order:

1. generates an N-article `tests.evolving_site.EvolvingSite` (pages padded to ``--page-kb``
   KB, sitemaps with real ``lastmod``, RSS and Atom feeds, section fronts and paginated
   archive pages) in a temporary directory, and writes the copy nginx serves: ``{{BASE}}``
   replaced by the base URL (the port is picked first), a pre-compressed ``.gz`` twin of
   every file (``gzip_static``, as bench/crawl.py does), and the mtimes EvolvingSite set on
   both, since nginx's ``ETag`` and ``Last-Modified`` come from mtime and size;
2. serves it with bench/crawl.py's ``nginx_server`` and config, with two changes: an access
   log (one line a request: method, URI, status, bytes, the validators sent) and no
   ``open_file_cache`` (the served files change between the runs while nginx runs);
3. run 1: ``newsarchive crawl PROFILE.toml --out OUT -s ...`` (bench/crawl.py's
   ``crawl_settings``), timed, with the run's stats (Scrapy's log and ``newsarchive runs
   OUT --json``);
4. ``site.advance()`` (about 5% of the articles edited, 2% added; home page, fronts, archive
   pages, sitemaps and feeds rewritten) and the same files rewritten in the served copy;
5. run 2 into the same OUT, measured the same way;
6. prints run 1 and run 2 side by side with the ratios run2/run1, what run 2 asked nginx for
   (by kind of URL and status), and checks:

   - WARC bytes of run 2 (its new WARC files) at most 10% of run 1's;
   - time of run 2 at most 25% of run 1's, in wall time (the subprocess, interpreter start
     included) and in Scrapy's ``elapsed_time_seconds``; both are checked and shown;
   - every edited article has a new version file (``version`` >= 2) written by run 2;
   - every added article has its first version file (``version`` 1) written by run 2;
   - no unchanged article was requested in run 2 (nginx's access log), and none is in run 2's
     WARC records (warcio).

   Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.evolving_site import Change, EvolvingSite, write_profile  # noqa: E402

BYTES_TARGET = 0.10
TIME_TARGET = 0.25
ACCESS_LOG = "access.log"


def load_crawl_bench() -> ModuleType:
    """bench/crawl.py as a module (its nginx helpers, settings and measuring)."""
    spec = importlib.util.spec_from_file_location("bench_crawl", REPO / "bench" / "crawl.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def configure_nginx(crawl: ModuleType, port: int) -> None:
    """bench/crawl.py's nginx config with an access log and without open_file_cache, on `port`.

    ``nginx_server`` picks its port itself; the served copy needs the base URL before nginx
    starts (nginx_server waits for a 200 on ``/``), so the port is chosen here and handed in.
    The access log shows what run 2 asked for. open_file_cache would go on answering from the
    cached size and mtime of a file for up to 60 s after it was rewritten.
    """
    conf: str = crawl.NGINX_CONF
    log_line = (
        "log_format recrawl '$request_method\\t$request_uri\\t$status\\t$body_bytes_sent"
        "\\t$http_if_none_match\\t$http_if_modified_since';\n"
        "    access_log {prefix}/" + ACCESS_LOG + " recrawl;"
    )
    for old, new in (
        ("access_log off;", log_line),
        ("open_file_cache max=10000 inactive=60s;", "open_file_cache off;"),
    ):
        if old not in conf:
            raise SystemExit(f"bench/crawl.py's NGINX_CONF has no {old!r} any more: update me")
        conf = conf.replace(old, new)
    crawl.NGINX_CONF = conf
    crawl.free_port = lambda: port


# --------------------------------------------------------------------------------------------
# The served copy
# --------------------------------------------------------------------------------------------


def publish(site: EvolvingSite, served: Path, base: str, url_paths: list[str]) -> int:
    """Write `url_paths` of the site into `served` with the base URL in, plus ``.gz`` twins.

    Both files get the source's mtime: nginx derives ``Last-Modified`` and the ``ETag`` (of
    the ``.gz`` twin, which it serves to a crawler accepting gzip) from mtime and size.
    Returns the bytes written (uncompressed).
    """
    total = 0
    for url_path in url_paths:
        source = site.file(url_path)
        target = served / source.relative_to(site.root)
        data = source.read_bytes().replace(b"{{BASE}}", base.encode())
        mtime = source.stat().st_mtime_ns
        target.parent.mkdir(parents=True, exist_ok=True)
        twin = target.with_name(target.name + ".gz")
        target.write_bytes(data)
        twin.write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
        for path in (target, twin):
            os.utime(path, ns=(mtime, mtime))
        total += len(data)
    return total


def all_url_paths(site: EvolvingSite) -> list[str]:
    """Every served file of the site as a URL path (``_profile.toml`` is not served)."""
    paths = []
    for path in sorted(site.root.rglob("*")):
        relative = path.relative_to(site.root).as_posix()
        if path.is_file() and not relative.startswith("_"):
            paths.append("/" + relative.removesuffix("index.html"))
    return paths


# --------------------------------------------------------------------------------------------
# One run and what it left
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    label: str
    returncode: int
    wall_s: float
    cpu_s: float
    load_before: float
    stats: dict[str, float] = field(default_factory=dict)
    catalog_stats: dict[str, Any] = field(default_factory=dict)
    warc_files: list[str] = field(default_factory=list)
    warc_bytes: int = 0
    requests: list[tuple[str, str, int, int]] = field(default_factory=list)  # nginx log

    def stat(self, key: str) -> float:
        value = self.catalog_stats.get(key, self.stats.get(key, 0))
        return float(value or 0)

    @property
    def elapsed_s(self) -> float:
        return self.stat("elapsed_time_seconds") or self.wall_s


def catalog_stats(out: Path) -> dict[str, Any]:
    """The stats of the newest run in OUT's catalog (``newsarchive runs OUT --json``)."""
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "runs", str(out), "--json", "--limit", "1"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    for line in result.stdout.splitlines():
        with_stats = json.loads(line)
        stats = with_stats.get("stats")
        if isinstance(stats, dict):
            return stats
        return {k: v for k, v in with_stats.items() if isinstance(v, int | float)}
    return {}


def read_access_log(path: Path, offset: int) -> tuple[list[tuple[str, str, int, int]], int]:
    """Requests nginx logged after byte `offset`: (method, URI, status, body bytes)."""
    if not path.exists():
        return [], offset
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    rows = []
    for line in data.decode(errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 4:
            rows.append((parts[0], parts[1], int(parts[2]), int(parts[3] or 0)))
    return rows, offset + len(data)


def crawl_once(
    crawl: ModuleType,
    label: str,
    profile: Path,
    out: Path,
    settings: dict[str, str],
    workdir: Path,
    access_log: Path,
    profile_to: Path | None = None,
) -> Run:
    before = set(out.glob("warc/*.warc*"))
    _, offset = read_access_log(access_log, 0)
    python = [sys.executable]
    if profile_to is not None:
        python += ["-m", "cProfile", "-o", str(profile_to.resolve())]
    cmd = [*python, "-m", "crawler", "crawl", str(profile), "--out", str(out)]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    measured = crawl.run_measured(label, cmd, workdir / f"{label}.log", cwd=REPO)
    new = sorted(set(out.glob("warc/*.warc*")) - before)
    requests, _ = read_access_log(access_log, offset)
    return Run(
        label=label,
        returncode=measured.returncode,
        wall_s=measured.wall_s,
        cpu_s=measured.cpu_s,
        load_before=measured.load_before,
        stats=measured.stats,
        catalog_stats=catalog_stats(out),
        warc_files=[p.name for p in new],
        warc_bytes=sum(p.stat().st_size for p in new),
        requests=requests,
    )


def article_files(out: Path) -> dict[Path, dict[str, Any]]:
    """Every article JSON file under OUT/articles: path -> its url, id and version."""
    found = {}
    for path in out.glob("articles/**/*.json"):
        document = json.loads(path.read_bytes())
        found[path] = {
            "url": document.get("url"),
            "canonical_url": document.get("canonical_url"),
            "id": document.get("id"),
            "version": document.get("version", 1),
        }
    return found


def warc_target_paths(out: Path, names: list[str], base: str) -> Counter[tuple[str, str]]:
    """(record type, URL path) of the response/revisit/request records of WARC files."""
    from warcio.archiveiterator import ArchiveIterator

    seen: Counter[tuple[str, str]] = Counter()
    for name in names:
        with open(out / "warc" / name, "rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if uri.startswith(base):
                    seen[(record.rec_type, uri[len(base) :] or "/")] += 1
    return seen


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paths:
    """The article paths of a `Change`, as sets."""

    edited: frozenset[str]
    added: frozenset[str]
    unchanged: frozenset[str]

    @classmethod
    def of(cls, change: Change) -> Paths:
        return cls(frozenset(change.edited), frozenset(change.added), frozenset(change.unchanged))


def kind_of(path: str, paths: Paths) -> str:
    """What a requested URL path is: an article (edited, added, unchanged) or a hub."""
    path = path.split("?", 1)[0]
    if path in paths.edited:
        return "article, edited"
    if path in paths.added:
        return "article, added"
    if path in paths.unchanged:
        return "article, unchanged"
    if path.endswith(".xml"):
        return "sitemap" if "sitemap" in path else "feed"
    if path == "/robots.txt":
        return "robots.txt"
    if "/page/" in path:
        return "archive page"
    if path == "/" or (path.count("/") == 2 and path.endswith("/")):
        return "home / front"
    return "other"


def fmt_bytes(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} KB"


def ratio(a: float, b: float) -> float:
    return b / a if a else float("inf")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, metavar="N")
    parser.add_argument("--page-kb", type=int, default=30, metavar="KB")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--edit-fraction", type=float, default=0.05)
    parser.add_argument("--add-fraction", type=float, default=0.02)
    parser.add_argument(
        "--interval-min",
        type=int,
        default=60,
        metavar="M",
        help="the site time between the runs, in minutes (edits are dated within it)",
    )
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--profile-run2",
        type=Path,
        metavar="FILE",
        help="run run 2 under cProfile, stats to FILE (slows run 2: not for the time check)",
    )
    parser.add_argument("--keep", action="store_true", help="keep site, logs and crawl output")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure to FILE")
    parser.add_argument(
        "-s",
        dest="extra",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra Scrapy setting for both runs",
    )
    args = parser.parse_args(argv)

    crawl = load_crawl_bench()
    port = crawl.free_port()
    base = f"http://127.0.0.1:{port}"
    configure_nginx(crawl, port)
    settings: dict[str, str] = crawl.crawl_settings(args.concurrency)
    for item in args.extra:
        name, _, value = item.partition("=")
        settings[name] = value

    workdir = Path(tempfile.mkdtemp(prefix="newsarchive-recrawl-"))
    try:
        return bench(crawl, args, base, settings, workdir)
    finally:
        if args.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def bench(
    crawl: ModuleType,
    args: argparse.Namespace,
    base: str,
    settings: dict[str, str],
    workdir: Path,
) -> int:
    started = time.perf_counter()
    # The site's clock is the real one: the crawler compares sitemap and feed dates with the
    # time of its own captures (and ignores dates more than a day ahead), so a site dated in
    # the past would have every edit look older than run 1's capture of it.
    site = EvolvingSite(
        workdir / "site",
        args.articles,
        seed=args.seed,
        page_kb=args.page_kb,
        clock=datetime.now(UTC),
        interval=timedelta(minutes=args.interval_min),
    )
    served = workdir / "www"
    size = publish(site, served, base, all_url_paths(site))
    print(
        f"site: {args.articles} articles, {len(all_url_paths(site))} files, {fmt_bytes(size)}"
        f" (generated in {time.perf_counter() - started:.1f} s); {base}",
        flush=True,
    )
    profile = write_profile(workdir / "evolving.toml", base)
    out = workdir / "out"
    access_log = workdir / "nginx" / ACCESS_LOG

    with crawl.nginx_server(served, workdir) as served_base:
        assert served_base == base, (served_base, base)
        print(f"run 1 (load {os.getloadavg()[0]:.2f}) ...", flush=True)
        run1 = crawl_once(crawl, "run1", profile, out, settings, workdir, access_log)
        print(f"  {run1.wall_s:.1f} s wall, exit {run1.returncode}", flush=True)
        files_before = set(article_files(out))

        # The interval starts when run 1 ended: every edit is newer than run 1's captures.
        site.clock = max(
            site.clock, datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        )
        change = site.advance(edit_fraction=args.edit_fraction, add_fraction=args.add_fraction)
        publish(site, served, base, list(change.files))
        print(
            f"advance: {len(change.edited)} edited, {len(change.added)} added, "
            f"{len(change.unchanged)} unchanged; {len(change.files)} files rewritten",
            flush=True,
        )
        time.sleep(1.0)  # a second apart from run 1's Last-Modified
        print(f"run 2 (load {os.getloadavg()[0]:.2f}) ...", flush=True)
        run2 = crawl_once(
            crawl, "run2", profile, out, settings, workdir, access_log, args.profile_run2
        )
        print(f"  {run2.wall_s:.1f} s wall, exit {run2.returncode}", flush=True)

    # Which file of which article run 2 wrote.
    after = article_files(out)
    new_files = {p: d for p, d in after.items() if p not in files_before}
    by_url: dict[str, list[int]] = {}
    for document in new_files.values():
        for key in ("url", "canonical_url"):
            if document.get(key):
                by_url.setdefault(document[key], []).append(int(document["version"]))
                break
    edited_missing = [p for p in change.edited if not any(v >= 2 for v in by_url.get(base + p, []))]
    added_missing = [p for p in change.added if 1 not in by_url.get(base + p, [])]

    # What run 2 requested.
    paths = Paths.of(change)
    kinds: Counter[tuple[str, int]] = Counter()
    kind_bytes: Counter[tuple[str, int]] = Counter()
    for _, uri, status, sent in run2.requests:
        kinds[(kind_of(uri, paths), status)] += 1
        kind_bytes[(kind_of(uri, paths), status)] += sent
    unchanged_requested = sorted(
        {uri for _, uri, _, _ in run2.requests if kind_of(uri, paths) == "article, unchanged"}
    )
    warc2 = warc_target_paths(out, run2.warc_files, base)
    unchanged_in_warc = sorted(
        {path for (_, path) in warc2 if path.split("?", 1)[0] in paths.unchanged}
    )
    warc2_types = Counter(rtype for (rtype, _) in warc2.elements())

    bytes_ratio = ratio(run1.warc_bytes, run2.warc_bytes)
    wall_ratio = ratio(run1.wall_s, run2.wall_s)
    elapsed_ratio = ratio(run1.elapsed_s, run2.elapsed_s)
    checks = [
        Check(
            "crawls exited 0",
            run1.returncode == 0 and run2.returncode == 0,
            f"exit {run1.returncode} / {run2.returncode}",
        ),
        Check(
            f"WARC bytes run2/run1 <= {BYTES_TARGET:.0%}",
            bytes_ratio <= BYTES_TARGET,
            f"{bytes_ratio:.1%}",
        ),
        Check(
            f"wall time run2/run1 <= {TIME_TARGET:.0%}",
            wall_ratio <= TIME_TARGET,
            f"{wall_ratio:.1%}",
        ),
        Check(
            f"elapsed time run2/run1 <= {TIME_TARGET:.0%}",
            elapsed_ratio <= TIME_TARGET,
            f"{elapsed_ratio:.1%}",
        ),
        Check(
            "every edited article has a new version",
            not edited_missing,
            f"{len(change.edited) - len(edited_missing)}/{len(change.edited)}"
            + (f"; missing e.g. {edited_missing[:3]}" if edited_missing else ""),
        ),
        Check(
            "every added article was found",
            not added_missing,
            f"{len(change.added) - len(added_missing)}/{len(change.added)}"
            + (f"; missing e.g. {added_missing[:3]}" if added_missing else ""),
        ),
        Check(
            "no unchanged article requested (nginx log)",
            not unchanged_requested,
            f"{len(unchanged_requested)} of {len(change.unchanged)}"
            + (f", e.g. {unchanged_requested[:3]}" if unchanged_requested else ""),
        ),
        Check(
            "no unchanged article in run 2's WARC",
            not unchanged_in_warc,
            f"{len(unchanged_in_warc)} of {len(change.unchanged)}",
        ),
    ]

    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, a: float, b: float, fmt: Any = "{:,.0f}".format) -> None:
        rows.append((name, fmt(a), fmt(b), f"{ratio(a, b):.1%}" if a else "-"))

    row(
        "requests (downloader/request_count)",
        run1.stat("downloader/request_count"),
        run2.stat("downloader/request_count"),
    )
    row(
        "responses (downloader/response_count)",
        run1.stat("downloader/response_count"),
        run2.stat("downloader/response_count"),
    )
    row("requests nginx logged", len(run1.requests), len(run2.requests))
    row(
        "  answered 304",
        sum(1 for r in run1.requests if r[2] == 304),
        sum(1 for r in run2.requests if r[2] == 304),
    )
    row(
        "body bytes nginx sent",
        sum(r[3] for r in run1.requests),
        sum(r[3] for r in run2.requests),
        fmt_bytes,
    )
    row("WARC bytes (new files)", run1.warc_bytes, run2.warc_bytes, fmt_bytes)
    row("warc/bytes stat", run1.stat("warc/bytes"), run2.stat("warc/bytes"), fmt_bytes)
    row("WARC revisit records", run1.stat("warc/revisits"), run2.stat("warc/revisits"))
    row(
        "articles written (newsarchive/articles)",
        run1.stat("newsarchive/articles"),
        run2.stat("newsarchive/articles"),
    )
    row(
        "of them new versions",
        run1.stat("newsarchive/article_versions"),
        run2.stat("newsarchive/article_versions"),
    )
    row("incremental/skipped", run1.stat("incremental/skipped"), run2.stat("incremental/skipped"))
    row(
        "incremental/conditional",
        run1.stat("incremental/conditional"),
        run2.stat("incremental/conditional"),
    )
    row(
        "incremental/not_modified",
        run1.stat("incremental/not_modified"),
        run2.stat("incremental/not_modified"),
    )
    secs = "{:.2f} s".format
    row("wall time", run1.wall_s, run2.wall_s, secs)
    row("Scrapy elapsed_time_seconds", run1.elapsed_s, run2.elapsed_s, secs)
    row("CPU user+sys (process tree)", run1.cpu_s, run2.cpu_s, secs)
    rows.append(("load average before", f"{run1.load_before:.2f}", f"{run2.load_before:.2f}", ""))

    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'':{width}}  {'run 1':>12}  {'run 2':>12}  {'run2/run1':>9}")
    for name, a, b, r in rows:
        print(f"{name:{width}}  {a:>12}  {b:>12}  {r:>9}")
    print()
    print("run 2 requests by kind (nginx log; body bytes sent, gzip):")
    for (kind, status), n in sorted(kinds.items()):
        print(f"  {kind:<20} {status}  {n:>5}  {fmt_bytes(kind_bytes[(kind, status)]):>10}")
    print("run 2 WARC records: " + ", ".join(f"{t} {n}" for t, n in sorted(warc2_types.items())))
    print()
    for check in checks:
        print(f"{'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")

    if args.json:
        figures = {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "articles": args.articles,
            "page_kb": args.page_kb,
            "settings": settings,
            "change": {
                "edited": len(change.edited),
                "added": len(change.added),
                "unchanged": len(change.unchanged),
                "files": len(change.files),
            },
            "runs": {
                run.label: {
                    **{k: v for k, v in asdict(run).items() if k != "requests"},
                    "elapsed_s": run.elapsed_s,
                    "nginx_requests": len(run.requests),
                    "nginx_304": sum(1 for r in run.requests if r[2] == 304),
                }
                for run in (run1, run2)
            },
            "run2_requests_by_kind": {
                f"{k} {s}": {"requests": n, "body_bytes": kind_bytes[(k, s)]}
                for (k, s), n in sorted(kinds.items())
            },
            "ratios": {"warc_bytes": bytes_ratio, "wall": wall_ratio, "elapsed": elapsed_ratio},
            "checks": [asdict(c) for c in checks],
        }
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
