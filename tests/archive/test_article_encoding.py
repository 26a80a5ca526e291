"""Article files are JSON indented by two spaces, as `json.dumps(indent=2)` writes them.

`encode_article` makes them with orjson for speed; people and tools diff, grep and re-read
these files, so the bytes must stay those of the standard library's encoder.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.layout import encode_article

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]))
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
    # Articles hold floats rounded to 3 places (article_score): never written with an
    # exponent, where orjson and json differ (1e-08 against 1e-8, the same number).
    st.floats(-1e15, 1e15).map(lambda x: round(x, 3)), _TEXT,
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, max_size=8))
def test_article_bytes_are_the_standard_librarys(record: dict):
    expected = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    assert encode_article(record) == expected


def test_an_article_document_round_trips():
    record = {
        "id": "0123abcd", "title": "Café \u201cquoted\u201d \u2028 line", "authors": [],
        "body": "First paragraph.\n\nSecond\tone \x00\x1f.",
        "images": [{"url": "u", "caption": None}],
        "article_score": 0.85, "word_count": 4, "capture": {"warc_offset": 2**40},
    }
    encoded = encode_article(record)
    assert json.loads(encoded) == record
    assert encoded.startswith(b'{\n  "id": "0123abcd",\n  "title": "Caf\xc3\xa9')


def test_a_float_with_an_exponent_reads_back_as_the_same_number():
    assert json.loads(encode_article({"x": 5.960464477539063e-08})) == {"x": 5.960464477539063e-08}
