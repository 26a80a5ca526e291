"""Stage 6 — is it an article? A score in [0, 1] from page-kind signals; >= 0.5 is an article.

Signals: the page's own claim (og:type, schema.org types), how much prose the body holds and
in how many paragraphs, how much of the page's prose the body region covers (a section front
spreads short teasers over many boxes), page link density, and the URL and title (tag/author/
section listings, video hubs, print versions, live-blog stubs, soft 404 and error pages).

Two kinds are never articles, whatever else the page claims; their score is held below 0.5
(`patterns.NOT_ARTICLE_CAP`):
- a live-blog stub: a live blog (LiveBlogPosting, "live"/"Liveticker"/"en direct" ... in the
  title or URL, or a body of entry times: "09:02", "9:17 am") with fewer than
  `LIVE_STUB_MAX_WORDS` words. A live blog with more text stays an article: its entries are
  the story, in the words the newsroom published them.
- a gallery: mostly figures and little text (at least `GALLERY_MIN_IMAGES` captioned figures,
  fewer than `GALLERY_MAX_WORDS_PER_IMAGE` words a figure), or a page that says it is one
  (ImageGallery, "/bildergalerie/", "In pictures") with fewer than `GALLERY_CLAIM_MAX_WORDS`
  words.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.extraction import patterns as pt

_WHITESPACE = {"Zs", "Zl", "Zp"}


@dataclass(frozen=True)
class PageSignals:
    url: str
    title: str | None
    og_type: str | None
    schema_types: tuple[str, ...]
    words: int
    paragraphs: int
    coverage: float  # share of the page's prose inside the body region
    page_link_density: float  # share of the page's text inside links
    body_text: str
    # Teaser structure in the body region: headings that are links, prose paragraphs.
    link_headings: int = 0
    region_paragraphs: int = 0
    captioned_images: int = 0  # the article's figures that have a caption


def article_score(s: PageSignals) -> float:
    """The page's article score in [0, 1]: 0 for a body that is not text at all."""
    if not looks_like_text(s.body_text):
        return 0.0
    score = 0.5
    words = s.words
    if words >= 250:
        score += 0.3
    elif words >= 120:
        score += 0.15
    elif words >= 50:
        score -= 0.05  # news briefs are short: let the other signals decide
    else:
        score -= 0.45
    if s.paragraphs >= 4:
        score += 0.1
    elif s.paragraphs <= 1:
        score -= 0.1

    og = (s.og_type or "").strip().lower()
    if og in pt.ARTICLE_OG_TYPES or og.startswith("article"):
        score += 0.15
    elif og in pt.NON_ARTICLE_OG_TYPES or og.startswith("video"):
        score -= 0.2 if og.startswith(("video", "profile")) else 0.1
    types = set(s.schema_types)
    if types & pt.ARTICLE_SCHEMA_TYPES:
        score += 0.2
    if types & pt.NON_ARTICLE_SCHEMA_TYPES and not types & pt.ARTICLE_SCHEMA_TYPES:
        score -= 0.3
    if "LiveBlogPosting" in types and words < 400:
        score -= 0.3

    # A stream of teasers (headline link + summary, repeated): a section front or tag page,
    # however long the summaries are.
    if s.link_headings >= 4 and s.link_headings >= 0.5 * s.region_paragraphs:
        score -= 0.45
    if s.coverage < 0.35:
        score -= 0.2
    if s.page_link_density > 0.55:
        score -= 0.2

    url = s.url
    if pt.PRINT_URL_RE.search(url):
        score -= 0.6
    elif pt.NON_ARTICLE_URL_RE.search(url):
        score -= 0.25
    elif pt.ARTICLE_URL_RE.search(_path(url)):
        score += 0.1
    title = s.title or ""
    if pt.SOFT_404_RE.search(title) and words < 400:
        score -= 0.6
    elif words < 200 and pt.SOFT_404_RE.search(s.body_text[:500]):
        score -= 0.5
    if words < pt.LIVE_STUB_MAX_WORDS and is_live_blog(s):
        score = min(score, pt.NOT_ARTICLE_CAP)
    if is_gallery(s):
        score = min(score, pt.NOT_ARTICLE_CAP)
    return max(0.0, min(1.0, score))


def is_live_blog(s: PageSignals) -> bool:
    """The page is a live blog: its schema type, title or URL says so, or its body is a run of
    timestamped entries."""
    if "LiveBlogPosting" in s.schema_types:
        return True
    if pt.LIVE_BLOG_RE.search(s.title or "") or pt.LIVE_BLOG_RE.search(s.url):
        return True
    paragraphs = s.body_text.split("\n\n") if s.body_text else []
    times = sum(1 for p in paragraphs if len(p) < 16 and pt.LIVE_TIME_LINE_RE.match(p))
    return times >= pt.LIVE_MIN_TIME_LINES and times >= pt.LIVE_MIN_TIME_SHARE * len(paragraphs)


def is_gallery(s: PageSignals) -> bool:
    """The page is a photo gallery: mostly figures with little text, or it says it is one and
    has little text."""
    if (
        s.captioned_images >= pt.GALLERY_MIN_IMAGES
        and s.words < pt.GALLERY_MAX_WORDS_PER_IMAGE * s.captioned_images
    ):
        return True
    if s.words >= pt.GALLERY_CLAIM_MAX_WORDS:
        return False
    return bool(
        pt.GALLERY_SCHEMA_TYPES.intersection(s.schema_types)
        or pt.GALLERY_URL_RE.search(_path(s.url))
        or pt.GALLERY_TITLE_RE.search(s.title or "")
    )


def looks_like_text(text: str) -> bool:
    """Whether `text` can be prose: not binary or undecodable bytes decoded to mojibake.

    Cheap on purpose (a sample of `NOT_TEXT_SAMPLE` characters, counted by Unicode category in
    C), so that it can run on every page; the thresholds and why are in `patterns.py`. A text
    too short to judge passes: a short or empty body is the other signals' business.
    """
    sample = _sample(text, pt.NOT_TEXT_SAMPLE)
    chars = Counter(sample)  # each distinct character's category asked once
    cats: Counter[str] = Counter()
    for char, n in chars.items():
        cats[unicodedata.category(char)] += n
    tab_lf_cr = chars["\t"] + chars["\n"] + chars["\r"]
    spaces = sum(cats[c] for c in _WHITESPACE) + tab_lf_cr
    total = len(sample) - spaces
    if total < pt.NOT_TEXT_MIN_CHARS:
        return True
    controls = cats["Cc"] - tab_lf_cr
    replacement = chars["\ufffd"]
    symbols = cats["Sm"] + cats["Sc"] + cats["Sk"] + cats["So"] - replacement
    letters = sum(n for cat, n in cats.items() if cat[0] in "LM")
    return (
        controls <= pt.NOT_TEXT_MAX_CONTROL_SHARE * total
        and replacement <= pt.NOT_TEXT_MAX_REPLACEMENT_SHARE * total
        and controls + replacement + symbols <= pt.NOT_TEXT_MAX_JUNK_SHARE * total
        and letters >= pt.NOT_TEXT_MIN_LETTER_SHARE * total
    )


def _sample(text: str, size: int) -> str:
    """`size` characters of `text` in four slices spread over it (all of a short text)."""
    if len(text) <= size:
        return text
    quarter = size // 4
    step = (len(text) - quarter) // 3
    return "".join(text[i * step : i * step + quarter] for i in range(4))


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""
