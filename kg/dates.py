"""Dates stated in Chinese text: "2025年10月29日", "10月29日上午", "2021-07-09".

Shared by kg.read (article dates) and kg.extract (event and agreement dates): a date
without a year takes the year of the document or one stated nearby, and stays year-less
("--10-29") when none is known.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import re
import weakref
from dataclasses import dataclass

from kg.document import Document

_DATE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号]")
_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](1[0-2]|0?[1-9])[-/.](3[01]|[12]\d|0?[1-9])(?!\d)")
FULL_DATE = re.compile(r"(?:19|20)\d{2}\s*年\s*(?:1[0-2]|0?[1-9])\s*月\s*(?:3[01]|[12]\d|0?[1-9])\s*[日号]")
#: a year stated in the text; not one a target is set for ("到2026年", "至2030年") or a period ends in
_YEAR = re.compile(r"(?<![\d到至—-])((?:19|20)\d{2})(?=年|[\u4e00-\u9fff])(?![余多个名人家所项件万亿元千百支次位条种台辆米吨户座场届批套份])")



def resolve_date(text_of_date: str, *, year_hint: int | None) -> str | None:
    """"2025年10月29日" -> "2025-10-29"; "10月29日上午" -> "YYYY-10-29" with ``year_hint``,
    else "--10-29". Also reads ISO "2021-07-09". ``None`` when ``text_of_date`` holds no date."""
    m = _ISO.search(text_of_date)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DATE.search(text_of_date)
        if not m:
            return None
        y = int(m.group("y")) if m.group("y") else year_hint
        mo, d = int(m.group("m")), int(m.group("d"))
    try:
        _dt.date(y or 2000, mo, d)  # 2000 is a leap year: "2月29日" without a year is valid
    except ValueError:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}" if y else f"--{mo:02d}-{d:02d}"


def year_near(doc: Document, offset: int) -> int | None:
    """The year for a year-less date at ``offset``: the document's (front matter) year, else the
    4-digit year nearest to ``offset`` stated in the same article ("2025年", "2025世界城市日"),
    leaving out target years ("到2026年") and the ends of periods ("2023—2025年")."""
    if doc.date is not None:
        return doc.date.year
    index = _year_index(doc)
    if index.starts is None:  # articles out of text order (made by hand): look at each
        art = next((a for a in doc.articles if a.start <= offset < a.end), None)
    else:
        k = bisect.bisect_right(index.starts, offset) - 1
        art = doc.articles[k] if k >= 0 and offset < doc.articles[k].end else None
    lo, hi = (art.start, art.end) if art else (0, len(doc.text))
    i = bisect.bisect_left(index.positions, offset)  # the years just before and after offset
    near = [(abs(index.positions[j] - offset), index.years[j]) for j in (i - 1, i)
            if 0 <= j < len(index.positions) and lo <= index.positions[j] and index.ends[j] <= hi]
    return min(near)[1] if near else None


@dataclass
class _YearIndex:
    """The years a document states, in text order, and where its articles start: built once
    per document, so that ``year_near`` for every sentence costs a lookup, not a scan."""

    size: tuple  # text length, article count, first and last article: a changed document is indexed anew
    starts: list[int] | None  # None when the articles are not in text order
    positions: list[int]
    ends: list[int]
    years: list[int]


_LAST: list = [lambda: None, None]  # a weak reference to the last document indexed, its index


def _year_index(doc: Document) -> _YearIndex:
    ref, index = _LAST
    arts = doc.articles
    size = (len(doc.text), len(arts), id(arts[0]) if arts else 0, id(arts[-1]) if arts else 0)
    if ref() is doc and index.size == size:
        return index
    found = list(_YEAR.finditer(doc.text))
    ordered = all(a.end <= b.start for a, b in zip(arts, arts[1:]))
    index = _YearIndex(size, [a.start for a in arts] if ordered else None, [m.start() for m in found],
                       [m.end() for m in found], [int(m.group(1)) for m in found])
    _LAST[:] = [weakref.ref(doc), index]
    return index


#: a day without its month: "2日下午", "12日在京召开", "新华社北京2日电" (not "每月15日", "3日内")
_DAY = re.compile(r"(?<![\d月年日每])(3[01]|[12]\d|0?[1-9])\s*[日号](?=上午|下午|晚|早|凌晨|中午|电|，|,|在|于|召开|举行|举办|"
                  r"开幕|闭幕|启幕|至|到|—|-|起|出席|主持|会见|考察|发布|签署|上线|正式)")
_RELATIVE = {"今天": 0, "今日": 0, "日前": 0, "近日": 0, "当天": 0, "昨天": -1, "昨日": -1}


def parse_iso(value: str | None) -> _dt.date | None:
    """"2025-10-29" -> date; None for year-less ("--10-29") or missing values."""
    if not value or value.startswith("--"):
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return None


def resolve_day(text: str, ref: _dt.date | None, *, past_only: bool = True) -> str | None:
    """A day stated without its month ("2日下午") in the month of ``ref`` (the latest date
    stated, or the article's); with ``past_only`` (``ref`` is the article's date) in the month
    before when that day is still to come."""
    m = _DAY.search(text)
    if not m or ref is None:
        return None
    day = int(m.group(1))
    y, mo = ref.year, ref.month
    if past_only and day > ref.day + 1:  # a report speaks of days past: "28日" in an article of the 2nd
        y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
    try:
        return _dt.date(y, mo, day).isoformat()
    except ValueError:
        return None


def relative_day(word: str, ref: _dt.date | None) -> str | None:
    """"今天"/"日前"/"近日" -> the article's day, "昨天" -> the day before; None without a date."""
    if ref is None or word not in _RELATIVE:
        return None
    return (ref + _dt.timedelta(days=_RELATIVE[word])).isoformat()


_RANGE = re.compile(r"[日号]\s*(?:至|到|—|－|-|~|～)\s*(?:(?:1[0-2]|0?[1-9])\s*月\s*)?(?:3[01]|[12]\d|0?[1-9])\s*[日号]")


def is_range(text: str) -> bool:
    """The text states a span of days ("7月1日至3日", "6月16日-17日"), whose first day is only
    a bound for an event held within it."""
    return bool(_RANGE.search(text))
