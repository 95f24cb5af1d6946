"""Events (meetings, forums, ceremonies), their date, place and parent event; roles in them.

An event name ends with an event noun (推进会, 论坛, 颁奖仪式, 全会 …) and extends left over
name-like tokens, quotes and a leading year ("2025世界城市日智慧城市论坛",
"“建设安全可靠韧性城市”论坛"). A generic or anaphoric noun ("本次论坛", "会议", "平行论坛")
is no name: it refers to the article's main event — the first event the article says was
held (举行/召开/举办/成立).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.vocab import vocab
from kg.extract.view import Name, SentView, clean_name

HELD = re.compile(r"^(?:[^，。；]{0,3}?(?:在|于)([^，。；]{1,40}?))?(?:当天|当日|同日|同期|日前|近日|今天|今日|昨天|昨日)?"
                  r"(?:上午|下午|晚上|晚间)?(?:成功|隆重|正式|顺利)?(?:召开|举行|举办|开幕|开班|成立|揭幕|启动)")
#: kinds of activity listed, not events: "组织高端峰会、前沿专题研讨会、国际交流等形式的活动"
_KINDS = re.compile(r"^(?:、[^，。；、]{1,12})*等(?:形式|方式|类型|活动|多种)")
_YEAR_LEAD = re.compile(r"^(?:19|20)\d{2}(?:年度?)?")
_ORDINAL = re.compile(r"^[第首]|^[一二三四五六七八九十两\d]+(?:大|届|次)?$")
_PARTY = "党的"
_LEAD_VERBS = r"(?:组织|举办|召开|参加|出席|举行|开展|推动|筹办)"
#: "（简称“数博会”）", "（以下简称“行动计划”）": a short name given right after the full one
ALIAS = re.compile(r"[（(](?:以下)?简称[“\"]?([^”\"（）()]{1,12})[”\"]?[）)]")
_VENUE_AFTER = re.compile(r"中心|室|厅|馆|楼|大厦")
FOUNDED = re.compile(r"^”?(?:正式|宣布)?成立")
#: a body founded in the text's own time: "X正式成立" (not "成立于1990年", "成立以来", "成立后")
FOUNDING = re.compile(r"^”?(?:正式|宣布|揭牌)?成立(?!于|以来|至今|之初|之后|后|时|的|了?\d)")


@dataclass
class EventMention:
    start: int
    end: int
    name: str | None  # None: a generic noun that refers to the main event
    type: str
    held: bool = False  # the sentence says it was held (召开/举行 …)
    place: str | None = None
    alias: str | None = None  # "（简称“数博会”）" right after the name
    founded: str | None = None  # the body whose founding this event is ("X正式成立")


def find_events(view: SentView) -> list[EventMention]:
    v = vocab()
    text = view.text
    out: list[EventMention] = []
    nouns = sorted(v.event_nouns, key=len, reverse=True)
    taken: list[tuple[int, int]] = []
    for m in re.finditer("|".join(map(re.escape, nouns)), text):
        end = m.end()
        noun = m.group(0)
        if end < len(text) and text[end] in "长员":  # 会长, 会员: not events
            continue
        k = view.token_at(end - 1)
        if k is not None and view.tokens[k][1] > end and view.tokens[k][2] in {"LOC", "ORG", "nz", "n"}:
            continue  # 会议|中心: the noun is inside a longer name
        k0 = view.token_at(m.start())
        if k0 is None or view.tokens[k0][2] in {"v", "vd"} and view.tokens[k0][0] < m.start():
            start = m.start()  # 出席会议 is one verb token
        else:  # the noun's own tokens count whatever their tags (推进/v 会/v)
            start = min(view.expand_left(k0, years=True), m.start())
        if start >= 2 and text[start - 2:start] == _PARTY:
            start -= 2
        name = clean_name(text[start:end])
        start = end - len(name)
        if any(a <= start and end <= b for a, b in taken):
            continue
        if start and text[start - 1] == "暨" and out and out[-1].end == start - 1:
            prev = out.pop()  # A发布会暨B论坛 is one event
            taken.pop()
            start = prev.start
            name = text[start:end]
        lead = re.match(_LEAD_VERBS, name)
        if lead and len(name) - lead.end() >= 4:
            name, start = name[lead.end():], start + lead.end()
        generic = _generic(name, noun)
        if _VENUE_AFTER.match(text, end):
            continue  # 会议|中心, 会议|室: the noun names a venue
        after = text[end:]
        short = ALIAS.match(after)
        after = after[short.end():] if short else after
        if _KINDS.match(text[end:]):
            continue
        if FOUNDED.match(after):
            continue  # a forum or alliance that is founded is a body, found by the name rules
        held = HELD.match(after)
        held_before = re.search(r"(?:在([^，。；]{1,30}?))?(?:举行|召开|举办|主办)(?:了|的)?$", text[:start])
        if generic and held_before and not re.search(r"(?:本次|此次|这次|该)$", text[:start]):
            name = _hosts_name(view, held_before.start(), name)  # 省政府与华为…举行工作会谈
            generic = name is None
        em = EventMention(start, end, None if generic else name, v.event_nouns[noun],
                          bool(held or held_before))
        em.alias = short.group(1) if short else None
        where = (held and held.group(1)) or (held_before and held_before.group(1)) or None
        if where and not re.search(r"(?:期间|之际|前后|上|中)$", where) and not v.event_noun(where):
            em.place = clean_name(where)
        out.append(em)
        taken.append((start, end))
    out += founding_events(view)
    # a name inside a longer one is part of it ("…擂台赛新一代…颁奖仪式")
    return [e for e in out if not any(o is not e and o.start <= e.start and e.end <= o.end for o in out)]


def founding_events(view: SentView) -> list[EventMention]:
    """A body said to be founded gives the event of its founding, named "<body>成立" and held
    on the sentence's date: "“CCF中国数字经济50人论坛”正式成立" → CCF中国数字经济50人论坛成立."""
    out = []
    for n in view.names_of("organization"):
        m = FOUNDING.match(view.text[n.end:])
        if m:
            out.append(EventMention(n.start, n.end + m.end(), f"{n.text}成立", "Ceremony", held=True,
                                    founded=n.text))
    return out


