"""Dates as news pages write them → ISO 8601, with the standard library only.

Reads machine formats (ISO 8601, RFC 2822, compact `20240315`), English, French, German,
Spanish, Italian and Portuguese month names ("March 15, 2024 10:30 a.m. EDT",
"15. März 2024", "Fri Mar 25, 2016 07:27PM"), numeric dates when the day/month order is clear
(`30.10.23` too), a site's own `strptime` format, and dates in URLs (`/2024/03/15/`). Dates are
searched for inside longer text ("Published: ... | Updated: ..."), never guessed from relative
phrases.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

MIN_YEAR = 1990
MAX_YEAR = 2100


@dataclass(frozen=True)
class ParsedDate:
    """A date found in some text, with how much of it the text gave."""

    value: datetime  # naive when the text gave no timezone
    has_time: bool
    raw: str  # the text it was found in, stripped

    @property
    def has_tz(self) -> bool:
        return self.value.tzinfo is not None

    @property
    def day(self) -> date:
        return self.value.date()

    def iso(self) -> str:
        """`2024-03-15`, `2024-03-15T10:30:00` or `2024-03-15T10:30:00-04:00`."""
        if not self.has_time:
            return self.value.date().isoformat()
        return self.value.replace(microsecond=0).isoformat()

    @property
    def precision(self) -> int:
        """0 date only, 1 with time, 2 with time and timezone."""
        return (1 + self.has_tz) if self.has_time else 0


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        # English, French, German, Spanish, Italian, Portuguese, Dutch, Indonesian, Turkish,
        # Russian (genitive, as dates write it), Arabic (Egyptian/Gulf and Levantine names),
        # then Swedish/Danish/Norwegian, Catalan, Polish, Czech, Romanian, Finnish, Ukrainian
        # and Greek (genitive where dates use it). Where two languages share a word, the
        # first listed keeps it.
        "january jan janvier janv januar jän enero ene gennaio gen janeiro januari ocak "
        "января янв يناير كانون gener stycznia ledna ianuarie ian tammikuuta січня ιανουαρίου",
        "february feb février fév fevrier fev februar febrero febbraio fevereiro februari "
        "şubat subat февраля фев فبراير شباط febrer lutego února unora februarie "
        "helmikuuta лютого φεβρουαρίου",
        "march mar mars märz marz marzo março marco maart maret mart марта мар مارس آذار "
        "març marca marzec března brezna martie maaliskuuta березня μαρτίου",
        "april apr avril avr abril abr aprile nisan апреля апр أبريل ابريل إبريل نيسان "
        "kwietnia dubna aprilie huhtikuuta квітня απριλίου",
        "may mai mayo maggio mag maio mei mayıs mayis мая مايو أيار ايار maj maig maja "
        "května kvetna toukokuuta травня μαΐου μαιου",
        "june jun juin juni junio giugno giu junho haziran июня يونيو يونيه حزيران juny "
        "czerwca června cervna iunie kesäkuuta червня ιουνίου",
        "july jul juillet juil juli julio luglio lug julho temmuz июля يوليو يوليه تموز "
        "juliol lipca července cervence iulie heinäkuuta липня ιουλίου",
        "august aug août aout agosto ago augustus agustus ağustos agustos августа авг أغسطس "
        "اغسطس augusti agost sierpnia srpna elokuuta серпня αυγούστου",
        "september sep sept septembre september septiembre set settembre setembro eylül eylul "
        "сентября сен سبتمبر أيلول ايلول setembre września wrzesnia září zari septembrie "
        "syyskuuta вересня σεπτεμβρίου",
        "october oct octobre oktober okt octubre ottobre ott outubro out ekim октября окт "
        "أكتوبر اكتوبر octubre października pazdziernika října rijna octombrie lokakuuta "
        "жовтня οκτωβρίου",
        "november nov novembre noviembre novembro kasım kasim ноября ноя نوفمبر "
        "listopada listopadu noiembrie marraskuuta листопада νοεμβρίου",
        "december dec décembre déc decembre dezember dez diciembre dic dicembre dezembro "
        "desember aralık aralik декабря дек ديسمبر desembre grudnia prosince decembrie "
        "joulukuuta грудня δεκεμβρίου",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

# Timezone abbreviations news sites print; ambiguous ones (IST, CST in Asia) take the reading
# of the sites that use them most.
_TZ_HOURS: dict[str, float] = {
    "utc": 0, "gmt": 0, "z": 0, "ut": 0, "wet": 0, "west": 1, "bst": 1, "cet": 1, "cest": 2,
    "met": 1, "mest": 2, "eet": 2, "eest": 3, "msk": 3, "ast": 3, "irst": 3.5, "irdt": 4.5,
    "gst": 4, "pkt": 5, "ist": 5.5, "ict": 7, "wib": 7, "sgt": 8, "hkt": 8, "pht": 8,
    "awst": 8, "jst": 9, "kst": 9, "acst": 9.5, "aest": 10, "aedt": 11, "nzst": 12,
    "nzdt": 13, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
    "pst": -8, "pdt": -7, "akst": -9, "akdt": -8, "hst": -10,
}  # fmt: skip
# US zones written without standard/daylight ("10:30 a.m. ET"): standard offsets, one hour
# more from the second Sunday of March to the first Sunday of November.
_US_GENERIC_ZONES = {"et": -5, "ct": -6, "mt": -7, "pt": -8}

_MONTH_WORD = r"(?<![^\W\d_])(?P<month>[^\W\d_]{3,12})\.?"
_TIME = (
    r"(?:\s*(?:,|at|à|um|a las|alle|às|-|–|—|\|)?\s*"
    r"(?P<hour>\d{1,2})\s*[:.h]\s*(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?)?"
    r"(?:\s*(?:(?P<tzname>[A-Za-z]{1,5})\b)?\s*(?P<offset>[+\-−]\s?\d{1,2}(?::?\d{2})?)?)?)?"
)
_ISO = re.compile(
    r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T\s]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?(?!\d)|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?)?)?",
    re.I,
)
_COMPACT = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<month>[01]\d)(?P<day>[0-3]\d)"
    r"(?:T(?P<hour>[0-2]\d)(?P<minute>[0-5]\d)(?P<second>[0-5]\d)?(?P<tz>Z|[+-]\d{4})?)?(?!\d)"
)
# "March 15, 2024", "Mar. 15th 2024", "Friday, March 15, 2024 10:30 AM EDT"
_MONTH_FIRST = re.compile(
    _MONTH_WORD + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME, re.I
)
# "15 March 2024", "15. März 2024", "15 de marzo de 2024", "le 15 mars 2024 à 10h30"
_DAY_FIRST = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?"
    + _MONTH_WORD
    + r",?\s+(?:de\s+)?(?P<year>\d{4})"
    + _TIME,
    re.I,
)
# "2024年3月15日 10:30"
_CJK = re.compile(
    r"(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]?"
    r"(?:\s*(?P<hour>\d{1,2})[:時시]\s*(?P<minute>\d{2}))?"
)
# "15/03/2024", "03-15-2024", "15.03.2024 10:30", "2024/03/15"
_NUMERIC = re.compile(
    r"(?<![\d/.-])(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<year>\d{4})(?![\d/])" + _TIME,
    re.I,
)
# "30.10.23", "02.12.19 14:05": German, Austrian, Swiss, Russian ... datelines with a two-digit
# year. Dots only and two digits each: not a version number ("v1.10.12") nor an address.
_NUMERIC_SHORT = re.compile(
    r"(?<![\w.])(?P<a>\d{2})\.(?P<b>\d{2})\.(?P<year>\d{2})(?![\d.]\d|\d)" + _TIME, re.I
)
_YEAR_FIRST = re.compile(
    r"(?<![\d/.-])(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})(?![\d/.])" + _TIME,
    re.I,
)
_URL_DATE = re.compile(
    r"[/_-](?P<year>(?:19|20)\d{2})[/-]?(?P<month>0[1-9]|1[0-2])[/-]?"
    r"(?P<day>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)
_URL_DATE_SEPARATED = re.compile(
    r"/(?P<year>(?:19|20)\d{2})[/-](?P<month>0?[1-9]|1[0-2])[/-](?P<day>0?[1-9]|[12]\d|3[01])"
    r"(?=[/_.-]|$)"
)
_URL_MONTH = re.compile(r"/(?P<year>(?:19|20)\d{2})[/-](?P<month>0?[1-9]|1[0-2])/")
_LEADING_TIME = re.compile(
    r"(?<!\d)(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*(?P<ampm>[ap]\.?\s?m\.?)?"
    r"\s*(?P<tzname>[A-Za-z]{2,5}\b)?[\s,|–—-]*(?:on\s+)?(?:[^\W\d_]{3,9}\.?,?\s+)?$",
    re.I,
)
_OFFSET = re.compile(r"(?P<sign>[+\-−])\s?(?P<h>\d{1,2}):?(?P<m>\d{2})?$")
_STRPTIME_PARTS = {
    "d": r"\d{1,2}", "m": r"\d{1,2}", "y": r"\d{2}", "Y": r"\d{4}", "H": r"\d{1,2}",
    "I": r"\d{1,2}", "M": r"\d{2}", "S": r"\d{2}", "f": r"\d{1,6}", "p": r"[AaPp]\.?[Mm]\.?",
    "b": r"[^\W\d_]{3,}\.?", "B": r"[^\W\d_]{3,}", "a": r"[^\W\d_]{2,}\.?", "A": r"[^\W\d_]{3,}",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})", "Z": r"[A-Za-z]{2,5}", "j": r"\d{1,3}", "e": r"\d{1,2}",
    "%": "%",
}  # fmt: skip


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    text = text.strip()
    lowered = text.lower()
    if lowered in _TZ_HOURS:
        return timezone(timedelta(hours=_TZ_HOURS[lowered]))
    for prefix in ("utc", "gmt"):
        if lowered.startswith(prefix):
            text = text[len(prefix) :].strip()
            if not text:
                return UTC
    match = _OFFSET.match(text)
    if not match:
        return None
    hours, minutes = int(match["h"]), int(match["m"] or 0)
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if match["sign"] in "-−" else delta)


def _build(
    raw: str,
    year: int,
    month: int,
    day: int,
    hour: str | None = None,
    minute: str | None = None,
    second: str | None = None,
    ampm: str | None = None,
    tz: timezone | None = None,
) -> ParsedDate | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        day_start = datetime(year, month, day, tzinfo=tz)
    except ValueError:
        return None
    if hour is None:
        return ParsedDate(day_start, has_time=False, raw=raw)
    h, m, sec = int(hour), int(minute or 0), int(second or 0)
    if ampm:
        h = (h % 12) + (12 if ampm.lower().startswith("p") else 0) if h <= 12 else 99
    if h > 23 or m > 59 or sec > 59:
        # "15 March 2024 99:99": the day is right, the time is not a time
        return ParsedDate(day_start.replace(tzinfo=None), has_time=False, raw=raw)
    return ParsedDate(day_start.replace(hour=h, minute=m, second=sec), has_time=True, raw=raw)


def _us_generic(name: str, day: date) -> timezone:
    march = date(day.year, 3, 8)
    november = date(day.year, 11, 1)
    dst_start = march + timedelta(days=(6 - march.weekday()) % 7)
    dst_end = november + timedelta(days=(6 - november.weekday()) % 7)
    hours = _US_GENERIC_ZONES[name] + (1 if dst_start <= day < dst_end else 0)
    return timezone(timedelta(hours=hours))


def _time_zone(match: re.Match[str]) -> timezone | None:
    groups = match.groupdict()
    if groups.get("hour") is None:
        return None
    name = (groups.get("tzname") or "").lower()
    if name in _US_GENERIC_ZONES:
        try:
            day = date(int(groups["year"]), _month_number(groups), int(groups["day"]))
        except (TypeError, ValueError):
            return None
        return _us_generic(name, day)
    tz = _offset(groups.get("tzname")) if groups.get("tzname") else None
    offset = _offset(groups.get("offset")) if groups.get("offset") else None
    if groups.get("tzname") and groups["tzname"].lower() in ("gmt", "utc") and offset:
        return offset  # "GMT+3"
    return tz or offset


def _month_number(groups: dict[str, str | None]) -> int:
    month = groups.get("month")
    if month and month.isdigit():
        return int(month)
    return _MONTHS.get((month or "").lower().rstrip("."), 0)


def _from_month_name(match: re.Match[str], raw: str) -> ParsedDate | None:
    month = _MONTHS.get(match["month"].lower().rstrip("."))
    if month is None:
        return None
    return _build(
        raw, int(match["year"]), month, int(match["day"]), match["hour"], match["minute"],
        match["second"], match["ampm"], _time_zone(match),
    )  # fmt: skip


def _with_leading_time(raw: str, start: int, found: ParsedDate) -> ParsedDate:
    """ "10:02 AM EST Nov 19, 2019", "Fri 6:45 PM, Feb 16, 2018": the time written first."""
    match = _LEADING_TIME.search(raw[max(0, start - 30) : start])
    if not match:
        return found
    name = (match["tzname"] or "").lower()
    if name in _US_GENERIC_ZONES:
        tz: timezone | None = _us_generic(name, found.day)
    else:
        tz = _offset(name) if name else None
    day = found.value
    return (
        _build(raw, day.year, day.month, day.day, match["hour"], match["minute"], None,
               match["ampm"], tz)
        or found
    )  # fmt: skip


def _format_regex(date_format: str) -> re.Pattern[str] | None:
    parts: list[str] = []
    chars = iter(date_format)
    for char in chars:
        if char == "%":
            directive = next(chars, "")
            if directive == "-":  # %-d (glibc)
                directive = next(chars, "")
            pattern = _STRPTIME_PARTS.get(directive)
            if pattern is None:
                return None
            parts.append(pattern)
        elif char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    try:
        return re.compile("".join(parts), re.I)
    except re.error:
        return None


def _with_format(text: str, date_format: str) -> ParsedDate | None:
    regex = _format_regex(date_format)
    if regex is None:
        return None
    fmt = date_format.replace("%-", "%")
    for match in regex.finditer(text):
        piece = re.sub(r"\s+", " ", match.group())
        try:
            value = datetime.strptime(piece, re.sub(r"\s+", " ", fmt))
        except ValueError:
            continue
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            continue
        has_time = any(d in fmt for d in ("%H", "%I", "%M"))
        return ParsedDate(value, has_time=has_time, raw=text)
    return None


# The order of day and month in numeric dates: True (day first), False (month first), None
# (unknown: `03/04/2024` is not read), or a function giving one of those, asked only when a
# date is ambiguous (the page's other dates settle it; reading them costs).
DayFirst = bool | None | Callable[[], bool | None]


def parse_date(
    text: str | None, date_format: str | None = None, *, dayfirst: DayFirst = None
) -> ParsedDate | None:
    """The first date in `text`, or None. Never raises.

    `date_format` (strptime) is tried first. `dayfirst` settles numeric dates such as
    `03/04/2024`; when None, such a date is read only if one of its numbers is above 12.
    """
    if not text:
        return None
    raw = " ".join(text.split())[:300]
    if not raw:
        return None
    try:
        return _parse(raw, date_format, dayfirst)
    except (ValueError, OverflowError, TypeError):  # a last guard: odd input is "no date"
        return None


def _parse(raw: str, date_format: str | None, dayfirst: DayFirst) -> ParsedDate | None:
    if date_format:
        found = _with_format(raw, date_format)
        if found:
            return found
    match = _ISO.search(raw)
    if match:
        tz = _offset(match["tz"]) if match["tz"] else None
        found = _build(
            raw, int(match["year"]), int(match["month"]), int(match["day"]), match["hour"],
            match["minute"], match["second"], tz=tz,
        )  # fmt: skip
        if found:
            return found
    if re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}", raw):
        try:  # RFC 2822: "Fri, 15 Mar 2024 10:30:00 GMT"
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            value = None
        if value is not None and MIN_YEAR <= value.year <= MAX_YEAR:
            return ParsedDate(value, has_time=True, raw=raw)
    candidates = []
    for regex in (_MONTH_FIRST, _DAY_FIRST):
        for match in regex.finditer(raw):
            found = _from_month_name(match, raw)
            if found:
                candidates.append((match.start(), found))
                break
    if candidates:
        start, found = min(candidates, key=lambda c: c[0])
        return found if found.has_time else _with_leading_time(raw, start, found)
    match = _CJK.search(raw)
    if match:
        found = _build(
            raw, int(match["year"]), int(match["month"]), int(match["day"]), match["hour"],
            match["minute"],
        )  # fmt: skip
        if found:
            return found
    match = _YEAR_FIRST.search(raw)
    if match:
        found = _build(
            raw, int(match["year"]), int(match["month"]), int(match["day"]), match["hour"],
            match["minute"], match["second"], match["ampm"], _time_zone(match),
        )  # fmt: skip
        if found:
            return found
    match = _COMPACT.search(raw)
    if (match and raw.isdigit()) or (match and match["hour"]):
        found = _build(
            raw, int(match["year"]), int(match["month"]), int(match["day"]), match["hour"],
            match["minute"], match["second"], tz=_offset(match["tz"]),
        )  # fmt: skip
        if found:
            return found
    return _numeric(raw, dayfirst)


def _numeric(raw: str, dayfirst: DayFirst) -> ParsedDate | None:
    """ "15/03/2024", "03-15-2024", "30.10.23": day and month told apart by a number above 12,
    else by `dayfirst`."""
    for match in (*_NUMERIC.finditer(raw), *_NUMERIC_SHORT.finditer(raw)):
        a, b = int(match["a"]), int(match["b"])
        if a > 12 and b <= 12:
            day, month = a, b
        elif b > 12 and a <= 12:
            day, month = b, a
        elif a == b:
            day, month = a, b
        else:
            if callable(dayfirst):
                dayfirst = dayfirst()
            if dayfirst is None:
                continue
            day, month = (a, b) if dayfirst else (b, a)
        year = int(match["year"])
        if year < 100:  # "23": 2023; "95": 1995
            year += 1900 if year >= MIN_YEAR % 100 else 2000
        found = _build(
            raw, year, month, day, match["hour"], match["minute"], match["second"],
            match["ampm"], _time_zone(match),
        )  # fmt: skip
        if found:
            return found
    return None


def url_date(url: str) -> ParsedDate | None:
    """The publication day many sites put in article URLs: `/2024/03/15/`, `/20240315/`."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    for regex in (_URL_DATE_SEPARATED, _URL_DATE):
        match = regex.search(path)
        if match and _slug_follows(match.group(), path[match.end() :]):
            continue  # "/2019/05/10-best-films/": a slug under /year/month/, not a day
        if match:
            raw = match.group().strip("/_-")
            found = _build(raw, int(match["year"]), int(match["month"]), int(match["day"]))
            if found:
                return found
    return None


def _slug_follows(found: str, rest: str) -> bool:
    """Whether a /year/month/day match is the start of a slug ("/2023/10/3-fragen-an-..."): the
    day is followed by a hyphen and a word, in a path whose parts are separated by slashes."""
    return "/" in found.strip("/") and rest[:1] == "-" and rest[1:2].isalpha()


def url_month(url: str) -> tuple[int, int] | None:
    """The (year, month) of a URL that gives no day: `/news/2011/12/a-story/` (WordPress),
    `/news/2022-08/a-story.html`."""
    match = _URL_MONTH.search(url.split("?", 1)[0].split("#", 1)[0])
    return (int(match["year"]), int(match["month"])) if match else None
