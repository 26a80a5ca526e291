"""What a browser loads to show a page: its stylesheets, scripts, images, icons and fonts.

Pure functions (HTML tree or CSS text in, URLs out), no Scrapy: `page_requisites(root,
base_url)` for an HTML page, `css_requisites(css, base_url)` for a stylesheet (its
`@import`s and `url()`s), `srcset_choice(...)` for the one candidate of a responsive image
that a desktop browser picks.

The rules follow what Chromium requests at desktop width (`DESKTOP_WIDTH` CSS pixels, device
pixel ratio 1), so that a replayed page finds in the archive what the browser asks for:

* `<img srcset sizes>`: the slot width from `sizes` (a media condition per entry, the first
  that matches; `100vw` without one), then the smallest candidate at least that wide, or the
  one below it when the ratio is closer to it than the geometric mean of the two (Chromium's
  `SelectionLogic`); `x` descriptors likewise against ratio 1. `src` when there is no
  `srcset`. Lazy-loading attributes (`data-src`, `data-srcset`, ...) are taken as well: the
  page's own script copies them into `src` when it runs in replay.
* `<picture>`: the first `<source>` whose `media` matches and whose `type` the browser
  decodes, instead of the `<img>` inside;
* `og:image` and `twitter:image` too (readers of the archive and `images[]` use them),
  although a browser does not load them.

Wget's `--page-requisites` and Heritrix take every `url()` of a stylesheet; so does this
module: a font listed in three formats costs three small fetches, and nothing the browser
could ask for is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from crawler.links import join_url

DESKTOP_WIDTH = 1280  # CSS pixels: the viewport the choice among candidates is made for

STYLESHEET = "stylesheet"
SCRIPT = "script"
IMAGE = "image"
FONT = "font"
ICON = "icon"

# WARC-Resource-Type of each kind: Chrome's resource type names, as Browsertrix writes them.
RESOURCE_TYPES = {STYLESHEET: "stylesheet", SCRIPT: "script", IMAGE: "image", FONT: "font",
                  ICON: "image"}  # fmt: skip

_ICON_RELS = frozenset({"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"})
_PRELOAD_KINDS = {"style": STYLESHEET, "script": SCRIPT, "image": IMAGE, "font": FONT}
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-full-src", "data-hi-res-src")
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
_DECODED_TYPES = frozenset(
    {
        "image/avif",
        "image/webp",
        "image/png",
        "image/apng",
        "image/jpeg",
        "image/jpg",
        "image/gif",
        "image/svg+xml",
        "image/bmp",
        "image/x-icon",
        "image/vnd.microsoft.icon",
    }
)
_SOCIAL_IMAGES = frozenset(
    {"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"}
)
_FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf", ".eot")

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(["']?)([^"')\s;]+)\1""", re.I)
_CSS_URL = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)""", re.I | re.S)
_MEDIA_FEATURE = re.compile(r"\(\s*(min|max)-width\s*:\s*([\d.]+)(px|em|rem)\s*\)", re.I)
_LENGTH = re.compile(r"^([\d.]+)(px|vw|em|rem)$", re.I)


@dataclass(frozen=True, slots=True)
class Requisite:
    """One URL a page needs; `kind` sets the request's `Accept` and whether the response
    is read as a stylesheet in turn."""

    url: str
    kind: str


def page_requisites(root: etree._Element, base_url: str) -> list[Requisite]:
    """The requisites of an HTML page, each URL once, in document order. `base_url` is the
    page's base (its `<base href>` already applied)."""
    found: dict[str, Requisite] = {}
    for requisite in _html_requisites(root, base_url):
        found.setdefault(requisite.url, requisite)
    return list(found.values())


def css_requisites(css: str, base_url: str) -> list[Requisite]:
    """The `@import`ed stylesheets and `url()` resources of a stylesheet (or of a `style`
    attribute), relative to `base_url`, each once."""
    css = _CSS_COMMENT.sub(" ", css)
    found: dict[str, Requisite] = {}
    imported: set[str] = set()
    for match in _CSS_IMPORT.finditer(css):
        url = _absolute(match.group(2), base_url)
        if url:
            imported.add(url)
            found.setdefault(url, Requisite(url, STYLESHEET))
    for match in _CSS_URL.finditer(css):
        url = _absolute(match.group(2), base_url)
        if url and url not in imported:
            kind = FONT if urlsplit(url).path.lower().endswith(_FONT_SUFFIXES) else IMAGE
            found.setdefault(url, Requisite(url, kind))
    return list(found.values())