def _hosts_name(view: SentView, verb_start: int, noun: str) -> str | None:
    """A generic event held by named bodies is named after them: "A与B工作会谈"."""
    clause_start = max(view.text.rfind(c, 0, verb_start) for c in "，,。；") + 1
    hosts = [n.text for n in view.names if n.kind == "organization" and clause_start <= n.start
             and n.end <= verb_start]
    return "与".join(hosts[:3]) + noun if hosts else None


def _generic(name: str, noun: str) -> bool:
    v = vocab()
    head = name[: -len(noun)]
    head = re.sub(r"^[一二三四五六七八九十两\d]+大?", "", head)
    if not head:
        return True
    if head in v.generic_event_words:
        return True
    return any(head.startswith(w) for w in ("本次", "此次", "这次", "本届", "该")) or bool(
        re.fullmatch(r"[一二三四五六七八九十两\d]+大?(?:平行|分|主)?", head))


def part_of_event(view: SentView, events: list[EventMention]) -> list[tuple[str, str]]:
    """(child, parent) pairs: "作为A的…之一，B…", "A重要组成部分——…B", "在A期间举办的B"."""
    named = [e for e in events if e.name]
    pairs = []
    text = view.text
    for i, a in enumerate(named):
        for b in named[i + 1:]:
            between = text[a.end:b.start]
            if re.search(r"(组成部分|之一|期间|分论坛|系列活动)", between) and len(between) < 40:
                pairs.append((b.name, a.name))
    return pairs


# ------------------------------------------------------------------ roles

_GAP = re.compile(r"^(?:则|也|还|随后|同时)?(?:在[^，。；]{0,25}?(?:上|中|时))?(?:作了?|进行了?|发表了?|就[^，。；]{1,25}?)?$")


def find_roles(view: SentView) -> list[tuple[Name, str]]:
    """(agent, role) pairs stated in the sentence."""
    v = vocab()
    text = view.text
    out: list[tuple[Name, str]] = []
    hits = []
    for verb, role, mode in v.role_verbs:
        for m in re.finditer(re.escape(verb), text):
            if any(s <= m.start() < e for s, e, *_ in hits):
                continue
            hits.append((m.start(), m.end(), role, mode))
    hits.sort()
    prev_end, prev_agents = 0, []
    for s, e, role, mode in hits:
        if not _verb_use(view, s, e):
            continue
        region = (prev_end, s)
        agents = [n for n in view.names_of("person") if region[0] <= n.start and n.end <= s]
        if mode == "subject":
            agents = [a for a in agents[-1:] if _GAP.match(text[a.end:s])]
        elif role == "speaker" and not agents and "发言" in text[s:e]:
            agents = _body_list(view, s)
        if not agents and prev_agents and re.fullmatch(r"[^，。；]{0,6}[并和及]", text[prev_end:s]):
            agents = prev_agents
        out.extend((a, role) for a in agents)
        prev_end, prev_agents = e, agents
    return out


def _body_list(view: SentView, verb_start: int) -> list[Name]:
    """Bodies listed right before the verb: "A、B,C、D作了发言"."""
    text = view.text
    pos = verb_start
    m = re.search(r"(?:作了?|进行了?)$", text[:pos])
    if m:
        pos = m.start()
    bodies = [n for n in view.names if n.kind in ("organization", "place")]
    out = []
    while True:
        prev = [n for n in bodies if n.end == pos]
        if not prev:
            break
        n = max(prev, key=lambda n: n.end - n.start)
        out.insert(0, n)
        pos = n.start
        if pos > 0 and text[pos - 1] in "、，,和及与":
            pos -= 1
        else:
            break
    return out


def _verb_use(view: SentView, s: int, e: int) -> bool:
    """The role word is used as a verb (出席会议并讲话), not a noun (重要讲话)."""
    before = view.text[max(0, s - 2):s]
    if before.endswith(("重要", "的")):
        return False
    k = view.token_at(s)
    if k is None:
        return True
    pos = view.tokens[k][2]
    return pos in {"v", "vn", "vd"} or before.endswith(("作", "了", "作了", "发表"))
