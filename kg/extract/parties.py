"""The parties of a signing: the bodies a list joined by 与/和/同/及/、 names before a verb.

"A、B与C签署…", "A还与B签订…", "A与B今天（3月1日）在北京签署…", "出席A与B…协议签约仪式":
the list is read from its connectives outward. Each member is the run of name-like
tokens between two connectives (the first member: the run ending at its connective; the
last one: the run starting after it, so a date or "在北京" before the verb is left out).
A member holds the names the rules found inside it; a member the rules did not name
(a brand, "中央企业") becomes a party by its place in the list, unless it is a generic or
counted noun ("单位", "150所高校") or a pronoun ("双方"). A list that names fields
("能源、交通等领域") names no parties; a bare place before a body named after another
place shares its head ("北京、成都超算中心"); a connective the tagger glued to an adverb
("还同") still joins; a party the tagger cut is stretched to the full name the article
uses elsewhere (``full_form``).

Whom a later clause refers to: ``body_pair`` (the two bodies "双方" means) and
``sentence_subject`` (the body an elided subject "…，并与B签署" means).
"""
from __future__ import annotations

import re

from kg import gazetteer
from kg.extract.view import Name, SentView
from kg.vocab import vocab

#: POS tags a party's name may be made of (LAC tag set)
_PARTY_POS = {"n", "nz", "nt", "nw", "ns", "ORG", "LOC", "j"}
_JOIN = {"与", "和", "同", "及", "以及", "、", "跟", "携手"}
#: adverbs and times between a party and its connective ("A还与B", "A近日与B")
_ADVERB_POS = {"d", "ad", "TIME", "t"}
#: verbs between the first party and its connective: "A宣布与B签署"
_ANNOUNCE = {"宣布", "决定", "计划", "拟", "将", "已", "已经"}
#: nouns that name no party on their own: generic kinds, pronouns, collective references
_NOT_PARTY = re.compile(
    r"^(?:单位|机构|部门|企业|公司|方面|各方|双方|两方|三方|多方|我们|他们|其|本|该|对方|"
    r"[两三四五六七八九十多各]+(?:国|地|省|市|方|家|所)|地方|政府|国家|地区|国家和地区|人员|代表|领导|嘉宾)$")
#: fields a list may name instead of bodies: "能源、交通等领域"
_FIELDS = re.compile(r"^等?(?:领域|方面|行业|产业|板块|环节|方向)|(?:领域|方面|行业|产业)$")
#: a collective word after a member: "中国和X双方" (the member is X)
_BOTH_TAIL = re.compile(r"(?:双方|两国|两地|两方|三方|各方)$")
_KINDS = ("organization", "place", "person")
#: an adverb the tagger glued to the connective into one verb token: "还同", "也与"
_GLUED_JOIN = re.compile(r"^(?:并|还|也|又|已|均|先后|共同|同时)(?:与|同|和|跟)$")
_CLAUSE_MARKS = "，,；;：:。"


def list_parties(view: SentView, lo: int, hi: int) -> list[Name]:
    """Parties named by the list that ends at ``hi`` (the verb or the agreement's type),
    looking no further left than ``lo``."""
    members = _members(view, lo, hi)
    if members and (_FIELDS.match(view.text[members[-1][1]:hi]) or _FIELDS.search(view.text[members[-1][0]:members[-1][1]])):
        return []  # "在能源、交通等领域达成…": the list names fields, not bodies
    if len(members) < 2:
        found = [n for s, e in members for n in _names_in(view, s, e) if n.kind != "person"]
        if not found and members and (_known_body(view.text[members[0][0]:members[0][1]])
                                      or (*members[0], "ORG") in view.lac):
            s, e = members[0]  # "，与美团/ORG签订…": signing confirms the tagger's short body, or a brand
            found = [Name(s, e, view.text[s:e], "organization")]
        return found
    out: list[Name] = []
    for s, e in members:
        out += _member_parties(view, s, e)
    bodies = [n for n in out if n.kind != "person"]
    if not bodies or not any(_named(view, n) for n in out):
        return []  # persons signing ("甲与乙签署"), or no member the rules know as a name
    # a "person" listed with bodies is a body the tagger took for a person ("X与腾讯签署")
    out = [n if n.kind != "person" else Name(n.start, n.end, n.text, "organization") for n in out]
    return [_shared_head(view, n, nxt) for n, nxt in zip(out, out[1:] + [None])]


