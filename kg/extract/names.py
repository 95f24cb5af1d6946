"""Names of persons, organizations and places in a sentence.

Persons come from the backend's PERSON mentions. Organizations come from the backend's
ORG mentions and from a suffix rule: a span that ends with a body-type suffix (…大学,
…有限公司, …管理局, …专题组) and extends left over name-like tokens. Places are the
backend's PLACE mentions that are not part of an organization's name, and venues
("在X举行").
"""
from __future__ import annotations

import functools
import re

from kg.annotate.ner import plausible_name
from kg.vocab import strip_paren, vocab
from kg.extract.name_checks import (common_noun, country_pair, not_a_body, place_name, quantified, unconfirmed, unsupported,
                                    visited_place)
from kg.extract.organizers import affiliations, organizers
from kg.extract.view import NAME_POS, Name, SentView, clean_name, is_org_name, org_categories

_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{2,}[·•][\u4e00-\u9fff]{2,}$")


def find_names(view: SentView) -> None:
    """Fill ``view.names`` with persons, organizations and places (local offsets)."""
    view.lac = _join_broken(view)
    orgs = _organizations(view)
    view.names.extend(orgs)
    for s, e, label in view.lac:
        if label == "PERSON":
            s = _title_char_off(view, s, e)
            s = _surname_split_off(view, s, e)
            e = _third_char(view, s, e)
            e = _verb_glued(view, s, e)
        text = view.text[s:e]
        if label == "PERSON" and _plausible_person(text):
            if not any(o.start <= s and e <= o.end for o in orgs):
                view.names.append(Name(s, e, text, "person"))
    for s, e, pos in view.tokens:  # 校长 谈/v 哲敏/PER: a LAC name too short to keep alone
        if pos == "PER" and (start := _surname_split_off(view, s, e)) < s \
                and not any(n.start < e and start < n.end for n in view.names):
            view.names.append(Name(start, e, view.text[start:e], "person"))
        elif pos == "PER" and e - s == 2 and (end := _third_char(view, s, e)) > e \
                and plausible_name(view.text[s:end]) and not any(n.start < end and s < n.end for n in view.names):
            view.names.append(Name(s, end, view.text[s:end], "person"))  # 公使 林志/PER 光/n 线上发表致辞
    for m in _PHOTO_CREDIT.finditer(view.text):
        if _plausible_person(m.group(1)) and not view.name_at(m.start(1), m.end(1), "person"):
            view.names.append(Name(m.start(1), m.end(1), m.group(1), "person"))
    made = _made_places(view)
    for s, e in made:
        view.names.append(Name(s, e, view.text[s:e], "place", {_MADE}))
    venues = visited_venues(view.text)
    for s, e in _places(view):
        if any(a <= s and e <= b and (a, b) != (s, e) for a, b in made) and _cut_piece(view, s, e):
            continue  # 甲乙国际医疗|旅游先行区: a piece of a site's name the tagger cut, no place
        if any(a == s and e < b and view.text[a:b].endswith(vocab().natural_heads) for a, b in made):
            continue  # 四川|盆地: the basin is named, not the province
        if not any(n.start < e and s < n.end for n in view.names if n.kind != "place") \
                and not view.name_at(s, e, "place") \
                and not _quoted(view.text, s, e) and not any(a <= s and e <= b for a, b, _ in venues):
            view.names.append(Name(s, e, view.text[s:e], "place"))
    for s, e, building in venues:
        view.names.append(Name(s, e, view.text[s:e], "place"))
        if building:
            view.names.append(Name(s, building, view.text[s:building], "place"))
    view.names.sort(key=lambda n: (n.start, -n.end))


def add_known_persons(views: list[SentView]) -> None:
    """A person named in one sentence of an article is a person in the others too: LAC's
    two-character PER tokens that the recognizer did not confirm (韩某/PER 还参观了…) are kept
    where the article names that person elsewhere (副市长韩某主持会议)."""
    known = {n.text for v in views for n in v.names if n.kind == "person"}
    for v in views:
        added = [Name(s, e, v.text[s:e], "person") for s, e, pos in v.tokens
                 if pos == "PER" and v.text[s:e] in known and not any(n.start < e and s < n.end for n in v.names)]
        if added:
            v.names.extend(added)
            v.names.sort(key=lambda n: (n.start, -n.end))


#: a photo credit names its photographer: "（海涛 摄）", "(记者 王明 摄影)"
_PHOTO_CREDIT = re.compile(r"[（(](?:记者|通讯员)?\s*([\u4e00-\u9fff]{2,3})\s*(?:摄|摄影)\s*[)）]")
_REGION = re.compile(r"经济圈|经济带|城市群|都市圈|经济区")
_LIST_EDGE = "、，,；;：:。（(和与及等"


