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
from dataclasses import dataclass, field

from kg.vocab import vocab
from kg.extract.counted import (added_parts, cn_number, counted_names, head_of, parts_after, parts_before,
                                 parts_listed, plus_count)
from kg.extract.view import SentView, clean_name

_BUILD_VERBS = ("实施", "推进", "推动", "建设", "打造", "构建", "完善", "迭代", "实现", "启动", "开展",
                "落实", "做实", "深化", "加快", "上线", "试点", "创新", "形成", "建立", "打好", "发布",
                "提出", "推出", "部署", "健全", "探索", "拓展")
_NOT_NAME = re.compile(r"[、，,的是和与及或个]|^[\d.]")
_GENERIC_HEAD = {"体系", "平台", "系统", "中心", "工程", "模式", "机制", "行动", "清单", "计划", "规划",
                 "战略", "框架", "指数", "场景", "板块", "网格", "标准", "底座", "集群", "基地"}
#: verbs that lead an object, never a name: 推进应急管理体系, 落实主体功能区战略 (建设, 创新 may begin one)
_LEADING_VERBS = frozenset(_BUILD_VERBS) - {"建设", "创新", "试点", "上线"}
_DETERMINERS = ("全市", "全省", "全国", "各", "该", "本", "此", "有关", "相关", "这", "其", "一批", "全", "多种",
                "各类", "一系列", "整套", "知名",
                "好")  # 实施好X: 好 completes the verb
#: modifiers that say how big or important a thing is, not which one it is
_GENERIC_BODY = re.compile(r"(?:国家|重大|重要|重点|核心|高端|知名|整体|相关|新型|综合|一流|大型|各类|多种|整套|全栈式|"
                           r"电商|跨境|交流|服务|社会|公共|创新|应用|业务)+")
_DIGITAL_PLACE = re.compile(r"(数字|智慧)(?=[\u4e00-\u9fff])")


@dataclass
class InitiativeMention:
    start: int
    end: int
    name: str
    kind: str
    count: int | None = None
    components: list[str] = field(default_factory=list)


def find_initiatives(view: SentView) -> list[InitiativeMention]:
    out = _counted(view)
    added = added_parts(view)
    out += _titled(view)
    out += _headed(view, taken=out + [InitiativeMention(s, e, "", "") for s, e, _ in added])
    out += _quoted(view, taken=out)
    out += _digital(view, taken=out)
    out += _known(view, taken=out)
    for i in out:  # “1+6”板块 states its count as a sum; its parts may follow it
        i.count = i.count or plus_count(i.name)
        if not i.components:  # "三大平台：A、B、C", "X平台包括A、B和C"
            i.components = (parts_after(view, i.end, i.count) if i.count else []) or parts_listed(view, i.end)
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
        if end is None or _overlaps(m.start(), end, taken + out):
            continue
        out.append(InitiativeMention(m.start(), end, view.text[m.start():end], "Programme"))
    return out


def _overlaps(s: int, e: int, taken) -> bool:
    return any(t.start < e and s < t.end for t in taken)


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
        start = min(view.expand_left(k, allow=_INIT_POS, nouns_before_quote=True), m.start())
        if start == view.tokens[k][0] and k >= 3 and view.tokens[k - 1][2] == "v" \
                and {view.tokens[k - 2][2], view.tokens[k - 3][2]} <= {"n", "vn", "nz"}:  # 客流引导系统, 协调推进机制: a verb before the head
            start = view.expand_left(k - 2, allow=_INIT_POS, nouns_before_quote=True)
        start = _trim_determiners(view, start, end)
        q = text.rfind("“", max(0, start - 20), start)
        if q >= 0 and "”" not in text[q:start]:
            start = q  # “一号发展工程”: the name began at the quote the tags broke off
        if text[start:end].count("“") > text[start:end].count("”") and text[end:end + 1] == "”":
            end += 1  # 数字经济“一号工程”: the head is inside the quote
        edition = _EDITION.match(text, end)
        if edition:
            end = edition.end()  # 数字生态指数（2021）: one edition of the index
        name = clean_name(text[start:end])
        start = end - len(name)
        if not _good_name(name, m.group(0)) or _overlaps(start, end, taken) or _bare(view, start, end):
            continue
        zone = v.initiative_heads[m.group(0)] == "DemonstrationZone"  # 自贸试验区: a programme the tagger calls a place
        if _is_name(view, start, end, zone) or _VENUE.search(name):
            continue
        parts = parts_before(view, start, 0) if re.search(r"(?:构成|组成)的$", text[:start]) else []
        out.append(InitiativeMention(start, end, name, v.initiative_heads[m.group(0)], None, parts))
    return _longest_first(out)


