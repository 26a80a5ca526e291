"""Helpers of the replay tests: compare article trees, write small WARC files with warcio."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support import newsarchive

ARTICLE_BODY = (
    "<p>The harbour bridge reopened to traffic on Monday after six weeks of repairs to its deck, "
    "and the first buses crossed it shortly after dawn while workers packed up their tools.</p>"
    "<p>The council met on Tuesday evening and heard from residents who had waited months for "
    "an answer about the plan, many of them shop owners on both sides of the water.</p>"
    "<p>Officials said a final decision would follow after a public consultation closing at the "
    "end of the month, and that the cost of the repairs had stayed within the budget.</p>"
    "<p>Engineers will inspect the bridge again in the spring, when the weather allows the "
    "remaining paint work on the railings to be finished without closing any lanes.</p>"
)
ARTICLE_TEMPLATE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
    "<title>{title} | Test Daily</title>\n"
    '<meta property="og:type" content="article">\n'
    '<meta property="article:published_time" content="2026-01-05T08:00:00+00:00">\n'
    "{head}</head><body><article><h1>{title}</h1>\n"
    '<p class="byline">By Ada Writer</p>\n' + ARTICLE_BODY + "</article></body></html>\n"
)


def article_html(
    title: str = "Harbour bridge reopens after repairs", head: str = "", encoding: str = "utf-8"
) -> bytes:
    return ARTICLE_TEMPLATE.format(title=title, head=head).encode(encoding)


def replay(*args: str | Path) -> Any:
    return newsarchive("replay", *args)


def article_tree(out: Path) -> dict[str, dict[str, Any]]:
    """Every article JSON under OUT/articles by relative path, without `extracted_at`."""
    tree = {}
    for path in sorted((out / "articles").rglob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        document.pop("extracted_at")
        tree[str(path.relative_to(out / "articles"))] = document
    return tree


def assert_same_articles(live: Path, replayed: Path) -> None:
    expected, actual = article_tree(live), article_tree(replayed)
    assert expected, "the live crawl wrote no article"
    assert sorted(actual) == sorted(expected)
    for name, document in expected.items():
        for key in document.keys() | actual[name].keys():
            assert actual[name].get(key) == document.get(key), (name, key)


class Warc:
    """A WARC file written record by record with warcio (gzip per record, or plain)."""

    def __init__(self, path: Path, *, gzip: bool = True) -> None:
        self.path = path
        self.stream = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.writer = WARCWriter(self.stream, gzip=gzip, warc_version="WARC/1.1")

    def response(
        self,
        url: str,
        payload: bytes,
        headers: list[tuple[str, str]],
        *,
        status: str = "200 OK",
        date: str = "2026-01-05T09:00:00Z",
    ) -> Any:
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(payload),
            length=len(payload),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)
        return record

    def revisit(self, url: str, original: Any, *, date: str = "2026-01-06T09:00:00Z") -> Any:
        headers = original.rec_headers
        record = self.writer.create_revisit_record(
            url,
            digest=headers.get_header("WARC-Payload-Digest"),
            refers_to_uri=headers.get_header("WARC-Target-URI"),
            refers_to_date=headers.get_header("WARC-Date"),
            http_headers=StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)
        return record

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> Warc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
