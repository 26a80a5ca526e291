"""Hostile input gets documented errors only: the URL normaliser, the profile loader and the
WARC readers, on whatever hypothesis makes up. (The extractor's own properties are in
tests/extraction/test_robustness.py.)"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.catalog.rebuild import capture_rows
from archive.check import check
from archive.errors import WarcReadError
from archive.warc.reader import record_in
from archive.warc.stream import complete_prefix
from crawler.siteprofile import ProfileError, SiteProfile, load_profile, parse_profile
from crawler.urls import absolute, has_dated_path, host_of, in_domains, strip_tracking, url_key

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

URL_PIECES = st.sampled_from(
    ["http://", "https://", "[", "]", "::1", "%", "%zz", "?", "&", "=", "#", "/", ":", "@",
     "utm_source=x", "a.example", "\x00", " ", "\n", "é", "..", "80", "99999"]
)  # fmt: skip
URLS = st.one_of(st.text(max_size=60), st.lists(URL_PIECES, max_size=12).map("".join))


@FAST
@given(URLS, URLS)
def test_the_url_normaliser_never_raises(url: str, base: str) -> None:
    key = url_key(url)
    assert isinstance(key, str) and isinstance(strip_tracking(url), str)
    assert isinstance(host_of(url), str)
    assert isinstance(in_domains(url, ("a.example",)), bool)
    assert isinstance(has_dated_path(url), bool)
    joined = absolute(url, base)
    assert joined is None or joined.startswith(("http://", "https://"))


@FAST
@given(URLS)
def test_url_keys_are_stable(url: str) -> None:
    """The catalog's key of a key is the key: a URL is found under what it was stored as."""
    assert url_key(url_key(url)) == url_key(url)


TOML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=30), st.just("https://a.example/"), st.just("[unclosed")),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)  # fmt: skip
PROFILE_KEYS = st.sampled_from(
    ["name", "start_urls", "allowed_domains", "feeds", "sitemaps", "article_patterns",
     "deny_patterns", "extraction", "schedule", "jitter", "refetch_after", "strat_urls"]
)  # fmt: skip


@FAST
@given(st.dictionaries(PROFILE_KEYS, TOML_VALUES, max_size=8))
def test_the_profile_loader_raises_profile_errors_only(data: dict) -> None:
    try:
        profile = parse_profile(data, "fuzzed.toml")
    except ProfileError as exc:
        assert str(exc).startswith("fuzzed.toml")
    else:
        assert isinstance(profile, SiteProfile) and profile.start_urls


@FAST
@given(st.binary(max_size=400))
def test_a_profile_file_of_any_bytes_is_a_profile_error_or_a_profile(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "site.toml"
        path.write_bytes(data)
        try:
            load_profile(path)
        except ProfileError as exc:
            assert str(path) in str(exc)


WARCISH = st.one_of(
    st.binary(max_size=600),
    st.lists(
        st.sampled_from([b"WARC/1.1\r\n", b"WARC-Type: response\r\n", b"Content-Length: 5\r\n",
                         b"Content-Length: -1\r\n", b"\r\n", b"HTTP/1.1 200 OK\r\n", b"hello",
                         b"\x1f\x8b\x08\x00", b"\x00" * 8]),
        max_size=20,
    ).map(b"".join),
)  # fmt: skip


@FAST
@given(WARCISH)
def test_the_warc_readers_raise_documented_errors_only(data: bytes) -> None:
    fd, name = tempfile.mkstemp(suffix=".warc")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        with open(name, "rb") as stream:
            end, records = complete_prefix(stream)
            assert 0 <= end <= len(data) and records >= 0
            with contextlib.suppress(WarcReadError):
                record_in(stream, 0, name)
        with contextlib.suppress(WarcReadError):
            list(capture_rows(name))
        report = check([Path(name)])
        assert report.records >= 0
    finally:
        os.unlink(name)
