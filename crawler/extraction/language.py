"""Language of a page: declared tags normalised, else a cheap guess from the text.

The guess needs no model: the writing system settles most languages (Arabic script with
Persian or Urdu letters, kana for Japanese, Hangul for Korean ...); Latin- and Cyrillic-script
text is told apart by its most frequent short words. Good enough for a fallback on news text
of a sentence or more; pages usually declare their language anyway.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from crawler.extraction.text import LETTERS

# Primary subtags only: "en-GB" → "en". Legacy codes browsers still see → the current ones.
_LEGACY = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}
_TAG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$", re.I)
_ASCII = re.compile(r"[\x00-\x7f]+")
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")

# Frequent words that are rare in the other languages listed.
_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is that for was with on as by at from his her said have has "
        "are were been which will would their they this it an",
        "fr": "le la les des du et est une dans pour que qui sur au aux pas par avec ce cette "
        "sont ont été il elle ne se leur plus",
        "de": "der die das und ist nicht ein eine den dem zu mit sich auf für von im des auch "
        "wurde sind hat wird bei nach aus",
        "es": "el la los las de del y en que un una por con para es se al fue su lo como más "
        "pero sus han ha",
        "it": "il la di che e un una per con del della non sono è le gli nel alla al da si "
        "anche più ha dei",
        "pt": "o a os as de do da dos das e em um uma para com não que no na por se foi ao "
        "mais pelo pela são",
        "nl": "de het een en van in is dat op te zijn met voor niet aan er die maar ook bij "
        "werd wordt heeft",
        "sv": "och att det som en på är av för med till den har inte om ett var jag men från också",
        "pl": "i w na z że do nie się jest to o jak po co ale przez od za dla już jego",
        "tr": "ve bir bu da de için ile olarak çok daha gibi ne değil olan en ama kadar sonra ise",
        "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke ada oleh "
        "sebagai adalah",
        "ru": "и в не на что с по как это он из за о к но его от для было также она они был",
        "uk": "і в не на що з та як це до його від але за про він для було також вона є",
    }.items()
}
# Letters that mark one language among those sharing a script.
_MARKERS: tuple[tuple[str, str, str], ...] = (
    # script, language, letters
    ("ARABIC", "ur", "ٹڈڑںےۓھ"),
    ("ARABIC", "fa", "پچژگکی"),
    ("CYRILLIC", "uk", "іїєґ"),
    ("CYRILLIC", "bg", "ъщ"),
    ("CYRILLIC", "sr", "ђјљњћџ"),
)
# Scripts that, when they dominate, name the language by themselves.
_SCRIPT_LANGUAGE = {
    "ARABIC": "ar",
    "HEBREW": "he",
    "GREEK": "el",
    "HANGUL": "ko",
    "THAI": "th",
    "DEVANAGARI": "hi",
    "BENGALI": "bn",
    "TAMIL": "ta",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "ETHIOPIC": "am",
    "KHMER": "km",
    "MYANMAR": "my",
    "SINHALA": "si",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "TELUGU": "te",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "LAO": "lo",
}
_SCRIPT_SAMPLE_CHARS = 2000


def normalize_language(tag: str | None) -> str | None:
    """`en_US` / `EN-gb` / `en` → `en`; None for empty or malformed tags and `x-default`."""
    if not tag:
        return None
    tag = tag.strip().split(",")[0].strip()
    match = _TAG.match(tag)
    if not match:
        return None
    primary = match.group(1).lower()
    return _LEGACY.get(primary, primary)


@lru_cache(maxsize=8192)
def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    if char.isascii():
        return "LATIN"
    try:
        name = unicodedata.name(char)
    except ValueError:
        return None
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "KANA"
    if name.startswith("CJK"):
        return "HAN"
    return name.split(" ", 1)[0]


def dominant_script(text: str) -> str | None:
    """The writing system of most letters of `text` ("LATIN", "ARABIC", "HAN", "KANA" ...)."""
    sample = text[:_SCRIPT_SAMPLE_CHARS]
    # ASCII letters are Latin; only the rest needs a Unicode lookup (most pages are mostly ASCII).
    counts = Counter(
        script for script in map(_script, _ASCII.sub("", sample)) if script is not None
    )
    latin = sum(map(len, _ASCII_LETTERS.findall(sample)))
    if latin:
        counts["LATIN"] += latin
    if not counts:
        return None
    if counts["KANA"] and counts["KANA"] * 10 >= counts["HAN"]:
        return "KANA"  # Japanese mixes kanji with kana
    return counts.most_common(1)[0][0]


def detect_language(text: str) -> str | None:
    """A guess at the language of `text` (ISO 639-1), or None when too little to go on."""
    text = text[:20000]
    script = dominant_script(text)
    if script is None:
        return None
    if script == "KANA":
        return "ja"
    if script == "HAN":
        return "zh"
    letters = set(text[:_SCRIPT_SAMPLE_CHARS])
    for marker_script, language, marks in _MARKERS:
        if script == marker_script and letters.intersection(marks):
            # Persian and Urdu share most letters; Urdu has its own on top of Persian's.
            return language
    if script in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[script]
    scores = _stopword_scores(text)
    if script == "CYRILLIC":
        scores = {k: v for k, v in scores.items() if k in ("ru", "uk")}
        return max(scores, key=scores.__getitem__) if any(scores.values()) else "ru"
    scores = {k: v for k, v in scores.items() if k not in ("ru", "uk")}
    best = max(scores, key=scores.__getitem__)
    if scores[best] < 3:
        return None
    return best


def _stopword_scores(text: str) -> dict[str, int]:
    words = Counter(map(str.lower, LETTERS.findall(text)))
    # Only the stopwords the text has: looking each list up word by word in the Counter cost
    # twice as much, most of them missing.
    return {
        language: sum(words[w] for w in stopwords.intersection(words))
        for language, stopwords in _STOPWORDS.items()
    }


def declared_plausible(language: str, text: str) -> bool:
    """Whether a declared language fits `text`: its script, and for languages with a stopword
    list, its frequent words (a German template over English articles, say). Only a clear
    contradiction counts; short or mixed text keeps the declaration."""
    script = dominant_script(text)
    if not _script_fits(language, script):
        return False
    if language not in _STOPWORDS or script != "LATIN":
        return True
    scores = _stopword_scores(text)
    best = max(scores, key=scores.__getitem__)
    return best == language or scores[best] < 8 or scores[best] < 3 * max(1, scores[language])


def script_matches(language: str, text: str) -> bool:
    """Whether a declared language is plausible for `text` (CMS templates declare "en" for all).

    Only a clear contradiction counts: Latin-script languages on text that is mostly Arabic,
    CJK, Cyrillic ... and the other way round.
    """
    return _script_fits(language, dominant_script(text))


def _script_fits(language: str, script: str | None) -> bool:
    if script is None:
        return True
    expected = _expected_script(language)
    if expected is None:
        return True
    return script == expected or {script, expected} <= {"HAN", "KANA"}


def _expected_script(language: str) -> str | None:
    if language in ("ja",):
        return "KANA"
    if language in ("zh",):
        return "HAN"
    if language in ("ar", "fa", "ur", "ps", "ku"):
        return "ARABIC"
    if language in ("ru", "uk", "bg", "sr", "be", "mk", "kk"):
        return "CYRILLIC"
    for script, lang in _SCRIPT_LANGUAGE.items():
        if lang == language:
            return script
    if language in _STOPWORDS or language in ("ro", "da", "no", "fi", "cs", "hu", "vi", "ca"):
        return "LATIN"
    return None
