from __future__ import annotations

import pytest

from crawler.siteprofile import (
    ProfileError,
    bundled_profiles,
    parse_profile,
    profile_for_url,
    resolve_profile,
)


def test_bundled_profiles_load():
    assert {"demo", "presstv"} <= set(bundled_profiles())
    presstv = resolve_profile("presstv")
    assert presstv.allowed_domains == ("presstv.ir", "presstv.co.uk")
    assert presstv.is_article_url(
        "https://www.presstv.ir/Detail/2016/03/25/457849/Iran-Russia-Syria-Zarif-Lavrov"
    )
    assert not presstv.is_article_url("https://www.presstv.ir/Section/10101")


def test_profile_is_frozen():
    profile = resolve_profile("demo")
    with pytest.raises(AttributeError):
        profile.name = "other"  # type: ignore[misc]


def test_rebased_moves_only_the_sites_own_urls():
    profile = parse_profile(
        {
            "name": "s",
            "start_urls": ["http://127.0.0.1:8000/"],
            "feeds": ["http://127.0.0.1:8000/feed.xml", "http://cdn.example.org/feed.xml"],
        },
        "s.toml",
    ).rebased("http://127.0.0.1:45678")
    assert profile.start_urls == ("http://127.0.0.1:45678/",)
    assert profile.feeds == ("http://127.0.0.1:45678/feed.xml", "http://cdn.example.org/feed.xml")


def test_allowed_domains_default_to_start_hosts():
    profile = parse_profile({"name": "s", "start_urls": ["https://News.Example.org/"]}, "s.toml")
    assert profile.allowed_domains == ("news.example.org",)


def test_url_profile_stays_on_site():
    profile = profile_for_url("https://www.example.org/news/")
    assert profile.name == "example.org" and profile.allowed_domains == ("example.org",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Bad Name", "start_urls": ["http://a.test/"]}, "'name' must be lowercase"),
        ({"name": "s", "start_urls": [""]}, "list of non-empty strings"),
        ({"name": "s", "start_urls": ["http://a.test/"], "extraction": "x"}, "must be a table"),
        ({"name": "s"}, "missing required key 'start_urls'"),
    ],
)
def test_invalid_profiles(data, message):
    with pytest.raises(ProfileError, match=message) as info:
        parse_profile(data, "where.toml")
    assert str(info.value).startswith("where.toml")
