"""Dates as news sites write them → ISO 8601, timezone kept when the text gives one."""

from __future__ import annotations

import pytest

from crawler.extraction.dates import parse_date, url_date, url_month


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        # machine formats from metas and JSON-LD
        ("2024-03-15T10:30:00Z", "2024-03-15T10:30:00+00:00"),
        ("2024-03-15T10:30:00.000+0000", "2024-03-15T10:30:00+00:00"),
        ("2024-03-15T10:30:00-04:00", "2024-03-15T10:30:00-04:00"),
        ("2024-03-15 10:30:00", "2024-03-15T10:30:00"),
        ("2024-03-15", "2024-03-15"),
        ("20240315", "2024-03-15"),
        ("Fri, 15 Mar 2024 10:30:00 GMT", "2024-03-15T10:30:00+00:00"),
        ("Mon, 18 Nov 2019 16:07:38 -0600", "2019-11-18T16:07:38-06:00"),
        # visible datelines
        ("March 15, 2024", "2024-03-15"),
        ("Published: Fri Mar 25, 2016 07:27PM", "2016-03-25T19:27:00"),
        ("Mar. 15, 2024 10:30 a.m. EDT", "2024-03-15T10:30:00-04:00"),
        ("By Jane Doe | March 15, 2024 at 10:30 a.m. ET", "2024-03-15T10:30:00-04:00"),
        ("Jan. 5, 2024 9:00 PM PT", "2024-01-05T21:00:00-08:00"),
        ("Published 10:02 AM EST Nov 19, 2019", "2019-11-19T10:02:00-05:00"),
        ("1 March 2024 12:45 GMT+3", "2024-03-01T12:45:00+03:00"),
        ("Fri 14 Jun 2024 07.45 BST", "2024-06-14T07:45:00+01:00"),
        ("15. März 2024, 10:30 Uhr", "2024-03-15T10:30:00"),
        ("le 15 mars 2024 à 10h30", "2024-03-15T10:30:00"),
        ("15 de marzo de 2024", "2024-03-15"),
        ("2024年3月15日 10:30", "2024-03-15T10:30:00"),
        ("الجمعة ١٥ مارس ٢٠٢٤ - ١٠:٣٠", "2024-03-15T10:30:00"),
        ("15 آذار 2024", "2024-03-15"),
        ("Опубликовано: 3 декабря 2019, 10:30", "2019-12-03T10:30:00"),
        ("15 Mart 2024 10:30", "2024-03-15T10:30:00"),
        ("15/03/2024", "2024-03-15"),
        ("03/15/2024", "2024-03-15"),
        ("2024/03/15", "2024-03-15"),
    ],
)
def test_parse_date(text: str, iso: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.iso() == iso


@pytest.mark.parametrize(
    "text",
    ["", "Updated 2 hours ago", "03/04/2024", "0000-00-00 00:00:00", "2024-13-45", "call 555-1234"],
)
def test_no_date_rather_than_a_guess(text: str) -> None:
    assert parse_date(text) is None


def test_day_month_order_from_the_locale() -> None:
    assert parse_date("03/04/2024", dayfirst=True).iso() == "2024-04-03"
    assert parse_date("03/04/2024", dayfirst=False).iso() == "2024-03-04"


def test_site_date_format_reads_what_generic_rules_cannot() -> None:
    text = "Publié le 09.04.2024 | 17h45"
    assert parse_date(text) is None  # day and month could be either way round
    assert parse_date(text, "%d.%m.%Y | %Hh%M").iso() == "2024-04-09T17:45:00"


def test_raw_text_is_kept() -> None:
    assert parse_date("  Posted:\n March 15, 2024 ").raw == "Posted: March 15, 2024"


@pytest.mark.parametrize(
    ("url", "iso"),
    [
        ("https://example.com/2024/03/15/story-slug/", "2024-03-15"),
        ("https://example.com/news/20240315/slug", "2024-03-15"),
        ("https://example.com/2024-03-15-story-slug", "2024-03-15"),
        ("https://example.com/a/2024/3/5/slug", "2024-03-05"),
        (
            "https://www.quantamagazine.org/tuft-cells-set-off-immune-responses-20191115/",
            "2019-11-15",
        ),
        ("https://example.com/2024/03/slug", None),
        # a slug that starts with a figure, under WordPress's /year/month/
        ("https://blog.example.de/2023/10/3-fragen-an-tina-musil/", None),
        ("https://example.com/2019/05/10-best-films-of-the-year/", None),
        ("https://example.com/2019/05/10/10-best-films-of-the-year/", "2019-05-10"),
        ("https://example.com/id/12345678901", None),
    ],
)
def test_url_date(url: str, iso: str | None) -> None:
    found = url_date(url)
    assert (found.iso() if found else None) == iso


def test_url_date_keeps_the_date_as_written() -> None:
    assert url_date("https://example.com/2024/03/15/story-slug/").raw == "2024/03/15"


def test_numeric_date_with_an_upper_case_pm() -> None:
    assert parse_date("Posted 10/05/2015 6:30 PM", dayfirst=False).iso() == "2015-10-05T18:30:00"
    assert parse_date("2015/10/05 6:30 PM").iso() == "2015-10-05T18:30:00"


def test_ambiguous_order_asked_only_when_needed() -> None:
    asked = []

    def order() -> bool:
        asked.append(True)
        return True

    assert parse_date("25/05/2015", dayfirst=order).iso() == "2015-05-25"
    assert not asked
    assert parse_date("10/05/2015", dayfirst=order).iso() == "2015-05-10"
    assert asked


def test_text_after_the_time_is_not_an_offset() -> None:
    # "| 0 Meinungen" (0 comments) once read as a UTC offset.
    found = parse_date("Von Christian am 03.05.2013, 11:51 | 0 Meinungen |", dayfirst=True)
    assert found.iso() == "2013-05-03T11:51:00"
    assert parse_date("15 March 2024 10:30 −05:00").iso() == "2024-03-15T10:30:00-05:00"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("12 października 2019", "2019-10-12"),
        ("3. března 2020 10:30", "2020-03-03T10:30:00"),
        ("5 septembrie 2020", "2020-09-05"),
        ("14. syyskuuta 2021", "2021-09-14"),
        ("7 maj 2018", "2018-05-07"),
        ("12 de març de 2020", "2020-03-12"),
        ("3 листопада 2019", "2019-11-03"),
        ("15 Μαΐου 2020", "2020-05-15"),
    ],
)
def test_month_names_of_more_languages(text: str, iso: str) -> None:
    assert parse_date(text).iso() == iso


