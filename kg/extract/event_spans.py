"""Where an event's name begins and where its place ends, in a sentence's own coordinates.

An event name runs left from its noun over name-like tokens, with a year before a space
("2022 RCEP…峰会") and a pair of places ("中国—中亚峰会"); named as the object of a verb it runs
from the verb ("主持召开|推进…领导小组会议"); opening a clause that says it is held, from the
clause's start ("全国组织工作会议23日在京召开"). A place is the 在-phrase up to the first verb,
the most specific of places named one inside the other ("陕西西安" → 西安).
"""
from __future__ import annotations

import re

from kg.extract.view import SentView

_PARTY = "党的"
#: verbs whose object is an event: the name runs from the verb to the event noun
_OBJECT_VERB = re.compile(r"(?:召开|举行|举办|出席|参加|列席|主持|参观|筹办|承办|主办|亮相)了?")
_CLAUSE_END = "，。；：！？、,;:!?"
#: tokens that cannot stand inside a name taken as a verb's object
_NOT_IN_OBJECT = {"PER", "r", "p", "d", "TIME", "c", "xc", "q"}
#: time words that belong to a name: "30周年成就展", "2023年度…大会"
YEARS_IN_NAME = re.compile(r"[\d一二三四五六七八九十百]+周年|(?:19|20)\d{2}年?度?")
_BEFORE_VERB = re.compile(r"(?:主持|隆重|成功|正式|顺利|圆满|共同|联合|盛大|再次|同期|上午|下午|晚上|[一二三四五六七八九十\d]{1,2}日|"
                          r"以[^，。；]{1,14}?(?:方式|形式))*")
_ONLINE = re.compile(r"^(?:线上|网上|云端|线下)|^$")


def name_start(view: SentView, noun_start: int, end: int) -> tuple[int, bool]:
    """Where the name ending at ``end`` begins: over name-like tokens, with a year before a space
    ("2022 RCEP…峰会"), or back to the verb whose object it is (then True)."""
    text = view.text
    k0 = view.token_at(noun_start)
    if k0 is None or view.tokens[k0][2] in {"v", "vd"} and view.tokens[k0][0] < noun_start:
        start = noun_start  # 出席会议 is one verb token
    else:  # the noun's own tokens count whatever their tags (推进/v 会/v)
        start = min(view.expand_left(k0, years=True), noun_start)
    year = re.search(r"(?:19|20)\d{2}年?\s$", text[:start])
    if year:
        start = year.start()
    k = view.token_at(start - 2) if start >= 2 and text[start - 1] in "—–-" else None
    if k is not None and view.tokens[k][2] in {"LOC", "ORG"} and view.tokens[k][1] == start - 1:
        start = view.tokens[k][0]  # 中国—中亚峰会
    k = view.token_at(start)
    if k is not None and start < noun_start and view.tokens[k][:2] == (start, start + 1) \
            and view.tokens[k][2] in {"a", "d", "u", "ad"}:
        start += 1  # "筹备好|论坛会议": a verb's complement is no part of the name
    if start >= 2 and text[start - 2:start] == _PARTY:
        start -= 2
    if start and text[start - 1].isdigit() and text[start] in "日号":
        start += 1  # "5月23日|向…论坛致贺信": the day's character is no part of the name
    k = view.token_at(start)
    if start < len(text) and text[start] in "向在于对给为" and k is not None and (
            view.tokens[k][:2] == (start, start + 1) or text[start - 1:start] == "日"):
        start += 1  # a preposition before the name
    obj = object_start(view, start)
    return (obj, True) if obj is not None and obj < start else (start, False)


def subject_start(view: SentView, start: int) -> int | None:
    """Start of an event name that opens its clause and is said to be held ("全国组织工作会议
    23日在京召开": 组织 is a verb yet part of the name), or None."""
    text = view.text
    clause = max(text.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    if text.count("”", clause, start) > text.count("“", clause, start):
        clause = max(text.rfind("“", 0, clause), 0)  # "“A：B”论坛": the colon is inside the quotation
    cut = text.rfind("的", clause, start)
    begin = cut + 1 if cut >= 0 else clause
    k = view.token_at(begin)
    while k is not None and k < len(view.tokens) and view.tokens[k][2] == "TIME" \
            and not YEARS_IN_NAME.fullmatch(text[view.tokens[k][0]:view.tokens[k][1]]):
        k += 1
        begin = view.tokens[k][0] if k < len(view.tokens) else begin
    if begin >= start or start - begin > 40 or view.token_at(begin) is None \
            or view.tokens[view.token_at(begin)][0] != begin \
            or view.tokens[view.token_at(begin)][2] in {"v", "vd", "d", "p", "r", "c", "u"}:
        return None  # "确保大会顺利召开": a clause led by a verb is no name
    k = view.token_at(begin)
    while k < len(view.tokens) and view.tokens[k][0] < start:
        word = text[view.tokens[k][0]:view.tokens[k][1]]
        inner_adverb = view.tokens[k][2] == "d" and len(word) == 1 and view.tokens[k][0] > begin  # 互鉴
        if view.tokens[k][2] in _NOT_IN_OBJECT | {"u"} and word != "与" and not YEARS_IN_NAME.fullmatch(word) \
                and not inner_adverb:
            return None
        k += 1
    return begin


def object_start(view: SentView, start: int) -> int | None:
    """Start of an event name that is the object of a verb ("召开|推进…会议"), or None."""
    text = view.text
    clause = max(text.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    verbs = [m for m in _OBJECT_VERB.finditer(text, clause, start) if view.token_at(m.start()) is not None
             and view.tokens[view.token_at(m.start())][0] == m.start()
             and view.is_token_end(m.end() - (1 if m.group(0).endswith("了") else 0))]
    if not verbs or start - verbs[-1].end() > 40:
        return None
    begin = verbs[-1].end()
    cut = text.rfind("的", begin, start)
    begin = cut + 1 if cut >= 0 else begin
    k = view.token_at(begin)
    while k is not None and k < len(view.tokens) and view.tokens[k][0] < start:
        word = text[view.tokens[k][0]:view.tokens[k][1]]
        if view.tokens[k][2] in _NOT_IN_OBJECT and word != "与" and not YEARS_IN_NAME.fullmatch(word):
            return None
        k += 1
    return begin


def place_words(view: SentView, at: int, where: str) -> str | None:
    """The place of "在X主持召开": X up to the first verb; None when online ("在线举行") or
    when another verb comes between ("在X调研并主持召开": X is where the visit was)."""
    if at < 0 or _ONLINE.match(where) or where.startswith("线"):
        return None
    k = view.token_at(at)
    end = at
    while k is not None and k < len(view.tokens) and view.tokens[k][1] <= at + len(where):
        if view.tokens[k][2] in {"v", "vd", "vn", "ad", "d", "p", "u", "c", "TIME", "m", "w"}:
            break
        end = view.tokens[k][1]
        k += 1
    if not _BEFORE_VERB.fullmatch(view.text[end:at + len(where)]):
        return None
    return most_specific(view, at, end) or view.text[at:end] or None


def most_specific(view: SentView, start: int, end: int) -> str | None:
    """"陕西西安", "河北省石家庄市": places named one inside the other; the last is the place."""
    places = sorted((n for n in view.names if n.kind == "place" and start <= n.start and n.end <= end),
                    key=lambda n: n.start)
    if len(places) < 2 or places[0].start != start or places[-1].end != end:
        return None
    if any(a.end != b.start for a, b in zip(places, places[1:])):
        return None
    return places[-1].text
