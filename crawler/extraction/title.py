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
    strings,
)
from crawler.extraction.text import clean, norm, text_of

TITLE_METAS = ("og:title", "twitter:title", "dc.title", "sailthru.title", "parsely-title")
SITE_NAME_METAS = ("og:site_name", "application-name", "apple-mobile-web-app-title")

_GLUED_PREFIX = re.compile(r"^([^\s\-–—:|]{3,30})\s?[-–—:|]\s?(\S.*)$")
_TITLE_SEPARATOR = re.compile(r"(\s+[|\-–—»·•:/]{1,2}\s+|\s*\|\s*)")
# A generic section name ("News", "Home") at either end of a title, compared as `norm` keys.
_GENERIC_SECTION_KEYS = frozenset(norm(s) for s in GENERIC_SECTIONS)


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
    words = part.split()
    if not key or len(words) > 6:
        return False
    if key in site_keys or key in domain_keys:
        return True
    # "Deutsche Welle" on dw.com, "Nouvelles du Jour" on ndj.fr: the domain is its initials.
    if len(words) > 1 and norm("".join(w[0] for w in words)) in domain_keys[1:]:
        return True
    # "BBC News" on bbc.co.uk, "The Guardian" on theguardian.com
    return any(key.startswith(d) or d.startswith(key) for d in domain_keys if len(key) >= 3)


def _site_prefix(site_names: list[str]) -> re.Pattern[str] | None:
    """ "Site Name: Headline", "Site Name- Headline": the known name and any separator."""
    names = sorted({n for n in site_names if len(n) >= 3}, key=len, reverse=True)
    if not names:
        return None
    alternation = "|".join(re.escape(n) for n in names)
    # A hyphen needs a space beside it: "Tagesblatt-Leser wählen ..." is one word.
    separator = r"(?:\s*[|–—:»·•/]{1,2}\s*|\s*-\s+|\s+-\s*)"
    return re.compile(rf"^(?:{alternation}){separator}(?=\S)", re.I)


def _strip_site(
    title: str, site_keys: list[str], domain_keys: list[str], prefix: re.Pattern[str] | None
) -> tuple[str, str | None]:
    """ "Headline | Site" → ("Headline", "Site"): only a whole side that names the site goes."""
    if prefix is not None:
        match = prefix.match(title)
        if match and len(title) > match.end() + 10:
            title = title[match.end() :]
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
    prefix = _site_prefix(site_names)
    for text in raw:
        stripped, removed = _strip_site(clean(text), site_keys, domains, prefix)
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
    section_keys = {norm(s) for s in sections} | _GENERIC_SECTION_KEYS
    for candidate in _agreed(candidates):
        parts = _TITLE_SEPARATOR.split(candidate)
        # "Headline - Politics" once the site is gone: a section name at either end goes too.
        while len(parts) >= 3 and norm(parts[-1]) in section_keys:
            parts = parts[:-2]
        while len(parts) >= 3 and norm(parts[0]) in section_keys:
            parts = parts[2:]
        return clean("".join(parts)), suffix_site
    return (headings[0] if headings else None), suffix_site


def _sides(title: str) -> dict[str, int]:
    """What is left of `title` once whole parts are cut from either end, by key, with the
    number of words cut: "A - B - C" → B - C, C, A - B, A and B."""
    parts = _TITLE_SEPARATOR.split(title)
    words = [len(p.split()) for p in parts[::2]]
    n = len(words)
    sides: dict[str, int] = {}
    for start in range(n):
        for end in range(start + 1, n + 1):
            if (start, end) != (0, n):
                key = norm("".join(parts[2 * start : 2 * end - 1]))
                cut = sum(words[:start]) + sum(words[end:])
                if key:
                    sides[key] = min(cut, sides.get(key, cut))
    return sides


def _agreed(candidates: list[str]) -> list[str]:
    """Candidates in order, but first one that another candidate holds as a whole side, with
    fewer words cut than it has: og:title "Site Name - Headline" and a JSON-LD headline
    "Headline" agree on "Headline" (and a twitter:title that is only "Site Name" does not
    win over the headline)."""
    if len(candidates) < 2:
        return candidates
    sides = [_sides(c) for c in candidates]
    for i, candidate in enumerate(candidates):
        key, size = norm(candidate), len(candidate.split())
        if any(key in s and s[key] <= size for j, s in enumerate(sides) if j != i):
            return [candidate, *candidates]
    return candidates