def srcset_choice(
    srcset: str, sizes: str = "", *, width: int = DESKTOP_WIDTH, ratio: float = 1.0
) -> str | None:
    """The `srcset` candidate a browser `width` CSS pixels wide at device pixel ratio
    `ratio` loads (see the module docstring); None when there is no usable candidate."""
    candidates = _candidates(srcset)
    if not candidates:
        return None
    slot = _slot_width(sizes, width)
    # Each candidate's density: width descriptors against the slot, `x` as written.
    ranked = sorted(
        ((w / slot if kind == "w" else value, url) for url, kind, value, w in candidates),
        key=lambda pair: pair[0],
    )
    # Chromium's SelectionLogic: the first candidate whose next one is dense enough; that
    # next one unless this one is dense enough already and the ratio is below the
    # geometric mean of the two (at ratio 1: the least dense candidate of density >= 1).
    for index in range(len(ranked) - 1):
        current, following = ranked[index][0], ranked[index + 1][0]
        if following < ratio:
            continue
        if (ratio <= 1.0 and ratio > current) or ratio >= (current * following) ** 0.5:
            return ranked[index + 1][1]
        return ranked[index][1]
    return ranked[-1][1]


# -- HTML -----------------------------------------------------------------------------------


_REQUISITE_TAGS = ("link", "script", "img", "style", "meta", "video", "body", "table", "td", "th")
# Elements with a `url()` in a style attribute: found by libxml2, not by a Python loop over
# every element of the page (that loop was 1.9 ms a page, most of the finder's time).
_STYLED = etree.XPath("//*[contains(@style, 'url(')]")


def _html_requisites(root: etree._Element, base_url: str) -> Iterator[Requisite]:
    for element in root.iter(_REQUISITE_TAGS):
        tag = _tag(element)
        if tag == "link":
            yield from _link(element, base_url)
        elif tag == "script":
            yield from _one(element.get("src"), base_url, SCRIPT)
        elif tag == "img":
            yield from _img(element, base_url)
        elif tag == "style":
            yield from css_requisites(element.text or "", base_url)
        elif tag == "meta":
            name = (element.get("property") or element.get("name") or "").strip().lower()
            if name in _SOCIAL_IMAGES:
                yield from _one(element.get("content"), base_url, IMAGE)
        elif tag == "video":
            yield from _one(element.get("poster"), base_url, IMAGE)
        elif element.get("background"):  # body, table, td, th
            yield from _one(element.get("background"), base_url, IMAGE)
    for element in _STYLED(root):
        yield from css_requisites(element.get("style") or "", base_url)


def _link(element: etree._Element, base_url: str) -> Iterator[Requisite]:
    rels = set((element.get("rel") or "").lower().split())
    href = element.get("href")
    if "stylesheet" in rels and "alternate" not in rels:
        yield from _one(href, base_url, STYLESHEET)
    elif rels & _ICON_RELS:
        yield from _one(href, base_url, ICON)
    elif "modulepreload" in rels:
        yield from _one(href, base_url, SCRIPT)
    elif "preload" in rels:
        kind = _PRELOAD_KINDS.get((element.get("as") or "").strip().lower())
        if kind is None:
            return
        srcset = element.get("imagesrcset")
        if kind == IMAGE and srcset:
            href = srcset_choice(srcset, element.get("imagesizes") or "") or href
        yield from _one(href, base_url, kind)


def _img(img: etree._Element, base_url: str) -> Iterator[Requisite]:
    picture = _picture_of(img)
    source = _picture_source(picture) if picture is not None else None
    if source is not None:
        chosen = srcset_choice(source.get("srcset") or "", source.get("sizes") or "")
        yield from _one(chosen, base_url, IMAGE)
    else:
        srcset = img.get("srcset")
        chosen = srcset_choice(srcset, img.get("sizes") or "") if srcset else None
        yield from _one(chosen or img.get("src"), base_url, IMAGE)
    for attr in _LAZY_SRC:
        yield from _one(img.get(attr), base_url, IMAGE)
    for attr in _LAZY_SRCSET:
        lazy = img.get(attr)
        if lazy:
            yield from _one(srcset_choice(lazy, img.get("sizes") or ""), base_url, IMAGE)


