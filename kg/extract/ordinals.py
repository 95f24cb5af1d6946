"""Parts of a count-named initiative in the sentences after it.

"《规划》部署了八方面重点任务。一是A。…二是B。": ordinal markers (一是/二要, （一）, 第一，, 一、, 1.)
number the parts one by one; "七条建议：A；B；C。": after a colon, one part per clause that a
semicolon ends. ``OpenCount`` keeps, per article, the one initiative still waiting for its parts.
"""
from __future__ import annotations

import re

from kg.extract.counted import MAX_PART, cn_number
from kg.extract.view import clean_name

_ORD = r"[一二三四五六七八九十]{1,2}"
_ORDINAL = re.compile(r"(?:(?<=[，,；;：:。])|^)\s*(?:(" + _ORD + r")(?:是|要)|[（(](" + _ORD + r")[）)]|第(" + _ORD
                      + r")[，,、：:]|(" + _ORD + r")、|(\d{1,2})[.．、](?!\d)|([-•●▪*])\s*(?=\S))")


def ordinal_parts(text: str, after: int = 0) -> list[tuple[int, str]]:
    """(number, part) of the ordinal items of a sentence: "一是A，…" → (1, "A"); a list bullet
    ("- A") has number 0: it takes whatever number comes next."""
    out = []
    for m in _ORDINAL.finditer(text, after):
        if m.start() and not m.group(1) and text[m.start() - 1] not in "：:":
            continue  # （二）, 第二, 2. open a sentence (or follow a colon); 二是 may follow a comma
        n = 0 if m.group(6) else cn_number(next(g for g in m.groups() if g))  # a bullet: the next one
        part = clean_name(re.split(r"[，,。；;：:！？!?]", text[m.end():])[0])
        out.append((n, part if 2 <= len(part) <= MAX_PART else ""))
    return out


def colon_list(rest: str) -> bool:
    """The name is followed by a colon and a clause its sentence ends with a semicolon: "七条建议：A；"."""
    return re.match(r"”?[：:].*[；;]\s*$", rest) is not None


class OpenCount:
    """The count-named initiative of an article still waiting for its parts: numbered ones
    ("一是A。…二是B。") or, after a colon, one per clause ended by a semicolon ("七条建议：A；B；C。")."""

    START, GAP = 3, 12  # sentences to wait for the first part, and between two parts

    def __init__(self):
        self.parts: list[str] | None = None
        self.count = self.next = self.budget = 0
        self.semi = False

    def open(self, parts: list[str], count: int, semi: bool = False) -> None:
        self.parts, self.count, self.next, self.budget, self.semi = parts, count, 1, self.START, semi

    def feed(self, text: str, after: int = 0) -> None:
        """Take the parts numbered next from a sentence (from ``after`` on)."""
        if self.parts is None:
            return
        found = ordinal_parts(text, after)
        if self.semi and not found:
            self._clause(text[after:].lstrip("”：:"))
            return
        self.semi, before = False, self.next
        for n, part in found:
            n = n or self.next
            if n != self.next:
                if n == 1 or self.next > 1:
                    break  # another enumeration begins
                continue
            self._add(part)
            if self.parts is None:
                return
        self.budget = self.GAP if self.next > before else self.budget - 1
        if self.budget <= 0:
            self.parts = None

    def _add(self, part: str) -> None:
        if part and part not in self.parts:
            self.parts.append(part)
        self.next += 1
        if self.next > self.count:
            self.parts = None

    def _clause(self, text: str) -> None:
        """One item of a colon list: the sentence's first clause; the list ends with its sentence."""
        part = clean_name(re.split(r"[，,。；;：:！？!?]", text)[0])
        self._add(part if 2 <= len(part) <= MAX_PART else "")
        if self.parts is not None and not re.search(r"[；;]\s*$", text):
            self.parts = None
