"""Roles in events: who chaired (主持), spoke (讲话, 致辞, 作报告 …), attended (出席, 参加) or
signed, and the event the clause binds them to.

An agent is a person named before the verb ("省委书记张三主持会议": the title is part of the
post, the agent is 张三), a list of them ("A、B、C出席"), or, for speakers, bodies ("A、B作了
发言", "来自A、B的嘉宾…展开探讨", "A、B等机构的代表将作主旨分享"). A verb may also introduce the
list after it ("致辞的嘉宾包括：A、B"). Signatories are the parties a signing ceremony names
("A与B战略合作协议签约仪式", "A与B举行签约仪式").
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.extract.events import EventMention
from kg.extract.view import Name, SentView
from kg.vocab import vocab

_GAP = re.compile(r"^(?:则|也|还|随后|同时)?(?:在[^，。；]{0,25}?(?:上|中|时))?(?:作了?|进行了?|发表了?|就[^，。；]{1,25}?)?$")
#: "来自A、B的嘉宾", "A、B等机构的代表": bodies that stand for the persons who speak
_FROM_BODIES = re.compile(r"(?:来自)?(?P<list>[^，。；]{2,120}?)(?:等[^，。；]{0,20}?)?的(?:嘉宾|代表|人士|业内人士|专家|"
                          r"学者|负责人|企业家)")
#: "…致辞的嘉宾，包括：A、B" / "出席会议的有A、B": the agents listed after the verb
_LIST_AFTER = re.compile(r"^的(?:嘉宾|领导|专家|代表|人员)?[，,]?(?:包括|有|是)[：:]?")


#: a clause that goes on with the subject of the one before: "…，出席" / "…，随后主持"
_NEXT_CLAUSE = re.compile(r"[，,](?:还|也|并|又|随后|同时|其间|之后)?$")


#: "发表重要讲话", "作工作报告", "发表了热情洋溢的致辞": a speech with its modifiers
_SPEECH = re.compile(r"(?<![工合协操运创写])(?:发表|作(?!为|出|用|品|者|风))(?!的)了?(?:题为[“《][^”》]{1,40}[”》]的)?"
                     r"[^，。；、“”《》]{0,10}?(?:讲话|致辞|演讲|报告|发言)(?!精神)")
#: reported speech or a pronoun that starts a new subject
_NEW_SUBJECT = re.compile(r"(?:说|表示|指出|强调|认为|介绍)[，,：:]|[：:]“|你们|我们|他们|大家|咱们|各位")


@dataclass
class RoleMention:
    agent: Name
    role: str
    verb_end: int | None = None  # where the verb ends (its object may name the event)


def find_roles(view: SentView) -> list[RoleMention]:
    """The roles the sentence states, in text order of their verbs."""
    text = view.text
    out: list[RoleMention] = []
    prev_end, prev_agents = 0, []
    for s, e, role, mode in _verb_hits(view):
        lo = _subject_start(text, prev_end, s)
        agents = [n for n in view.names_of("person") if lo <= n.start and n.end <= s]
        if mode == "subject":
            agents = [a for a in agents[-1:] if _GAP.match(text[a.end:s])]
        elif role == "speaker" and not agents:
            agents = _body_list(view, s) or _bodies_for_persons(view, prev_end, s)
        if not agents and prev_agents and (re.fullmatch(r"[^，。；]{0,6}[和及]|[^，。；]{0,40}并(?:发表|作|进行|致)?了?", text[prev_end:s])
                                           or _NEXT_CLAUSE.search(text[prev_end:s])):
            agents = prev_agents  # "A出席并讲话", "A参观了X，考察Y，出席Z": the same subject
        if not agents:
            agents = _listed_after(view, e)
        out.extend(RoleMention(a, role, e) for a in agents)
        prev_end, prev_agents = e, agents
    return out


def _subject_start(text: str, lo: int, verb_start: int) -> int:
    """Where the verb's subject can begin: after reported speech ("A说，…") and after a pronoun
    that is the subject itself ("A在回信中说，你们参加…")."""
    cut = lo
    for m in _NEW_SUBJECT.finditer(text, lo, verb_start):
        cut = m.end()
    return cut


def _verb_hits(view: SentView) -> list[tuple[int, int, str, str]]:
    """(start, end, role, mode) of the role verbs used as verbs, longest first where they overlap."""
    hits = [(m.start(), m.end(), "speaker", "list") for m in _SPEECH.finditer(view.text)]
    pattern, table = _verbs()
    for m in pattern.finditer(view.text):
        if not any(s <= m.start() < e for s, e, *_ in hits):
            hits.append((m.start(), m.end(), *table[m.group(0)]))
    return sorted(h for h in hits if _verb_use(view, h[0], h[1]))


@functools.lru_cache(maxsize=1)
def _verbs() -> tuple[re.Pattern, dict[str, tuple[str, str]]]:
    """One pattern for all role verbs, the longest first, and verb -> (role, mode)."""
    table: dict[str, tuple[str, str]] = {}
    for verb, role, mode in vocab().role_verbs:
        table.setdefault(verb, (role, mode))
    return re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True)))), table


def _listed_after(view: SentView, verb_end: int) -> list[Name]:
    """Persons listed after "…致辞的嘉宾包括：" up to the end of the sentence."""
    m = _LIST_AFTER.match(view.text[verb_end:])
    if not m:
        return []
    return [n for n in view.names_of("person") if n.start >= verb_end + m.end()]


def _bodies_for_persons(view: SentView, lo: int, verb_start: int) -> list[Name]:
    """Bodies that stand for their people: "来自A、B的嘉宾…", "A、B等机构的代表将…"."""
    clause = max(view.text.rfind(c, lo, verb_start) for c in "。；") + 1
    for m in _FROM_BODIES.finditer(view.text, max(lo, clause), verb_start):
        a, b = m.span("list")
        bodies = [n for n in view.names if n.kind in ("organization", "place") and a <= n.start and n.end <= b]
        if bodies:
            return _list_items(view, a, b, _outermost(bodies))
    return []


def _list_items(view: SentView, a: int, b: int, bodies: list[Name]) -> list[Name]:
    """The items of the list "A、B、C" at [a, b) are the bodies when most of them hold a name the
    recognizer found: a name it split ("X清泰（青岛）律师事务所") or missed is still one item."""
    text = view.text
    if text.startswith("来自", a):
        a += 2
    cuts = [i for i in range(a, b) if text[i] == "、" or text[i] in "和及"
            and not any(n.start <= i < n.end for n in bodies)]  # not 工业和信息化部
    items = [(s + 1, t) for s, t in zip([a - 1] + cuts, cuts + [b])]
    named = [(s, t) for s, t in items if any(s <= n.start and n.end <= t for n in bodies)]
    if len(items) < 2 or 2 * len(named) < len(items) or any(not 2 <= t - s <= 30 for s, t in items):
        return bodies
    return [view.name_at(s, t) or Name(s, t, text[s:t], "organization") for s, t in items]


def _joined(names: list[Name], text: str) -> list[Name]:
    """Bodies named one right after the other are one body: 华信控股|西南总部."""
    out: list[Name] = []
    for n in names:
        if out and out[-1].end == n.start:
            out[-1] = Name(out[-1].start, n.end, text[out[-1].start:n.end], "organization")
        else:
            out.append(n)
    return out


def _outermost(names: list[Name]) -> list[Name]:
    return [n for n in names if not any(o is not n and o.start <= n.start and n.end <= o.end for o in names)]


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
    last = view.token_at(e - 1)
    if last is not None and view.tokens[last][1] > e and view.tokens[last][2] in {"n", "nz"}:
        return False  # the verb's last character begins a noun: 上|台阶
    ks = [k for k in (view.token_at(s), view.token_at(e - 1)) if k is not None]
    if not ks:
        return True
    verbal = any(view.tokens[k][2] in {"v", "vn", "vd"} for k in ks)  # 主旨/n 分享/v
    return verbal or before.endswith(("作", "了", "作了", "发表"))


# ------------------------------------------------------------------ talks
#: a talk whose participants all speak: "…圆桌", "…会谈", "…对话会"
_TALK = re.compile(r"(?:圆桌|会谈|对话会?|对谈)[”\"]?$")
#: "A与B之间进行的X会谈", "A和B举行的X对话": the persons of the clause before are its participants
_TALK_BEFORE = re.compile(r"(?:^|[，。；：,])(?P<list>[^，。；：,]{2,60}?)(?:之间)?(?:进行|举行|开展)的$")


def talk_speakers(view: SentView, evs: list[EventMention]) -> list[tuple[Name, EventMention]]:
    """The persons who take part in a named talk speak at it: listed in brackets right after its
    name ("“X圆桌”（A、B）") or as those between whom it is held ("A与B之间进行的“X会谈”")."""
    text, out = view.text, []
    for e in evs:
        if not e.name or not _TALK.search(e.name):
            continue
        bracket = re.match(r"[（(]([^）)]{2,40})[）)]", text[e.end:])
        if bracket:
            lo, hi = e.end + bracket.start(1), e.end + bracket.end(1)
        else:
            m = _TALK_BEFORE.search(text[:e.start])
            if not m or not re.search(r"[与和同]", m.group("list")):
                continue
            lo, hi = m.span("list")
        persons = [n for n in view.names_of("person") if lo <= n.start and n.end <= hi]
        if len(persons) >= 2:
            out += [(p, e) for p in persons]
    return out


# ------------------------------------------------------------------ signatories
_PARTIES = re.compile(r"(?P<a>[\u4e00-\u9fff（）()]{2,20}?)(?:与|和|同)(?P<b>[\u4e00-\u9fff（）()]{2,20}?)"
                      r"(?:全面|深化|战略|项目|框架|合作|协议|备忘录)*")


def signatories(view: SentView, evs: list[EventMention]) -> list[tuple[Name, EventMention]]:
    """Parties of signing ceremonies: named in the ceremony's name ("A与B战略合作协议签约仪式")
    or hosting it ("A与B举行了签约仪式")."""
    out = []
    for e in evs:
        if not e.signing:
            continue
        m = _PARTIES.fullmatch(re.split(r"签约|签署|签字", e.name or "")[0])
        if m:
            out += [(_party(view, e.start + m.start(g), e.start + m.end(g)), e) for g in ("a", "b")]
        elif e.name is None:
            out += [(n, e) for n in _hosts(view, e.start)]
    return out


def _party(view: SentView, s: int, t: int) -> Name:
    name = view.name_at(s, t)
    return name or Name(s, t, view.text[s:t], "organization")


def _hosts(view: SentView, event_start: int) -> list[Name]:
    """The bodies of "A与B举行了签约仪式" right before the verb."""
    m = re.search(r"(?:举行|举办|进行)了?(?:[^，。；]{0,8})$", view.text[:event_start])
    return _listed_before(view, m.start()) if m else []


_SIGN_VERB = re.compile(r"(?:在([^，。；]{1,15}?))?(?:正式|共同|分别)?(?:签署|签订|签约)")


def signing_parties(view: SentView) -> list[Name]:
    """The bodies of "A与B（在X）签署/签订…" in the sentence: those who sign. A name tagged as a
    person listed with a body is a company that signs ("安X与华为签署协议": persons sign 代表…)."""
    m = _SIGN_VERB.search(view.text)
    return _listed_before(view, m.start(), companies=True) if m else []


def signing_place(view: SentView) -> str | None:
    """The place of "A与B在X签署…": a place name that is all of X."""
    m = _SIGN_VERB.search(view.text)
    if not m or not m.group(1):
        return None
    return next((n.text for n in view.names if n.kind == "place" and (n.start, n.end) == m.span(1)), None)


def _listed_before(view: SentView, verb_start: int, companies: bool = False) -> list[Name]:
    """Two or more bodies joined by 与/和/同/、 that end the clause before ``verb_start``."""
    m = re.search(r"$", view.text[:verb_start])
    clause = max(view.text.rfind(c, 0, m.start()) for c in "，。；：") + 1
    kinds = ("organization", "place", "person") if companies else ("organization", "place")
    bodies = [n for n in view.names if n.kind in kinds and clause <= n.start and n.end <= m.start()]
    bodies = _joined(_outermost(bodies), view.text)
    between = [view.text[a.end:b.start] for a, b in zip(bodies, bodies[1:])]
    persons = sum(b.kind == "person" for b in bodies)
    if persons > 1 or persons and not any(b.kind == "organization" for b in bodies):
        return []  # persons who sign do so for their bodies
    return bodies if len(bodies) >= 2 and all(re.fullmatch(r"[与和同、]", x) for x in between) else []