def _join_broken(view: SentView) -> list[tuple[int, int, str]]:
    """Backend mentions a tagger broke apart, joined again:
    成渝地区/PLACE 双城/PLACE 经济圈 → one place (a region named with its kind);
    华清/ORG 智岛/PLACE between list separators → one organization (华清智岛)."""
    text, out = view.text, []
    for s, e, label in sorted(view.lac):
        prev = out[-1] if out else None
        if prev and prev[1] == s and label == "PLACE" and prev[2] in ("PLACE", "ORG"):
            region = _REGION.match(text, e)
            if prev[2] == "PLACE" and region:
                out[-1] = (prev[0], region.end(), "PLACE")
                continue
            if prev[2] == "ORG" and (e == len(text) or text[e] in _LIST_EDGE) \
                    and (prev[0] == 0 or text[prev[0] - 1] in _LIST_EDGE):
                out[-1] = (prev[0], e, "ORG")
                continue
        region = _REGION.match(text, e) if label == "PLACE" else None
        out.append((s, region.end(), label) if region else (s, e, label))
    return out


_SUBDIVISION = re.compile(r"(?:区|县|市|街道|镇|乡|村|社区|新区)$")


#: the category of a place found by its head (kg/data/rules/place_suffixes.txt): the initiative
#: rules leave it a place (a zone the tagger alone calls a place may still be a programme)
_MADE = "made"
#: a region of the country named by its direction (西部地区, 中西部地区, 东北地区): a place,
#: although the bare direction (西部) is none (kg/data/rules/not_place.txt)
_DIRECTION_REGION = re.compile(r"(?:东|西|南|北|中|东北|西北|西南|东南|中西|东中)部?地区")
_COUNT = re.compile(r"[一二两三四五六七八九十百千\d]+[个座处家批]")


def _occurrences(text: str, word: str):
    """Start of every occurrence of ``word`` in ``text`` (overlapping ones too), by str.find:
    a regex per suffix and sentence cost a third of the extraction."""
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def _made_places(view: SentView) -> list[tuple[int, int]]:
    """Places named by a head people give places (新区, 码头, 基地, 景区) after a place: 宁波|北仑
    港区集装箱码头, 湛江|海东新区; not inside another name, never without a place before the head."""
    text, out = view.text, []
    places = [(s, e) for s, e, label in view.lac if label == "PLACE"]
    places += [(s, e) for s, e, pos in view.tokens if pos == "LOC"]
    ends = {}
    for suf in vocab().place_suffixes:  # longest first: the longest head ending at a place wins
        for i in _occurrences(text, suf):
            ends.setdefault(i + len(suf), i)
    for end, head in sorted(ends.items()):
        k = view.token_at(end - 1)
        if k is None or not view.is_token_end(end) or _quoted(text, head, end):
            continue
        start = view.expand_left(k)
        while start < head and not any(s == start and e <= head for s, e in places):  # 考察|湛江…
            j = view.token_at(start)
            start = view.tokens[j][1] if j is not None else head
        visited = start >= head
        if visited:
            start = _visited_site(view, head, end)  # 前往|某某现代农业示范基地，: where a tour went
        if start >= head or any(n.start < end and start < n.end and not (visited and start <= n.start and n.end < end)
                                for n in view.names if n.kind != "place"):
            continue  # a body inside a visited site (its owner before 码头) stays a body
        if text[start - 1:start] in ("（", "(") and start >= 2 and (j := view.token_at(start - 2)) is not None:
            start = view.expand_left(j)  # 西部（重庆）科学城: the place in brackets is inside the name
        name = text[start:end]
        if name.count("（") + name.count("(") != name.count("）") + name.count(")") or _COUNT.search(name):
            continue  # 三个港区: a count of places, no name
        out.append((start, end))
    return out


def _cut_piece(view: SentView, s: int, e: int) -> bool:
    """A place inside a site's name that a tagger cut out of it: a body mention turned place (甲乙
    国际医疗/ORG|旅游先行区), or a known place with a direction glued on (某市南|繁育基地).
    Places a tagger names as such (某某/LOC 优质糖料蔗基地, 白云国际机场 in 广州白云国际机场) stay."""
    name = view.text[s:e]
    if place_name(name) or _SUBDIVISION.search(name):
        return False
    if name[-1] in "东南西北" and place_name(name[:-1]):
        return True
    return not any((a, b) == (s, e) and label == "PLACE" for a, b, label in view.lac) \
        and not any(t == (s, e, "LOC") for t in view.tokens)


#: verbs of a tour whose object is the site visited; 在 opens a clause whose next one inspects
_TOUR = {"前往", "到", "来到", "走进", "考察", "参观", "察看", "视察", "调研", "走访", "深入", "抵达"}
_INSPECT = re.compile(r"[，,](?:实地|详细|认真|先后)?(?:察看|考察|调研|了解|参观|看望|听取|检查)")
_SITE_END = re.compile(r"(?:[，,；;。]|(?:运行|建设|发展|生产|规划建设|改造)?情况|调研|考察|视察|参观|察看|检查)")
_SITE_TOKEN = {"LOC", "ORG", "PER", "nz", "ns", "nt", "nw", "nr", "j"}


