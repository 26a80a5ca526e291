"""Crawl benchmark: newsarchive against a bare Scrapy link follower, on the same local site.

    python bench/crawl.py [--pages 2000] [--repeat 1] [--keep] [--concurrency 32]

What it does, in order:

1. generates an N-page news site (home page, 4 section fronts, N-5 article pages of 20-60 KB
   with the boilerplate of a real news page; every article links to its neighbours and to a
   few random others, so a link follower starting at the home page reaches every page);
2. serves it with nginx (Debian package; installed with apt-get when missing) from a temporary
   nginx.conf on 127.0.0.1 and a free port, ``gzip on`` (with pre-compressed ``.gz`` files so
   compression costs nginx nothing: the server must not be the bottleneck);
3. runs, each in its own subprocess and with the same concurrency settings,
   (a) a bare ``scrapy.Spider`` that only follows links with ``LinkExtractor``, and
   (b) ``newsarchive crawl URL --out DIR`` (WARC capture + extraction + article JSON);
4. prints pages/s of both, the ratio newsarchive/bare, peak RSS, CPU time, WARC bytes and
   articles written. With ``--repeat K`` each side runs K times (alternating) and medians are
   printed.

Pages/s is Scrapy's own ``downloader/response_count`` over ``elapsed_time_seconds`` (spider
open to close), so interpreter start-up is left out; the wall time of each subprocess is shown
as well. Peak RSS is given two ways: the largest single process (``wait4`` rusage) and the
peak sum over the process tree, sampled from /proc (newsarchive extracts in worker processes).

The bare spider is this same file run as ``python bench/crawl.py _bare URL``: it uses Scrapy's
default settings and never loads the project's settings module.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("news", "politics", "business", "culture")


def crawl_settings(concurrency: int) -> dict[str, str]:
    """Scrapy settings given to both sides (newsarchive via ``-s``): loopback benchmark values.

    CONCURRENT_REQUESTS_PER_DOMAIN defaults to 8 and would cap a one-site crawl whatever
    CONCURRENT_REQUESTS says, so both are raised.
    """
    return {
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "LOG_LEVEL": "INFO",
    }


# --------------------------------------------------------------------------------------------
# 1. The generated site
# --------------------------------------------------------------------------------------------

WORDS = """
the harbour council town said would new year people its last which from their after been
more than about has have over when they were two three first week residents plan local
many could this also those some into other because while where made years since school
budget road bridge quay boats fishing market shop street business workers families housing
homes community festival music museum library ferry island coast weather storm tide lifeboat
crew volunteers project money cost million pounds jobs trade visitors summer winter spring
autumn evening morning night meeting vote members report public service services plans
building work repairs engineers traffic parking buses station railway hospital doctors
children pupils teachers college young older share group groups chair director manager
owner company firm investment growth prices rents energy power solar turbine water sea wall
flooding rain wind beach cliffs path walkers dogs park gardens trees fields farm farmers
north south east west old centre high ward county government minister office councillor
leader opposition committee decision consultation proposal scheme fund grant support
""".split()

FIRST = "Alys Bram Cerys Dafydd Elin Ffion Gethin Hywel Ifan Jory Kenza Lowen Morwen Nerys".split()
LAST = "Annear Bolitho Carne Dunstan Eddy Freathy Gilbert Hocking Jago Kitto Lanyon Nance".split()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(9, 26))
    words[0] = words[0].capitalize()
    if rng.random() < 0.25:
        words.insert(rng.randint(1, len(words) - 1), f"{rng.choice(FIRST)} {rng.choice(LAST)}")
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words) - 1), f"£{rng.randint(2, 900)},000")
    return " ".join(words) + rng.choice(".....?")


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))


@dataclass(frozen=True)
class SitePage:
    index: int
    path: str
    title: str
    section: str
    published: datetime


def _site_plan(n_articles: int, rng: random.Random) -> list[SitePage]:
    start = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    pages = []
    for i in range(n_articles):
        published = start - timedelta(minutes=37 * i + rng.randint(0, 30))
        section = SECTIONS[i % len(SECTIONS)]
        words = rng.sample(WORDS, 4)
        slug = "-".join(words) + f"-{i}"
        title = " ".join(words).capitalize() + f", report {i}"
        path = f"/{section}/{published:%Y/%m/%d}/{slug}.html"
        pages.append(SitePage(i, path, title, section, published))
    return pages


def _head(title: str, description: str, path: str, extra: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} | The Bench Courier</title>
<meta name="description" content="{html.escape(description)}">
<link rel="canonical" href="{path}">
<link rel="stylesheet" href="/static/site.css">
<meta property="og:site_name" content="The Bench Courier">
{extra}<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}
gtag('js',new Date());gtag('config','G-BENCH0000',{{anonymize_ip:true,page_path:'{path}'}});
</script>
</head>
"""