#: heads a bare place does not share: "北京、成都市政府" names the city of 北京, not its 政府
_OWN_HEAD = re.compile(r"^(?:[省市区县州盟旗]|人民政府|政府|党委|委员会|人大|政协)")


def _shared_head(view: SentView, n: Name, nxt: Name | None) -> Name:
    """"北京、成都超算中心": a bare place listed before a body named after another place
    shares that body's head (北京超算中心)."""
    if nxt is None or n.kind != "place" or view.text[n.end:nxt.start] != "、" or nxt.kind == "person":
        return n
    place = gazetteer.places().get(n.text)
    if place is None or place.short != n.text:
        return n
    lead = next((i for i in range(min(len(nxt.text) - 2, 6), 1, -1) if nxt.text[:i] in gazetteer.places()), None)
    head = nxt.text[lead:] if lead else ""
    if not head or _OWN_HEAD.match(head) or head in gazetteer.places():
        return n
    return Name(n.start, n.end, n.text + head, "organization")


def _known_body(text: str) -> bool:
    """A brand that is no common word, or a body of the gazetteers."""
    from kg.extract.name_checks import unambiguous_brand

    return unambiguous_brand(text) or text in gazetteer.orgs()


def _member_parties(view: SentView, s: int, e: int) -> list[Name]:
    """The name a member ends with; else the bodies inside it ("华为技术有限公司数字政府");
    else the member itself ("中国版权保护中心", whose 中国 alone is a place)."""
    tail = _BOTH_TAIL.search(view.text[s:e])
    if tail and tail.start() > 0:
        e = s + tail.start()
    found = _names_in(view, s, e)
    ending = [n for n in found if n.end == e]
    if ending and ending[0].kind == "person" and ending[0].start > s:
        # "A公司董事长王某": the person signs for the body named before the title ("A市市长王某": the city)
        return ([n for n in found if n.kind == "organization"] or [n for n in found if n.kind == "place"])[:1]
    if ending:
        return ending
    orgs = [n for n in found if n.kind == "organization"]
    if orgs:
        return orgs
    if _nameable(view.text[s:e]):
        return [Name(s, e, view.text[s:e], "organization")]
    return found