def _bare(view: SentView, start: int, end: int) -> bool:
    """A short plain noun phrase that nothing marks as a name: no verb of building before it
    (建设, 打造 …), no quote, Latin letter or digit, no place or body inside, no count or 的 before it.
    核心硬件系统, 家庭应用场景 describe things; 打造人工智能底座, “141”基层智治体系 name them."""
    text = view.text
    name = text[start:end]
    if len(name) >= 7 or re.search(r"[“”A-Za-z0-9+]|^[一二两三四五六七八九十]", name):
        return False
    if any(vb in text[max(0, start - 4):start] for vb in _BUILD_VERBS) or text[start - 1:start] in ("的", "及"):
        return False
    inside = [(n.start, n.end) for n in view.names if n.kind in ("place", "organization")]
    inside += [(s, e) for s, e, label in view.lac if label in ("PLACE", "ORG")]
    return not any(start <= s and e <= end for s, e in inside)


def _longest_first(found: list[InitiativeMention]) -> list[InitiativeMention]:
    """Of overlapping names keep the longest: 国家重大战略服务保障区, not 国家重大战略."""
    kept: list[InitiativeMention] = []
    for i in sorted(found, key=lambda i: i.start - i.end):
        if not _overlaps(i.start, i.end, kept):
            kept.append(i)
    return sorted(kept, key=lambda i: i.start)


#: 战略合作框架|协议, “…”战略|合作协议: a head that an agreement type continues is no initiative
_AGREEMENT_NEXT = re.compile(r"(?:战略|合作|框架)*(?:协议|备忘录|合同|意向书)")
_VERB_HEADS = {"试点", "行动"}
_VERBAL_ADJ = {"丰富", "繁荣", "壮大", "优化", "强化", "活跃", "充实"}
_EDITION = re.compile(r"[（(](?:19|20)\d{2}[）)]")
_VENUE = re.compile(r"(?:会议|会展|展览|体育|文化|活动|会务|博览|购物|商业|商务|市|城)中心$")  # a venue or a place
_INIT_POS = {"n", "nz", "nw", "LOC", "vn", "vd", "a", "an", "m", "j", "ORG"}


def _trim_determiners(view: SentView, start: int, end: int) -> int:
    """Skip leading tokens that are determiners (全市, 各, 有关) or verbs the tagger took for
    adjectives (丰富5G+AI应用场景, 完善…体系) rather than part of a name."""
    for s, e, pos in view.tokens:
        if s < start:
            continue
        word = view.text[s:e]
        if s == start and e < end - 2 and (pos == "r" or word in _DETERMINERS
                                           or pos == "a" and (word in _BUILD_VERBS or word in _VERBAL_ADJ)
                                           or pos in ("v", "vn") and word in _LEADING_VERBS and e <= end - 4):
            start = e
            continue
        if s >= start:
            break
    return start


def _good_name(name: str, head: str) -> bool:
    bare = name.replace("“", "").replace("”", "")
    if len(name) < len(head) + 2 or _NOT_NAME.search(bare if "“" not in name else re.sub("“[^”]*”", "", name)):
        return False
    if len(bare) < 5 and "“" not in name:
        return False
    body = name[: -len(head)]
    if body in _GENERIC_HEAD or re.fullmatch(r"[\u4e00-\u9fff]", body) or _GENERIC_BODY.fullmatch(body):
        return False  # 重大国家战略, 知名电商平台: only generic modifiers before the head
    return True