def _visited_site(view: SentView, head: int, end: int) -> int:
    """Start of the site a tour visits when its name, ending at a place head (基地, 码头, 先行区),
    starts with no place: the whole object of the tour verb (前往|甲乙国际医疗旅游先行区，; 考察|
    某某20万吨级油品码头运行情况; 在|某某农业示范基地，实地察看), as long as it holds a name-like
    token; ``head`` when there is none (在自贸试验区 is a designation, no site of a tour)."""
    text = view.text
    m = _SITE_END.match(text, end)
    if m is None and end < len(text):
        return head
    k = view.token_at(head)
    while k is not None and k > 0:
        s, e, pos = view.tokens[k - 1]
        word = text[s:e]
        if word in _TOUR or (word == "在" and _INSPECT.match(text, end)):
            if e < head - 1 and any(pos in _SITE_TOKEN for a, b, pos in view.tokens if e <= a and b <= head):
                return e
            return head
        if pos == "w" or word in ("的", "了", "和", "与"):
            return head
        k -= 1
    return head


def _places(view: SentView) -> list[tuple[int, int]]:
    """PLACE mentions; adjacent ones that nest (余杭区 + 仓前街道) also as one name."""
    not_place = vocab().not_place
    spans = [(s, e) for s, e, label in view.lac
             if (label == "PLACE" and e - s >= 2 and view.text[s:e] not in not_place and not common_noun(view, s, e)
                 and not _recognizer_only_place(view, s, e) and not country_pair(view.text, s, e))
             or (label == "ORG" and (place_name(view.text[s:e]) or visited_place(view.text, s, e)
                                     or _place_token(view, s, e, view.text[s:e])))]
    for m in _DIRECTION_REGION.finditer(view.text):
        k = view.token_at(m.start())
        if k is not None and view.tokens[k][0] == m.start() and view.is_token_end(m.end()) \
                and (k == 0 or view.tokens[k - 1][2] not in ("LOC", "ns", "ORG")) \
                and all(m.start() <= a and b <= m.end() for a, b in spans if a < m.end() and m.start() < b):
            spans = [x for x in spans if not (m.start() <= x[0] and x[1] <= m.end())]
            spans.append(m.span())  # the region, not its direction (中西部/LOC 地区); not 山东|西部地区
    spans.sort()
    out = list(spans)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        if e1 == s2 and _SUBDIVISION.search(view.text[s1:e1]) and _SUBDIVISION.search(view.text[s2:e2]):
            out.append((s1, e2))
            out.remove((s2, e2))
    return out


def _quoted(text: str, s: int, e: int) -> bool:
    return s > 0 and e < len(text) and text[s - 1] in "“《" and text[e] in "”》"


def _unit_of_body(view: SentView, s: int, name: str) -> bool:
    """The recognizer's whole mention is a centre of a body it starts with (外交部|领事保护中心):
    a unit of that body, not the body followed by other words."""
    if view.sources.get((s, s + len(name), "ORG")) != "ner" or not name.endswith("中心") \
            or not view.is_token_end(s + len(name)):
        return False
    return any(is_org_name(name[:i]) for i in range(2, len(name) - 3))


def _kind_before_quote(text: str, s: int, e: int) -> str | None:
    """The category ("" when the kind word gives none) when [s, e) is quoted right after a kind
    of body (…公司“某某科技”, 高校“某某学院”) and is not a programme's name (“某某”计划);
    None otherwise."""
    if not (text[s - 1:s] == "“" and text[e:e + 1] == "”"):
        return None
    kind = next((k for k in _LIST_KINDS if text.endswith(k, 0, s - 1)), None)
    v = vocab()
    if kind is None or any(text.startswith(h, e + 1) for h in (*v.initiative_heads, *v.counted_heads)):
        return None  # 某公司“某某”计划: the quotes name the company's programme
    return _LIST_KINDS[kind]


def _descriptor(view: SentView, s: int, e: int) -> bool:
    """[s, e) is made of common words only (物流/n 机器人/n 公司/n): a description, no name."""
    toks = [pos for a, _, pos in view.tokens if s <= a < e]
    return bool(toks) and all(pos in ("n", "vn", "v", "a", "an", "ad", "d") for pos in toks)


def _venue(text: str, s: int, e: int) -> bool:
    """"在X举行": X is where an event takes place, not a body; so is anything inside a venue
    one is invited to ("莅临X参会")."""
    if any(a <= s and e <= b for a, b, _ in visited_venues(text)):
        return True
    return text[max(0, s - 1):s] == "在" and re.match(r"(?:成功|隆重)?(?:举行|举办|召开)", text[e:]) is not None


#: "莅临X参会", "齐聚X共商": X is the venue of the article's event
_VISIT = re.compile(r"(?:莅临|前往|来到|齐聚)([^，。；！？、]{3,40}?)(?:参会|参加|出席|观摩|见证|参观|交流|共商|共话)")
_VENUE_END = re.compile(r"(?:酒店|宾馆|饭店|中心|大厦|会堂|礼堂|剧院|馆|厅|室|楼|广场)$")
_BUILDING = re.compile(r"(?:酒店|宾馆|饭店|中心|大厦|会堂|礼堂|剧院|馆)")


@functools.lru_cache(maxsize=64)
def visited_venues(text: str) -> tuple[tuple[int, int, int | None], ...]:
    """(start, end, building_end) of venues one is invited to: "莅临西部（重庆）科学城富力假日
    酒店3F宴会厅参会" gives the hall, and the hotel it is in (building_end) when a room follows."""
    out = []
    for m in _VISIT.finditer(text):
        venue = m.group(1)
        if not _VENUE_END.search(venue):
            continue
        inner = [b.end() for b in _BUILDING.finditer(venue) if b.end() < len(venue)]
        out.append((m.start(1), m.end(1), m.start(1) + inner[-1] if inner else None))
    return tuple(out)  # cached per sentence: the name rules and the event rules ask for it


