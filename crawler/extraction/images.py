"""Stage 4c — images of the article, with caption and credit, from <figure>s and caption boxes.

Captions and credits are image metadata, never body text: this stage reads them before the
cleaning stage drops them from the region. A credit is taken from a credit/copyright element
when the page has one, else split off the caption's end ("... Aleppo. (AFP Photo)",
"... Geneva. ©AFP", "Photo: Reuters").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from lxml import etree

from crawler.extraction import patterns as pt
from crawler.extraction.article import Image
from crawler.extraction.cleaning import attr_info
from crawler.extraction.text import clean, text_of

_SRC_ATTRS = (
    "data-src",
    "data-original",
    "data-lazy-src",
    "data-full-src",
    "data-hi-res-src",
    "src",
)
_CREDIT_TOKENS = frozenset(
    {"credit", "credits", "copyright", "photocredit", "imagecredit", "source", "byline", "author"}
)


def image_url(img: etree._Element, base_url: str) -> str | None:
    for attr in _SRC_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return _join(base_url, value)
    srcset = (img.get("srcset") or img.get("data-srcset") or "").strip()
    if srcset:
        first = srcset.split(",")[0].strip().split(" ")[0]
        if first and not first.startswith("data:"):
            return _join(base_url, first)
    return None


def _join(base: str, url: str) -> str:
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def split_credit(caption: str) -> tuple[str, str | None]:
    """Split a trailing photo credit off a caption."""
    for pattern in pt.CREDIT_RES:
        match = pattern.search(caption)
        if match and match.start() > 0:
            credit = match.group(1).strip(" .()")
            rest = caption[: match.start()].strip()
            if credit and rest:
                return rest, credit
    return caption, None


def _figures(scope: etree._Element) -> list[etree._Element]:
    found = list(pt.XP_FIGURES(scope))
    # Caption boxes outside <figure>: an element with a caption class next to an <img>.
    for el in pt.XP_CLASSED_BELOW(scope):
        tokens = attr_info(el).tokens
        if any(t in ("caption", "captions") for t in tokens):
            box = el.getparent()
            if box is not None and box not in found and pt.XP_IMAGES(box):
                found.append(box)
    outer = []
    for fig in found:
        node = fig.getparent()
        nested = False
        while node is not None:
            if node in found:
                nested = True
                break
            node = node.getparent()
        if not nested:
            outer.append(fig)
    return outer


def _caption_and_credit(fig: etree._Element) -> tuple[str | None, str | None]:
    caption_el = None
    credit_el = None
    for el in fig.iter():
        if el is fig or not isinstance(el.tag, str):
            continue
        tokens = attr_info(el).tokens
        if credit_el is None and any(t in _CREDIT_TOKENS for t in tokens):
            credit_el = el
        elif caption_el is None and (
            el.tag == "figcaption"
            or any(t in ("caption", "captions", "wpcaptiontext") for t in tokens)
        ):
            caption_el = el
    credit = text_of(credit_el) if credit_el is not None else None
    caption = text_of(caption_el) if caption_el is not None else None
    if caption and credit and credit in caption:
        caption = clean(caption.replace(credit, " "))
    if caption and not credit:
        caption, credit = split_credit(caption)
    if credit:
        credit = (
            re.sub(
                r"^(?:photo|image|credit|source)s?\s*(?:by|:)\s*",
                "",
                credit.strip(" ()"),
                flags=re.I,
            ).strip(" .©")
            or None
        )
    return caption or None, credit


def extract_images(
    scopes: Iterable[etree._Element], base_url: str, lead: Image | None = None
) -> list[Image]:
    images: list[Image] = []
    seen: set[str] = set()
    for scope in scopes:
        for fig in _figures(scope):
            imgs = pt.XP_IMAGES(fig)
            url = image_url(imgs[0], base_url) if imgs else None
            if not url or url in seen:
                continue
            caption, credit = _caption_and_credit(fig)
            seen.add(url)
            images.append(Image(url=url, caption=caption, credit=credit))
    if lead is not None:
        lead_url = _join(base_url, lead.url)
        same = [i for i, im in enumerate(images) if _same_image(im.url, lead_url)]
        if same:
            first = images.pop(same[0])
            images.insert(0, first)
        else:
            images.insert(0, Image(url=lead_url, caption=lead.caption, credit=lead.credit))
    return images


def _same_image(a: str, b: str) -> bool:
    if a == b:
        return True
    return a.split("?")[0].rsplit("/", 1)[-1] == b.split("?")[0].rsplit("/", 1)[-1]
