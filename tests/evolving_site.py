"""A small news site that moves on between two crawls, for recrawl tests and benchmarks.

The bundled test sites are frozen; incremental crawling needs a site that changes the way a
news site does between two visits: a few stories corrected or extended, a few new ones, the
home page, section fronts, archive pages, sitemaps and feeds rewritten — and everything else
byte for byte as it was, with the same ``Last-Modified``. `EvolvingSite` writes such a site
into a directory that `crawler.demo.server.SiteServer` serves (``{{BASE}}`` in absolute URLs,
file mtimes as ``Last-Modified``, content hashes as ETags) and moves it on one interval at a
time with `EvolvingSite.advance`::

    site = EvolvingSite(tmp_path / "site", articles=60)
    with SiteServer(site.root) as server:
        crawl(server.base_url + "/")
        change = site.advance()          # ~5% edited, ~2% added, fronts/feeds/sitemaps rewritten
        crawl(server.base_url + "/")     # change.edited / .added / .unchanged say what to expect

Layout (``S`` is a section; every article is reachable by links from the home page):

* ``/`` — the latest 20 articles; ``/S/`` — the section's latest 30; ``/S/page/N/`` (N >= 2)
  — the older ones, 50 a page, newest first, linked from the front and from each other;
* ``/S/YYYY/MM/DD/slug.html`` — an article: ``og:type`` article, JSON-LD ``NewsArticle``, a
  byline, 5-12 paragraphs of generated prose, and the usual furniture (navigation, a "SHARE
  THIS ARTICLE" bar, related links to older stories, a footer);
* ``/robots.txt`` (with ``Sitemap:``), ``/sitemap.xml`` (an index) of
  ``/sitemap-articles.xml`` (every article, ``lastmod`` = its last change) and
  ``/news-sitemap.xml`` (Google News: the site clock's last two days), ``/feed.xml`` (RSS 2.0)
  and ``/atom.xml`` (Atom), the latest 50 each;
* ``_profile.toml`` — a site profile for the crawler (never served: its name starts with ``_``).

Everything is deterministic from ``seed``: the text, the times and therefore the mtimes. An
article page depends only on the article itself and on older articles' titles, so it changes
only when the article is edited. This module needs the standard library only: benchmark
scripts import it with the repository root on ``sys.path``.
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import json
import os
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.demo.server import SiteServer

__all__ = [
    "DEFAULT_CLOCK",
    "PUBLICATION",
    "Change",
    "EvolvingSite",
    "SiteArticle",
    "profile_toml",
    "write_profile",
]

PUBLICATION = "The Elmsford Courier"
BASE = "{{BASE}}"
#: The site's "now" when none is given: a fixed time, so that a seed gives the same bytes.
DEFAULT_CLOCK = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
HOME_LATEST = 20
FRONT_LATEST = 30
ARCHIVE_PAGE_SIZE = 50
FEED_SIZE = 50
NEWS_SITEMAP_WINDOW = timedelta(days=2)
ARTICLES_PER_DAY = 8  # how densely the initial archive is spread back from the clock

PROFILE_TEMPLATE = """\
# A generated, evolving news site (tests/evolving_site.py); {{BASE}} is its server's base URL.
name = "evolving"
start_urls = ["{{BASE}}/"]
allowed_domains = ["127.0.0.1"]
feeds = ["{{BASE}}/feed.xml", "{{BASE}}/atom.xml"]
sitemaps = ["{{BASE}}/sitemap.xml"]
article_patterns = ['^https?://[^/]+/(SECTIONS)/\\d{4}/\\d{2}/\\d{2}/[a-z0-9-]+\\.html$']
deny_patterns = ['/search']
"""


def profile_toml(
    base_url: str, sections: Sequence[str] = ("news", "politics", "business", "culture")
) -> str:
    """The site profile with ``{{BASE}}`` replaced by `base_url` (``http://127.0.0.1:PORT``)."""
    return _profile_text(sections).replace(BASE, base_url.rstrip("/"))


def write_profile(
    path: str | os.PathLike[str],
    base_url: str,
    sections: Sequence[str] = ("news", "politics", "business", "culture"),
) -> Path:
    """Write `profile_toml` to `path` (for ``newsarchive crawl PATH``); returns the path."""
    target = Path(path)
    target.write_text(profile_toml(base_url, sections), encoding="utf-8")
    return target


def _profile_text(sections: Sequence[str]) -> str:
    return PROFILE_TEMPLATE.replace("SECTIONS", "|".join(re.escape(s) for s in sections))


# -- what the site is made of ---------------------------------------------------------------


@dataclass
class SiteArticle:
    """One story. Its URL never changes; an edit changes its text and `modified` only."""

    section: str
    slug: str
    title: str
    standfirst: str
    author: str
    tags: tuple[str, ...]
    published: datetime
    modified: datetime
    paragraphs: list[str]
    related: tuple[str, ...] = ()  # paths of older stories of the section: stable links

    @property
    def path(self) -> str:
        """The URL path, e.g. ``/news/2026/11/30/harbour-bridge-reopens.html``."""
        return f"/{self.section}/{self.published:%Y/%m/%d}/{self.slug}.html"


@dataclass(frozen=True)
class Change:
    """What one `EvolvingSite.advance` (or `touch_unchanged`) did, as URL paths."""

    interval: int  # 1 for the first advance
    clock: datetime  # the site's time after it
    edited: tuple[str, ...] = ()  # articles whose content changed
    added: tuple[str, ...] = ()  # new articles
    unchanged: tuple[str, ...] = ()  # articles that existed before: bytes and mtime kept
    touched: tuple[str, ...] = ()  # same bytes, a newer mtime (Last-Modified moves, not ETag)
    files: tuple[str, ...] = ()  # every URL path whose file was (re)written


# -- the words the prose is made of ---------------------------------------------------------


def _lines(text: str) -> tuple[str, ...]:
    """One entry a line: word lists stay compact and readable (the formatter leaves them)."""
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split("|") if item.strip())