_NOT_NAME_CHAR = set("在和与及等的是将也都还就又说为对向从把被并则")


def _title_char_off(view: SentView, s: int, e: int) -> int:
    """A name whose first character ends the title before it: 国务委员|长金正恩 → 金正恩
    (委员长 is the title; what is left is a name of its own)."""
    if e - s >= 3 and s > 0 and vocab().title_suffix(view.text[:s + 1]) and _CJK_NAME.match(view.text[s + 1:e]):
        return s + 1
    return s


def _surname_split_off(view: SentView, s: int, e: int) -> int:
    """A two-character name whose surname the tagger took for a word of its own right after a
    title: 校长 谈/v 哲敏/PER → 谈哲敏 (a common surname, a plausible full name; no function
    word such as 和, no title that may follow a name)."""
    from kg.annotate.ner import plausible_name

    k = view.token_at(s - 1) if s >= 2 else None
    if e - s != 2 or k is None or view.tokens[k][:2] != (s - 1, s) or view.text[s - 1] in _NOT_NAME_CHAR \
            or not plausible_name(view.text[s - 1:e]):
        return s
    v = vocab()
    title = v.title_suffix(view.text[:s - 1])  # not one that may follow a name: 习近平总书记|和…
    return s - 1 if title and "after" not in v.titles.get(title, ()) else s


def _third_char(view: SentView, s: int, e: int) -> int:
    """A two-character name the tagger cut before its third character, which it took for a
    word of its own before a role verb or a post title: 覃伟/PER 中/f 出席会议 → 覃伟中,
    王守/PER 本/d 表示 → 王守本, 李复/PER 全/a 院士 → 李复全."""
    k = view.token_at(e)
    if e - s != 2 or k is None or view.tokens[k][0] != e or view.tokens[k][1] != e + 1:
        return e
    if view.text[e] in _NOT_NAME_CHAR or view.tokens[k][2] not in {"f", "n", "nr", "q", "a", "d"}:
        return e
    rest = view.text[_past_fillers(view, k + 1):]
    if any(rest.startswith(verb) for verb, _, _ in vocab().role_verbs):
        return e + 1
    return e + 1 if vocab().title_prefix(rest) and view.tokens[k][2] != "n" else e


_FILLER_POS = {"s", "d", "ad", "t"}
_LIGHT_VERBS = {"发表", "作", "做", "作了", "做了", "进行"}


def _past_fillers(view: SentView, k: int) -> int:
    """Where the verb starts after token ``k``: past an adverb of time or manner (随后/d,
    线上/s) and a light verb (发表, 作) before the role verb: 林志|光 线上 发表 致辞."""
    for allowed in (_FILLER_POS, None):
        if k < len(view.tokens) and ((allowed and view.tokens[k][2] in allowed)
                                     or (allowed is None and view.text[view.tokens[k][0]:view.tokens[k][1]] in _LIGHT_VERBS)):
            k += 1
    return view.tokens[k][0] if k < len(view.tokens) else len(view.text)


#: what 作/做 takes after a speaker's name: "张平作报告", "周强作说明", "李东做主旨演讲",
#: "王平作提案工作情况报告" (the object's words before the noun, within the clause)
_MAKES = re.compile(r"(?:了|过)?(?:[^，。；、]{0,12}?(?:报告|讲话|发言|演讲|说明|部署|总结|点评|介绍|交流|解读|分享))")


def _verb_glued(view: SentView, s: int, e: int) -> int:
    """A three-character "name" that ends with 作/做 when what follows is its object: the verb
    (周强|作说明), not the name's third character (a given name 作 before a verb stays: 李作成出席)."""
    m = _MAKES.match(view.text, e) if e - s == 3 and view.text[e - 1] in "作做" else None
    if m and not any(verb in m.group(0)[:-2] for verb, _, _ in vocab().role_verbs) and "并" not in m.group(0):
        return e - 1  # not 李作成|出席会议并讲话: a verb of its own before the noun
    return e


def _recognizer_only_place(view: SentView, s: int, e: int) -> bool:
    """A place only the entity recognizer names, with no place token of LAC's in it and unknown
    to the gazetteer: on news it is mostly a thing (毫米波雷达, 装甲架桥车) or a clause piece
    (上工业企业利润), a place once in ten. Long venue names (…中心三层多功能厅) stay."""
    from kg.gazetteer import find

    return view.sources.get((s, e, "PLACE")) == "ner" and not (e - s >= 5 and _VENUE_END.search(view.text[s:e])) \
        and not any(s <= a < e and pos in ("LOC", "ns") for a, _, pos in view.tokens) \
        and not any(kind == "PLACE" for _, _, kind in find(view.text[s:e]))


