"""Governance initiatives: programmes, systems, platforms, mechanisms, plans.

Three rules:
1. A name that ends with an initiative head (…体系, …平台, …工程, …机制, …行动, …试点 …),
   extended left over name-like tokens and quotes: "“141”基层智治体系", "国土空间数字化治理系统".
2. A quoted name that is the object of a verb of building or carrying out (实施, 推进,
   建设, 打造, 实现 …): "实现“一网通办”", with a noun modifier before it: "数字经济“一号工程”".
3. A counted name "N大/张/支 Y" ("六大应用系统", "三张清单"), whose parts are the enumeration
   right before it ("数字党建、数字政务…六大应用系统") or after "由…构成的".
4. A name the domain lexicon knows as an initiative (``kg/data/lexicon/``: 一网统管, 一带一路,
   西部大开发 …) wherever it stands, with its quotes, unless it is part of a longer name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.vocab import vocab
from kg.extract.view import SentView, clean_name

CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_COUNTED = re.compile(r"([一二两三四五六七八九十]{1,2})(大|张|支|项)([\u4e00-\u9fffA-Za-z+]{2,8})")
_BUILD_VERBS = ("实施", "推进", "推动", "建设", "打造", "构建", "完善", "迭代", "实现", "启动", "开展",
                "落实", "做实", "深化", "加快", "上线", "试点", "创新", "形成", "建立", "打好", "发布",
                "提出", "推出", "部署", "健全", "探索", "拓展")
_NOT_NAME = re.compile(r"[、，,的是和与及或个]|^[\d.]")
_GENERIC_HEAD = {"体系", "平台", "系统", "中心", "工程", "模式", "机制", "行动", "清单", "计划", "规划",
                 "战略", "框架", "指数", "场景", "板块", "网格", "标准", "底座", "集群", "基地"}
_DETERMINERS = ("全市", "全省", "全国", "各", "该", "本", "此", "有关", "相关", "这", "其", "一批", "全",
                "好")  # 实施好X: 好 completes the verb
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
    added = _added_parts(view)
    out += _titled(view)
    out += _headed(view, taken=out + [InitiativeMention(s, e, "", "") for s, e, _ in added])
    out += _quoted(view, taken=out)
    out += _digital(view, taken=out)
    out += _known(view, taken=out)
    for s, _, parts in added:  # the parts belong to the initiative the clause is about
        owner = max((i for i in out if i.end <= s), key=lambda i: i.end, default=None)
        if owner is not None:
            owner.components.extend(p for p in parts if p not in owner.components)
    return out


#: "新增A指数、B指数…8个新指数": parts counted after the enumeration, with the head they share
_ADDED = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,2})(?:个|项)(?:新的?|新增)?([\u4e00-\u9fff]{2,4}?)(?=[，。；,]|$)")


def _added_parts(view: SentView) -> list[tuple[int, int, list[str]]]:
    """(start, end, parts) of "A、B、C3个新指数": parts named with their shared head and counted.

    Not a name of its own (the count is no name): the parts go to the initiative before them."""
    v = vocab()
    out = []
    for m in _ADDED.finditer(view.text):
        head = m.group(2)
        if head not in v.initiative_heads:
            continue
        count = int(m.group(1)) if m.group(1).isdigit() else _cn_number(m.group(1))
        first_sep = view.text.rfind("、", 0, m.start())
        verbs = [e for s, e, pos in view.tokens if pos == "v" and e <= first_sep]
        # "X新增A、B、C3个新指数": the list begins after the clause's last verb before it
        parts = _enumeration_before(view, m.start(), count, after=verbs[-1] if verbs else 0)
        if count >= 2 and parts and all(p.endswith(head) for p in parts):
            first = view.text.rfind(parts[0], 0, m.start())
            out.append((first, m.end(), parts))
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
        if m.group(0) in _VERB_HEADS and text[end:end + 1] == "“":
            continue  # 上海长宁试点“AI+一网统管”: the head is a verb with a quoted object
        k = view.token_at(end - 1)
        if k is None:
            continue
        start = min(view.expand_left(k, allow=_INIT_POS, nouns_before_quote=True), m.start())
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
        if not _good_name(name, m.group(0)) or _overlaps(start, end, taken + out):
            continue
        if _is_name(view, start, end) or _VENUE.search(name):
            continue
        parts = _enumeration_before(view, start, 0) if re.search(r"(?:构成|组成)的$", text[:start]) else []
        out.append(InitiativeMention(start, end, name, v.initiative_heads[m.group(0)], None, parts))
    return out


#: 战略合作框架|协议, “…”战略|合作协议: a head that an agreement type continues is no initiative
_AGREEMENT_NEXT = re.compile(r"(?:战略|合作|框架)*(?:协议|备忘录|合同|意向书)")
_VERB_HEADS = {"试点", "行动"}
_VERBAL_ADJ = {"丰富", "繁荣", "壮大", "优化", "强化", "活跃", "充实"}
_EDITION = re.compile(r"[（(](?:19|20)\d{2}[）)]")
_VENUE = re.compile(r"(?:会议|会展|展览|体育|文化|活动|会务|博览)中心$")  # a venue, not a programme
_INIT_POS = {"n", "nz", "nw", "LOC", "vn", "vd", "a", "an", "m", "j", "ORG"}


def _trim_determiners(view: SentView, start: int, end: int) -> int:
    """Skip leading tokens that are determiners (全市, 各, 有关) or verbs the tagger took for
    adjectives (丰富5G+AI应用场景, 完善…体系) rather than part of a name."""
    for s, e, pos in view.tokens:
        if s < start:
            continue
        word = view.text[s:e]
        if s == start and e < end - 2 and (pos == "r" or word in _DETERMINERS
                                           or pos == "a" and (word in _BUILD_VERBS or word in _VERBAL_ADJ)):
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
    if body in _GENERIC_HEAD or re.fullmatch(r"[\u4e00-\u9fff]", body):
        return False
    return True


def _is_name(view: SentView, start: int, end: int) -> bool:
    """The span is (inside) the name of an organization or a place, or a venue."""
    if any(n.start <= start and end <= n.end for n in view.names):
        return True
    return any(s <= start and end <= e and label in ("PLACE", "ORG") for s, e, label in view.lac)


def _titled(view: SentView) -> list[InitiativeMention]:
    """A plan, programme or index named in book-title marks: 《杭州市数字政府建设三年行动计划（2023—2025年）》,
    《数字生态指数2020》 (a year or period may follow the head)."""
    v = vocab()
    heads = "|".join(map(re.escape, sorted(v.initiative_heads, key=len, reverse=True)))
    tail = re.compile(r"(" + heads + r")(?:\d{4}|[（(][^（）()]{1,16}[)）])?$")
    out = []
    for m in re.finditer(r"《([^《》]{5,40})》", view.text):
        head = tail.search(m.group(1))
        if head:
            out.append(InitiativeMention(m.start(), m.end(), m.group(0), v.initiative_heads[head.group(1)]))
    return out


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
        # a head right after the quote: “141”基层智治体系 is caught by the headed rule
        lead = re.sub(r"(?:“[^“”]{1,20}”)+$", "", text[:start])[-6:]  # 实现“一网通办”“一次不跑”
        if not any(vb in lead for vb in _BUILD_VERBS):
            continue
        end = _tail(view, end)
        name = text[start:end]
        out.append(InitiativeMention(start, end, name, "Programme"))
    return out


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
    v = vocab()
    text = view.text
    out = []
    heads = sorted(v.initiative_heads, key=len, reverse=True)
    for m in _COUNTED.finditer(text):
        # the noun is the shortest token-aligned run that ends with an initiative head
        end = None
        for s, e, pos in view.tokens:
            if m.start(3) < e <= m.end(3) and any(text[m.start(3):e].endswith(h) for h in heads):
                end = e
                break
        if end is None:
            continue
        noun = text[m.start(3):end]
        if len(noun) < 2 or v.event_noun(noun) or re.search(r"[的和与]", noun):
            continue
        start = m.start()
        count = _cn_number(m.group(1))
        name = text[start:end]
        q = re.match(r"”?[\u4e00-\u9fff]{0,6}", text[end:])  # “常专群”三支力量体系: name begins at the quote
        lq = text.rfind("“", 0, start)
        if lq >= 0 and text[start - 1:start] == "”" and "”" not in text[lq + 1:start - 1]:
            start = lq
            name = text[start:end]
        left = start - 1 if start and text[start - 1] == "“" else start
        parts = _enumeration_before(view, left, count)
        out.append(InitiativeMention(start, end, name, _kind(noun), count, parts))
    return out


def _kind(noun: str) -> str:
    v = vocab()
    for h in sorted(v.initiative_heads, key=len, reverse=True):
        if noun.endswith(h):
            return v.initiative_heads[h]
    return "Programme"


def _cn_number(s: str) -> int:
    if s == "十":
        return 10
    if len(s) == 2 and s[0] == "十":
        return 10 + CN_DIGITS[s[1]]
    if len(s) == 2 and s[1] == "十":
        return CN_DIGITS[s[0]] * 10
    return CN_DIGITS.get(s, 0)


def _enumeration_before(view: SentView, pos: int, count: int, after: int = 0) -> list[str]:
    """Items "A、B和C" right before ``pos`` (optionally followed by 构成的/组成的/等), none of
    them starting before ``after``."""
    text = view.text
    left = text[:pos]
    if after:  # blank out what comes before ``after`` (commas end a clause; offsets stay)
        left = "，" * after + left[after:]
    left = re.sub(r"(?:构成的|组成的|等|这|共)$", "", left)
    if not left or left[-1] in "，,。；":
        return []
    clause = re.split(r"[，,。；;：:]", left)[-1]
    clause = re.sub(r"^.*由", "", clause)
    items = [i for i in re.split(r"、|以及|和|及", clause) if i]
    if len(items) < 2:
        return []
    items[0] = _strip_leading_verb(view, items[0], len(left) - len(clause))
    items = [clean_name(i) for i in items if clean_name(i)]
    if count and len(items) != count or any(len(i) > 12 for i in items):
        return []
    return items


def _strip_leading_verb(view: SentView, item: str, clause_start: int) -> str:
    """集成打造安全生产智管 -> 安全生产智管: drop the verbs that lead the first item."""
    start = view.text.find(item, clause_start)
    cut, at = 0, start
    for s, e, pos in view.tokens:
        if s < at:
            continue
        if s > at or e >= start + len(item) or pos not in {"v", "vd", "p", "vn", "d", "ad"}:
            break
        if pos in {"v", "vd", "p"}:
            cut = e - start
        at = e
    return item[cut:]