FIRST = _items("""
    Amara | Bernard | Chiara | Dmitri | Elena | Farid | Greta | Hamish | Ines | Jonas | Keziah |
    Lorcan | Maren | Nikhil | Odile | Pavel | Quentin | Rosalind | Soren | Talia | Ulric |
    Vesna | Wendell | Yusuf | Zofia
""")
LAST = _items("""
    Abernethy | Brightwell | Castellano | Dunmore | Eklund | Fairweather | Galloway |
    Hargreaves | Ibarra | Jessop | Kowalczyk | Lindqvist | Moravec | Nwosu | Okafor |
    Pemberton | Quayle | Rahman | Strand | Thorne | Underhill | Varga | Whitcombe
""")
ROLES = _items("""
    a councillor for the east ward | the council's finance lead | a local business owner |
    the chair of the residents' association | a spokesperson for the county |
    a senior lecturer at Elmsford College | the head of the chamber of commerce |
    a nurse at St Brigid's Hospital | the director of the Riverside Theatre |
    a union representative | an independent planning consultant | the harbourmaster
""")
PLACES = _items("""
    Elmsford | the old market square | Mill Lane | the riverside estate | Kingsbridge |
    the north quay | Ashcombe | the station car park | Fenwick Road | Lower Town |
    the industrial park | Hollowmere | the high street | St Anne's ward
""")
ORGS = _items("""
    Elmsford Borough Council | the county transport authority | the river trust |
    the regional health board | the Elmsford Traders' Guild | the fire and rescue service |
    the planning inspectorate | the college governors | the harbour commissioners |
    the arts council | the police and crime panel | the water company
""")
TOPICS = {
    "news": _items("""
        flood defences | the bus timetable | a burst water main | the new footbridge |
        school places | the hospital car park | street lighting | the recycling centre |
        a road closure | the lifeboat station | air quality readings | the ferry service
    """),
    "politics": _items("""
        the budget | council tax | the local plan | the by-election | ward boundaries |
        the housing strategy | a motion of no confidence | the parking review |
        the mayoral referendum | the devolution deal | the audit report | the cabinet
    """),
    "business": _items("""
        the shopping centre | the brewery expansion | rents on the high street |
        the market traders | a software start-up | the boatyard | the bakery chain |
        the logistics depot | tourist numbers | the new supermarket | energy bills |
        the credit union
    """),
    "culture": _items("""
        the spring festival | the restored cinema | the library's archive | the choir |
        a new exhibition | the poetry prize | the folk weekend | the museum's collection |
        the community orchestra | the street art trail | the theatre season | the book fair
    """),
}
TAGS = {
    "news": _items("Transport | Health | Weather | Schools | Environment | Emergency services"),
    "politics": _items("Council | Elections | Housing | Planning | Budget | Devolution"),
    "business": _items("Retail | Jobs | Tourism | Energy | Start-ups | High street"),
    "culture": _items("Music | Film | Books | Theatre | Art | Heritage"),
}
HEAD_VERBS = _items("""
    faces fresh delay | wins backing | is put on hold | gets the go-ahead | draws criticism |
    is back on the agenda | costs more than planned | is cut back | returns after a decade |
    splits opinion | is to be reviewed | could be scrapped | passes a milestone |
    sparks protest | is saved at the last minute | wins national award
""")
NUMBERS = _items("two | three | four | five | six | eight | ten | twelve | fifteen | forty")
AMOUNTS = _items("£250,000 | £1.2 million | £4.8 million | £75,000 | £310,000 | £2.6 million")
WHEN = _items("""
    on Monday | on Tuesday evening | last week | earlier this month | on Thursday |
    at the weekend | this morning | late on Friday | in the spring | before Christmas
""")
SENTENCES = _lines("""
    {Topic} was discussed at length by {org} {when}; a decision is expected within {n} weeks.
    {person}, {role}, said residents had waited far too long for a clear answer on {topic}.
    "We have listened to people in {place}, and this is the right balance," said {person}, {role}.
    The proposals would cost around {amount}, according to figures published by {org} {when}.
    Critics note that a similar scheme in {place} was dropped {n} years ago as costs rose sharply.
    {org} said it had received more than {n} hundred responses to its consultation on {topic}.
    Not everyone is convinced. {person}, {role}, warned that the plans for {topic} were vague.
    Figures seen by the Courier suggest demand in {place} has grown by a third over {n} years.
    A report to {org} calls {topic} "a pressing concern" and asks for more work before spending.
    Those living near {place} have been asked to share their views before the end of the month.
    {person} called the timetable ambitious but achievable, if funding of {amount} is confirmed.
    The issue of {topic} is expected to come up again when {org} meets {when}.
    Officers will publish a full breakdown of the {amount} budget once contracts are signed.
    In {place}, opinion is divided: some welcome the attention to {topic}, others say it is late.
    "It is not a question of whether, but of when," {person} told a packed meeting in {place}.
    The last comparable project, finished {n} years ago, came in on time and slightly under budget.
    Campaigners plan to hand in a petition about {topic} signed by {n} hundred people {when}.
    {org} has promised a drop-in session in {place} to answer questions about {topic} in person.
    Analysis commissioned by {org} put the long-term saving at {amount} over {n} years.
    A decision on {topic} had been due {when} but was postponed to allow more time for comments.
""")
UPDATES = _lines("""
    Update: {org} confirmed {when} that a revised plan for {topic} will be published shortly.
    This article was amended to clarify the figures given by {org}.
    Correction: an earlier version of this story gave the wrong date for the meeting in {place}.
    {person}, {role}, added later that the timetable for {topic} remains under review.
""")