def _generic(view: SentView, n: Name) -> bool:
    """A reference to bodies of a kind, not a name: a quantifier first (多家政府, 当地政府), or
    one short common noun joined by 和/与/及 to a bare kind of body (党和政府, 车间和实验室; not
    文化和旅游部, 农业与农村委员会)."""
    if quantified(n.text) or _ours(view, n) or _described(view, n):
        return True
    m = re.fullmatch(r"([\u4e00-\u9fff]{1,2})[和与及]([\u4e00-\u9fff]{1,3})", n.text)
    k = view.token_at(n.start)
    return bool(m) and k is not None and view.tokens[k][:2] == (n.start, n.start + len(m.group(1))) \
        and view.tokens[k][2] in ("n", "vn") and (len(m.group(2)) <= 2 or any(s.suffix == m.group(2) for s in vocab().org_suffixes))


def _ours(view: SentView, n: Name) -> bool:
    """"我国|数据中心", "我省|一体化大数据中心": what the speaker's country or province has of a
    kind, no one body (我 stood before the name's 国/省/市)."""
    return n.start > 0 and view.text[n.start - 1] == "我" and n.text[0] in "国省市区县"


#: tokens that make a name more than a description of a kind of body
_PROPER = {"ORG", "LOC", "PER", "nz", "nt", "nw", "ns", "nr", "j", "x", "m"}


#: suffixes that also name a facility or a body's part (a centre, headquarters, incubator, an
#: event's committee): after common words only they describe a kind, not one body
_FACILITY_SUFFIXES = {"中心", "总部", "孵化器", "组委会"}


def _described(view: SentView, n: Name) -> bool:
    """A body name made of common words only and ending with a facility's suffix (互联网/n
    数据中心/n, 备份/vn 存储/n 类/n 数据中心/n, 大会/n 组委会/n), unknown to the table of bodies and the
    gazetteers: a kind of facility or a reference, no name (公众/n 环境/n 研究中心/n and 某某/n
    协会/n stay: their suffix names bodies only). Quoted names stay."""
    from kg.gazetteer import brands, orgs

    v = vocab()
    core = strip_paren(n.text)
    if core in v.bodies or n.text in orgs() or n.text in brands() or _quoted(view.text, n.start, n.end):
        return False
    suf = v.org_suffix(n.text)
    if suf is None or suf.suffix not in _FACILITY_SUFFIXES or org_categories(n.text) & {"GovernmentBody", "PartyBody"}:
        return False
    toks = [pos for a, b, pos in view.tokens if n.start <= a < n.end]
    return bool(toks) and not any(pos in _PROPER for pos in toks) and not any(ch.isascii() and ch.isalnum() for ch in n.text)


def _place_token(view: SentView, s: int, e: int, name: str) -> bool:
    """A body only the recognizer names that is one LAC place token, with no body's suffix and
    unknown to the gazetteers' bodies (苏格兰/LOC): the place, not its government."""
    from kg.gazetteer import orgs

    k = view.token_at(s)
    return view.sources.get((s, e, "ORG")) == "ner" and k is not None and view.tokens[k] == (s, e, "LOC") \
        and not is_org_name(name) and name not in orgs()


def _plausible_person(text: str) -> bool:
    v = vocab()
    return bool(_CJK_NAME.match(text)) and text not in v.titles and not v.title_suffix(text)


