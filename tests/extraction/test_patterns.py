"""The quick path of the furniture search finds what the plain regex finds."""

from __future__ import annotations

import pytest

from crawler.extraction import patterns as pt
from crawler.extraction.serialise import furniture_text

# One text per English furniture line of patterns._FURNITURE_LINES, as pages write them.
LINES = [
    "This website can also be accessed at the following alternate addresses: example.tv",
    "Share this article",
    "Share this story with your friends",
    "Share on Facebook",
    "Share it with a friend",
    "Please support independent journalism today.",
    "This reporting was made possible by our readers.",
    "Donate now",
    "Contribute today and keep us going.",
    "Become a member",
    "We use cookies to improve your experience.",
    "Read our cookie policy",
    "Accept all cookies",
    "Our website uses cookies to offer you optimal navigation.",
    "By continuing your browsing on our site, you agree to the use of cookies.",
    "This slideshow requires JavaScript.",
    "JavaScript is required for this feature.",
    "Please enable JavaScript to view the comments.",
    "Sign up for our daily newsletter",
    "Subscribe to the morning newsletter",
    "Get the app",
    "Download the NDTV Cricket app for Android or iOS.",
    "Turn on push notifications to receive alerts.",
    "Like us on Facebook",
    "Follow us on Instagram",
    "This post contains affiliate links.",
    "We may earn a commission when you buy through them.",
    "Facebook | Twitter | Instagram",
    "YouTube · TikTok",
]


@pytest.mark.parametrize("text", LINES)
def test_every_furniture_line_has_a_key_and_is_found(text: str) -> None:
    assert pt.FURNITURE_TEXT_RE.search(text), "the sample no longer matches its line"
    assert any(key in text.lower() for key in pt.FURNITURE_LINE_KEYS)
    assert furniture_text(text)
    assert furniture_text(text.upper())


@pytest.mark.parametrize(
    "text",
    [
        *LINES,
        "Der Stadtrat hat am Dienstag beschlossen, die Preise anzuheben.",
        "DIESE WEBSITE VERWENDET COOKIES.",
        "Tous droits réservés",
        "ΣΧΌΛΙΑ",
        "KOMMENTARFUNKTION IST GESCHLOSSEN",
        "İletişim: Tüm hakları saklıdır",
        "The council shared its plans with readers on Tuesday.",
        "Ähnliche Artikel",
    ],
)
def test_quick_path_agrees_with_the_plain_regex(text: str) -> None:
    assert furniture_text(text) == bool(pt.FURNITURE_TEXT_RE.search(text))