class _Writer:
    """Prose and headlines from one random stream (so a seed gives the same words)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def fill(self, template: str, section: str) -> str:
        rng = self.rng
        topic = rng.choice(TOPICS.get(section, TOPICS["news"]))
        text = template.format(
            person=self.person(),
            role=rng.choice(ROLES),
            place=rng.choice(PLACES),
            org=rng.choice(ORGS),
            when=rng.choice(WHEN),
            n=rng.choice(NUMBERS),
            amount=rng.choice(AMOUNTS),
            topic=topic,
            Topic=topic[0].upper() + topic[1:],
        )
        return text[0].upper() + text[1:]

    def sentence(self, section: str) -> str:
        return self.fill(self.rng.choice(SENTENCES), section)

    def paragraph(self, section: str) -> str:
        return " ".join(self.sentence(section) for _ in range(self.rng.randint(2, 4)))

    def headline(self, section: str) -> str:
        topic = self.rng.choice(TOPICS.get(section, TOPICS["news"]))
        place = self.rng.choice(PLACES)
        verb = self.rng.choice(HEAD_VERBS)
        if self.rng.random() < 0.5:
            text = f"{topic} in {place} {verb}"
        else:
            text = f"{place}: {topic} {verb}"
        return text[0].upper() + text[1:]


def _slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].rstrip("-")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _rfc2822(moment: datetime) -> str:
    return email.utils.format_datetime(moment)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# -- the site ---------------------------------------------------------------------------------


class EvolvingSite:
    """A generated news site in `root` that `advance` moves on one interval at a time.

    The object holds the site's state (articles, clock); the directory holds what a server
    serves. Files are only rewritten when their bytes change, and then get an mtime later than
    before (the site clock, or one second past the old mtime if that is later), because
    ``Last-Modified`` has whole seconds and ``If-Modified-Since`` must see the change.

    `page_kb` pads every article page (inline CSS and a JSON configuration blob, as heavy real
    pages carry) to about that many KB; by default pages weigh 4-12 KB.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        articles: int,
        *,
        seed: int = 2026,
        sections: Sequence[str] = ("news", "politics", "business", "culture"),
        clock: datetime | None = None,
        interval: timedelta = timedelta(hours=1),
        page_kb: int | None = None,
    ) -> None:
        if articles < 1:
            raise ValueError("a site needs at least one article")
        if not sections or not all(re.fullmatch(r"[a-z0-9-]+", s) for s in sections):
            raise ValueError(f"sections must be lowercase URL segments, got {list(sections)}")
        if interval <= timedelta(0):
            raise ValueError("interval must be positive")
        self.root = Path(root)
        self.seed = seed
        self.sections = tuple(sections)
        moment = clock or DEFAULT_CLOCK
        self.clock = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        self.clock = self.clock.replace(microsecond=0)
        self.interval = interval
        self.page_kb = page_kb
        self._css = ""  # the site's inline CSS, for page_kb
        self.intervals = 0
        self._articles: list[SiteArticle] = []  # oldest first
        self._by_path: dict[str, SiteArticle] = {}
        self._by_section: dict[str, list[SiteArticle]] = {s: [] for s in self.sections}
        self._slugs: set[str] = set()
        self.root.mkdir(parents=True, exist_ok=True)

        rng = random.Random(seed)
        writer = _Writer(rng)
        moments = []
        moment = self.clock - timedelta(minutes=rng.randint(5, 40))
        spacing = 24 * 60 / ARTICLES_PER_DAY
        for _ in range(articles):
            moments.append(moment)
            moment -= timedelta(minutes=round(rng.uniform(0.3, 1.7) * spacing))
        for published in reversed(moments):
            article = self._new_article(writer, published)
            if rng.random() < 0.3:  # some stories were updated after publication
                later = published + timedelta(minutes=rng.randint(15, 300))
                article.modified = min(later, self.clock)
        for article in self._articles:
            self._write_article(article)
        self._write_furniture(self._articles)
        self._write(
            "_profile.toml", _profile_text(self.sections).encode(), self.clock, served=False
        )

    # -- reading the state ----------------------------------------------------------------

    @property
    def articles(self) -> tuple[SiteArticle, ...]:
        """Every article, oldest first (treat as read-only)."""
        return tuple(self._articles)

    def article_paths(self) -> list[str]:
        """URL paths of every article, oldest first."""
        return [a.path for a in self._articles]

    def file(self, url_path: str) -> Path:
        """The file that answers `url_path` (``/`` and ``/S/`` are ``index.html`` files)."""
        relative = url_path.lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        return self.root / relative

    def profile_path(self) -> Path:
        """``_profile.toml`` in the site root, with ``{{BASE}}`` still to be substituted."""
        return self.root / "_profile.toml"

    # -- moving on ---------------------------------------------------------------------------

    def advance(self, *, edit_fraction: float = 0.05, add_fraction: float = 0.02) -> Change:
        """Move the site on one interval: edit and add stories, rewrite what lists them.

        About `edit_fraction` of the existing articles get a paragraph rewritten and a sentence
        added (``dateModified`` and the sitemap's ``lastmod`` follow; title and URL stay);
        about `add_fraction` new ones appear, published within the interval. At least one of
        each when the fraction is above zero. Deterministic from the seed and the interval's
        number.
        """
        self.intervals += 1
        rng = random.Random(f"{self.seed}/advance/{self.intervals}")
        writer = _Writer(rng)
        start, self.clock = self.clock, self.clock + self.interval
        existing = list(self._articles)

        def moment() -> datetime:
            seconds = self.interval.total_seconds() * rng.uniform(0.05, 0.95)
            return start + timedelta(seconds=round(seconds))

        edited = rng.sample(existing, _count(len(existing), edit_fraction))
        for article in edited:
            self._edit(writer, article, moment())
        added = [
            self._new_article(writer, when)
            for when in sorted(moment() for _ in range(_count(len(existing), add_fraction)))
        ]
        files = [self._write_article(a) for a in edited + added]
        files += self._write_furniture([*edited, *added])
        edited_paths = {a.path for a in edited}
        return Change(
            interval=self.intervals,
            clock=self.clock,
            edited=tuple(a.path for a in edited),
            added=tuple(a.path for a in added),
            unchanged=tuple(a.path for a in existing if a.path not in edited_paths),
            files=tuple(p for p in files if p),
        )

    def touch_unchanged(self, n: int = 3) -> Change:
        """Rewrite `n` unchanged articles with the same bytes and a newer mtime.

        Not a content change: ``Last-Modified`` moves while the payload (and the ETag) stays,
        as when a CMS republishes a page without editing it. A recrawl that asks with
        ``If-Modified-Since`` gets a 200 with the old bytes, and must store a revisit.
        The site clock does not move; the mtimes are one second past the old ones at least.
        """
        rng = random.Random(f"{self.seed}/touch/{self.intervals}/{n}")
        chosen = sorted(rng.sample(self._articles, min(n, len(self._articles))), key=_order)
        for article in chosen:
            path = self.file(article.path)
            data = path.read_bytes()
            previous = path.stat().st_mtime_ns
            path.write_bytes(data)
            self._set_mtime(path, self.clock, previous)
        touched = tuple(a.path for a in chosen)
        return Change(
            interval=self.intervals,
            clock=self.clock,
            unchanged=tuple(a.path for a in self._articles if a.path not in touched),
            touched=touched,
            files=touched,
        )

    # -- building ----------------------------------------------------------------------------

    def _new_article(self, writer: _Writer, published: datetime) -> SiteArticle:
        rng = writer.rng
        section = rng.choice(self.sections)
        title = writer.headline(section)
        slug = base = _slugify(title)
        number = 2
        while slug in self._slugs:
            slug, number = f"{base}-{number}", number + 1
        self._slugs.add(slug)
        older = [a.path for a in reversed(self._by_section[section][-4:])]
        article = SiteArticle(
            section=section,
            slug=slug,
            title=title,
            standfirst=writer.sentence(section),
            author=writer.person(),
            tags=tuple(rng.sample(TAGS.get(section, TAGS["news"]), 2)),
            published=published,
            modified=published,
            paragraphs=[writer.paragraph(section) for _ in range(rng.randint(5, 12))],
            related=tuple(older),
        )
        self._articles.append(article)
        self._by_path[article.path] = article
        self._by_section[section].append(article)
        return article

    def _edit(self, writer: _Writer, article: SiteArticle, when: datetime) -> None:
        rng = writer.rng
        index = rng.randrange(len(article.paragraphs))
        article.paragraphs[index] = writer.paragraph(article.section)
        article.paragraphs[-1] += " " + writer.fill(rng.choice(UPDATES), article.section)
        article.modified = max(when, article.modified + timedelta(seconds=1))

    def _latest(self, section: str | None = None) -> list[SiteArticle]:
        chosen = self._articles if section is None else self._by_section[section]
        return sorted(chosen, key=_order, reverse=True)

    def _write_furniture(self, changed: Iterable[SiteArticle]) -> list[str | None]:
        """Home, fronts and archive pages of sections with news, sitemaps, feeds, robots.txt."""
        sections = {a.section for a in changed}
        written = [self._write_page("/", self._render_home())]
        for section in self.sections:
            if section not in sections:
                continue  # nothing new or edited in it: its pages list the same stories
            stories = self._latest(section)
            written.append(self._write_page(f"/{section}/", self._render_front(section, stories)))
            older = stories[FRONT_LATEST:]
            pages = (len(older) + ARCHIVE_PAGE_SIZE - 1) // ARCHIVE_PAGE_SIZE
            for number in range(2, pages + 2):
                chunk = older[(number - 2) * ARCHIVE_PAGE_SIZE : (number - 1) * ARCHIVE_PAGE_SIZE]
                page = self._render_archive(section, number, chunk, last=number == pages + 1)
                written.append(self._write_page(f"/{section}/page/{number}/", page))
        robots = f"User-agent: *\nDisallow: /search\n\nSitemap: {BASE}/sitemap.xml\n"
        written.append(self._write_page("/robots.txt", robots))
        written.append(self._write_page("/sitemap-articles.xml", self._render_sitemap()))
        written.append(self._write_page("/news-sitemap.xml", self._render_news_sitemap()))
        written.append(self._write_page("/sitemap.xml", self._render_sitemap_index()))
        written.append(self._write_page("/feed.xml", self._render_rss()))
        written.append(self._write_page("/atom.xml", self._render_atom()))
        return written

    def _write_article(self, article: SiteArticle) -> str | None:
        text = self._render_article(article)
        return article.path if self._write(article.path, text.encode(), article.modified) else None

    def _write_page(self, url_path: str, text: str) -> str | None:
        return url_path if self._write(url_path, text.encode(), self.clock) else None

    def _write(self, url_path: str, data: bytes, when: datetime, *, served: bool = True) -> bool:
        """Write `data` unless the file already holds it; a new mtime only when written."""
        path = self.file(url_path) if served else self.root / url_path
        previous = None
        if path.exists():
            if path.read_bytes() == data:
                return False
            previous = path.stat().st_mtime_ns
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self._set_mtime(path, when, previous)
        return True

    @staticmethod
    def _set_mtime(path: Path, when: datetime, previous_ns: int | None) -> None:
        seconds = int(when.timestamp())
        if previous_ns is not None:
            seconds = max(seconds, previous_ns // 1_000_000_000 + 1)
        os.utime(path, ns=(seconds * 1_000_000_000, seconds * 1_000_000_000))

    # -- rendering ---------------------------------------------------------------------------

    def _head(self, title: str, canonical: str, extra: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(title)}</title>\n"
            f'<link rel="canonical" href="{BASE}{canonical}">\n'
            f'<link rel="alternate" type="application/rss+xml" title="{PUBLICATION}" '
            f'href="{BASE}/feed.xml">\n'
            f'<link rel="alternate" type="application/atom+xml" title="{PUBLICATION} (Atom)" '
            'href="/atom.xml">\n'
            '<link rel="stylesheet" href="/static/courier.css">\n'
            f'<meta property="og:site_name" content="{PUBLICATION}">\n{extra}</head>\n<body>\n'
        )

    def _masthead(self, active: str | None) -> str:
        items = ['<li><a href="/">Home</a></li>']
        for section in self.sections:
            current = ' class="active"' if section == active else ""
            items.append(f'<li{current}><a href="/{section}/">{section.title()}</a></li>')
        return (
            '<a class="skip-link" href="#main">Skip to main content</a>\n'
            '<header class="site-header">\n  <div class="masthead">\n'
            f'    <a class="logo" href="/">{PUBLICATION}</a>\n'
            '    <p class="tagline">Elmsford and the river valley, every day since 1921</p>\n'
            '    <form class="search" action="/search" method="get" role="search">'
            '<input name="q" type="search" placeholder="Search the Courier">'
            '<button type="submit">Search</button></form>\n  </div>\n'
            '  <nav class="main-nav" aria-label="Sections">\n    <ul>\n      '
            + "\n      ".join(items)
            + "\n    </ul>\n  </nav>\n</header>\n"
        )

    def _footer(self) -> str:
        return (
            '<footer class="site-footer">\n  <nav aria-label="Footer">\n    <ul>\n'
            '      <li><a href="/about/">About us</a></li>\n'
            '      <li><a href="/about/#contact">Contact us</a></li>\n'
            '      <li><a href="/about/#corrections">Corrections</a></li>\n'
            '      <li><a href="/feed.xml">RSS feed</a></li>\n'
            '      <li><a href="/atom.xml">Atom feed</a></li>\n    </ul>\n  </nav>\n'
            '  <div class="newsletter-signup"><h2>The Morning Courier</h2>'
            "<p>The day's top stories from Elmsford in your inbox at 7am. Free, and you can "
            "unsubscribe at any time.</p></div>\n"
            f'  <p class="copyright">&copy; 2026 {PUBLICATION}, 12 Bridge Street, Elmsford. '
            "A fictional newspaper generated for tests; all people and places are invented.</p>"
            "\n</footer>\n</body>\n</html>\n"
        )

    def _teaser(self, article: SiteArticle, *, standfirst: bool = True) -> str:
        summary = f'<p class="standfirst">{_esc(article.standfirst)}</p>' if standfirst else ""
        return (
            f'<li class="teaser"><span class="kicker">{article.section.title()}</span> '
            f'<a href="{article.path}">{_esc(article.title)}</a> '
            f'<time datetime="{_iso(article.published)}">'
            f"{article.published:%d %B %Y, %H:%M}</time>{summary}</li>"
        )

    def _render_home(self) -> str:
        latest = self._latest()[:HOME_LATEST]
        items = "\n".join(self._teaser(a) for a in latest)
        return (
            self._head(f"{PUBLICATION}: news from Elmsford", "/")
            + self._masthead(None)
            + '<main id="main">\n<h1 class="visually-hidden">Latest news</h1>\n'
            + f'<ul class="latest">\n{items}\n</ul>\n</main>\n'
            + self._footer()
        )

    def _render_front(self, section: str, stories: list[SiteArticle]) -> str:
        items = "\n".join(self._teaser(a) for a in stories[:FRONT_LATEST])
        more = (
            f'<p class="pagination"><a rel="next" href="/{section}/page/2/">Older stories</a></p>\n'
            if len(stories) > FRONT_LATEST
            else ""
        )
        return (
            self._head(f"{section.title()} | {PUBLICATION}", f"/{section}/")
            + self._masthead(section)
            + f'<main id="main">\n<h1>{section.title()}</h1>\n'
            + f'<ul class="latest">\n{items}\n</ul>\n{more}</main>\n'
            + self._footer()
        )

    def _render_archive(
        self, section: str, number: int, stories: list[SiteArticle], *, last: bool
    ) -> str:
        items = "\n".join(self._teaser(a, standfirst=False) for a in stories)
        newer = f"/{section}/" if number == 2 else f"/{section}/page/{number - 1}/"
        links = [f'<a rel="prev" href="{newer}">Newer stories</a>']
        if not last:
            links.append(f'<a rel="next" href="/{section}/page/{number + 1}/">Older stories</a>')
        return (
            self._head(
                f"{section.title()}, page {number} | {PUBLICATION}", f"/{section}/page/{number}/"
            )
            + self._masthead(section)
            + f'<main id="main">\n<h1>{section.title()}: older stories, page {number}</h1>\n'
            + f'<ul class="archive">\n{items}\n</ul>\n'
            + f'<p class="pagination">{" ".join(links)}</p>\n</main>\n'
            + self._footer()
        )

    def _render_article(self, article: SiteArticle) -> str:
        url = BASE + article.path
        name = article.section.title()
        published, modified = _iso(article.published), _iso(article.modified)
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": article.title,
            "description": article.standfirst,
            "datePublished": published,
            "dateModified": modified,
            "author": [{"@type": "Person", "name": article.author}],
            "publisher": {"@type": "NewsMediaOrganization", "name": PUBLICATION, "url": BASE + "/"},
            "articleSection": name,
            "keywords": list(article.tags),
            "inLanguage": "en-GB",
        }
        meta = (
            f'<meta name="description" content="{_esc(article.standfirst)}">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{_esc(article.title)}">\n'
            f'<meta property="og:url" content="{url}">\n'
            f'<meta property="article:published_time" content="{published}">\n'
            f'<meta property="article:modified_time" content="{modified}">\n'
            f'<meta property="article:section" content="{name}">\n'
            f'<meta name="author" content="{_esc(article.author)}">\n'
            f'<script type="application/ld+json">{json.dumps(ld, indent=1)}</script>\n'
        )
        updated = (
            f' <span class="updated">Updated <time datetime="{modified}">'
            f"{article.modified:%d %B %Y, %H:%M}</time></span>"
            if article.modified != article.published
            else ""
        )
        quoted = _esc(article.title).replace(" ", "%20")
        share = (
            '<div class="share-tools">\n  <p class="share-title">SHARE THIS ARTICLE</p>\n'
            '  <ul class="share-buttons">\n'
            '    <li><a class="share-facebook" '
            f'href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a></li>\n'
            '    <li><a class="share-x" '
            f'href="https://x.com/intent/tweet?url={url}&amp;text={quoted}">X</a></li>\n'
            '    <li><a class="share-email" '
            f'href="mailto:?subject={quoted}&amp;body={url}">Email</a></li>\n'
            "  </ul>\n</div>\n"
        )
        body = "\n".join(f"    <p>{_esc(p)}</p>" for p in article.paragraphs)
        related = "\n".join(
            f'    <li><a href="{p}">{_esc(self._by_path[p].title)}</a></li>'
            for p in article.related
        )
        related_block = (
            '<aside class="related" aria-labelledby="related-heading">\n'
            '  <h2 id="related-heading">Related articles</h2>\n'
            f"  <ul>\n{related}\n  </ul>\n</aside>\n"
            if related
            else ""
        )
        tags = "".join(
            f'<li><a href="/tag/{_slugify(t)}/" rel="tag">{_esc(t)}</a></li>' for t in article.tags
        )
        page = (
            self._head(f"{article.title} | {PUBLICATION}", article.path, meta + "PADDING")
            + self._masthead(article.section)
            + '<main id="main">\n<nav class="breadcrumb" aria-label="Breadcrumb"><ol>'
            + f'<li><a href="/">Home</a></li><li><a href="/{article.section}/">{name}</a></li>'
            + "</ol></nav>\n"
            + '<article class="story">\n  <header class="story-header">\n'
            + f'    <h1 class="headline">{_esc(article.title)}</h1>\n'
            + f'    <p class="standfirst">{_esc(article.standfirst)}</p>\n'
            + f'    <p class="byline">By <span class="author">{_esc(article.author)}</span></p>\n'
            + f'    <p class="dateline"><time class="published" datetime="{published}">'
            + f"{article.published:%d %B %Y, %H:%M}</time>{updated}</p>\n  </header>\n"
            + share
            + f'  <div class="story-body">\n{body}\n  </div>\n'
            + f'  <footer class="story-footer"><ul class="tags">{tags}</ul></footer>\n'
            + "</article>\n"
            + related_block
            + "</main>\n"
            + self._footer()
        )
        return page.replace("PADDING", self._padding(article, len(page) - len("PADDING")), 1)

    def _padding(self, article: SiteArticle, size: int) -> str:
        """Inline CSS and a JSON blob that bring the page to `page_kb` (nothing by default).

        Heavy real pages are heavy with what every page of the site inlines — critical CSS,
        script configuration — so the CSS is the site's own, cut to length, and only a small
        ad configuration is the page's. Both depend on the article's path and the length it
        needs, so an unedited page keeps its bytes.
        """
        if self.page_kb is None:
            return ""
        missing = self.page_kb * 1024 - size - 200
        if missing <= 0:
            return ""
        if len(self._css) < missing:
            self._css = _site_css(self.seed, self.page_kb * 1024)
        cut = self._css.rfind("}", 0, missing) + 1
        digest = hashlib.sha256(f"{self.seed}/pad/{article.path}".encode()).hexdigest()
        slots = [
            {"id": f"slot-{digest[i : i + 8]}", "pos": n, "section": article.section}
            for n, i in enumerate(range(0, 24, 8), start=1)
        ]
        return (
            f"<style>\n{self._css[:cut]}\n</style>\n"
            '<script type="application/json" id="ad-config">'
            f"{json.dumps({'slots': slots})}</script>\n"
        )

    def _render_sitemap(self) -> str:
        urls = "\n".join(
            f"  <url><loc>{BASE}{a.path}</loc><lastmod>{_iso(a.modified)}</lastmod></url>"
            for a in self._latest()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}\n</urlset>\n"
        )

    def _render_news_sitemap(self) -> str:
        since = self.clock - NEWS_SITEMAP_WINDOW
        entries = []
        for a in self._latest():
            if a.published < since:
                break
            entries.append(
                f"  <url>\n    <loc>{BASE}{a.path}</loc>\n    <news:news>\n"
                "      <news:publication><news:name>"
                f"{PUBLICATION}</news:name><news:language>en</news:language>"
                "</news:publication>\n"
                f"      <news:publication_date>{_iso(a.published)}</news:publication_date>\n"
                f"      <news:title>{_esc(a.title)}</news:title>\n"
                f"      <news:keywords>{_esc(', '.join(a.tags))}</news:keywords>\n"
                "    </news:news>\n  </url>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"\n'
            '        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            + "".join(e + "\n" for e in entries)
            + "</urlset>\n"
        )

    def _render_sitemap_index(self) -> str:
        newest = _iso(max(a.modified for a in self._articles))
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(
                f"  <sitemap><loc>{BASE}/{name}</loc><lastmod>{newest}</lastmod></sitemap>\n"
                for name in ("sitemap-articles.xml", "news-sitemap.xml")
            )
            + "</sitemapindex>\n"
        )

    def _render_rss(self) -> str:
        latest = self._latest()[:FEED_SIZE]
        items = "".join(
            "    <item>\n"
            f"      <title>{_esc(a.title)}</title>\n"
            f"      <link>{BASE}{a.path}</link>\n"
            f'      <guid isPermaLink="true">{BASE}{a.path}</guid>\n'
            f"      <pubDate>{_rfc2822(a.published)}</pubDate>\n"
            f"      <dc:creator>{_esc(a.author)}</dc:creator>\n"
            f"      <category>{a.section.title()}</category>\n"
            f"      <description>{_esc(a.standfirst)}</description>\n"
            "    </item>\n"
            for a in latest
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n  <channel>\n'
            f"    <title>{PUBLICATION}</title>\n    <link>{BASE}/</link>\n"
            "    <description>Latest news from Elmsford and the river valley</description>\n"
            "    <language>en-gb</language>\n"
            f"    <lastBuildDate>{_rfc2822(latest[0].published)}</lastBuildDate>\n"
            f'    <atom:link href="{BASE}/feed.xml" rel="self" type="application/rss+xml"/>\n'
            f"{items}  </channel>\n</rss>\n"
        )

    def _render_atom(self) -> str:
        latest = self._latest()[:FEED_SIZE]
        entries = "".join(
            "  <entry>\n"
            f"    <title>{_esc(a.title)}</title>\n"
            f'    <link rel="alternate" type="text/html" href="{BASE}{a.path}"/>\n'
            f"    <id>{BASE}{a.path}</id>\n"
            f"    <published>{_iso(a.published)}</published>\n"
            f"    <updated>{_iso(a.modified)}</updated>\n"
            f"    <author><name>{_esc(a.author)}</name></author>\n"
            f'    <category term="{a.section.title()}"/>\n'
            f"    <summary>{_esc(a.standfirst)}</summary>\n"
            "  </entry>\n"
            for a in latest
        )
        updated = _iso(max(a.modified for a in latest))
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">\n'
            f"  <title>{PUBLICATION}</title>\n"
            f'  <link rel="self" type="application/atom+xml" href="{BASE}/atom.xml"/>\n'
            f'  <link rel="alternate" type="text/html" href="{BASE}/"/>\n'
            f"  <id>{BASE}/</id>\n  <updated>{updated}</updated>\n{entries}</feed>\n"
        )