def _organizations(view: SentView) -> list[Name]:
    v = vocab()
    text = view.text
    found: dict[tuple[int, int], Name] = {}
    # suffix rule
    ends = set()
    for suf in v.org_suffixes:
        ends.update(i + len(suf.suffix) for i in _occurrences(text, suf.suffix))
    for end in sorted(ends):
        end = _with_paren(text, end)
        if not _ends_here(view, end):
            continue
        k = view.token_at(end - 1)
        if k is None or view.tokens[k][2] in {"r", "v", "d", "p"}:
            continue
        start = _across_and(view, view.expand_left(k))
        start = _skip_leading(view, start, end)
        name = clean_name(_last_title(text[start:end]))
        if not name:
            continue
        start = text.find(name, start)
        if _quality_of_kind(view, start, start + len(name)):
            continue
        if is_org_name(name) and not _title_across(text, end) and not _quoted(text, start, start + len(name)) \
                and not _venue(text, start, start + len(name)):
            found[(start, start + len(name))] = Name(start, start + len(name), name, "organization",
                                                    org_categories(name))
    # bodies that are founded: "“CCF中国数字经济50人论坛”正式成立"
    for m in re.finditer(r"“([^“”]{4,30})”(?:正式|宣布)?成立", text):
        found[(m.start(1), m.end(1))] = Name(m.start(1), m.end(1), m.group(1), "organization", {"Committee"})
    # backend ORG mentions that the suffix rule did not cover
    for s, e, label in view.lac:
        if label != "ORG":
            continue
        name = clean_name(text[s:e]).split("关于")[0]  # 《某某中央关于…的决定》: the issuer
        if not is_org_name(name) and not _unit_of_body(view, s, name):  # LAC runs on into the verb: 市发展改革委签署
            name = next((name[:i] for i in range(len(name) - 1, 1, -1) if is_org_name(name[:i])), name)
        e = s + len(name)
        kind = _kind_before_quote(text, s, e)
        if len(name) < 2 or any(a <= s and e <= b for a, b in found) or (_quoted(text, s, e) and kind is None) \
                or _venue(text, s, e) or not _ends_here(view, e):
            continue
        if kind is not None:  # 自动驾驶公司“某某科技”: the quotes name the body the kind word says
            for a, b in [k for k in found if k[1] == s - 1 and _descriptor(view, *k)]:
                del found[(a, b)]  # 物流机器人公司“某某”: the kind phrase describes the body, names none
            found[(s, e)] = Name(s, e, name, "organization", {kind} if kind else _categories_of(view, s, e, name))
            continue
        if _unit_of_body(view, s, name):
            found[(s, e)] = Name(s, e, name, "organization", _categories_of(view, s, e, name))
            continue
        if (v.title_suffix(name) and not is_org_name(name)) or not_a_body(view, s, e, name) \
                or unconfirmed(view, s, e, name) or unsupported(view, s, e, name) or _place_token(view, s, e, name):
            continue
        found[(s, s + len(name))] = Name(s, s + len(name), name, "organization", _categories_of(view, s, e, name))
    for (s, e), n in list(found.items()):
        sender = _sender(view, s, e)
        if sender is not None:  # 日本驻|上海总领事馆: the mission belongs to who sends it
            del found[(s, e)]
            found[(sender, e)] = Name(sender, e, text[sender:e], "organization", n.categories)
    for (s, e), n in list(found.items()):
        for a, b in _split_pair(n.text):  # 东湖区政府同远航集团/ORG: one token, two bodies
            found.pop((s, e), None)
            found[(s + a, s + b)] = Name(s + a, s + b, n.text[a:b], "organization", org_categories(n.text[a:b]))
    for s, e, cats in _listed_bodies(view):
        if not any(a <= s and e <= b for a, b in found) and not any(a < e and s < b for a, b in found):
            found[(s, e)] = Name(s, e, text[s:e], "organization", cats or _categories_of(view, s, e, text[s:e]))
    for s, e in organizers(view) + affiliations(view):  # 由A、B主办, 来自A、B的嘉宾: bodies, whatever the taggers made of them
        if (s, e) in found or any(a < e and s < b and not (s <= a and b <= e) for a, b in found):
            continue
        for a, b in [k for k in found if s <= k[0] and k[1] <= e]:
            del found[(a, b)]
        found[(s, e)] = Name(s, e, text[s:e], "organization", _categories_of(view, s, e, text[s:e]))
    for s, e, title in _bodies_taken_for_persons(view):
        if not any(a <= s and e <= b for a, b in found):
            cats = {"Company"} if "company" in v.titles[title] else _categories_of(view, s, e, text[s:e])
            found[(s, e)] = Name(s, e, text[s:e], "organization", cats)
    return _drop_nested([n for n in found.values() if not _generic(view, n)])


#: bodies one country or region keeps in another place (not "X驻联合国教科文组织代表", a post)
_MISSION = re.compile(r"(?:使馆|领事馆|办事处|代表处|联络处|联络办|办)$")


def _last_title(name: str) -> str:
    """What follows the last break between two titles or quotes (《某某规则》《某某政协 -> 某某政协):
    a name runs across no such break."""
    for sep in ("》《", "”“", "》、《", "”、“"):
        if sep in name:
            name = name[name.rindex(sep) + len(sep):]
    return name


def _split_pair(name: str) -> list[tuple[int, int]]:
    """(start, end) of two bodies a tagger joined into one name across 与/同/和/及, when each
    side is a body by its suffix (某区政府同某集团); none for one name with 与 inside
    (大数据分析与应用技术国家工程实验室, 国家发展和改革委员会: the left side is no body)."""
    for m in re.finditer(r"[与同和及]", name):
        left, right = name[:m.start()], name[m.end():]
        if len(left) >= 3 and len(right) >= 3 and is_org_name(left) and is_org_name(right):
            return [(0, m.start()), (m.end(), len(name))]
    return []


def _sender(view: SentView, start: int, end: int) -> int | None:
    """Where the country or region that sends a mission starts, when the body is a mission (by its
    suffix) that "X驻" names (日本驻上海总领事馆, 某省驻北京办事处): X a place mention, or a
    gazetteer place, right before 驻."""
    if start < 3 or view.text[start - 1] != "驻" or not _MISSION.search(view.text[:end]):
        return None
    for s, e, label in view.lac:
        if e == start - 1 and e - s >= 2 and (label == "PLACE" or (label == "ORG" and place_name(view.text[s:e]))):
            return s
    return None


#: the kind a list of names ends with ("A、B等企业"), and the category it gives them
_LIST_KINDS = {"企业": "Company", "公司": "Company", "集团": "Company", "车企": "Company", "厂商": "Company",
               "银行": "Company", "高校": "University", "院校": "University", "大学": "University",
               "媒体": "Media", "科研院所": "ResearchInstitute", "院所": "ResearchInstitute",
               "机构": "", "单位": "", "园区": ""}
_LIST_HEAD = re.compile(r"等(?:[\d一二三四五六七八九十百千]+[余多]?[家所个])?([\u4e00-\u9fff]{0,10}?)("
                        + "|".join(sorted(_LIST_KINDS, key=len, reverse=True)) + ")")
