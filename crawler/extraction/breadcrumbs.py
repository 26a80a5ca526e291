"""Breadcrumbs (JSON-LD BreadcrumbList, nav[aria-label=breadcrumb], class/id "breadcrumb",
microdata) and the section: the most specific breadcrumb that is neither a generic root
("Home", "News") nor the page title, else article:section, else JSON-LD articleSection."""

from __future__ import annotations

import re

from lxml import etree

from crawler.extraction.metasources import (
    MAX_CANDIDATES,
    Page,
    domain_keys,
    elsewhere,
    named,
    owners,
    strings,
)
from crawler.extraction.text import clean, norm, text_of

SECTION_METAS = ("article:section", "og:article:section", "parsely-section", "section",
                 "cxenseparse:recs:articlesection", "category")  # fmt: skip

# Breadcrumb items that name the site's root rather than a section (compared case-folded).
GENERIC_SECTIONS = frozenset(
    (
        "home homepage start startseite accueil inicio portada portal index main news latest "
        "articles article nachrichten noticias notizie notícias actualités actualites nieuws "
        "новости главная الرئيسية الأخبار اخبار 首页 新闻 ホーム ニュース 홈 뉴스"
    ).split()
) | {"home page", "top stories", "all news", "front page", "latest news", "news home"}

_NOT_BREADCRUMB_TAGS = frozenset({"aside", "footer"})

_X = etree.XPath
# A trail's class, id or aria-label ("breadcrumb", "Breadcrumbs", "c-breadCrumb").
_BREADCRUMB_CLASS = re.compile("readcrumb|readCrumb")
_BREADCRUMB_NAME = re.compile("readcrumb")
_BREADCRUMB_MICRODATA = _X("//@itemtype[contains(., 'BreadcrumbList')]")
_BREADCRUMB_SEPARATORS = "/>»›|→•·:\\-–—›‹<«"
_MAX_BREADCRUMB_CHARS = 400
_WIDGET_WORDS = frozenset(
    {"facebook", "twitter", "email", "email me", "share", "print", "whatsapp", "linkedin"}
)


def _jsonld_breadcrumbs(page: Page) -> list[str]:
    lists = list(page.ld.of_types(frozenset({"BreadcrumbList"})))
    for node in page.ld.entities:
        crumb = page.ld.resolve(node.get("breadcrumb"))
        if isinstance(crumb, dict):
            lists.append(crumb)
    for crumbs in lists:
        items = crumbs.get("itemListElement")
        if not isinstance(items, list):
            continue
        named = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            target = page.ld.resolve(item.get("item"))
            name = item.get("name") or (target.get("name") if isinstance(target, dict) else None)
            position = item.get("position")
            try:
                order = float(position) if position is not None else float(index)
            except (TypeError, ValueError):
                order = float(index)
            if isinstance(name, str) and clean(name):
                named.append((order, index, clean(name)))
        if named:
            return [name for _, _, name in sorted(named)]
    return []


def _html_breadcrumbs(page: Page) -> list[str]:
    containers = named(
        page.names, _BREADCRUMB_CLASS, _BREADCRUMB_NAME, _BREADCRUMB_NAME
    ) or owners(_BREADCRUMB_MICRODATA(page.root))
    for container in containers[:MAX_CANDIDATES]:
        # The first, outermost, that reads as a trail: short text, no share widget.
        if elsewhere(container, _NOT_BREADCRUMB_TAGS) or len(text_of(container)) > (
            _MAX_BREADCRUMB_CHARS
        ):
            continue
        crumbs = _crumbs_in(container)
        if crumbs and not any(c.casefold() in _WIDGET_WORDS for c in crumbs):
            return crumbs
    return []


def _crumbs_in(container: etree._Element) -> list[str]:
    named = container.xpath(".//*[@itemprop='itemListElement']//*[@itemprop='name']")
    if named:
        items = [(e.get("content") or text_of(e)) for e in named]
    else:
        leaves = [li for li in container.iter("li") if not li.xpath(".//li")]
        items = [text_of(li) for li in leaves] if leaves else _inline_crumbs(container)
    crumbs = [clean(i.strip(_BREADCRUMB_SEPARATORS + " \u00a0")) for i in items]
    return [c for c in crumbs if c][:12]


def _inline_crumbs(container: etree._Element) -> list[str]:
    """Crumbs written as links and spans with separators between them, or as plain text."""
    children = [c for c in container.iter("a", "span", "strong", "b", "em") if c is not container]
    leaves = [c for c in children if not any(d in children for d in c.iterdescendants())]
    texts = [text_of(c) for c in leaves]
    texts = [t for t in texts if t.strip(_BREADCRUMB_SEPARATORS + " \u00a0")]
    if texts:
        return texts
    return re.split(r"\s+[/>»›|→]\s+|\s*[»›→]\s*", text_of(container))


def find_section(
    page: Page, breadcrumbs: list[str], title: str | None, site_names: list[str]
) -> str | None:
    title_key = norm(title or "")
    for crumb in reversed(breadcrumbs):
        key = norm(crumb)
        if not key or crumb.casefold() in GENERIC_SECTIONS or key == title_key:
            continue
        if title_key and len(crumb) > 40 and (title_key.startswith(key) or key in title_key):
            continue  # a shortened title as the last crumb
        return crumb
    site_keys = {norm(n) for n in site_names} | set(domain_keys(page.url))
    candidates = page.metas.all(*SECTION_METAS)
    if page.article:
        candidates.extend(strings(page.article.get("articleSection")))
    for candidate in candidates:
        section = clean(candidate)
        if (
            section
            and section.casefold() not in GENERIC_SECTIONS
            and norm(section) not in (site_keys)
        ):
            return section
    return None


def find_breadcrumbs(page: Page) -> list[str]:
    """The page's breadcrumb trail, as written: JSON-LD first, then the visible trail."""
    return _jsonld_breadcrumbs(page) or _html_breadcrumbs(page)