_NAV = "\n".join(
    [
        '<body><a class="skip" href="#main">Skip to content</a>',
        '<div class="cookie-banner"><p>We use cookies to improve your experience. '
        '<button class="accept">Accept all</button> <button class="reject">Reject</button>'
        "</p></div>",
        '<header class="site-header"><a class="logo" href="/">The Bench Courier</a>',
        '<nav class="main-nav" aria-label="Sections"><ul><li><a href="/">Home</a></li>',
        *[f'<li><a href="/{s}/">{s.capitalize()}</a></li>' for s in SECTIONS],
        "</ul></nav>",
        '<ul class="mega-menu">',
        *[
            f'<li><a href="https://{s}.partner.example.net/{w}">{w.capitalize()} {s}</a></li>'
            for s in ("jobs", "homes", "motors", "dating")
            for w in ("north", "south", "east", "west", "deals", "guides")
        ],
        "</ul></header>",
        '<div class="ad-slot ad-leaderboard"><span class="ad-label">Advertisement</span>'
        '<div class="ad" data-unit="top">Local businesses: advertise here from £25 a week.'
        "</div></div>",
    ]
)

_FOOTER = "\n".join(
    [
        '<footer class="site-footer"><nav><ul>',
        *[
            f'<li><a href="https://www.example.org/{w}">{w.replace("-", " ").capitalize()}</a></li>'
            for w in (
                "about-us",
                "contact",
                "advertise",
                "careers",
                "privacy-policy",
                "cookie-policy",
                "terms",
                "accessibility",
                "complaints",
                "archive",
                "newsletters",
                "puzzles",
            )
        ],
        "</ul></nav>",
        '<p class="alt-domains">The Bench Courier\'s website can also be accessed at the '
        "following alternate addresses: www.benchcourier.example.org</p>",
        "<p>&copy; 2026 The Bench Courier. Generated for benchmarking.</p></footer>",
        "</body></html>",
    ]
)

_NEWSLETTER = (
    '<aside class="newsletter"><h2>Get our morning briefing</h2><p>The day\'s top stories, '
    'every morning at 7am.</p><form action="https://www.example.org/subscribe" method="post">'
    '<input type="email" name="email"><button>Sign up</button></form></aside>'
)