#: tokens a listed name is made of
_ITEM_POS = {"n", "nz", "nw", "ns", "nt", "nr", "vn", "an", "j", "eng", "ORG", "PER", "LOC", "m", "x"}
_ITEM_SEP = {"、", "和", "及", "与", "以及"}
#: tokens no modifier between 等 and the kind word has (等互联网企业 yes, 等地的多所高校 no)
_NOT_MODIFIER_POS = {"u", "v", "p", "c", "w", "r", "d"}


def _listed_bodies(view: SentView) -> list[tuple[int, int, set[str]]]:
    """The names of a list that ends with the kind of body they are: "甲科技、乙智造等企业",
    "甲大学和乙学院等高校" (start, end, categories): bodies whatever the tagger took each one for
    (a person, a place, nothing), as long as the kind word ends the phrase (not "等企业代表",
    "等企业家") and most items are names: backend mentions cover them (not one common-noun
    token), or a gazetteer or a body's suffix knows them (not "政府、企业等单位", "养老、托幼、学校等机构")."""
    from kg.gazetteer import brands, orgs

    text, out = view.text, []
    not_org = vocab().not_org
    covered = None
    for m in _LIST_HEAD.finditer(text):
        end = m.end()
        k = view.token_at(end - 1)
        if k is None or not view.is_token_end(end) or view.tokens[k][0] > m.start(2):
            continue
        nxt = view.token_at(end)
        if nxt is not None and view.tokens[nxt][2] in _ITEM_POS | {"vn", "an"}:
            continue  # 等企业代表, 等企业集聚区: the kind word is not the head
        between = [(s, e, pos) for s, e, pos in view.tokens if m.start(1) <= s < m.start(2)]
        if m.group(1) and (not between or between[0][0] != m.start(1)
                           or any((pos in _NOT_MODIFIER_POS and not _kinds_joined(view, s, e, m.start(1)))
                                  or view.text[s:e] in ("地", "的") for s, e, pos in between)):
            continue  # 等地的多所高校: the kind word heads another phrase
        j = view.token_at(m.start() - 1)
        items, item = [], []
        while j is not None and j >= 0:
            s, e, pos = view.tokens[j]
            word = text[s:e]
            if word in _ITEM_SEP:
                items.append(item)
                item = []
            elif pos in _ITEM_POS:
                item.insert(0, (s, e, pos))
            else:
                break
            j -= 1
        items.append(item)
        if len(items) < 2 or not items[0]:
            continue  # one name alone before 等 is no list: 华为等企业 has its own evidence
        cat = _LIST_KINDS[m.group(2)]
        if covered is None:  # characters the backend names: made only for a sentence with a list
            covered = {i for a, b, label in view.lac if label in ("PERSON", "ORG", "PLACE") for i in range(a, b)}
        named, others = [], []
        for item in items:
            if not item:
                break
            s, e = item[0][0], item[-1][1]
            name = text[s:e]
            if 2 <= len(name) <= 15 and name not in not_org and not _quoted(text, s, e) and not place_name(name) \
                    and not common_noun(view, s, e):
                if set(range(s, e)) <= covered or name in brands() or name in orgs() or is_org_name(name) \
                        or _named_at_start(view, s, e):
                    named.append((s, e, {cat} if cat else set()))
                elif 3 <= len(name) <= 10:
                    others.append((s, e, {cat} if cat else set()))
        if 2 * len(named) > len(items):  # a list of names, not of kinds (养老、托幼、学校等机构)
            out.extend(named)
            if len(named) >= 2 and 3 * len(named) >= 2 * len(items):
                out.extend(others)  # 甲科技、乙智能、第四范式等企业: one more name among names
    return out


def _named_at_start(view: SentView, s: int, e: int) -> bool:
    """A backend name starts the item and covers half of it or more (依图/ORG 科技/n)."""
    return any(a == s and b <= e and 2 * (b - a) >= e - s for a, b, label in view.lac if label == "ORG")


def _kinds_joined(view: SentView, s: int, e: int, start: int) -> bool:
    """The 与/和/及 at [s, e) joins two kinds of body after 等 (等科技园区与机构, 等高校和科研院所):
    what stands between ``start`` and it ends with a kind word."""
    return view.text[s:e] in ("与", "和", "及") and view.text[start:s].endswith(tuple(_LIST_KINDS))


def _bodies_taken_for_persons(view: SentView) -> list[tuple[int, int, str]]:
    """A "person" directly followed by a post title and then by a person is the body that gives
    the title: 李宁/PER 首席执行官 钱炜/PER → 李宁 is a company (the title's ``company``
    flag says so), since nobody's name stands between another's title and name. Titles that may
    follow a name (习近平总书记) do not count. (start, end, title) of each such body."""
    v, text = vocab(), view.text
    persons = {s: e for s, e, label in view.lac if label == "PERSON"}
    out = []
    for s, e in persons.items():
        at = e
        while mod := next((m for m in v.title_modifiers if text.startswith(m, at) and m not in v.titles), None):
            at += len(mod)  # 某某/PER 高级|副总裁 王明/PER: the modifiers belong to the title
        title = v.title_prefix(text[at:])
        if title and "after" not in v.titles[title] and at + len(title) in persons:
            out.append((s, e, title))
    return out


_ADJECTIVE = {"a", "ad", "an", "b"}


