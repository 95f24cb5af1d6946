"""Governance initiatives: programmes, systems, platforms, mechanisms, plans.

Rules:
1. A name that ends with an initiative head (…体系, …平台, …工程, …机制, …行动, …试点 …),
   extended left over name-like tokens and quotes: "“141”基层智治体系", "国土空间数字化治理系统";
   of overlapping candidates the longest wins; a short plain noun phrase that nothing marks
   as a name (no building verb before it, no quote, digit, place or count) is left out.
2. A quoted name that is the object of a verb of building or carrying out (实施, 推进,
   建设, 打造, 实现 …): "实现“一网通办”", with a noun modifier before it: "数字经济“一号工程”";
   a counted slogan ("“四个意识”") whatever verb leads it.
3. A count-named initiative ("六大应用系统", "八方面重点任务", "一中心四体系", "“1+6”板块"),
   see ``kg.extract.counted`` (parts in the sentence) and ``kg.extract.ordinals`` (parts in
   the sentences after it).
4. A policy document in book-title marks (《…规划》, 《…的通知》), and a title nested in one.
5. A name the domain lexicon knows as an initiative (``kg/data/lexicon/``: 一网统管, 一带一路,
   西部大开发 …) wherever it stands, with its quotes, unless it is part of a longer name.
"""
from __future__ import annotations

import functools
import re

from kg.vocab import vocab
from kg.extract.counted import (added_parts, counted_names, head_of, parts_after, parts_before,
                                 parts_listed, plus_count)
from kg.extract.initiative_words import (BUILD_VERBS, GENERIC_BODY, INIT_POS, SHORT_HEADS, InitiativeMention,
                                         overlaps)
from kg.extract.name_edges import before_head, short_body, through_verb, trim_count, trim_determiners
from kg.extract.part_lists import framed_parts, sites_before
from kg.extract.quoted import quoted_names
from kg.extract.view import SentView, clean_name

_NOT_NAME = re.compile(r"[、，,的是和与及或个]|^[\d.]")
_GENERIC_HEAD = {"体系", "平台", "系统", "中心", "工程", "模式", "机制", "行动", "清单", "计划", "规划",
                 "战略", "框架", "指数", "场景", "板块", "网格", "标准", "底座", "集群", "基地"}
_DIGITAL_PLACE = re.compile(r"(数字|智慧)(?=[\u4e00-\u9fff])")


def find_initiatives(view: SentView) -> list[InitiativeMention]:
    added = added_parts(view)
    out = [c for c in _counted(view) if not any(s <= c.start < e for s, e, _ in added)]
    out += _titled(view)
    out += _headed(view, taken=out + [InitiativeMention(s, e, "", "") for s, e, _ in added])
    out += quoted_names(view, taken=out)
    out += _digital(view, taken=out)
    out += _known(view, taken=out)
    for i in out:  # “1+6”板块 states its count as a sum; its parts may follow it
        i.count = i.count or plus_count(i.name)
        if not i.components:  # "三大平台：A、B、C", "X平台包括A、B和C", "在A、B等8地建设X"
            i.components = (parts_after(view, i.end, i.count) if i.count else []) or parts_listed(view, i.end) \
                or sites_before(view, i.start)
    for s, _, parts in added:  # the parts belong to the initiative the clause is about
        owner = max((i for i in out if i.end <= s), key=lambda i: i.end, default=None)
        if owner is not None:
            owner.components.extend(p for p in parts if p not in owner.components)
    return out


def _known(view: SentView, taken) -> list[InitiativeMention]:
    """Initiatives the lexicon knows by name ("INITIATIVE" mentions of the annotator)."""
    out = []
    for s, e, label in view.lac:
        if label != "INITIATIVE" or view.inside_name(s, e):
            continue
        if any(a <= s and e <= b for a, b in ((t.start, t.end) for t in taken)):
            continue  # already part of a name found by the other rules
        q0, q1 = view.text.rfind("“", max(0, s - 8), s + 1), view.text.find("”", e - 1, e + 8)
        if q0 >= 0 and q1 >= 0 and not re.search(r"[”，。；、]", view.text[q0 + 1:q1]):
            s, e = q0, q1 + 1  # the quoted name it stands in: “AI+一网统管”
        out.append(InitiativeMention(s, e, view.text[s:e], _kind(view.text[s:e].strip("“”"))))
    return out


