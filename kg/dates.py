"""Dates stated in Chinese text: "2025年10月29日", "10月29日上午", "12月24日"."""
from __future__ import annotations

import re

DATE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})年)?(?P<m>1[0-2]|0?[1-9])月(?P<d>3[01]|[12]\d|0?[1-9])[日号]")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=年|\D)")


def resolve(m_or_text: "re.Match | str", year_hint: int | None = None) -> str | None:
    """ISO date "YYYY-MM-DD", or "--MM-DD" when neither the text nor the hint gives a year."""
    m = DATE.search(m_or_text) if isinstance(m_or_text, str) else m_or_text
    if not m:
        return None
    year = int(m.group("y")) if m.group("y") else year_hint
    month, day = int(m.group("m")), int(m.group("d"))
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def first_date(text: str, year_hint: int | None = None) -> str | None:
    return resolve(text, year_hint)


def stated_year(text: str) -> int | None:
    """The first four-digit year stated in ``text`` (2025年, 2025世界城市日)."""
    m = YEAR.search(text)
    return int(m.group(1)) if m else None
