"""Site profiles: the rules for crawling one site, kept as TOML data files.

A profile is validated into a frozen `SiteProfile` once, before any crawling starts, so a
typo is reported with the file and key at fault instead of surfacing mid-crawl. Bundled
profiles live in `crawler/profiles/NAME.toml`; any other `.toml` path works too.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from croniter import croniter

from crawler.durations import parse_duration
from crawler.extraction.rules import ExtractionRules
from crawler.urls import host_of

BUNDLED_DIR = Path(__file__).with_name("profiles")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class ProfileError(ValueError):
    """A site profile cannot be found or is invalid; the message says where and why."""


@dataclass(frozen=True)
class SiteProfile:
    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    # Regular expressions searched in a URL: a match marks an article page.
    article_patterns: tuple[re.Pattern[str], ...] = ()
    # Regular expressions searched in a URL: a match is never followed.
    deny_patterns: tuple[re.Pattern[str], ...] = ()
    extraction: ExtractionRules = field(default_factory=ExtractionRules)
    # When `newsarchive schedule` crawls the site: a five-field cron expression (UTC).
    schedule: str | None = None
    # Each scheduled start is delayed by a random amount up to this, so that profiles on the
    # same schedule do not all hit the network (and the site) in the same second.
    jitter: timedelta = timedelta(0)
    # An article already archived is fetched again once its last capture is this old
    # (None: known articles are not refetched by an incremental crawl).
    refetch_after: timedelta | None = None
    source: str = "<built-in>"

    def is_article_url(self, url: str) -> bool:
        return any(p.search(url) for p in self.article_patterns)

    def is_denied(self, url: str) -> bool:
        return any(p.search(url) for p in self.deny_patterns)

    def rebased(self, base_url: str) -> SiteProfile:
        """The same profile with its first start URL's origin moved to `base_url`'s.

        Lets the demo profile (written for a fixed origin) crawl a server on a free port.
        """
        old = urlsplit(self.start_urls[0])
        new = urlsplit(base_url)

        def move(url: str) -> str:
            parts = urlsplit(url)
            if (parts.scheme, parts.netloc) != (old.scheme, old.netloc):
                return url
            return urlunsplit((new.scheme, new.netloc, parts.path, parts.query, parts.fragment))

        domains = tuple(new.hostname if d == old.hostname else d for d in self.allowed_domains)
        return replace(
            self,
            start_urls=tuple(map(move, self.start_urls)),
            feeds=tuple(map(move, self.feeds)),
            sitemaps=tuple(map(move, self.sitemaps)),
            allowed_domains=tuple(dict.fromkeys(domains)),
        )


# key -> (type description, validator/converter)
_TOP_KEYS = {
    "name",
    "start_urls",
    "allowed_domains",
    "feeds",
    "sitemaps",
    "article_patterns",
    "deny_patterns",
    "extraction",
    "schedule",
    "jitter",
    "refetch_after",
}
_EXTRACTION_KEYS = {"content_selector", "remove_selectors", "remove_patterns", "date_format"}


def _unknown_key_error(where: str, key: str, known: set[str]) -> ProfileError:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ProfileError(
        f"{where}: unknown key '{key}'{hint}; known keys: {', '.join(sorted(known))}"
    )


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _urls(where: str, key: str, value: Any) -> tuple[str, ...]:
    urls = _strings(where, key, value)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProfileError(f"{where}: '{key}' has '{url}', which is not an http(s) URL")
    return urls


def _patterns(where: str, key: str, value: Any) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in _strings(where, key, value):
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ProfileError(
                f"{where}: '{key}' has an invalid regex {pattern!r}: {exc}"
            ) from None
    return tuple(compiled)


def _schedule(where: str, value: Any) -> str:
    """A cron expression croniter accepts, limited to crontab's five fields (or `@hourly`,
    `@daily` …): croniter reads a sixth field as seconds *after* the minutes, unlike other
    six-field dialects, and a profile should mean what it would mean in a crontab."""
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"{where}: 'schedule' must be a cron expression such as '*/30 * * * *'")
    text = " ".join(value.split())
    if not text.startswith("@") and len(text.split()) != 5:
        raise ProfileError(
            f"{where}: 'schedule' must have five fields (minute hour day month weekday), "
            f"got {value!r}"
        )
    if not croniter.is_valid(text):
        raise ProfileError(f"{where}: 'schedule' is not a valid cron expression: {value!r}")
    return text


def _duration(where: str, key: str, value: Any) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ProfileError(f"{where}: '{key}': {exc}") from None


def _extraction(where: str, table: Any) -> ExtractionRules:
    if not isinstance(table, dict):
        raise ProfileError(f"{where}: 'extraction' must be a table ([extraction])")
    for key in table:
        if key not in _EXTRACTION_KEYS:
            raise _unknown_key_error(f"{where} [extraction]", key, _EXTRACTION_KEYS)
    for key in ("content_selector", "date_format"):
        if key in table and not isinstance(table[key], str):
            raise ProfileError(f"{where}: 'extraction.{key}' must be a string")
    _patterns(where, "extraction.remove_patterns", table.get("remove_patterns", []))
    return ExtractionRules(
        content_selector=table.get("content_selector"),
        remove_selectors=_strings(where, "remove_selectors", table.get("remove_selectors", [])),
        remove_patterns=_strings(where, "remove_patterns", table.get("remove_patterns", [])),
        date_format=table.get("date_format"),
    )


def parse_profile(data: dict[str, Any], source: str) -> SiteProfile:
    """Validate a profile's TOML table; every error names `source` and the key at fault."""
    for key in data:
        if key not in _TOP_KEYS:
            raise _unknown_key_error(source, key, _TOP_KEYS)
    for key in ("name", "start_urls"):
        if key not in data:
            raise ProfileError(f"{source}: missing required key '{key}'")
    name = data["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProfileError(
            f"{source}: 'name' must be lowercase letters, digits, '.', '_' or '-' (got {name!r})"
        )
    start_urls = _urls(source, "start_urls", data["start_urls"])
    domains = data.get("allowed_domains") or sorted({host_of(u) for u in start_urls})
    return SiteProfile(
        name=name,
        start_urls=start_urls,
        allowed_domains=tuple(d.lower() for d in _strings(source, "allowed_domains", domains)),
        feeds=_urls(source, "feeds", data.get("feeds", [])),
        sitemaps=_urls(source, "sitemaps", data.get("sitemaps", [])),
        article_patterns=_patterns(source, "article_patterns", data.get("article_patterns", [])),
        deny_patterns=_patterns(source, "deny_patterns", data.get("deny_patterns", [])),
        extraction=_extraction(source, data.get("extraction", {})),
        schedule=_schedule(source, data["schedule"]) if "schedule" in data else None,
        jitter=_duration(source, "jitter", data.get("jitter", 0)),
        refetch_after=(
            _duration(source, "refetch_after", data["refetch_after"])
            if "refetch_after" in data
            else None
        ),
        source=source,
    )