def _digital(view: SentView, taken) -> list[InitiativeMention]:
    """"数字X" / "智慧X" for a place X (数字重庆, 数字中国) or before 建设 (数字政府建设)."""
    out = []
    for m in _DIGITAL_PLACE.finditer(view.text):
        end = None
        for s, e, label in view.lac:
            if s == m.end() and label == "PLACE":
                end = e
        if end is None:
            b = re.match(r"[\u4e00-\u9fff]{2}(?=建设)", view.text[m.end():])
            end = m.end() + b.end() if b else None
        if end is None or overlaps(m.start(), end, taken + out):
            continue
        out.append(InitiativeMention(m.start(), end, view.text[m.start():end], "Programme"))
    return out


def _headed(view: SentView, taken) -> list[InitiativeMention]:
    v = vocab()
    text = view.text
    out = []
    heads = sorted(v.initiative_heads, key=len, reverse=True)
    for m in re.finditer("|".join(map(re.escape, heads)), text):
        end = m.end()
        if end < len(text) and not view.is_token_end(end) or _AGREEMENT_NEXT.match(text, end):
            continue
        if m.group(0) in ("计划", "规划") and (k := view.token_at(end)) is not None and view.tokens[k][2] == "v":
            continue  # 河北省计划投资…: "plans to", a verb
        if m.group(0) == "规划" and text.startswith("建设", end):
            continue  # 调研新区规划建设情况: 规划建设 is one verb, planning and building
        if m.group(0) == "办法" and text[m.start() - 1:m.start()] in "想有没":
            continue  # 想办法: an idiom
        if m.group(0) == "框架" and text[end:end + 1] in "下内中":
            continue  # 在RCEP框架下: a frame of reference, not a framework someone builds
        if m.group(0) == "方案" and text[m.start() - 2:m.start()] == "解决":
            continue  # 智能驾驶解决方案: a product
        if m.group(0) in _VERB_HEADS and text[end:end + 1] == "“":
            continue  # 上海长宁试点“AI+一网统管”: the head is a verb with a quoted object
        k = view.token_at(end - 1)
        if k is None:
            continue
        start = min(view.expand_left(k, allow=INIT_POS, nouns_before_quote=True), m.start())
        start = short_body(view, start, m) if m.group(0) in SHORT_HEADS else before_head(view, start, m)
        if start == view.tokens[k][0] and k >= 3 and view.tokens[k - 1][2] == "v" \
                and {view.tokens[k - 2][2], view.tokens[k - 3][2]} <= {"n", "vn", "nz"}:  # 客流引导系统, 协调推进机制: a verb before the head
            start = view.expand_left(k - 2, allow=INIT_POS, nouns_before_quote=True)
        start = through_verb(view, start)
        start = trim_count(view, start, end)
        start = trim_determiners(view, start, end)
        generic = GENERIC_BODY.match(text, start)
        if generic and text[generic.end():generic.end() + 1] == "“":
            start = generic.end()  # 国家“东数西算”工程: a generic modifier before the quoted name
        q = text.rfind("“", max(0, start - 20), start)
        if q >= 0 and "”" not in text[q:start] and text[end:end + 1] == "”":
            start = q  # “一号发展工程”: the name began at the quote the tags broke off (and ends at its close)
        if text[start:end].count("“") > text[start:end].count("”") and text[end:end + 1] == "”":
            end += 1  # 数字经济“一号工程”: the head is inside the quote
        edition = _EDITION.match(text, end)
        if edition:
            end = edition.end()  # 数字生态指数（2021）: one edition of the index
        name = clean_name(text[start:end])
        start = end - len(name)
        if not _good_name(name, m.group(0)) or overlaps(start, end, taken) or _bare(view, start, end):
            continue
        if m.group(0) in _PLACED_HEADS and not _placed(view, start, end):
            continue  # 推动区域协同发展 is no strategy; 京津冀协同发展 is
        zone = v.initiative_heads[m.group(0)] == "DemonstrationZone"  # 自贸试验区: a programme the tagger calls a place
        if _is_name(view, start, end, zone) or _VENUE.search(name):
            continue
        parts = parts_before(view, start, 0) if re.search(r"(?:构成|组成)的$", text[:start]) else []
        out.append(InitiativeMention(start, end, name, v.initiative_heads[m.group(0)], None, parts))
    return _longest_first(out)


