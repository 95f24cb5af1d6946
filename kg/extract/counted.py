"""Count-named initiatives and their parts.

A count-named initiative states how many parts it has: "六大应用系统", "八方面重点任务",
"十一个专项工程", "一中心四体系" (several counted groups: five parts), "“1+6”板块" (seven).
Its parts are enumerated
- before the name: "A、B和C三大平台", "A等十一个专项工程" (等: only some are named);
- right after it: "三大平台：A、B、C", "三大平台（A、B、C）", "三大平台，即A、B和C";
- in the sentences that follow, one per ordinal marker: "一是A。…二是B。", "（一）A。",
  "第一，A", "1.A" — collected by ``kg.extract.ordinals.OpenCount`` until the count is
  reached or the enumeration stops.
Parts are named as the text writes them (verbs kept: "一是优化升级数字基础设施" → 优化升级数字基础设施).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.extract.view import SentView, clean_name
from kg.vocab import vocab

CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUM = r"[一二两三四五六七八九十]{1,3}|\d{1,2}"
#: numeral, classifier, noun: 六大应用系统, 八方面重点任务, 十一个专项工程, 三张清单
_COUNTED = re.compile(r"(?<![第每前后这那\d一二三四五六七八九十百千万])(" + _NUM + r")"
                      r"(个方面的|个方面|方面|大类|大|个|张|支|项|类|条|种|座)([\u4e00-\u9fffA-Za-z+]{1,8})")
_PLUS = re.compile(r"“?(\d{1,2}(?:\+\d{1,2})+)”?")  # “1+6”板块: 1 + 6 parts
MAX_PART = 30
#: heads that often modify a noun after them (产业园区, 产业集群): no name when one follows
_MODIFYING_HEADS = {"产业"}
_SUBJECT_POS = {"LOC", "ORG", "PER", "ns", "nt", "nr", "r", "TIME", "t"}
_NOUN_POS = {"n", "nz", "nw", "vn", "a", "an", "j", "m", "LOC", "ORG"}


@dataclass
class Counted:
    start: int
    end: int
    name: str
    count: int
    head: str
    listed: bool = False  # "A、B、C3个产业": a name only when exactly its parts stand before it


def cn_number(s: str) -> int:
    """一 → 1, 十一 → 11, 二十 → 20, 二十三 → 23, 12 → 12; 0 when ``s`` is no number."""
    if s.isdigit():
        return int(s)
    if "十" not in s:
        return CN_DIGITS.get(s, 0) if len(s) == 1 else 0
    tens, _, ones = s.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return 0
    return (CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)


@functools.lru_cache(maxsize=1)
def _heads() -> tuple[str, ...]:
    v = vocab()
    return tuple(sorted({**v.initiative_heads, **v.counted_heads}, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _grouped_re() -> tuple[re.Pattern, re.Pattern]:
    heads = "|".join(map(re.escape, (h for h in _heads() if len(h) <= 3)))
    group = r"(?:[一二两三四五六七八九十]|\d)个?(?:" + heads + ")"
    return (re.compile(r"(?<![\d一二两三四五六七八九十])(?:" + group + r"){2,4}"),
            re.compile(r"([一二两三四五六七八九十]|\d)个?(" + heads + ")"))


def head_of(noun: str) -> str | None:
    return next((h for h in _heads() if noun.endswith(h)), None)


def counted_names(view: SentView) -> list[Counted]:
    """Count-named initiatives of the sentence, single ("三大平台") and grouped ("一中心四体系")."""
    out = _grouped(view)
    for m in _COUNTED.finditer(view.text):
        if any(c.start <= m.start() < c.end for c in out):
            continue
        c = _single(view, m)
        if c is not None:
            out.append(c)
    return out


def _single(view: SentView, m: re.Match) -> Counted | None:
    text, count = view.text, cn_number(m.group(1))
    listed = m.group(1).isdigit() and m.group(2) != "大"  # 30个应用场景 is a number of things, 3大平台 a name
    if count < 2 or listed and count > 12 or m.group(2) == "大" and count > 10:
        return None  # 二十大 is a congress
    end = None  # the noun is the longest run of noun-like tokens that ends with a head
    for s, e, pos in view.tokens:
        if e <= m.start(3):
            continue
        if e > m.end(3) or s >= m.start(3) and pos not in _NOUN_POS:
            break
        if head_of(text[m.start(3):e]):
            end = e
    if end is None:
        return None
    noun = text[m.start(3):end]
    head = head_of(noun)
    k = view.token_at(end)
    if head in _MODIFYING_HEADS and k is not None and view.tokens[k][0] == end and view.tokens[k][2] in ("n", "nz") \
            and "\u4e00" <= text[end:end + 1] <= "\u9fff":
        return None  # 两个冰雪产业园区: the head only modifies the noun after it
    if re.search(r"[的和与]", noun) or vocab().event_noun(noun) or (
            m.group(2) in ("个", "条", "种") and len(noun) < 3):
        return None  # 三个平台 is no name; 三个重点平台 is
    return Counted(m.start(), end, text[m.start():end], count, head, listed)


def _grouped(view: SentView) -> list[Counted]:
    """"一中心四体系", "一平台两中心": numbered heads side by side; the count is their sum."""
    whole, one = _grouped_re()
    out = []
    for m in whole.finditer(view.text):
        nums = one.findall(m.group(0))
        total = sum(cn_number(n) for n, _ in nums)
        out.append(Counted(m.start(), m.end(), m.group(0), total, nums[-1][1]))
    return out


def plus_count(name: str) -> int | None:
    """“1+6”板块 → 7; None when the name is no sum of numbers before its head."""
    m = _PLUS.match(name)
    if not m or not head_of(name[m.end():] or "-") or len(name) - m.end() > 6:
        return None
    return sum(int(x) for x in m.group(1).split("+"))


# ---------------------------------------------------------------- parts in the sentence
def parts_before(view: SentView, pos: int, count: int, after: int = 0) -> list[str]:
    """Items "A、B和C" right before ``pos`` (optionally followed by 构成的/组成的/等/在内的),
    none of them starting before ``after``. With 等 fewer items than ``count`` may stand."""
    text = view.text
    left = text[:pos]
    if after:  # blank out what comes before ``after`` (commas end a clause; offsets stay)
        left = "，" * after + left[after:]
    partial = bool(re.search(r"等(?:在内的)?$", left))
    left = re.sub(r"(?:构成的|组成的|等|这|共|在内的|等在内的)$", "", left)
    if not left or left[-1] in "，,。；":
        return []
    clause = re.split(r"[，,。；;：:]", left)[-1]
    clause = re.sub(r"^.*由", "", clause)
    clause = re.sub(r"^.*?(?:包括|包含|涵盖|分为|分)(?=“)", "", clause)
    quoted = re.search(r"(?:“[^“”]{1,20}”){2,}$", clause)
    if quoted:  # “发展与普惠”“治理与安全”四个板块: quoted items side by side
        clause = "、".join(re.findall(r"“[^“”]+”", quoted.group(0)))
    clause = re.sub(r"^(?:包括|包含|涵盖|以及|及|和|与|并)", "", clause)
    items = _split(clause, count)
    if len(items) < (1 if partial else 2):
        return []
    clause_start = len(left) - len(clause)
    verbal = len(items) > 1 and _starts_with_verb(view, items[1], clause_start)
    items[0] = _strip_lead(view, items[0], clause_start, single=len(items) == 1, keep_verb=verbal)
    items = [clean_name(i) for i in items if clean_name(i)]
    if not items or any(len(i) > 12 for i in items):
        return []
    if count and (len(items) > count or len(items) < count and not partial):
        return []
    return items


def _split(clause: str, count: int) -> list[str]:
    """A、B和C → [A, B, C]; 和/及 split an item only where the count needs it (乌兰布和 is one name)."""
    items = [i for i in clause.split("、") if i]
    joined = [k for k, i in enumerate(items) if re.search(r"以及|和|及", i)]
    if joined and (not count or len(items) < count):
        k = joined[-1]
        items[k:k + 1] = [x for x in re.split(r"以及|和|及", items[k], maxsplit=1) if x]
    return items


_AFTER = re.compile(r"”?(?:[：:]|[（(]|[，,]?(?:即|包括|包含|涵盖|分别是|分别为|具体是|具体包括|主要包括|主要有)[：:]?"
                    r"|[，,]与)")
_TAIL = re.compile(r"(?:等)?(?:[\d一二两三四五六七八九十]{1,3}(?:个|大|项|类|条|方面)[\u4e00-\u9fff]{0,6})?(?:在内)?$")


def parts_after(view: SentView, end: int, count: int) -> list[str]:
    """Items right after the name: "：A、B、C", "（A、B、C）", "，即A、B和C", "：A；B；C"."""
    text = view.text
    m = _AFTER.match(text, end)
    if not m:
        return []
    paren = m.group(0)[-1] in "（("
    rest = text[m.end():]
    if not paren and m.group(0)[-1] in "：:" and count:
        semi = re.split(r"[；;]", re.split(r"。", rest)[0])
        if len(semi) >= count:  # 七条建议：A；B；C
            items = [clean_name(re.split(r"[，,]", _MARKER.sub("", s))[0]) for s in semi[:count]]
            return items if all(2 <= len(i) <= MAX_PART for i in items) else []
    region = re.split(r"[）)]" if paren else r"[，,。；;）)]", rest)[0]
    partial = bool(re.search(r"等", region[-8:]))
    region = _TAIL.sub("", region)
    items = [clean_name(i) for i in re.split(r"、", region)]
    joined = [k for k, i in enumerate(items) if re.search(r"以及|和|及", i)]
    if count and len(items) == count - 1 and len(joined) == 1:  # A和B、C、D: one item holds two
        k = joined[0]
        items[k:k + 1] = [clean_name(x) for x in re.split(r"以及|和|及", items[k], maxsplit=1)]
    if len(items) < 2 or not all(2 <= len(i) <= MAX_PART for i in items):
        return []
    if count and (len(items) > count or len(items) < count and not partial):
        return []
    return items


_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,2}(?:是|要)|[（(][一二三四五六七八九十]{1,2}[）)]|第[一二三四五六七八九十]{1,2}[，,、]"
                     r"|\d{1,2}[.．、])")
#: 包括/涵盖 after a name often list what it covers, not its parts: only 分为 and 由…组成 say parts
_LISTS = re.compile(r"”?(?:主要|共|将|具体|目前)?(?:包括|涵盖|包含|分为|由(?=[^，。；]{3,60}(?:组成|构成)))[：:]?")
_LIST_TAIL = re.compile(r"(?:等?[\d一二两三四五六七八九十]{1,3}(?:个|大|项|类|条|方面)[\u4e00-\u9fff]{0,6}|等[\u4e00-\u9fff]{0,4})?"
                        r"(?:在内)?(?:组成|构成|组合而成)?$")


def parts_listed(view: SentView, end: int) -> list[str]:
    """Parts of a name that does not count them, listed right after it: "X由A和B组成",
    "X分为A、B、C等" (two items at least)."""
    m = _LISTS.match(view.text, end)
    if not m:
        return []
    region = _LIST_TAIL.sub("", re.split(r"[，,。；;）)]", view.text[m.end():])[0])
    items = [clean_name(x) for x in re.split(r"、|以及|和|及", region)]
    if len(items) < 2 or not all(2 <= len(i) <= 20 for i in items):
        return []
    return items


def _starts_with_verb(view: SentView, item: str, clause_start: int) -> bool:
    k = view.token_at(view.text.find(item, clause_start))
    return k is not None and view.tokens[k][2] == "v"


def _strip_lead(view: SentView, item: str, clause_start: int, single: bool, keep_verb: bool = False) -> str:
    """集成打造安全生产智管 -> 安全生产智管: drop the verbs that lead the first item; a lone item
    ("《规划》明确了A等十一个专项工程") begins after the clause's first verb and its particle."""
    start = view.text.find(item, clause_start)
    done = [e + 1 for s, e, pos in view.tokens if start <= s and e < start + len(item) - 2 and pos == "v"
            and view.text[e:e + 1] in "了过"]
    if done:  # 方案明确了A、B等: what the verb has done is the list
        return item[done[-1] - start:]
    if not single and not keep_verb:  # 内蒙古还将加快推进A、B: the list begins after the last verb
        verbs = [e for s, e, pos in view.tokens if start + 2 <= e <= start + len(item) - 2 and s >= start
                 and pos == "v"]
        if verbs:
            return item[verbs[-1] - start:]
    if single:
        for s, e, pos in view.tokens:
            if start <= s and e < start + len(item) - 1 and pos == "v":
                e += 1 if view.text[e:e + 1] in "了着过" else 0
                return item[e - start:]
        return item
    cut, at = 0, start
    for s, e, pos in view.tokens:  # a subject before the verb: 浙江实施A、B等五大行动
        subject = _SUBJECT_POS if keep_verb else _SUBJECT_POS | {"n", "nz"}  # 平台设有A、B
        if s == at and pos in subject and e < start + len(item) - 3:
            at = e
    if at > start and view.token_at(at) is not None and view.tokens[view.token_at(at)][2] not in {"v", "vd"}:
        at = start  # no verb follows: the leading name belongs to the item
    cut = last = at - start
    for s, e, pos in view.tokens:
        if s < at:
            continue
        particle = pos == "u" and view.text[s:e] in "了着过"
        if s > at or e >= start + len(item) or pos not in {"v", "vd", "p", "vn", "d", "ad"} and not particle:
            break
        if pos in {"v", "vd", "p"} or particle:
            last, cut = cut, e - start
        at = e
    if keep_verb and cut and view.text[start + cut - 1] not in "了着过":  # 实施扩大A、激发B: parts are verb phrases
        cut = last
    return item[cut:]


#: "新增A指数、B指数…8个新指数": parts counted after the enumeration, with the head they share
_ADDED = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,2})(?:个|项)(?:新的?|新增)?([\u4e00-\u9fff]{2,4}?)(?=[，。；,]|$)")


def added_parts(view: SentView) -> list[tuple[int, int, list[str]]]:
    """(start, end, parts) of "A、B、C3个新指数": parts named with their shared head and counted.

    Not a name of its own (the count is no name): the parts go to the initiative before them."""
    v = vocab()
    out = []
    for m in _ADDED.finditer(view.text):
        head = m.group(2)
        if head not in v.initiative_heads:
            continue
        count = int(m.group(1)) if m.group(1).isdigit() else cn_number(m.group(1))
        first_sep = view.text.rfind("、", 0, m.start())
        verbs = [e for s, e, pos in view.tokens if pos == "v" and e <= first_sep]
        # "X新增A、B、C3个新指数": the list begins after the clause's last verb before it
        parts = parts_before(view, m.start(), count, after=verbs[-1] if verbs else 0)
        if count >= 2 and parts and all(p.endswith(head) for p in parts):
            first = view.text.rfind(parts[0], 0, m.start())
            out.append((first, m.end(), parts))
    return out