def _picture_of(img: etree._Element) -> etree._Element | None:
    """The `<picture>` around `img`. libxml2 does not know `<source>` is empty, so it
    nests what follows a source inside it: the picture may be a few levels up."""
    parent = img.getparent()
    while parent is not None and _tag(parent) == "source":
        parent = parent.getparent()
    return parent if parent is not None and _tag(parent) == "picture" else None


def _picture_source(picture: etree._Element) -> etree._Element | None:
    """The first `<source>` of `picture` whose type the browser decodes and whose media
    holds, if any."""
    for source in picture.iter("source"):
        if not source.get("srcset"):
            continue
        kind = (source.get("type") or "").split(";")[0].strip().lower()
        if kind and kind not in _DECODED_TYPES:
            continue
        if _media_matches(source.get("media") or "", DESKTOP_WIDTH):
            return source
    return None


def _tag(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _one(value: str | None, base_url: str, kind: str) -> Iterable[Requisite]:
    url = _absolute(value or "", base_url)
    return (Requisite(url, kind),) if url else ()


def _absolute(value: str, base_url: str) -> str | None:
    """`value` made absolute; None for an empty value, `data:`, a fragment, or a URL that
    is not http(s)."""
    value = value.strip()
    if not value or value.startswith(("#", "data:", "about:", "javascript:", "blob:")):
        return None
    url = join_url(value, base_url)
    if url is None:
        return None
    url = url.split("#", 1)[0]
    return url if url.startswith(("http://", "https://")) else None


# -- srcset and sizes -----------------------------------------------------------------------


def _candidates(srcset: str) -> list[tuple[str, str, float, float]]:
    """(url, "w" or "x", value, width) of each candidate; bad descriptors dropped."""
    result = []
    for part in _split_srcset(srcset):
        url, _, descriptor = part.partition(" ")
        descriptor = descriptor.strip().lower()
        if not url or url.startswith("data:"):
            continue
        try:
            if descriptor.endswith("w"):
                width = float(descriptor[:-1])
                result.append((url, "w", width, width))
            elif descriptor.endswith("x"):
                result.append((url, "x", float(descriptor[:-1]), 0.0))
            elif not descriptor:
                result.append((url, "x", 1.0, 0.0))
        except ValueError:
            continue
    return [c for c in result if c[2] > 0]


def _split_srcset(srcset: str) -> Iterator[str]:
    """Candidates of a srcset as "URL descriptor", parsed as the HTML standard says: a URL
    runs to the next white space (it may hold commas, `/img/a,b.jpg`); trailing commas end
    the candidate; otherwise its descriptor runs to the next comma."""
    position, length = 0, len(srcset)
    while position < length:
        while position < length and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < length and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        if not url:
            return
        if url.endswith(","):
            yield url.rstrip(",")
            continue
        end = srcset.find(",", position)
        end = length if end < 0 else end
        yield f"{url} {srcset[position:end].strip()}".strip()
        position = end + 1


def _slot_width(sizes: str, width: int) -> float:
    """The width in CSS pixels `sizes` gives the image at viewport `width`: the length of
    the first entry whose media condition holds (an entry without one always does)."""
    for entry in sizes.split(","):
        entry = entry.strip()
        condition, length = "", entry
        if entry.startswith("(") or entry.lower().startswith(("not ", "screen", "only ")):
            cut = entry.rfind(")") + 1
            condition, length = entry[:cut], entry[cut:].strip()
        if condition and not _media_matches(condition, width):
            continue
        pixels = _length(length, width)
        if pixels:
            return pixels
    return float(width)  # no usable entry: 100vw


def _length(text: str, width: int) -> float | None:
    match = _LENGTH.match(text.lower())
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    if unit == "vw":
        return value * width / 100
    if unit in ("em", "rem"):
        return value * 16
    return value


def _media_matches(media: str, width: int) -> bool:
    """Whether a media query holds at viewport `width`: `min-width`/`max-width` features
    joined by `and` (others, like `prefers-color-scheme`, are taken as holding; a
    comma-separated list holds when one of its queries does)."""
    media = media.strip().lower()
    if not media or media in ("all", "screen"):
        return True
    for query in media.split(","):
        if "print" in query or query.strip().startswith("not "):
            continue
        ok = True
        for bound, value, unit in _MEDIA_FEATURE.findall(query):
            pixels = float(value) * (16 if unit.lower() in ("em", "rem") else 1)
            if (bound == "min" and width < pixels) or (bound == "max" and width > pixels):
                ok = False
        if ok:
            return True
    return False