#: heads of a strategy only when a region is named before them (京津冀协同发展, 东北全面振兴)
_PLACED_HEADS = {"协同发展", "一体化发展", "全面振兴"}


def _placed(view: SentView, start: int, end: int) -> bool:
    """A place is named in the span, or the lexicon knows it without 全面 (乡村全面振兴: 乡村振兴)."""
    if any(start <= s and e < end and label == "PLACE" for s, e, label in view.lac):
        return True
    if any(start <= s and e < end and pos == "LOC" for s, e, pos in view.tokens):
        return True
    return _lexicon().canonical(view.text[start:end].replace("全面", ""), "INITIATIVE") is not None


@functools.lru_cache(maxsize=1)
def _lexicon():
    from kg.annotate.lexicon import Lexicon
    return Lexicon.default()


def _bare(view: SentView, start: int, end: int) -> bool:
    """A short plain noun phrase that nothing marks as a name: no verb of building before it
    (建设, 打造 …), no quote, Latin letter or digit, no place or body inside, no count or 的 before it.
    核心硬件系统, 家庭应用场景 describe things; 打造人工智能底座, “141”基层智治体系 name them."""
    text = view.text
    name = text[start:end]
    if len(name) >= 7 or re.search(r"[“”A-Za-z0-9+]|^[一二两三四五六七八九十]", name):
        return False
    if any(vb in text[max(0, start - 4):start] for vb in BUILD_VERBS) or text[start - 1:start] in ("的", "及"):
        return False
    inside = [(n.start, n.end) for n in view.names if n.kind in ("place", "organization")]
    inside += [(s, e) for s, e, label in view.lac if label in ("PLACE", "ORG")]
    return not any(start <= s and e <= end for s, e in inside)


def _longest_first(found: list[InitiativeMention]) -> list[InitiativeMention]:
    """Of overlapping names keep the longest: 国家重大战略服务保障区, not 国家重大战略."""
    kept: list[InitiativeMention] = []
    for i in sorted(found, key=lambda i: i.start - i.end):
        if not overlaps(i.start, i.end, kept):
            kept.append(i)
    return sorted(kept, key=lambda i: i.start)


#: 战略合作框架|协议, “…”战略|合作协议: a head that an agreement type continues is no initiative
_AGREEMENT_NEXT = re.compile(r"(?:战略|合作|框架)*(?:协议|备忘录|合同|意向书)")
_VERB_HEADS = {"试点", "行动"}
_EDITION = re.compile(r"[（(](?:19|20)\d{2}[）)]")
_VENUE = re.compile(r"(?:会议|会展|展览|体育|文化|活动|会务|博览|购物|商业|商务|市|城)中心$")  # a venue or a place


#: a count of things before a kind (两个技术示范中心, 一系列行动, 上百台…): what is counted has no
#: name of its own; a count-named initiative (三大平台, “两个确立”) is no such count
_COUNTED_THINGS = re.compile(r"(?:[\d一二两三四五六七八九十百千万余多几数上近]+)(?:个|项|座|批|种|条|类|张|套|台|系列|家|所|支)")


