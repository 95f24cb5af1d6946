"""Split a paragraph into sentences, in time linear in its length.

A sentence ends after 。！？；!?; (with the closing quotes or brackets that follow), or after
an ASCII full stop followed by white space or the end of the paragraph, unless the full stop
ends an abbreviation ("U.S.", "Dr.", "No."); a full stop inside a number ("3.5") is never
followed by a space, so it never ends one. A sentence longer than ``MAX_CHARS`` is cut into
pieces of at most that length: at the last clause mark (，；：) in the second half of each
piece, else the last enumeration comma (、) there, else the last space, else at the limit.
Every step looks at each character a bounded number of times, so long lines and big files
cost time in proportion to their length.
"""
from __future__ import annotations

import re

__all__ = ["split", "pieces", "MAX_CHARS"]

#: Longest sentence handed to the NLP backend and the extraction rules (characters).
MAX_CHARS = 500

_END = re.compile(r"[。！？；!?;]+[”’」』）)\"']*|\.+[”’」』）)\"']*(?=\s|$)")
_SPACE = " \t\r\n\u3000\xa0"
_WORD_BEFORE = re.compile(r"[A-Za-z.]*$")
#: Abbreviations a full stop does not end a sentence after (lower case, without the stop).
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st no nos vol vols fig figs p pp ed eds inc ltd co corp dept univ "
    "gov govt approx vs e.g i.e a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec".split())
#: Where a long sentence is cut, best first: after a clause mark, an enumeration comma, a space.
_CUTS = ("，,；;：:", "、", _SPACE)


def split(text: str, limit: int = MAX_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, surrounding white space left out."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if m.group()[0] == "." and _abbreviation(text, m.start()):
            continue
        _add(text, start, m.end(), limit, out)
        start = m.end()
    _add(text, start, len(text), limit, out)
    return out


def pieces(text: str, start: int = 0, end: int | None = None,
           limit: int = MAX_CHARS) -> list[tuple[int, int]]:
    """``text[start:end]`` without surrounding white space, cut as a long sentence is."""
    out: list[tuple[int, int]] = []
    _add(text, start, len(text) if end is None else end, limit, out)
    return out


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` closes an abbreviation or an initial ("U.S.", "J.")."""
    if text.startswith("..", dot):  # an ellipsis ends the sentence
        return False
    word = _WORD_BEFORE.search(text, max(0, dot - 12), dot).group()
    if not word or not word[-1].isalpha():
        return False
    return "." in word or len(word) == 1 or word.lower() in _ABBREVIATIONS


def _add(text: str, a: int, b: int, limit: int, out: list[tuple[int, int]]) -> None:
    """Append [a, b) without surrounding white space, cut into pieces of at most ``limit``."""
    while True:
        while a < b and text[a] in _SPACE:
            a += 1
        while b > a and text[b - 1] in _SPACE:
            b -= 1
        if b - a <= limit:
            if b > a:
                out.append((a, b))
            return
        cut = end = _cut(text, a, a + limit)
        while text[end - 1] in _SPACE:
            end -= 1
        out.append((a, end))
        a = cut


def _cut(text: str, a: int, end: int) -> int:
    """End of the first piece of text[a:end]: after the best boundary in its second half (the
    piece is at least half the limit long), else ``end``."""
    half = a + (end - a) // 2
    for marks in _CUTS:
        pos = max(text.rfind(c, half, end) for c in marks)
        if pos >= half:
            return pos + 1
    return end