def _site_css(seed: int, size: int) -> str:
    """At least `size` characters of plausible CSS rules, the same for every page of a site."""
    rng = random.Random(f"{seed}/css")
    rules: list[str] = []
    length = 0
    while length < size:
        rule = (
            f".c-{rng.randrange(16**6):06x}{{margin:{rng.randint(0, 32)}px "
            f"{rng.randint(0, 32)}px;color:#{rng.randrange(16**6):06x};"
            f"font-size:{rng.randint(11, 28)}px;line-height:{rng.uniform(1, 2):.2f}}}"
        )
        rules.append(rule)
        length += len(rule) + 1
    return "\n".join(rules)


def _order(article: SiteArticle) -> tuple[datetime, str]:
    return article.published, article.path


def _count(total: int, fraction: float) -> int:
    """``fraction`` of ``total``, rounded, at least one when the fraction is above zero."""
    if fraction <= 0:
        return 0
    return min(total, max(1, round(total * fraction)))


@dataclass
class ServedSite:
    """An `EvolvingSite` served on 127.0.0.1 by a `SiteServer`, and the profile to crawl it."""

    site: EvolvingSite
    server: SiteServer
    profile: Path

    def requested_since(self, start: int) -> list[str]:
        """The URL paths (query left out) the server was asked for after its first `start`."""
        return [path.split("?", 1)[0] for path in self.server.requested[start:]]


@contextmanager
def served_site(root: Path, articles: int) -> Iterator[ServedSite]:
    """A site of `articles` in ROOT/site, served, its profile in ROOT/site.toml. Its clock is
    now: what it edits after a crawl is dated after that crawl."""
    site = EvolvingSite(root / "site", articles, clock=datetime.now(UTC))
    with SiteServer(site.root) as server:
        yield ServedSite(site, server, write_profile(root / "site.toml", server.base_url))
