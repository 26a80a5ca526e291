"""Which site profile a replayed page is extracted with.

A crawl knows its profile; a replay of an archive may not, so it takes `--profile` when given
and otherwise chooses one per host, once, as `ProfileChooser` does. Both reading modes of the
runner (and each worker process) use it.
"""

from __future__ import annotations

from crawler.siteprofile import (
    BUNDLED_DIR,
    ProfileError,
    SiteProfile,
    bundled_profiles,
    load_profile,
    profile_for_url,
)
from crawler.urls import host_of, in_domains


class ProfileChooser:
    """`--profile` when given; else the bundled profile for the host; else a URL profile."""

    def __init__(self, forced: SiteProfile | None) -> None:
        self.forced = forced
        self._by_host: dict[str, SiteProfile | None] = {}
        self._bundled: list[SiteProfile] | None = None

    def __call__(self, url: str) -> SiteProfile | None:
        if self.forced is not None:
            return self.forced
        host = host_of(url)
        if host not in self._by_host:
            self._by_host[host] = self._choose(url)
        return self._by_host[host]

    def _choose(self, url: str) -> SiteProfile | None:
        if self._bundled is None:
            self._bundled = [load_profile(BUNDLED_DIR / f"{n}.toml") for n in bundled_profiles()]
        for profile in self._bundled:
            if in_domains(url, profile.allowed_domains):
                return profile
        try:
            return profile_for_url(url)
        except ProfileError:
            return None
