"""Bodies written in the layouts the web really has, without any helpful class names."""

from __future__ import annotations

import pytest

from crawler.extraction import extract

S1 = "The regional parliament approved the new water law on Thursday by 61 votes to 12."
S2 = "Farmers' unions, which had opposed the first draft, said the final text was a fair deal."
S3 = "The law caps abstraction from rivers during droughts and creates a public register."
NAV = "".join(f'<a href="/s/{i}">Section {i}</a> | ' for i in range(12))
SIDE = "".join(f'<li><a href="/n/{i}">Other headline number {i} today</a></li>' for i in range(8))

LAYOUTS = {
    "table": f"""<html><body><table width="100%"><tr><td colspan="2">{NAV}</td></tr>
        <tr><td width="200"><ul>{SIDE}</ul></td>
        <td><font size="2">{S1}<br><br>{S2}<br><br>{S3}</font></td></tr></table></body></html>""",
    "div-br": f"""<html><body><div id="top">{NAV}</div><div id="left"><ul>{SIDE}</ul></div>
        <div id="txt">{S1}<br/>{S2}<br/>{S3}</div><div id="bottom">{NAV}</div></body></html>""",
    "main-sections": f"""<html><body><header>{NAV}</header><main><h1>Water law passes</h1>
        <section><p>{S1}</p></section><section><p>{S2}</p></section>
        <section><p>{S3}</p></section></main><aside><ul>{SIDE}</ul></aside></body></html>""",
    "spans": f"""<html><body><div>{NAV}</div><div><div><span>{S1}</span></div>
        <div><span>{S2}</span></div><div><span>{S3}</span></div></div>
        <div><ul>{SIDE}</ul></div></body></html>""",
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layout(name: str) -> None:
    article = extract(LAYOUTS[name].encode(), "https://news.example/2024/06/water-law")
    for sentence in (S1, S2, S3):
        assert sentence in article.body, (name, article.body)
    assert "Section 3" not in article.body and "Other headline" not in article.body
