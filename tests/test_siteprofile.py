from __future__ import annotations

from datetime import timedelta

import pytest

from crawler.durations import parse_duration
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


BASE = {"name": "s", "start_urls": ["http://a.test/"]}


def test_schedule_keys_default_to_unscheduled():
    profile = parse_profile(dict(BASE), "where.toml")
    assert profile.schedule is None
    assert profile.jitter == timedelta(0)
    assert profile.refetch_after is None


def test_schedule_keys_are_parsed():
    profile = parse_profile(
        {**BASE, "schedule": " */30  * * * * ", "jitter": "5m", "refetch_after": "7d"},
        "where.toml",
    )
    assert profile.schedule == "*/30 * * * *"
    assert profile.jitter == timedelta(minutes=5)
    assert profile.refetch_after == timedelta(days=7)
    assert parse_profile({**BASE, "schedule": "@hourly"}, "w.toml").schedule == "@hourly"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2w1d", timedelta(days=15)),
        ("45", timedelta(seconds=45)),
        (45, timedelta(seconds=45)),
        (1.5, timedelta(seconds=1.5)),
        ("0", timedelta(0)),
        (" 10M ", timedelta(minutes=10)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "m", "5 m", "1.5h", "-5m", "5y", "30m1h", "1h1h", True, [], -1]
)
def test_parse_duration_refuses(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"schedule": "61 * * * *"}, "'schedule' is not a valid cron expression"),
        ({"schedule": "* * * *"}, "'schedule' must have five fields"),
        ({"schedule": "0 0 * * * *"}, "'schedule' must have five fields"),
        ({"schedule": ""}, "'schedule' must be a cron expression"),
        ({"schedule": 30}, "'schedule' must be a cron expression"),
        ({"jitter": "5 minutes"}, "'jitter': '5 minutes' is not a duration"),
        ({"refetch_after": "-1d"}, "'refetch_after': '-1d' is not a duration"),
        ({"refetch_after": True}, "'refetch_after': expected a duration"),
        ({"schedul": "* * * * *"}, "unknown key 'schedul' \\(did you mean 'schedule'\\?\\)"),
    ],
)
def test_invalid_schedule_keys(extra, message):
    with pytest.raises(ProfileError, match=message) as info:
        parse_profile({**BASE, **extra}, "where.toml")
    assert str(info.value).startswith("where.toml")