def _quality_of_kind(view: SentView, start: int, end: int) -> bool:
    """A quality and a kind of body, two tokens (廉洁/a 政府, 服务型/a 政府, 优秀/a 企业): what a
    body should be, not one body's name."""
    k = view.token_at(start)
    return (k is not None and k + 1 < len(view.tokens) and view.tokens[k][0] == start
            and view.tokens[k][2] in _ADJECTIVE and view.tokens[k + 1][1] == end)


def _categories_of(view: SentView, s: int, e: int, name: str) -> set[str]:
    """The rules' categories of an organization name; when they find none, the category the
    entity recognizer gave the mention (百度/company -> Company)."""
    cats = org_categories(name)
    if not cats and view.categories.get((s, e)):
        cats = {view.categories[(s, e)]}
    return cats


def _across_and(view: SentView, start: int) -> int:
    """"大数据分析与应用技术国家工程实验室": 与/和 inside a name, when what stands before it is
    no body of its own (as 重庆邮电大学 in "重庆邮电大学与…公司签订", or two whole ORG mentions of the
    tagger: 某某传播中心/ORG 和 某市商务局/ORG)."""
    while start >= 2 and view.text[start - 1] in "与和":
        k = view.token_at(start - 2)
        if k is None or view.tokens[k][2] not in NAME_POS:
            break
        left = view.expand_left(k)
        piece = view.text[left:start - 1]
        if left >= start - 1 or vocab().org_suffix(piece) or piece in vocab().bodies \
                or vocab().event_noun(piece) or re.search(r"[\d届次]", piece) \
                or _two_mentions(view, start) or view.text[max(0, left - 2):left].endswith(_TOPIC_P) \
                or vocab().title_suffix(piece) or place_name(piece):  # 王明教授|和某大学, 某某市|与某公司: no half of a name
            break  # 就智慧城市建设|与某公司签署: a topic before 与, not the name's first half
        start = left
    return start


_TOPIC_P = ("就", "围绕", "针对", "关于")


def _two_mentions(view: SentView, start: int) -> bool:
    """The tagger names one body ending at the 和/与 before ``start`` and another starting at it."""
    spans = [(s, e) for s, e, label in view.lac if label == "ORG"]
    return any(e == start - 1 for _, e in spans) and any(s == start for s, _ in spans)


def _with_paren(text: str, end: int) -> int:
    """Extend an organization name over a directly following "(…)" (中央党校(国家行政学院))."""
    m = re.match(r"[（(][^（()）]{1,20}[)）]", text[end:])
    return end + m.end() if m else end


def _ends_here(view: SentView, end: int) -> bool:
    """The suffix ends a word: at a token end, or right before a post title."""
    if end < len(view.text) and view.text[end] in "堂馆场园楼":  # 科学会堂 is a venue
        return False
    if end >= len(view.text) or view.is_token_end(end):
        return True
    return vocab().title_prefix(view.text[end:]) is not None


def _title_across(text: str, end: int) -> bool:
    """A post title starts inside the suffix and runs past it (…党委|委员 is 党委委员)."""
    titles = vocab().titles
    for k in range(max(0, end - 3), end):
        for n in range(end - k + 1, 6):
            if text[k:k + n] in titles:
                return True
    return False


def _skip_leading(view: SentView, start: int, end: int) -> int:
    """Drop leading words that are not part of a name: a post title before the name, an ordinal
    of the event the body holds (第十届|某某学会年会)."""
    v = vocab()
    seg = view.text[start:end]
    m = _ORDINAL_LEAD.match(seg)
    if m and len(seg) - m.end() >= 4:
        start += m.end()
        seg = view.text[start:end]
    t = v.title_prefix(seg)
    while t and len(seg) > len(t) + 2:
        start += len(t)
        seg = view.text[start:end]
        t = v.title_prefix(seg)
    return start


_ORDINAL_LEAD = re.compile(r"(?:\d{4}年?)?第[\d一二三四五六七八九十百]+(?:届|次|期)")


def _drop_nested(names: list[Name]) -> list[Name]:
    """Keep the longest of overlapping organization names."""
    names.sort(key=lambda n: (-(n.end - n.start), n.start))
    kept: list[Name] = []
    for n in names:
        if not any(k.start < n.end and n.start < k.end for k in kept):
            kept.append(n)
    return kept


_BRANCH = re.compile(r"([\u4e00-\u9fff]{2,3}?)([省市区])?(?:分公司|分行|支行|分院|分中心|分部)$")
_COMPANY_FORM = re.compile(r"^(?:有限|股份|有限责任|集团有限|集团股份)")


def parent_org(name: str) -> str | None:
    """An organization named inside the start of another: 清华大学|安全科学院 -> 清华大学;
    a regional branch: 中国联通|贵州省分公司 -> 中国联通."""
    v = vocab()
    core = strip_paren(name)
    for i in range(len(core) - 4, 1, -1):
        branch = _BRANCH.match(core, i)
        if branch and (branch.group(1) in v.provinces or branch.group(2) == "市"):
            return core[:i]
    best = None
    for i in range(3, len(core) - 1):
        head, rest = core[:i], core[i:]
        suf = v.org_suffix(rest)
        if is_org_name(head) and suf and len(rest) - len(suf.suffix) >= 2 and not _COMPANY_FORM.match(rest):
            best = head
    return best