def _members(view: SentView, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans of the list's members, left to right; one span when no connective joins them."""
    units = _units(view, lo, hi)  # (start, end, kind): kind "name", "join", or a POS tag
    joins = [i for i, u in enumerate(units) if u[2] == "join"]
    if not joins:
        run = _run_back(units, len(units))
        return [run] if run else []
    spans = []
    first = _run_back(units, _skip_adverbs_back(units, joins[0], view.text))
    if first:
        spans.append(first)
    for a, b in zip(joins, joins[1:]):
        run = _run_fwd(units[:b], a + 1)  # "B等单位": the run before 等
        if run:
            spans.append(run)
    last = _run_fwd(units, joins[-1] + 1)
    if last:
        spans.append(last)
    return [(s, e) for s, e in spans if _cut_etc(view, s, e)]


def _units(view: SentView, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Tokens of [lo, hi), with the names the rules found as single units (kind "name";
    a place after 在/于 is where the signing happened: kind "at")."""
    names = {n.start: n for n in _split_pairs(view, lo, hi)}
    out: list[tuple[int, int, str]] = []
    toks = [t for t in view.tokens if t[0] >= lo and t[1] <= hi]
    i = 0
    while i < len(toks):
        s, e, pos = toks[i]
        n = names.get(s)
        if n:
            at = out and view.text[out[-1][0]:out[-1][1]] in ("在", "于")
            out.append((n.start, n.end, "at" if at else "name"))
            while i < len(toks) and toks[i][0] < n.end:
                i += 1
            continue
        out.append((s, e, "join" if view.text[s:e] in _JOIN or _GLUED_JOIN.match(view.text[s:e]) else pos))
        i += 1
    return _inside_token(view, out, names)


def _inside_token(view: SentView, units: list[tuple[int, int, str]], names: dict[int, Name]) -> list[tuple[int, int, str]]:
    """A token the tagger glued over two names ("A区政府同B集团"/ORG) read again inside: after
    a name that ends inside it, the connective and the next name become units of their own."""
    out = []
    for k, u in enumerate(units):
        out.append(u)
        if u[2] != "name":
            continue
        nxt = units[k + 1][0] if k + 1 < len(units) else None
        p = u[1]
        if nxt is not None and nxt <= p:
            continue
        if view.text[p:p + 1] in _JOIN and (p + 1) in names:  # the skipped rest: 同|B集团
            n = names[p + 1]
            out += [(p, p + 1, "join"), (n.start, n.end, "name")]
    return out


def _split_pairs(view: SentView, lo: int, hi: int) -> list[Name]:
    """The names in [lo, hi); a name the rules joined over 与 ("A与B", where the backend
    saw two bodies) split again into its two bodies."""
    out = []
    for n in view.names:
        if n.kind not in _KINDS or not (lo <= n.start and n.end <= hi):
            continue
        halves = [m for m in view.lac if m[2] in ("ORG", "PLACE") and n.start <= m[0] and m[1] <= n.end]
        a = next((m for m in halves if m[0] == n.start), None)
        b = next((m for m in halves if m[1] == n.end), None)
        if a and b and view.text[a[1]:b[0]] in _JOIN:
            out += [Name(m[0], m[1], view.text[m[0]:m[1]], "place" if m[2] == "PLACE" else "organization")
                    for m in (a, b)]
        else:
            out.append(n)
    return out


def _named(view: SentView, n: Name) -> bool:
    """The rules or the backend name this span (it is not a member found by position)."""
    return any((m.start, m.end) == (n.start, n.end) for m in view.names) \
        or any((s, e) == (n.start, n.end) for s, e, _ in view.lac)


def _partlike(u) -> bool:
    return u[2] == "name" or u[2] in _PARTY_POS


def _skip_adverbs_back(units, j: int, text: str = "") -> int:
    """Step back over adverbs, "宣布" and a bracket ("A（以下简称“B”）与C") before a connective."""
    while j > 0:
        if units[j - 1][2] in _ADVERB_POS or text[units[j - 1][0]:units[j - 1][1]] in _ANNOUNCE:
            j -= 1
        elif text and text[units[j - 1][0]:units[j - 1][1]] in ("）", ")"):
            k = next((k for k in range(j - 2, max(j - 16, -1), -1)
                      if text[units[k][0]:units[k][1]] in ("（", "(")), None)
            if k is None:
                return j
            j = k
        else:
            return j
    return j


def _run_back(units, j: int) -> tuple[int, int] | None:
    """The run of name-like units ending just before index ``j``; none after a number
    ("18家民营企业" counts bodies, it names none)."""
    i = j
    while i > 0 and _partlike(units[i - 1]):
        i -= 1
    if i > 0 and units[i - 1][2] == "m":
        return None
    return (units[i][0], units[j - 1][1]) if i < j else None


def _run_fwd(units, i: int) -> tuple[int, int] | None:
    j = i
    while j < len(units) and _partlike(units[j]):
        j += 1
    return (units[i][0], units[j - 1][1]) if j > i else None


def _cut_etc(view: SentView, s: int, e: int) -> bool:
    """A member that is a generic noun ("单位" of "…等单位") names no party."""
    return not _NOT_PARTY.match(view.text[s:e])


def _names_in(view: SentView, s: int, e: int) -> list[Name]:
    return [n for n in _split_pairs(view, s, e)]


def _nameable(text: str) -> bool:
    """An unnamed member may stand as a party: two to twelve characters, no count
    ("四国…"), not a person by a title ("农业部长", "企业代表")."""
    return 2 <= len(text) <= 12 and not _COUNTED.search(text) and not _NOT_PARTY.match(text) \
        and not vocab().title_suffix(text)


_COUNTED = re.compile(r"[\d０-９]|[一二两三四五六七八九十多几数各][国家个所项名位批]")


def body_pair(view: SentView) -> list[Name] | None:
    """Two bodies joined by 与/和/同 ("省政府与华为技术有限公司"): whom a later "双方" means."""
    names = [n for n in view.names if n.kind in ("organization", "person", "place")]
    for a, b in zip(names, names[1:]):
        if re.fullmatch(r"[与和同及]", view.text[a.end:b.start]) and "organization" in (a.kind, b.kind):
            # a "person" joined to a body is a body the tagger took for a person
            return [n if n.kind != "person" else Name(n.start, n.end, n.text, "organization") for n in (a, b)]
    return _met_pair(view)


#: a meeting of two sides: "A书记甲会见了B董事长乙一行"
_MEET = re.compile(r"会见|会谈|接见|见面|座谈")


def _met_pair(view: SentView) -> list[Name] | None:
    """The bodies of the two sides of a meeting (the last before the verb, in its clause, and
    the first after it): "双方" in the next sentence means them."""
    m = _MEET.search(view.text)
    if m is None:
        return None
    clause = max(view.text.rfind(c, 0, m.start()) for c in _CLAUSE_MARKS) + 1
    bodies = [n for n in view.names if n.kind in ("organization", "place")]
    host = [n for n in bodies if clause <= n.start and n.end <= m.start()]
    guest = [n for n in bodies if n.start >= m.end()]
    if not host or not guest or not any(n.kind == "organization" for n in (host[-1], guest[0])):
        return None
    return [host[-1], guest[0]]


#: an attribute before the subject: "位于X的A", "地处X的A", "作为X的A"
_ATTRIBUTE = re.compile(r"^(?:位于|地处|坐落于|地处于|作为)[^，,。；;：:]{1,20}?的")


def sentence_subject(view: SentView) -> Name | None:
    """The body the sentence opens with (after a time or place phrase, or an attribute
    "位于X的"): "华为近日…"."""
    lead = _ATTRIBUTE.match(view.text)
    for n in view.names:
        if n.kind not in ("organization", "place") or (lead and n.start < lead.end()):
            continue
        clause = max(view.text.rfind(c, 0, n.start) for c in _CLAUSE_MARKS) + 1
        if view.text[:clause].count("，") + view.text[:clause].count(",") > 1:
            return None
        if any(p.startswith("v") or p == "p" for s, e, p in view.tokens
               if max(clause, lead.end() if lead else 0) <= s and e <= n.start):
            return None
        return n
    return None


_JOINED = re.compile(r"[与和同及跟、，,；;：:（）()]")


def full_form(view: SentView, p: Name, known: set[str]) -> Name:
    """A party the tagger cut ("泛海" of "泛海控股X总部" read as a verb) stretched to the
    longest organization the article names elsewhere that ends with it and stands here."""
    n = len(p.text)
    for start in range(0, p.end - n):  # the text ending at the party, longest first: time in
        k = view.text[start:p.end]     # the sentence's length, not in the article's bodies
        if k in known and k.endswith(p.text) and not _JOINED.search(k[:-n]):
            return Name(start, p.end, k, p.kind if p.kind != "place" else "organization")
    return p


def dedupe(names: list[Name]) -> list[Name]:
    """The names, each text once, in order."""
    seen, out = set(), []
    for n in names:
        if n.text not in seen:
            seen.add(n.text)
            out.append(n)
    return out
