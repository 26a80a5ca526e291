"""Shared-crawl benchmark: 1 worker against 2 workers of one crawl, on the same local site.

    python bench/distributed.py [--pages 1500] [--workers 2] [--concurrency 8]
                                [--latency 150] [--requisites] [--json]

What it does, in order:

1. generates the N-page news site of `bench/crawl.py` and serves it with the same private
   nginx on 127.0.0.1, twice: on **loopback**, as fast as nginx answers (the crawlers' CPU
   is the limit), then as a **far site**, behind a delay line (`bench/delayline.py`) that
   delivers every byte of nginx's answers `--latency` ms late, as a server across an ocean
   answers: the crawlers wait on the network, as they do on the web;
2. starts a redis-server (the frontier) and a PostgreSQL cluster (the catalog) on
   127.0.0.1, as the tests do (`tests/scale/servers.py`);
3. runs `newsarchive crawl URL --out DIR --frontier redis://… --catalog postgresql://…`
   with 1 worker, then with `--workers` workers started together into one DIR (a fresh
   database each time), and an ordinary single-process crawl (no frontier, SQLite) for
   reference, each with `--concurrency` requests in flight per worker (per process, as
   Scrapy's CONCURRENT_REQUESTS_PER_DOMAIN is);
4. prints HTML pages/s of each: the HTML pages all workers parsed over the longest
   worker's Scrapy elapsed time (spider open to close, start-up left out), the pages each
   worker parsed (their sum is the site's page count when each page was fetched once), and
   the speed-up of N workers over 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from crawl import (  # noqa: E402 - bench/crawl.py, beside this file
    RunResult,
    crawl_settings,
    generate_site,
    newsarchive_command,
    nginx_server,
    run_measured,
)
from delayline import delay_line  # noqa: E402 - beside this file

from tests.scale.servers import postgres_server, redis_server  # noqa: E402


def _database(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


def run_workers(
    n: int,
    base: str,
    workdir: Path,
    settings: dict[str, str],
    *,
    frontier: str | None,
    catalog: str | None,
    requisites: bool,
    tag: str,
) -> list[RunResult]:
    """`n` crawl processes of one crawl, started together; their results."""
    out = workdir / f"out-{tag}"
    cmd = [*newsarchive_command(), "crawl", base + "/", "--out", str(out)]
    if frontier:
        cmd += ["--frontier", frontier, "--catalog", str(catalog)]
    if not requisites:
        cmd.append("--no-requisites")
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    results: list[RunResult | None] = [None] * n

    def one(i: int) -> None:
        results[i] = run_measured(f"worker {i + 1}", cmd, workdir / f"{tag}-{i}.log", cwd=REPO)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [r for r in results if r is not None]
    for result in done:
        if result.returncode != 0:
            tail = result.log.read_text(errors="replace")[-3000:] if result.log else ""
            raise SystemExit(f"{tag}: {result.name} exited {result.returncode}\n{tail}")
    return done


def summarise(results: list[RunResult]) -> dict[str, float]:
    html = sum(r.html_pages for r in results)
    elapsed = max(r.elapsed_s for r in results)
    responses = sum(r.responses for r in results)
    return {
        "workers": len(results),
        "html_pages": html,
        "responses": responses,
        "elapsed_s": round(elapsed, 2),
        "pages_per_s": round(html / elapsed, 1) if elapsed else 0.0,
        "cpu_s": round(sum(r.cpu_s for r in results), 1),
        "per_worker_html": [int(r.html_pages) for r in results],
    }


def measure(
    args: argparse.Namespace, workdir: Path, site_root: Path, *, latency_ms: int, tag: str
) -> dict[str, object]:
    """Plain crawl, 1 worker and `args.workers` workers of the site, `latency_ms` away."""
    settings = crawl_settings(args.concurrency)
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(nginx_server(site_root, workdir / tag))
        if latency_ms:
            port = stack.enter_context(delay_line(int(base.rsplit(":", 1)[1]), latency_ms / 1000))
            base = f"http://127.0.0.1:{port}"
        redis_url = stack.enter_context(redis_server())
        pg_url = stack.enter_context(postgres_server())
        common = {"settings": settings, "requisites": args.requisites}
        plain = run_workers(
            1, base, workdir, frontier=None, catalog=None, tag=f"{tag}-plain", **common
        )
        one = run_workers(
            1,
            base,
            workdir,
            frontier=redis_url,
            catalog=_database(pg_url, "one"),
            tag=f"{tag}-one",
            **common,
        )
        many = run_workers(
            args.workers,
            base,
            workdir,
            frontier=redis_url,
            catalog=_database(pg_url, "many"),
            tag=f"{tag}-many",
            **common,
        )
    figures: dict[str, object] = {
        "latency_ms": latency_ms,
        "plain": summarise(plain),
        "frontier_1": summarise(one),
        f"frontier_{args.workers}": summarise(many),
    }
    one_rate = figures["frontier_1"]["pages_per_s"]  # type: ignore[index]
    many_rate = figures[f"frontier_{args.workers}"]["pages_per_s"]  # type: ignore[index]
    figures["speedup"] = round(many_rate / max(one_rate, 1e-9), 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="requests in flight per worker (Scrapy's per-domain default: 8)",
    )
    parser.add_argument(
        "--latency",
        type=int,
        default=150,
        metavar="MS",
        help="how late the far site's answers arrive (0: loopback only)",
    )
    parser.add_argument("--requisites", action="store_true", help="fetch page requisites too")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        workdir = Path(tmp)
        site = generate_site(workdir / "site", args.pages)
        runs = {"loopback": measure(args, workdir, site.root, latency_ms=0, tag="loopback")}
        if args.latency:
            runs["far"] = measure(args, workdir, site.root, latency_ms=args.latency, tag="far")
    if args.json:
        print(json.dumps({"site_pages": site.pages, **runs}, indent=2))
        return 0
    print(f"site: {site.pages} pages, {args.concurrency} requests in flight per worker")
    for name, figures in runs.items():
        served = (
            "loopback, as fast as nginx answers"
            if not figures["latency_ms"]
            else (f"far site, answers {figures['latency_ms']} ms late")
        )
        print(f"{name} ({served}):")
        for key in ("plain", "frontier_1", f"frontier_{args.workers}"):
            f = figures[key]
            print(
                f"  {key:<12} {f['pages_per_s']:>7.1f} HTML pages/s  ({int(f['html_pages'])} "
                f"pages in {f['elapsed_s']} s, {f['cpu_s']} CPU s, per worker "
                f"{f['per_worker_html']})"
            )
        print(f"  speed-up of {args.workers} workers over 1: {figures['speedup']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
