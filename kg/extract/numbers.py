"""Numbers the text states: value, unit, what they count, and how exact they are.

    378所高校          378 所 高校
    1200余支青年科技团队  1200 支 团队 (more-than)
    超500万元           5000000 元 (more-than; the label comes before: 奖金总额)
    百余个城市          100 个 城市 (more-than)
    1.2亿多条           120000000 条
    到2025年，建成100个以上场景   100 个 场景 (at-least), a target for 2025
    常住人口超2400万、     24000000 (no unit: a bare scale word)
    939亿千瓦时           939 亿千瓦时 (a unit that begins with a scale character keeps the scale)
    为期三天, 先后四次      3 天, 4 次 (small Chinese numerals only in these frames)
Units are jionlp's measure words (units_jionlp.txt, scripts/units.py) and the hand list
units.txt. Dates, years, ordinals (第三期), counted names (六大应用系统), numbers inside names
(50人论坛, 百度), network generations (5G), vague multiples (数十万) and points in time
(今年前5个月, 30天后) are not indicators.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.vocab import vocab
from kg.extract.view import SentView

_CN = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_SCALE = {"万": 10**4, "亿": 10**8, "千": 10**3, "百": 10**2, "万亿": 10**12, "千万": 10**7, "百万": 10**6}
_APPROX_BEFORE = {"超": "more-than", "超过": "more-than", "逾": "more-than", "多达": "more-than",
                  "约": "about", "近": "about", "将近": "about", "大约": "about",
                  "不少于": "at-least"}


@dataclass
class NumberMention:
    start: int
    end: int
    value: float
    unit: str
    label: str
    approx: str | None
    target_year: int | None = None  # the number is a target set for this year


#: "到2025年", "力争到2030年底", "至2027年", "2025年前": a target year for what follows, up to "；" or "。"
_TARGET = re.compile(r"(?:到|至)((?:19|20)\d{2})年(?:底|末)?|((?:19|20)\d{2})年(?:底|末)?(?:前|以前)")
#: what a status report says, not a target: "到2023年底，全市已建成…", "累计…"
_DONE = re.compile(r"已|累计|共计|完成了|实现了")


def target_year(text: str, pos: int, now: int | None) -> int | None:
    """The year of the target that the number at ``pos`` belongs to, if any: a target year
    stated earlier in the same clause group, not in the past of the text (``now``), and no
    "已"/"累计" between it and the number."""
    found = None
    for m in _TARGET.finditer(text, 0, pos):
        if not re.search(r"[；;。]", text[m.end():pos]):
            found = m
    if found is None:
        return None
    year = int(found.group(1) or found.group(2))
    if (now is not None and year < now) or _DONE.search(text[found.end():pos]):
        return None
    return year


@functools.lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    """A number with its scale word and unit; a bare scale word (常住人口2400万、) has no unit."""
    units = vocab().unit_alternation()
    return re.compile(
        r"(?P<pre>超过|超|逾|多达|约|将近|近|大约|不少于)?"
        r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)"
        r"(?P<more>余|多)?(?P<scale>万亿|千万|百万|万|亿|千)?(?P<more2>余|多)?(?:(?<=\d) (?=[^\d\s]))?"
        r"(?:(?P<unit>" + units + r")|(?<=[万亿])(?=[，,、；;。）)\s]|$|以上|左右))"
        r"(?P<more3>多|以上)?")


#: "为期三天", "历时两个月": a span stated in Chinese numerals (counted names never take these)
_SPAN = re.compile(r"(?:为期|历时|用时|耗时)([一二两三四五六七八九十]+)(个月|小时|天|日|周|年)")
#: a verbal count after an adverb of repetition: "先后四次", "连续三轮" ("三次分配" is a name)
_TIMES = re.compile(r"(?:先后|累计|共计|总共|共|曾经|曾|已经|已|连续)([一二两三四五六七八九十]+)(次|趟|轮|遍)")
#: before a Chinese numeral: a vague multiple (数百万, 几十个), not a stated amount
_VAGUE = "数几"
_TIME_UNITS = {"秒", "毫秒", "分钟", "小时", "个小时", "天", "日", "周", "个星期", "个月", "个季度", "个工作日"}
#: after a time unit: a point in time told from another (57天后, 8个月以来, 15天内), not a span
_RELATIVE = re.compile(r"以来|以后|之后|以内|之内|以前|之前|后|内|前")


def find_numbers(view: SentView, now: int | None = None) -> list[NumberMention]:
    """The numbers of the sentence; ``now`` is the year the text was written, if known."""
    text = view.text
    out = []
    for m in _pattern().finditer(text):
        if not _acceptable(view, m):
            continue
        value, unit = _value_unit(m)
        if value is None:
            continue
        approx = _APPROX_BEFORE.get(m.group("pre") or "") or (
            "at-least" if m.group("more3") == "以上" or text.startswith("以上", m.end()) else
            "about" if text.startswith("左右", m.end()) else
            "more-than" if (m.group("more") or m.group("more2") or m.group("more3")) else None)
        s, e = m.start(), m.end()
        label = _label_after(view, e) or _label_before(view, s)
        out.append(NumberMention(s, e, value, unit, label, approx, target_year(text, s, now)))
    return out + _spoken_counts(view, out, now)


def _value_unit(m: re.Match) -> tuple[float | None, str]:
    """The value with the scale folded in, and the unit; a unit that itself begins with a scale
    character (千瓦时, 千米) keeps the scale as written (3800亿千瓦时), so no reader can fold it twice."""
    num, scale, unit = m.group("num"), m.group("scale") or "", m.group("unit") or ""
    value = float(num.replace(",", "")) if num[0].isdigit() else _cn_value(num)
    if value is None:
        return None, unit
    if scale == "千" and "千" + unit in vocab().units:
        scale, unit = "", "千" + unit  # 3千米: the unit 千米, not 3000 米
    if scale and unit and unit[0] in "千百万亿":
        return value, scale + unit
    return value * _SCALE.get(scale, 1), unit


def _spoken_counts(view: SentView, found: list[NumberMention], now: int | None) -> list[NumberMention]:
    """Spans and repetitions written in small Chinese numerals (为期三天, 先后四次), which the
    main pattern leaves out because small Chinese numerals mostly count the parts of a name."""
    text, out = view.text, []
    taken = {(n.start, n.end) for n in found}
    for rx in (_SPAN, _TIMES):
        for m in rx.finditer(text):
            s, e = m.span(1)[0], m.end()
            value = _cn_value(m.group(1))
            if value is None or (s, e) in taken:
                continue
            label = _label_before(view, m.start()) if rx is _SPAN else _label_after(view, e)
            out.append(NumberMention(s, e, value, m.group(2), label, None, target_year(text, s, now)))
    return out


def _acceptable(view: SentView, m: re.Match) -> bool:
    text = view.text
    s, e, num = m.start("num"), m.end(), m.group("num")
    before = text[s - 1] if s else ""
    if before == " " and s > 1:
        before = text[s - 2]  # "第 3 届": text spaced around its numbers
    if before and (before in "第+.-/_" or before.isdigit() or before.isascii() and before.isalpha()):
        return False  # 第三期, 1+6, COVID-19, G20
    if before == "," and s > 1 and text[s - 2].isdigit():
        return False  # the tail of 12,3456
    if before and before in _VAGUE and not num[0].isdigit():
        return False
    if e < len(text) and text[e] in "+年月日届期号版":
        return False
    if not num[0].isdigit():
        # Chinese numerals: only round amounts (百余个, 三千多名), never counted names (三张清单)
        if not (set(num) & set("百千") or m.group("more") or m.group("more2")):
            return False
        if len(num) == 1 and not (m.group("pre") or m.group("more") or m.group("more2")):
            return False  # 百度, 千瓦时级别: a character of a word, not a number
    elif m.group("unit") == "G" and len(num) == 1:
        return False  # 5G, 4G: a generation of mobile networks
    if not m.group("unit") and (not num[0].isdigit() or not m.group("scale")):
        return False
    if m.group("unit") in _TIME_UNITS and (before == "前" or _RELATIVE.match(text, e)):
        return False  # 今年前11个月, 十多天后: when, not how long
    if view.inside_name(m.start(), m.end(), kinds=("organization", "event", "initiative")):
        return False
    if m.group("unit") in {"人"} and e < len(text) and text[e] in "论会":
        return False
    return True


def _cn_value(s: str) -> float | None:
    total, cur = 0, 0
    for ch in s:
        if ch in _CN:
            cur = _CN[ch]
        elif ch in _CN_UNIT:
            total += (cur or 1) * _CN_UNIT[ch]
            cur = 0
        else:
            return None
    return float(total + cur)


def _label_after(view: SentView, e: int) -> str:
    """The noun phrase the number counts: tokens after it up to a verb or punctuation."""
    text = view.text
    label = ""
    skip = re.match(r"以上|以下|左右", text[e:])
    e = e + skip.end() if skip else e
    for s2, e2, pos in view.tokens:
        if e2 <= e:
            continue
        if s2 < e:  # the token holding the unit may run on: "3个子" + "场景"
            label = text[e:e2]
            continue
        word = text[s2:e2]
        if pos in {"n", "nz", "vn", "a", "an", "nw", "ORG", "j"} or (pos == "w" and word in "“”") \
                or (pos == "m" and not re.search(r"\d", word)):
            label += text[s2:e2]
            if len(label) > 12:
                break
            continue
        break
    label = label.strip("“”")
    if label.startswith("的"):
        label = label[1:]
    return label


_NOUNISH = {"n", "nz", "vn", "nw", "j", "LOC", "ORG", "an"}


def _label_before(view: SentView, s: int) -> str:
    """When no noun follows (超500万元。), what comes before the number: the noun phrase
    (奖金总额超500万元 -> 赛事奖金总额) or a verb right before it (成功预警3000余起 -> 预警)."""
    text = view.text
    m = re.search(r"(?:达到|达|为|约|共|超过|超|逾|累计|将近|近|多达|突破|增至|增长|实现|完成)$", text[:s])
    end = m.start() if m else s
    start = end
    for s2, e2, pos in reversed([t for t in view.tokens if t[1] <= end]):
        if e2 != start:
            break
        if pos in _NOUNISH or text[s2:e2] in ("“", "”"):
            start = s2
            continue
        if start == end and pos in {"v", "vn"}:
            start = s2
        break
    # a quote closing inside the label, or right before it, opened before it
    close = text.find("”", max(0, start - 1), end)
    q = text.rfind("“", 0, start) if close >= 0 and "“" not in text[start:close] else -1
    if q >= 0 and close - q <= 12 and "，" not in text[q:close]:
        start = q  # “秒批”事项达到412个: the quoted word belongs to the label
    label = _unquote(text[start:end])
    if len(label) == 1:  # 网上可办率达到100%: a bare suffix; the clause's noun phrase is the label
        clause = max(text.rfind(c, 0, end) for c in "，,；;：:。") + 1
        toks = [t for t in view.tokens if clause <= t[0] and t[1] <= end]
        while toks and toks[0][2] in {"d", "p", "c", "r", "TIME", "v", "vd", "w"} and toks[0][1] < end - 1:
            toks = toks[1:]  # 力争, 全市, 到2025年底
        if toks and 2 <= end - toks[0][0] <= 20:
            label = _unquote(text[toks[0][0]:end])
    return label


def _unquote(label: str) -> str:
    """Quotes at the ends of a label go unless they pair with one inside (“秒批”事项)."""
    while label[:1] == "“" and "”" not in label:
        label = label[1:]
    while label[-1:] == "”" and "“" not in label:
        label = label[:-1]
    if label[:1] == "“" and label[-1:] == "”" and label.count("“") == 1:
        label = label[1:-1]
    return label
