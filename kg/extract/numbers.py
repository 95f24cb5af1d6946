"""Numbers the text states: value, unit, what they count, and how exact they are.

    378所高校          378 所 高校
    1200余支青年科技团队  1200 支 团队 (more-than)
    超500万元           5000000 元 (more-than; the label comes before: 奖金总额)
    百余个城市          100 个 城市 (more-than)
    1.2亿多条           120000000 条
    到2025年，建成100个以上场景   100 个 场景 (at-least), a target for 2025
Dates, years, ordinals (第三期), counted names (六大应用系统) and numbers inside names
(50人论坛) are not indicators.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.vocab import vocab
from kg.extract.view import SentView

_CN = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_SCALE = {"万": 10**4, "亿": 10**8, "千": 10**3, "百": 10**2, "万亿": 10**12}
_APPROX_BEFORE = {"超": "more-than", "超过": "more-than", "逾": "more-than", "多达": "more-than",
                  "约": "about", "近": "about", "将近": "about", "大约": "about"}


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


def _pattern() -> re.Pattern:
    units = "|".join(map(re.escape, vocab().units))
    return re.compile(
        r"(?P<pre>超过|超|逾|多达|约|将近|近|大约)?"
        r"(?P<num>\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)"
        r"(?P<more>余|多)?(?P<scale>万亿|万|亿|千)?(?P<more2>余|多)?"
        r"(?P<unit>" + units + r")(?P<more3>多|以上)?")


def find_numbers(view: SentView, now: int | None = None) -> list[NumberMention]:
    """The numbers of the sentence; ``now`` is the year the text was written, if known."""
    text = view.text
    out = []
    for m in _pattern().finditer(text):
        num = m.group("num")
        s, e = m.start(), m.end()
        if not _acceptable(view, m):
            continue
        value = float(num) if num[0].isdigit() else _cn_value(num)
        if value is None:
            continue
        if m.group("scale"):
            value *= _SCALE[m.group("scale")]
        approx = _APPROX_BEFORE.get(m.group("pre") or "") or (
            "at-least" if m.group("more3") == "以上" else
            "more-than" if (m.group("more") or m.group("more2") or m.group("more3")) else None)
        label = _label_after(view, e) or _label_before(view, s)
        out.append(NumberMention(s, e, value, m.group("unit"), label, approx, target_year(text, s, now)))
    return out


def _acceptable(view: SentView, m: re.Match) -> bool:
    text = view.text
    s, e, num = m.start("num"), m.end(), m.group("num")
    if s and (text[s - 1] in "第+.-/" or text[s - 1].isdigit()):
        return False
    if e < len(text) and text[e] in "+年月日届期号版":
        return False
    if not num[0].isdigit():
        # Chinese numerals: only round amounts (百余个, 三千多名), never counted names (三张清单)
        if not (set(num) & set("百千") or m.group("more") or m.group("more2")):
            return False
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
