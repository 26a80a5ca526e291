"""cleaning.hidden: the elements a reader never sees, judged by their attributes."""

from __future__ import annotations

import lxml.html
from lxml import etree

from crawler.extraction import cleaning

# The XPath predicate `hidden` replaced: it must select the same elements, in the same order.
_REFERENCE = etree.XPath(
    "//*[@hidden or @aria-hidden='true' or "
    "contains(translate(@style, 'DISPLAYNOE: ', 'displaynoe'), 'displaynone') or "
    "contains(translate(@style, 'VISIBLTYHD: ', 'visibltyhd'), 'visibilityhidden')]"
)

PAGE = """<html><body>
<div id="a" hidden>a</div>
<div id="b" hidden="hidden" style="color: red">b</div>
<div id="c" aria-hidden="true">c</div>
<div id="d" aria-hidden="false">d</div>
<div id="e" aria-hidden="TRUE">e</div>
<div id="f" style="display:none">f</div>
<div id="g" style="DISPLAY : NONE !important">g <span id="g1" style="display: none">g1</span></div>
<div id="h" style="visibility: hidden">h</div>
<div id="i" style="Visibility:Hidden; display: block">i</div>
<div id="j" style="display: block">j</div>
<div id="k" style="display: inline-none">k</div>
<p id="l" style="">l</p>
</body></html>"""


def test_hidden_selects_what_the_xpath_predicate_did() -> None:
    root = lxml.html.document_fromstring(PAGE)
    found = [el.get("id") for el in cleaning.hidden(root)]
    assert found == [el.get("id") for el in _REFERENCE(root)]
    assert found == ["a", "b", "c", "f", "g", "g1", "h", "i"]
