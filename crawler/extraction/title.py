"""The headline: the <h1> when another source agrees with it, else og:title, JSON-LD headline,
twitter:title, <title> — without the " | Site name" suffix or "Site - " prefix when that part
names the site (og:site_name, JSON-LD publisher, the domain)."""

from __future__ import annotations

import re

from lxml import etree

from crawler.extraction.breadcrumbs import GENERIC_SECTIONS
from crawler.extraction.metasources import (
    Page,
    domain_keys,
    elsewhere,
    norm,
    strings,
)
from crawler.extraction.text import clean, text_of

TITLE_METAS = ("og:title", "twitter:title", "dc.title", "sailthru.title", "parsely-title")
SITE_NAME_METAS = ("og:site_name", "application-name", "apple-mobile-web-app-title")

_GLUED_PREFIX = re.compile(r"^([^\s\-–—:|]{3,30})\s?[-–—:|]\s?(\S.*)$")
_TITLE_SEPARATOR = re.compile(r"(\s+[|\-–—»·•:/]{1,2}\s+|\s*\|\s*)")


def site_names(page: Page) -> list[str]:
    names = [page.metas.first(*SITE_NAME_METAS)]
    if page.article:
        names.extend(strings(page.ld.resolve(page.article.get("publisher"))))
    for node in page.ld.of_types(frozenset({"WebSite", "Organization", "NewsMediaOrganization"})):
        names.extend(strings(node.get("name")))
    cleaned = [clean(n) for n in names if n]
    # Some sites put their URL or Twitter handle there; neither is a name.
    return [n for n in cleaned if n and "://" not in n and not n.startswith(("@", "www."))]


def names_site(part: str, site_keys: list[str], domain_keys: list[str]) -> bool:
    key = norm(part)
    if not key or len(part.split()) > 6:
        return False
    if key in site_keys or key in domain_keys:
        return True
    # "BBC News" on bbc.co.uk, "The Guardian" on theguardian.com
    return any(key.startswith(d) or d.startswith(key) for d in domain_keys if len(key) >= 3)


def _strip_site(title: str, site_keys: list[str], domain_keys: list[str]) -> tuple[str, str | None]:
    """ "Headline | Site" → ("Headline", "Site"): only a whole side that names the site goes."""
    parts = _TITLE_SEPARATOR.split(title)
    removed = None
    while len(parts) >= 3 and names_site(parts[-1], site_keys, domain_keys):
        removed = parts[-1].strip()
        parts = parts[:-2]
    while len(parts) >= 3 and names_site(parts[0], site_keys, domain_keys):
        removed = removed or parts[0].strip()
        parts = parts[2:]
    stripped = clean("".join(parts))
    # "PressTV-Headline": a site name glued to the headline by a dash or colon.
    glued = _GLUED_PREFIX.match(stripped)
    if glued and glued.group(2)[0].isupper() and names_site(glued[1], site_keys, domain_keys):
        return glued.group(2), removed or glued.group(1)
    return stripped, removed


def _headings(page: Page) -> list[str]:
    h1s = [h for h in page.elements["h1"][:6] if not elsewhere(h)]

    # A headline marked as such first; then h1s inside <article>/<main>; then the rest.
    def rank(h: etree._Element) -> int:
        marker = f"{h.get('itemprop', '')} {h.get('class', '')}".lower()
        if "headline" in marker or "title" in marker:
            return 0
        if any(a.tag in ("article", "main") for a in h.iterancestors()):
            return 1
        return 2

    return [t for t in (text_of(h) for h in sorted(h1s, key=rank)) if t]


def find_title(
    page: Page, site_names: list[str], sections: list[str]
) -> tuple[str | None, str | None]:
    """The headline, and the site name found in a title suffix (a fallback for site_name)."""
    site_keys = [norm(n) for n in site_names]
    domains = domain_keys(page.url)
    raw: list[str] = []
    og = page.metas.first("og:title")
    if og:
        raw.append(og)
    if page.article:
        raw.extend(s for s in strings(page.article.get("headline")) if s.strip())
    raw.extend(v for v in (page.metas.first(*TITLE_METAS[1:]),) if v)
    titles = page.elements["title"]
    if titles:
        raw.append(text_of(titles[0]))
    candidates, suffix_site = [], None
    for text in raw:
        stripped, removed = _strip_site(clean(text), site_keys, domains)
        suffix_site = suffix_site or removed
        if stripped:
            candidates.append(stripped)
    headings = _headings(page)
    keys = [norm(c) for c in candidates]
    for heading in headings:
        key = norm(heading)
        if not key:
            continue
        # The h1 agrees with a title, or is the headline part of one ("Headline - World").
        if any(key == k or (key in k and len(key) * 2 >= len(k)) for k in keys):
            return heading, suffix_site
    section_keys = {norm(s) for s in sections} | {norm(s) for s in GENERIC_SECTIONS}
    for candidate in candidates:
        parts = _TITLE_SEPARATOR.split(candidate)
        # "Headline - Politics" once the site is gone: a trailing section name goes too.
        while len(parts) >= 3 and norm(parts[-1]) in section_keys:
            parts = parts[:-2]
        return clean("".join(parts)), suffix_site
    return (headings[0] if headings else None), suffix_site