def load_profile(path: str | Path) -> SiteProfile:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8 (tomllib decodes before parsing)
        raise ProfileError(f"{path}: not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read it: {exc.strerror}") from None
    return parse_profile(data, str(path))


def bundled_profiles() -> list[str]:
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.toml"))


def profile_for_url(url: str) -> SiteProfile:
    """A profile for a site we have no rules for: stay on its host, find feeds as we go."""
    _urls("command line", "URL", url)
    host = host_of(url)
    bare = host.removeprefix("www.")
    name = re.sub(r"[^a-z0-9_.-]", "-", bare) or "site"
    return SiteProfile(name=name, start_urls=(url,), allowed_domains=(bare,), source=f"<URL {url}>")


def resolve_profile(target: str) -> SiteProfile:
    """PROFILE name, path to a .toml file, or a URL — as `newsarchive crawl` accepts."""
    if target.startswith(("http://", "https://")):
        return profile_for_url(target)
    if target.endswith(".toml") or "/" in target:
        return load_profile(target)
    path = BUNDLED_DIR / f"{target}.toml"
    if path.exists():
        return load_profile(path)
    known = ", ".join(bundled_profiles())
    raise ProfileError(
        f"no profile named '{target}' (bundled: {known}); give a profile name, a .toml path "
        "or an http(s) URL"
    )