def _is_name(view: SentView, start: int, end: int, zone: bool = False) -> bool:
    """The span is (inside) the name of an organization or a place (a zone may be called a place)."""
    if any(n.start <= start and end <= n.end and not (zone and n.kind == "place") for n in view.names):
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


def _quoted(view: SentView, taken) -> list[InitiativeMention]:
    text = view.text
    out = []
    for m in re.finditer(r"“([^“”]{2,20})”", text):
        inner = m.group(1)
        if re.search(r"[，,。；、的]", inner) or _overlaps(m.start(), m.end(), taken + out):
            continue
        start, end = m.start(), m.end()
        # a noun modifier before the quote: 数字经济“一号工程”
        known = (m.start(1), m.end(1), "INITIATIVE") in view.lac  # 城市运行“一网统管”: the name alone
        k = view.token_at(start - 1) if start and not known else None
        if k is not None and k > 0 and view.tokens[k][2] == "v" and view.tokens[k - 1][2] in {"n", "nz"}:
            start = view.tokens[k][0]  # 数字战略实施“护卫战”: a verb closing a noun phrase
            k -= 1
        if k is not None and view.tokens[k][2] in {"n", "nz", "LOC", "vn"}:
            start = view.expand_left(k, allow={"n", "nz", "LOC", "j", "vn"}, allow_quotes=False)
            verb = next((vb for vb in _BUILD_VERBS if text.startswith(vb, start)), None)
            if verb and start + len(verb) <= m.start():
                start += len(verb)  # 建设“智造重镇”: the verb is no modifier
            if text.startswith(_DETERMINERS, start) or _SLOGAN.fullmatch(inner):
                start = m.start()  # 全市推行“三个到位”: who does it, not what it is; a slogan stands alone
        # a head right after the quote: “141”基层智治体系 is caught by the headed rule
        lead = re.sub(r"(?:“[^“”]{1,20}”)+$", "", text[:start])[-6:]  # 实现“一网通办”“一次不跑”
        if not any(vb in lead for vb in _BUILD_VERBS) and not _SLOGAN.fullmatch(inner):
            continue
        end = _tail(view, end)
        name = text[start:end]
        slogan = _SLOGAN.fullmatch(inner)  # “四个意识” counts its parts
        count = cn_number(slogan.group(1)) if slogan and slogan.group(2) != "网" and slogan.group(2) != "次" else 0
        out.append(InitiativeMention(start, end, name, "Programme", count if count >= 2 else None))
    return out


#: a counted slogan in quotes names itself, whatever verb leads it: 增强“四个意识”, 坚持“两个毫不动摇”
_SLOGAN = re.compile(r"([一二两三四五六七八九十]{1,2})(个|张|项|条|大|网|次)[\u4e00-\u9fff]{1,6}")
_TAIL_POS = {"n", "nz", "m", "vn", "LOC", "j"}


def _tail(view: SentView, end: int) -> int:
    """“5G+光网”双千兆: a short noun phrase after the quote, up to the clause's end, is part of
    the name; anything else after the quote (a verb, 的, a long phrase) is not."""
    k = view.token_at(end)
    if k is None:
        return end
    stop = end
    while k < len(view.tokens) and view.tokens[k][2] in _TAIL_POS and view.tokens[k][1] - end <= 8:
        stop = view.tokens[k][1]
        k += 1
    single = view.token_at(end) == k - 1 and view.tokens[k - 1][2] == "vn"  # “赣政通”应用: a use of it
    if stop > end and not single and (stop == len(view.text) or view.text[stop] in "，,。；;、"):
        return stop
    return end


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
        parts = parts_before(view, left, c.count) or parts_after(view, end, c.count)
        out.append(InitiativeMention(start, end, name, _kind(c.head), c.count, parts))
    return out


def _kind(noun: str) -> str:
    v = vocab()
    h = head_of(noun)
    return (v.initiative_heads.get(h) or v.counted_heads.get(h)) if h else "Programme"