def _article_html(page: SitePage, pages: list[SitePage], rng: random.Random) -> str:
    n = len(pages)
    target = rng.randint(20_000, 60_000)
    author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    description = _sentence(rng)
    # Neighbours keep every page reachable; random links make the graph shallow.
    linked = [pages[(page.index - 1) % n], pages[(page.index + 1) % n]]
    linked += rng.sample(pages, min(6, n))
    related = "".join(f'<li><a href="{p.path}">{html.escape(p.title)}</a></li>' for p in linked[:5])
    most_read = "".join(
        f'<li><a href="{p.path}">{html.escape(p.title)}</a></li>' for p in pages[:5]
    )
    inline = linked[5:]
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": page.title,
            "datePublished": page.published.isoformat(),
            "author": [{"@type": "Person", "name": author}],
            "articleSection": page.section.capitalize(),
            "publisher": {"@type": "NewsMediaOrganization", "name": "The Bench Courier"},
        }
    )
    extra = (
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{html.escape(page.title)}">\n'
        f'<meta property="article:published_time" content="{page.published.isoformat()}">\n'
        f'<meta property="article:section" content="{page.section.capitalize()}">\n'
        f'<meta name="author" content="{author}">\n'
        f'<script type="application/ld+json">{ld}</script>\n'
    )
    head = _head(page.title, description, page.path, extra)
    top = f"""{_NAV}
<main id="main">
<nav class="breadcrumb"><ol><li><a href="/">Home</a></li>
<li><a href="/{page.section}/">{page.section.capitalize()}</a></li></ol></nav>
<article class="story">
<header><h1>{html.escape(page.title)}</h1><p class="standfirst">{html.escape(description)}</p>
<p class="byline">By <span class="author">{author}</span></p>
<time datetime="{page.published.isoformat()}">{page.published:%d %B %Y, %H:%M}</time></header>
<div class="share"><p>SHARE THIS ARTICLE</p><ul>
<li><a href="https://www.facebook.com/sharer/sharer.php?u={page.path}">Facebook</a></li>
<li><a href="https://x.com/intent/tweet?url={page.path}">X</a></li>
<li><a href="mailto:?body={page.path}">Email</a></li></ul></div>
<figure><img src="/static/img/{page.index}.jpg" alt="" width="1200" height="675">
<figcaption><span class="caption">{html.escape(_sentence(rng))}</span>
<span class="credit">Photo: {rng.choice(FIRST)} {rng.choice(LAST)}</span></figcaption></figure>
<div class="story-body">
"""
    bottom = f"""</div>
</article>
<aside class="related"><h2>Related articles</h2><ul>{related}</ul></aside>
<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>
</main>
{_FOOTER}
"""
    # Story length as on real news pages (the Zyte benchmark's bodies: median ~550 words);
    # the rest of the page weight is what real pages carry around a story: inline script
    # state and site-wide link blocks.
    words_wanted = int(min(2500, max(200, rng.lognormvariate(6.45, 0.5))))
    body: list[str] = []
    words = 0
    while words < words_wanted or len(body) < 4:
        text = html.escape(_paragraph(rng))
        words += text.count(" ") + 1
        if inline and rng.random() < 0.3:
            p = inline.pop()
            text += f' Read more: <a href="{p.path}">{html.escape(p.title)}</a>.'
        para = f"<p>{text}</p>\n"
        if len(body) == 3:
            para += _NEWSLETTER + "\n"
        if len(body) == 6:
            para += '<div class="ad-slot"><span class="ad-label">Advertisement</span></div>\n'
        body.append(para)
    size = len(head) + len(top) + len(bottom) + sum(map(len, body))
    if size < target:
        state = {"page": page.path, "related": [p.path for p in linked],
                 "ads": [_sentence(rng) for _ in range(max(1, (target - size) // 160))]}
        bottom += f"<script>window.__STATE__ = {json.dumps(state)};</script>\n"
    for p in inline:  # links that did not fit in the prose go at the end of the story
        body.append(f'<p>Read more: <a href="{p.path}">{html.escape(p.title)}</a>.</p>\n')
    return head + top + "".join(body) + bottom


def _front_html(path: str, title: str, items: list[SitePage]) -> str:
    teasers = "\n".join(
        f'<article class="teaser"><h3><a href="{p.path}">{html.escape(p.title)}</a></h3>'
        f'<time datetime="{p.published.isoformat()}">{p.published:%d %B}</time></article>'
        for p in items
    )
    head = _head(
        title, f"{title}: the latest stories", path, '<meta property="og:type" content="website">\n'
    )
    main = f'<main id="main"><h1>{html.escape(title)}</h1>\n{teasers}\n</main>'
    return f"{head}{_NAV}\n{main}\n{_FOOTER}\n"


@dataclass(frozen=True)
class GeneratedSite:
    root: Path
    pages: int
    html_bytes: int
    gzip_bytes: int


def generate_site(root: Path, n_pages: int, seed: int = 2026) -> GeneratedSite:
    """Write an ``n_pages``-page site (home + 4 fronts + articles) with ``.gz`` twins."""
    if n_pages < 10:
        raise ValueError("--pages must be at least 10")
    rng = random.Random(seed)
    articles = _site_plan(n_pages - 1 - len(SECTIONS), rng)
    files: dict[str, str] = {"index.html": _front_html("/", "Home", articles[:40])}
    for section in SECTIONS:
        items = [p for p in articles if p.section == section][:30]
        files[f"{section}/index.html"] = _front_html(f"/{section}/", section.capitalize(), items)
    for page in articles:
        files[page.path.lstrip("/")] = _article_html(page, articles, rng)
    html_bytes = gzip_bytes = 0
    for rel, text in files.items():
        data = text.encode("utf-8")
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.with_name(target.name + ".gz").write_bytes(packed)
        html_bytes += len(data)
        gzip_bytes += len(packed)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    _write_requisites(root, articles, rng)
    return GeneratedSite(root, len(files), html_bytes, gzip_bytes)


def _write_requisites(root: Path, articles: list[SitePage], rng: random.Random) -> None:
    """What the pages load: one stylesheet (a background image and a web font in it), and
    each article's own lead image (20-60 KB, as a news site's 1200 px JPEG): requisites
    are one per article plus a few shared ones, as on a news site."""
    static = root / "static"
    (static / "img").mkdir(parents=True, exist_ok=True)
    (static / "fonts").mkdir(exist_ok=True)
    rules = "\n".join(f".c{n} {{ margin: {n % 7}px; padding: {n % 5}px; }}" for n in range(600))
    css = (
        '@font-face { font-family: Courier; src: url("fonts/serif.woff2") format("woff2"); }\n'
        'body { font-family: Courier, Georgia, serif; }\n'
        'header { background: #123 url("img/masthead.png") repeat-x; }\n' + rules + "\n"
    )
    (static / "site.css").write_text(css, encoding="utf-8")
    (static / "site.css.gz").write_bytes(gzip.compress(css.encode(), compresslevel=6, mtime=0))
    (static / "fonts" / "serif.woff2").write_bytes(b"wOF2" + rng.randbytes(30_000))
    (static / "img" / "masthead.png").write_bytes(b"\x89PNG\r\n\x1a\n" + rng.randbytes(2_000))
    for page in articles:
        body = rng.randbytes(rng.randint(20_000, 60_000))
        (static / "img" / f"{page.index}.jpg").write_bytes(b"\xff\xd8\xff\xe0" + body)


# --------------------------------------------------------------------------------------------
# 2. nginx
# --------------------------------------------------------------------------------------------

NGINX_CONF = """\
# Written by bench/crawl.py for one benchmark run.
{user}worker_processes 1;
daemon off;
master_process on;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    access_log off;
    # Most news sites declare the charset in Content-Type. Without it, Scrapy's
    # HttpCompressionMiddleware reads .encoding of the still-compressed response and
    # charset_normalizer guesses over gzip bytes: ~3 ms per page for both crawlers.
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    open_file_cache max=10000 inactive=60s;
    gzip on;
    gzip_static on;
    gzip_vary on;
    gzip_comp_level 5;
    gzip_min_length 256;
    gzip_types text/plain text/css application/xml application/javascript;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        location / {{ try_files $uri $uri/ =404; }}
    }}
}}
"""


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def ensure_nginx() -> str:
    """Path of the nginx binary, installing the Debian package when it is missing."""
    found = find_nginx()
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise SystemExit("nginx is not installed and apt-get is not available: install nginx")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("nginx not found: installing the Debian package (apt-get install nginx) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, apt, "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, apt, "install", "-y", "-qq", "--no-install-recommends", "nginx"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = find_nginx()
    if not found:
        raise SystemExit("apt-get installed nginx but no nginx binary was found")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def nginx_server(root: Path, workdir: Path, nice: int = 0) -> Iterator[str]:
    """Serve ``root`` with a private nginx on 127.0.0.1; yields the base URL, stops it after."""
    binary = ensure_nginx()
    prefix = workdir / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    mime = Path("/etc/nginx/mime.types")
    if not mime.is_file():
        mime = prefix / "mime.types"
        mime.write_text("types { text/html html; text/plain txt; image/jpeg jpg; }\n")
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            # As root, workers would drop to "nobody", who cannot read a 0700 temp dir.
            user="user root;\n" if os.geteuid() == 0 else "",
            prefix=prefix,
            mime_types=mime,
            port=port,
            root=root,
        )
    )
    proc = subprocess.Popen(
        [*_nice(nice), binary, "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=open(prefix / "stderr.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                logs = [prefix / "stderr.log", prefix / "error.log"]
                detail = "".join(p.read_text(errors="replace") for p in logs if p.exists())
                raise SystemExit(f"nginx exited with {proc.returncode}:\n{detail}")
            try:
                with urllib.request.urlopen(base + "/", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("nginx did not answer within 10 s") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful stop of master and worker
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def nginx_version(binary: str) -> str:
    out = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()
    return out.removeprefix("nginx version: ")


# --------------------------------------------------------------------------------------------
# 3. Running the crawlers
# --------------------------------------------------------------------------------------------


def _nice(level: int) -> list[str]:
    """Command prefix running a program at niceness ``level`` (0: unchanged)."""
    return ["nice", "-n", str(level)] if level else []


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids.extend(int(k) for k in fh.read().split())
    return kids


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _cpu_ticks(pid: int) -> int:
    """utime + stime of one process itself (not its children), in clock ticks."""
    with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    return 0


def _tree(pid: int) -> list[int]:
    pids: list[int] = []
    stack = [pid]
    while stack:
        p = stack.pop()
        if p not in pids:
            pids.append(p)
            stack.extend(_children(p))
    return pids


@dataclass
class RunResult:
    name: str
    returncode: int
    wall_s: float
    cpu_s: float
    maxrss_kb: int
    tree_rss_kb: int
    stats: dict[str, float] = field(default_factory=dict)
    warc_bytes: int = 0
    warc_files: int = 0
    articles: int = 0
    log: Path | None = None
    load_before: float = 0.0
    main_cpu_s: float = 0.0  # CPU of the crawl process alone (sampled), without its workers

    @property
    def responses(self) -> float:
        return self.stats.get("downloader/response_count", 0)

    @property
    def elapsed_s(self) -> float:
        return self.stats.get("elapsed_time_seconds") or self.wall_s

    @property
    def html_pages(self) -> float:
        return self.stats.get("bench/html_pages") or self.stats.get("newsarchive/html_pages", 0)

    @property
    def pages_per_s(self) -> float:
        """HTML pages parsed per second: requisites are the cost of a page, not pages."""
        return self.html_pages / self.elapsed_s if self.elapsed_s else 0.0


_STAT = re.compile(r"'([a-z_/0-9A-Z.\-]+)': (\d+(?:\.\d+)?)\b")


def parse_stats(log_text: str) -> dict[str, float]:
    """Numeric values of the last 'Dumping Scrapy stats' block of a Scrapy log."""
    start = log_text.rfind("Dumping Scrapy stats")
    if start < 0:
        return {}
    block = log_text[start : log_text.find("}", start) + 1]
    return {key: float(value) for key, value in _STAT.findall(block)}


def run_measured(name: str, cmd: list[str], log: Path, cwd: Path, nice: int = 0) -> RunResult:
    """Run ``cmd``; wall time, rusage of that child and sampled peak RSS of its process tree."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONHASHSEED"] = "0"
    load_before = os.getloadavg()[0]
    peak = 0
    ticks: dict[int, int] = {}
    stop = threading.Event()
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*_nice(nice), *cmd], stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env
        )

        def sample() -> None:
            nonlocal peak
            while not stop.wait(0.2):
                pids = _tree(proc.pid)
                peak = max(peak, sum(_rss_kb(p) for p in pids))
                for p in pids:
                    ticks[p] = max(ticks.get(p, 0), _cpu_ticks(p))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    return RunResult(
        name=name,
        returncode=proc.returncode,
        wall_s=wall,
        # Worker processes that the crawl process never waits for are missing from its
        # rusage; the per-process samples cover them.
        cpu_s=max(usage.ru_utime + usage.ru_stime, sum(ticks.values()) / os.sysconf("SC_CLK_TCK")),
        maxrss_kb=usage.ru_maxrss,
        tree_rss_kb=peak,
        stats=parse_stats(text),
        log=log,
        load_before=load_before,
        main_cpu_s=ticks.get(proc.pid, 0) / os.sysconf("SC_CLK_TCK"),
    )


def run_bare(
    base: str,
    settings: dict[str, str],
    workdir: Path,
    tag: str,
    nice: int = 0,
    requisites: bool = False,
) -> RunResult:
    cmd = [sys.executable, str(Path(__file__).resolve()), "_bare", base + "/"]
    if requisites:
        cmd.append("--requisites")
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return run_measured("bare scrapy", cmd, workdir / f"bare-{tag}.log", cwd=workdir, nice=nice)


def newsarchive_command() -> list[str]:
    script = Path(sys.executable).with_name("newsarchive")
    return [str(script)] if script.exists() else [sys.executable, "-m", "crawler"]


def run_newsarchive(
    base: str,
    settings: dict[str, str],
    workdir: Path,
    tag: str,
    max_pages: int,
    nice: int = 0,
    requisites: bool = False,
) -> RunResult:
    out = workdir / f"newsarchive-{tag}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [*newsarchive_command(), "crawl", base + "/", "--out", str(out)]
    cmd += ["--max-pages", str(max_pages)]
    if not requisites:
        cmd.append("--no-requisites")
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    log = workdir / f"newsarchive-{tag}.log"
    result = run_measured("newsarchive", cmd, log, cwd=REPO, nice=nice)
    warcs = sorted(out.glob("warc/*.warc.gz"))
    result.warc_files = len(warcs)
    result.warc_bytes = sum(p.stat().st_size for p in warcs)
    result.articles = sum(1 for _ in out.glob("articles/**/*.json"))
    return result


# --------------------------------------------------------------------------------------------
# The bare spider (child process)
# --------------------------------------------------------------------------------------------


_REQUISITES_CSS = (
    "img::attr(src), link[rel=stylesheet]::attr(href), link[rel=icon]::attr(href), "
    "script::attr(src)"
)


def bare_main(argv: list[str]) -> int:
    """``crawl.py _bare URL [-s NAME=VALUE ...]``: the bare link follower, Scrapy defaults."""
    from urllib.parse import urlsplit

    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor

    parser = argparse.ArgumentParser(prog="crawl.py _bare")
    parser.add_argument("url")
    parser.add_argument("--requisites", action="store_true")
    parser.add_argument("-s", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)

    class BareSpider(scrapy.Spider):
        name = "bare"

        def __init__(self, start_url: str, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.start_urls = [start_url]
            # allow_domains is compared with host:port when the URL has a port.
            self.links = LinkExtractor(allow_domains=[urlsplit(start_url).netloc])

        def parse(self, response: Any) -> Iterator[Any]:
            self.crawler.stats.inc_value("bench/html_pages")
            for link in self.links.extract_links(response):
                yield scrapy.Request(link.url, callback=self.parse)
            if args.requisites:  # what the page loads, once each (Scrapy's dupefilter)
                for url in response.css(_REQUISITES_CSS).getall():
                    yield response.follow(url, callback=self.requisite)

        def requisite(self, response: Any) -> Iterator[Any]:
            if b"text/css" in response.headers.get(b"Content-Type", b""):
                for url in re.findall(r"url\(\s*[\"']?([^\"')]+)", response.text):
                    yield response.follow(url, callback=self.requisite)

    settings: dict[str, Any] = {"ROBOTSTXT_OBEY": True, "TELNETCONSOLE_ENABLED": False}
    for item in args.s:
        name, _, value = item.partition("=")
        settings[name] = value
    process = CrawlerProcess(settings)
    process.crawl(BareSpider, start_url=args.url)
    process.start()
    return 0


# --------------------------------------------------------------------------------------------
# 4. Report
# --------------------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def report(bare: list[RunResult], news: list[RunResult]) -> str:
    def col(results: list[RunResult], fn: Any, fmt: str) -> str:
        if not results:
            return "-"
        return fmt.format(_median([fn(r) for r in results]))

    rows = [
        ("responses", lambda r: r.responses, "{:,.0f}"),
        (
            "HTML pages parsed",
            lambda r: r.stats.get("bench/html_pages") or r.stats.get("newsarchive/html_pages", 0),
            "{:,.0f}",
        ),
        ("crawl time (s)", lambda r: r.elapsed_s, "{:.1f}"),
        ("HTML pages/s", lambda r: r.pages_per_s, "{:.1f}"),
        ("wall time incl. start-up (s)", lambda r: r.wall_s, "{:.1f}"),
        ("CPU user+sys (s)", lambda r: r.cpu_s, "{:.1f}"),
        ("CPU ms per response", lambda r: 1000 * r.cpu_s / max(r.responses, 1), "{:.1f}"),
        (
            "  of it in the crawl process",
            lambda r: 1000 * r.main_cpu_s / max(r.responses, 1),
            "{:.1f}",
        ),
        (
            "CPU-bound pages/s (est.)",
            lambda r: r.responses / r.main_cpu_s if r.main_cpu_s else 0.0,
            "{:.0f}",
        ),
        ("peak RSS, largest process", lambda r: r.maxrss_kb / 1024, "{:.0f} MB"),
        ("peak RSS, process tree", lambda r: r.tree_rss_kb / 1024, "{:.0f} MB"),
    ]
    width = 30
    lines = [f"{'':<{width}}{'bare scrapy':>16}{'newsarchive':>16}"]
    for label, fn, fmt in rows:
        lines.append(f"{label:<{width}}{col(bare, fn, fmt):>16}{col(news, fn, fmt):>16}")
    if news:
        warc = (
            col(news, lambda r: r.warc_files, "{:.0f}")
            + " / "
            + col(news, lambda r: r.warc_bytes / 1e6, "{:.1f} MB")
        )
        lines.append(f"{'WARC files / bytes':<{width}}{'-':>16}{warc:>16}")
        lines.append(
            f"{'articles written':<{width}}{'-':>16}"
            f"{col(news, lambda r: r.articles, '{:,.0f}'):>16}"
        )
    if bare and news:
        ratio = _median([r.pages_per_s for r in news]) / max(
            _median([r.pages_per_s for r in bare]), 1e-9
        )
        verdict = "meets" if ratio >= 0.6 else "below"
        lines.append("")
        lines.append(
            f"ratio newsarchive/bare HTML pages/s: {ratio:.2f}x ({verdict} the 0.6x target)"
        )

        def bound(r: RunResult) -> float:
            return r.responses / r.main_cpu_s if r.main_cpu_s else 0.0

        cpu_ratio = _median([bound(r) for r in news]) / max(_median([bound(r) for r in bare]), 1e-9)
        lines.append(
            f"ratio of CPU-bound estimates: {cpu_ratio:.2f}x (each crawl process on a core of "
            "its own, extraction on another)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_bare"]:
        return bare_main(argv[1:])
    parser = argparse.ArgumentParser(
        description="Benchmark newsarchive crawl against a bare Scrapy link follower."
    )
    parser.add_argument("--pages", type=int, default=2000, help="pages in the site (2000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per side; medians shown")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=32,
        help="CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN (32)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the site, logs and crawl output (path printed)"
    )
    parser.add_argument("--only", choices=("bare", "newsarchive"), help="run one side only")
    parser.add_argument(
        "--requisites",
        choices=("both", "on", "off"),
        default="both",
        help="crawl with page requisites (both sides fetch the same stylesheets, images and "
        "fonts), without, or both ways (default)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        metavar="N",
        help="run nginx and both crawlers at niceness N; a negative N (root only) shields "
        "the figures from other work on a shared machine",
    )
    parser.add_argument(
        "-s",
        "--set",
        dest="extra",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra Scrapy setting for the newsarchive side only (repeatable), "
        "e.g. -s EXTRACTION_WORKERS=0 to see what a setting costs",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    try:
        t0 = time.perf_counter()
        site = generate_site(workdir / "site", args.pages)
        print(
            f"site: {site.pages} pages, {site.html_bytes / site.pages / 1000:.1f} KB HTML per "
            f"page on average ({site.gzip_bytes / site.pages / 1000:.1f} KB gzipped), "
            f"generated in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        settings = crawl_settings(args.concurrency)
        news_settings = dict(settings)
        for item in args.extra:
            name, sep, value = item.partition("=")
            if not sep or not name:
                parser.error(f"-s expects NAME=VALUE, got {item!r}")
            news_settings[name] = value
        # robots.txt and any feed/sitemap discovery requests are responses too: leave room so
        # the limit never cuts the crawl of the site itself short.
        max_pages = args.pages + 20
        modes = {"both": (False, True), "on": (True,), "off": (False,)}[args.requisites]
        results: dict[bool, tuple[list[RunResult], list[RunResult]]] = {
            mode: ([], []) for mode in modes
        }
        load = os.getloadavg()[0]
        if load > 0.5:
            print(
                f"warning: load average is {load:.2f} before the benchmark: other processes "
                f"compete for the {os.cpu_count()} CPUs and the figures will be noisy",
                flush=True,
            )
        with nginx_server(site.root, workdir, args.nice) as base:
            print(f"{nginx_version(ensure_nginx())} serving at {base}/ (gzip on)")
            print(f"settings: {' '.join(f'{k}={v}' for k, v in settings.items())}", flush=True)
            if args.extra:
                print(f"newsarchive only: {' '.join(args.extra)}", flush=True)
            if args.nice:
                print(f"nginx and the crawlers run at niceness {args.nice}", flush=True)
            for i in range(args.repeat):
                for mode in modes:
                    bare, news = results[mode]
                    tag = f"{i + 1}{'-requisites' if mode else ''}"
                    if args.only != "newsarchive":
                        res = run_bare(base, settings, workdir, tag, args.nice, mode)
                        _check(res)
                        bare.append(res)
                        _progress(tag, res)
                    if args.only != "bare":
                        res = run_newsarchive(
                            base, news_settings, workdir, tag, max_pages, args.nice, mode
                        )
                        _check(res)
                        news.append(res)
                        _progress(tag, res)
                        if i + 1 < args.repeat and not args.keep:
                            shutil.rmtree(workdir / f"newsarchive-{tag}", ignore_errors=True)
        for mode in modes:
            bare, news = results[mode]
            print()
            print(
                f"Crawl benchmark, {'with' if mode else 'without'} page requisites: "
                f"{site.pages} pages, concurrency {args.concurrency}, "
                f"{args.repeat} run(s) per side, medians; {os.cpu_count()} CPUs"
            )
            print(report(bare, news))
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "pages": site.pages,
                        "concurrency": args.concurrency,
                        "runs": [
                            {**_as_dict(r), "requisites": mode}
                            for mode, (bare, news) in results.items()
                            for r in bare + news
                        ],
                    },
                    indent=2,
                )
            )
        if args.keep:
            print(f"\nkept: {workdir} (site/, nginx/, *.log, newsarchive-*/)")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _progress(tag: str, res: RunResult) -> None:
    print(
        f"  run {tag} {res.name:<12}: {res.responses:,.0f} responses in {res.elapsed_s:.1f} s"
        f" = {res.pages_per_s:.1f} HTML pages/s, {res.cpu_s:.1f} s CPU"
        f" (load average before: {res.load_before:.2f})",
        flush=True,
    )


def _check(result: RunResult) -> None:
    if result.returncode != 0 or not result.stats:
        tail = result.log.read_text(errors="replace")[-3000:] if result.log else ""
        raise SystemExit(
            f"{result.name} failed (exit {result.returncode}); last lines of {result.log}:\n{tail}"
        )


def _as_dict(r: RunResult) -> dict[str, Any]:
    fields = (
        "name",
        "returncode",
        "wall_s",
        "cpu_s",
        "main_cpu_s",
        "maxrss_kb",
        "tree_rss_kb",
        "warc_bytes",
        "warc_files",
        "articles",
        "load_before",
    )
    return {
        **{name: getattr(r, name) for name in fields},
        "responses": r.responses,
        "elapsed_s": r.elapsed_s,
        "pages_per_s": r.pages_per_s,
        "stats": r.stats,
    }


if __name__ == "__main__":
    sys.exit(main())