@pytest.mark.parametrize(
    ("text", "dayfirst", "iso"),
    [
        ("Party, 30.10.23", None, "2023-10-30"),  # the day is above 12: no order needed
        ("am 30.10.23 um 14:05 Uhr", None, "2023-10-30T14:05:00"),
        ("02.12.19", True, "2019-12-02"),
        ("02.12.19", None, None),  # either way round
        ("05.05.95", None, "1995-05-05"),
        ("Version 1.10.12", True, None),  # one-digit parts: a version number
        ("v10.10.12", True, None),
        ("192.168.10.23", True, None),
    ],
)
def test_numeric_date_with_a_two_digit_year(
    text: str, dayfirst: bool | None, iso: str | None
) -> None:
    found = parse_date(text, dayfirst=dayfirst)
    assert (found.iso() if found else None) == iso


@pytest.mark.parametrize(
    ("url", "month"),
    [
        ("http://www.blog.example/news/2011/12/kein-cyberterrorismus/", (2011, 12)),
        ("https://example.com/2024/3/slug", (2024, 3)),
        ("https://www.news.example/de/kirche/news/2022-08/pater-kolbe.html", (2022, 8)),
        ("https://example.com/2024/13/slug", None),
        ("https://example.com/news/20240315/slug", None),
    ],
)
def test_url_month(url: str, month: tuple[int, int] | None) -> None:
    assert url_month(url) == month
