"""Events (meetings, forums, ceremonies), their date, place and parent event.

An event name ends with an event noun (推进会, 论坛, 颁奖仪式, 全会 …) and extends left over
name-like tokens, quotes and a leading year ("2025世界城市日智慧城市论坛",
"“建设安全可靠韧性城市”论坛"); named as the object of 召开/举行/出席/参观 … it runs from the
verb to the noun with all its modifiers ("主持召开推进X改革开放领导小组会议"). A party
congress is named by its ordinal ("党的二十大", "十九大"). A generic or anaphoric noun
("本次论坛", "会议", "平行论坛", "战略合作签约仪式") is no name: it refers to the article's
main event. Roles in events are found by ``kg.extract.roles``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.vocab import vocab
from kg.extract.event_spans import name_start, place_words, subject_start
from kg.extract.view import SentView, clean_name

_DAY = r"(?:(?:(?:19|20)\d{2}年)?(?:1[0-2]|0?[1-9])月)?(?:3[01]|[12]\d|0?[1-9])[日号]"
_REL = r"(?:当天|当日|同日|同期|日前|近日|今天|今日|昨天|昨日)"
HELD = re.compile(r"^(?:(?:将|也|已|还|均|都|正|再次)?于?" + _REL + "?[（(]?" + _DAY + "(?:(?:至|到|-|—)" + _DAY
                  + ")?[）)]?(?:上午|下午|晚上|晚间)?)?"
                  r"(?:[^，。；]{0,3}?(?:在|于)([^，。；]{1,40}?))?(?:当天|当日|同日|同期|日前|近日|今天|今日|昨天|昨日)?"
                  r"(?:上午|下午|晚上|晚间)?(?:成功|隆重|正式|顺利)?"
                  r"(?:召开|举行|举办|开幕|开班|开营|成立|揭幕|启幕|启动|拉开序幕|拉开帷幕|闭幕|落幕|落下帷幕|圆满结束)(?!前夕|前|之前|之际|在即)")
#: kinds of activity listed, not events: "组织高端峰会、前沿专题研讨会、国际交流等形式的活动"
_KINDS = re.compile(r"^(?:、[^，。；、]{1,12})*等(?:形式|方式|类型|活动|多种)")
_LEAD_VERBS = r"(?:组织|举办|召开|参加|出席|举行|开展|推动|筹办)"
#: "（简称“数博会”）", "（以下简称“行动计划”）": a short name given right after the full one
ALIAS = re.compile(r"[（(](?:(?:以下)?简称[“\"]?([^”\"（）()]{1,12})[”\"]?|([A-Z][A-Za-z0-9&·\-]{1,15}))[）)]")
_VENUE_AFTER = re.compile(r"中心|室|厅|馆|楼|大厦|永久会址|会址|旧址|秘书处")
FOUNDED = re.compile(r"^”?(?:正式|宣布)?成立")
#: a body founded in the text's own time: "X正式成立" (not "成立于1990年", "成立以来", "成立后")
FOUNDING = re.compile(r"^”?(?:正式|宣布|揭牌)?成立(?!于|以来|至今|之初|之后|后|时|的|了?\d)")
#: a party congress named by its ordinal: 党的二十大, 十九大精神
_CONGRESS = re.compile(r"(?:党的)?(?:十[一二三四五六七八九]|二十[一二三四五六七八九]?)大"
                       r"(?=精神|以来|报告|代表|召开|闭幕|开幕|胜利|和|及|、|上|，|。|确定|提出|部署|作出|以及|强调|的)"
                       r"|党的[一二三四五六七八九十]{1,3}大")
#: the ceremony that opens or closes an event is that event: "X大会开幕式" is X大会
_OPENING = re.compile(r"(?:开幕式|闭幕式|开幕会|闭幕会|开幕仪式)$")
#: a signing ceremony named only by what is signed: "战略合作签约仪式", "项目集中签约仪式"
_SIGNING = re.compile(r"^(?:[一二三四五六七八九十\d]+个?)?(?:全面|深化|战略|项目|框架|集中|重点|合作|协议|现场|"
                      r"招商|投资|重大|产业|校地|政企|银企|校企|共建)*(?:签约|签署|签字)(?:仪式|会|活动)$")
#: "作为全球…领域顶级峰会，X…": a description of what follows, not a name
_APPOSITION = re.compile(r"作为[^，。；]{0,3}$")
#: "X论坛由A主办，3日在B开幕": who organizes it comes between the name and where it is held
_ORGANIZED = re.compile(r"^[，,]?由[^。；]{1,60}?(?:联合|共同)?(?:主办|承办|指导|发起)[，,]?")
#: "在X出席", "出席了": the event that follows took place
_ATTENDED = re.compile(r"(?:在([^，。；]{1,20}?))?(?:出席|参加|列席|参观)了?$")


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
    relative: str | None = None  # "日前", "今天" …: a day relative to the article's date
    signing: bool = False  # a ceremony at which agreements are signed
    hosts: str | None = None  # "A与B签约仪式": the name of a generic signing held by named bodies


@functools.lru_cache(maxsize=1)
def _PROVINCE_ABBRS() -> set[str]:
    return {abbr for abbr, _ in vocab().provinces.values()}


@functools.lru_cache(maxsize=1)
def _noun_pattern() -> re.Pattern:
    nouns = sorted(vocab().event_nouns, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, nouns)))


def find_events(view: SentView) -> list[EventMention]:
    """The events the sentence names or refers to, left to right."""
    out: list[EventMention] = []
    taken: list[tuple[int, int]] = []
    for m in list(_noun_pattern().finditer(view.text)) + list(_CONGRESS.finditer(view.text)):
        em = _mention(view, m, out, taken)
        if em is not None:
            out.append(em)
            taken.append((em.start, em.end))
    out.sort(key=lambda e: e.start)
    out += founding_events(view)
    # a name inside a longer one is part of it ("…擂台赛新一代…颁奖仪式")
    return [e for e in out if not any(o is not e and o.start <= e.start and e.end <= o.end for o in out)]


def _mention(view: SentView, m: re.Match, out: list, taken: list) -> EventMention | None:
    """The event whose noun (or congress ordinal) is matched by ``m``, or None when it is none."""
    v, text = vocab(), view.text
    end, noun = m.end(), m.group(0)
    congress = noun not in v.event_nouns
    if not congress and _not_event_noun(view, m):
        return None
    start, as_object = (m.start(), False) if congress else name_start(view, m.start(), end)
    q = text.rfind("“", 0, m.start())
    if text[end:end + 1] == "”" and 0 <= q and m.start() - q <= 20 and "”" not in text[q:m.start()]:
        start, end = min(start, q), end + 1  # "“双城圆桌”": the quotation is the name
    name = clean_name(text[start:end])
    start = end - len(name)
    if any(a <= start and end <= b for a, b in taken):
        return None
    joined = text.rfind("暨", 0, start)
    if joined >= 0 and out and out[-1].end == joined and start - joined <= 16 \
            and not re.search(r"[，,。；;：:、“”]", text[joined:start]):
        prev = out.pop()  # A发布会暨B论坛 is one event, so is A大会暨重大项目集中签约活动
        taken.pop()
        start, name = prev.start, text[prev.start:end]
    lead = None if as_object else re.match(_LEAD_VERBS, name)
    if lead and len(name) - lead.end() >= 4:
        name, start = name[lead.end():], start + lead.end()
    after = text[end:]
    short = ALIAS.match(after)
    after = after[short.end():] if short else after
    if not as_object and (HELD.match(after) or after.startswith("暨")):  # "A会暨B论坛…召开" too
        subject = subject_start(view, start)
        if subject is not None:
            start, name = subject, text[subject:end]
    name, start = _after_conjunction(name, start)
    if _KINDS.match(text[end:]) or FOUNDED.match(after) or _VENUE_AFTER.match(text, end):
        return None  # kinds of activity; a founded forum is a body; 会议|中心 names a venue
    if _APPOSITION.search(text[:start]) and after.startswith("，"):
        return None
    opening = _OPENING.search(name)
    if opening and v.event_noun(name[:opening.start()]):
        name = name[:opening.start()]  # "X大会开幕式" is X大会
        noun = v.event_noun(name)
    em = EventMention(start, end, name, "Congress" if congress else v.event_nouns[noun],
                      alias=short and (short.group(1) or short.group(2)))
    return _held(view, em, after, noun)


def _not_event_noun(view: SentView, m: re.Match) -> bool:
    """会长, 会员, 会议|中心: the matched noun is part of another word."""
    end, text = m.end(), view.text
    if end < len(text) and text[end] in "长员":
        return True
    k = view.token_at(end - 1)
    return k is not None and view.tokens[k][1] > end and view.tokens[k][2] in {"LOC", "ORG", "nz", "n"}


def _held(view: SentView, em: EventMention, after: str, noun: str) -> EventMention | None:
    """Fill whether, where and when (relative day) the event is said to be held; decide whether
    its name is generic (a reference to the main event) or the name of its hosts."""
    text = view.text
    held = HELD.match(_ORGANIZED.sub("", after, count=1))
    # "举行了A的B研讨会": what is held is the name with the modifiers it was cut from
    hosted = re.search(r"(?:在([^，。；]{1,30}?))?(?:举行|召开|举办|主办|组织)(?:了|的)?(?:[^，。；“”《》了]{1,20}的)?$",
                       text[:em.start])
    held_before = hosted or _ATTENDED.search(text[:em.start])  # one attends what takes place
    generic = _generic(em.name, noun) if em.type != "Congress" else False
    em.signing = bool(_SIGNING.match(em.name)) or "签约" in em.name or "签署" in em.name
    if _SIGNING.match(em.name):
        generic = True  # hosts of a signing ceremony are its signatories (kg.extract.roles)
        em.hosts = hosted and _hosts_name(view, hosted.start(), em.name)
    elif generic and hosted and not re.search(r"(?:本次|此次|这次|该)$", text[:em.start]):
        em.name = _hosts_name(view, hosted.start(), em.name)  # 省政府与华为…举行工作会谈
        generic = em.name is None
    if not generic and em.name.endswith("活动") and not _named_activity(view, em):
        return None  # 地下活动, 民俗活动: an activity needs a name of its own
    em.name = None if generic else em.name
    at_event = em.type != "Congress" and (  # "在X论坛上，…", "X峰会现场，…": it took place
        re.search(r"在$", text[:em.start]) and re.match(r"(?:上|期间|现场|开幕式上)[，,]", text[em.end:])
        or re.match(r"(?:现场|开幕式上|期间)[，,]", text[em.end:]) and re.search(r"(?:^|[，,；])$", text[:em.start]))
    em.held = bool(held or held_before or at_event)  # "在X论坛上，…": it took place
    em.place = _where(view, em, held, held_before, hosted)
    rel = re.search(r"日前|近日|今天|今日|昨天|昨日", (held.group(0) if held else "") + text[:em.start])
    em.relative = rel.group(0) if rel and em.held else None
    return em


def _where(view: SentView, em: EventMention, held, held_before, hosted) -> str | None:
    """The place of "X在Y举行", "在Y召开X", "在Y出席X", "Y举办X" (the city that hosts it)."""
    text = view.text
    where, at = None, -1
    if held and held.group(1):
        where, at = held.group(1), text.find(held.group(1), em.end)
    elif held_before and held_before.group(1):
        where, at = held_before.group(1), held_before.start(1)
    elif hosted:
        city = next((n for n in view.names if n.kind == "place" and n.end <= hosted.start() and
                     re.fullmatch(r"(?:今天|今日|近日|日前|\d{1,2}日|上午|下午|正式|隆重|成功|将|也|还)*", text[n.end:hosted.start()])
                     and text.rfind("，", 0, hosted.start()) < n.start), None)
        where, at = (city.text, city.start) if city and not text[:city.start].endswith("在") else (None, -1)
    if not where and (hosted or held_before):
        where, at = _same_place(view, em.start)
    if where:
        where = place_words(view, at, where)
    if where and not re.search(r"(?:期间|之际|前后|上|中)$", where) and not vocab().event_noun(where):
        return clean_name(where)
    return None


def _same_place(view: SentView, start: int) -> tuple[str | None, int]:
    """"A与B在广州签署协议，同时还举行了X": an event held in a clause that goes on (同时/随后/并)
    from one saying where its subject was is held there too."""
    text = view.text
    clause = max(text.rfind(c, 0, start) for c in "，,；;") + 1
    if not clause or not re.match(r"(?:同时|随后|并|当天|其间)", text[clause:start]):
        return None, -1
    at = [n for n in view.names if n.kind == "place" and n.end < clause and text[n.start - 1:n.start] == "在"
          and re.match(r"(?:举行|召开|签署|签订|签约|会见|会谈|开幕|出席|主持)", text[n.end:])]
    return (at[-1].text, at[-1].start) if len(at) == 1 else (None, -1)


def _after_conjunction(name: str, start: int) -> tuple[str, int]:
    """"党的十九大和十九届历次全会": the name after the last event it lists."""
    pat = re.compile(f"(?:{_noun_pattern().pattern}|{_CONGRESS.pattern})[和及、与]")
    last = None
    for m in pat.finditer(name):
        last = m
    if last is None or len(name) - last.end() < 2:
        return name, start
    return name[last.end():], start + last.end()


def _named_activity(view: SentView, em: EventMention) -> bool:
    """An activity with a name: quoted, led by a year, an ordinal or a place or body."""
    name = em.name
    if re.search(r"[“\"《]|^(?:19|20)\d{2}|^第|^首届", name) or "主场" in name:
        return True
    return any(n.kind in ("place", "organization") and em.start <= n.start and n.end < em.end
               for n in view.names)


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
    """A generic event held by named bodies is named after them: "A与B工作会谈". The hosts are
    the bodies listed (与/和/同/、) right before the verb, not a venue ("在X")."""
    text = view.text
    clause_start = max(text.rfind(c, 0, verb_start) for c in "，,。；：:") + 1
    bodies = [n for n in view.names if n.kind == "organization" and clause_start <= n.start
              and n.end <= verb_start and text[n.start - 1:n.start] != "在"]
    bodies = [n for n in bodies if not any(o is not n and o.start <= n.start and n.end <= o.end for o in bodies)]
    hosts: list = []
    for n in bodies:
        if hosts and not re.fullmatch(r"[与和同、]", text[hosts[-1].end:n.start]):
            hosts = []  # a new list begins
        hosts.append(n)
    if hosts and not re.fullmatch(r"[^，。；]{0,12}", text[hosts[-1].end:verb_start]):
        hosts = []
    return "与".join(h.text for h in hosts[:3]) + noun if hosts else None


def _generic(name: str, noun: str) -> bool:
    v = vocab()
    head = name[: -len(noun)]
    head = re.sub(r"^[一二三四五六七八九十两\d]+大?", "", head)
    if not head:
        return True
    if head in v.generic_event_words or head in v.event_nouns:
        return True  # "本次论坛", "论坛会议"
    if re.fullmatch(r"[\u4e00-\u9fff]", head) and head not in _PROVINCE_ABBRS():
        return True  # "落实好论坛成果": one character is no name (but 京交会-like 沪…)
    if re.search(r"历次|历届|各届|每次|每届|多次", head):
        return True  # "十九届历次全会": several events, none named
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