def _good_name(name: str, head: str) -> bool:
    bare = name.replace("“", "").replace("”", "")
    if len(name) < len(head) + 2 or _NOT_NAME.search(bare if "“" not in name else re.sub("“[^”]*”", "", name)):
        return False
    if name.startswith("“") and name.endswith("”") and re.search(r"[的，,]", bare):
        return False  # “…建设宜居宜业宜游的优质生活圈”: a quoted sentence, not a name
    if len(bare) < 5 and "“" not in name and head not in SHORT_HEADS:
        return False
    if re.match(r"一[个项座批种条类张]", bare) or _COUNTED_THINGS.match(name):
        return False  # 一项国家重要战略工程, 一套…管理系统, 上百台大型工程: things of a kind counted, no name
    body = name[: -len(head)]
    if body in _GENERIC_HEAD or re.fullmatch(r"[\u4e00-\u9fff]", body) or GENERIC_BODY.fullmatch(body):
        return False  # 重大国家战略, 知名电商平台: only generic modifiers before the head
    return True


def _is_name(view: SentView, start: int, end: int, zone: bool = False) -> bool:
    """The span is (inside) the name of an organization or a place (a zone the tagger calls a place
    may still be a programme; one named after a place with a place's head is a place: kg.extract.names)."""
    if any(n.start <= start and end <= n.end and not (zone and n.kind == "place" and "made" not in n.categories)
           for n in view.names):
        return True
    labels = ("ORG",) if zone else ("PLACE", "ORG")
    return any(s <= start and end <= e and label in labels for s, e, label in view.lac)


def _titled(view: SentView) -> list[InitiativeMention]:
    """A plan, programme or index named in book-title marks: 《杭州市数字政府建设三年行动计划（2023—2025年）》,
    《数字生态指数2020》 (a year or period may follow the head)."""
    heads, tail = _title_tail()
    out = []
    for m in re.finditer(r"《([^《》]{4,40})》", view.text):
        head = tail.search(m.group(1))
        if head:
            out.append(InitiativeMention(m.start(), m.end(), m.group(0), heads[head.group(1)]))
        for n in _NESTED_TITLE.finditer(view.text, m.start(1), m.end(1)):  # 《落实〈X协定〉的方案》: X too
            out.append(InitiativeMention(n.start(1), n.end(1), n.group(1), "Policy"))
    return out


@functools.lru_cache(maxsize=1)
def _title_tail() -> tuple[dict[str, str], re.Pattern]:
    """Heads that end a title in 《》 (a year or period may follow), with their kinds."""
    v = vocab()
    heads = {**v.titled_heads, **v.initiative_heads}
    alt = "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
    return heads, re.compile(r"(" + alt + r")(?:\d{4}|[（(][^（）()]{1,16}[)）])?$")


#: a title inside a title, in angle brackets: the document it names
_NESTED_TITLE = re.compile(r"[＜〈<]([^＜〈<＞〉>《》]{4,30})[＞〉>]")


def _counted(view: SentView) -> list[InitiativeMention]:
    """Count-named initiatives with the parts enumerated before or right after them."""
    text = view.text
    out = []
    for c in counted_names(view):
        start, end, name = c.start, c.end, c.name
        lq = text.rfind("“", 0, start)
        if lq >= 0 and text[start - 1:start] == "”" and "”" not in text[lq + 1:start - 1] \
                and text[lq - 1:lq] != "”":  # “A”“B”三大板块: the quotes are its parts
            start = lq  # “常专群”三支力量体系: the name begins at the quote
            name = text[start:end]
        left = start - 1 if start and text[start - 1] == "“" else start
        if c.listed:  # A、B、C3个细分产业: the parts before make it a name (all of them: no 等)
            parts = parts_before(view, left, c.count)
            if len(parts) != c.count or re.search(r"等(?:在内的)?$", text[:left]):
                continue
        else:
            parts = parts_before(view, left, c.count) or framed_parts(view, left, c.count) \
                or parts_after(view, end, c.count)
        out.append(InitiativeMention(start, end, name, _kind(c.head), c.count, parts))
    return out


def _kind(noun: str) -> str:
    v = vocab()
    h = head_of(noun)
    return (v.initiative_heads.get(h) or v.counted_heads.get(h)) if h else "Programme"


