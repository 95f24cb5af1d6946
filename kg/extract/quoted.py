"""Initiatives named in quotes: the object of a verb of building ("实现“一网通办”"), with a noun
modifier before it ("数字经济“一号工程”"), a counted slogan ("“四个意识”"), a parallel slogan
after a topic verb ("围绕“补短板、锻长板”"), a run of quoted names an initiative head follows
("继“西气东输”“西电东送”后又一项重大工程")."""
from __future__ import annotations

import re

from kg.extract.counted import cn_number
from kg.extract.initiative_words import BUILD_VERBS, DETERMINERS, InitiativeMention, overlaps
from kg.extract.view import SentView


def quoted_names(view: SentView, taken) -> list[InitiativeMention]:
    """The quoted initiatives of a sentence that no mention ``taken`` covers."""
    text = view.text
    out = []
    run = _quote_runs(view)
    for m in re.finditer(r"“([^“”]{2,20})”", text):
        inner = m.group(1)
        if re.search(r"[，,。；、的]", inner) and not _PARALLEL.fullmatch(inner) \
                or overlaps(m.start(), m.end(), taken + out):
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
            j = view.token_at(start - 1) if start else None
            while j and view.tokens[j][2] == "a":
                j -= 1  # 一座/高/水平…
            if j is not None and view.tokens[j][2] in {"m", "q"}:
                start = m.start()  # 一座高水平现代化“X”: the words before describe it, they do not name it
            verb = next((vb for vb in BUILD_VERBS if text.startswith(vb, start)), None)
            if verb and start + len(verb) <= m.start():
                start += len(verb)  # 建设“智造重镇”: the verb is no modifier
            if text.startswith(DETERMINERS, start) or _SLOGAN.fullmatch(inner):
                start = m.start()  # 全市推行“三个到位”: who does it, not what it is; a slogan stands alone
        # a head right after the quote: “141”基层智治体系 is caught by the headed rule
        lead = _lead(text, start)
        if start < m.start() and not any(vb in lead for vb in BUILD_VERBS) \
                and _lead(text, m.start()).endswith(BUILD_VERBS) and _verb_before(view, m.start()):
            start, lead = m.start(), _lead(text, m.start())  # 把一体推进“三不腐”…: the verb leads the quote
        parallel = _PARALLEL.fullmatch(inner)
        if parallel and not any(vb in lead for vb in _TOPIC_VERBS):
            continue  # 打造“碧水丹霞、茶绿樱红”的美景: a description; 围绕“补短板、锻长板”: a slogan
        if not any(vb in lead for vb in BUILD_VERBS) and not _SLOGAN.fullmatch(inner) \
                and m.start() not in run and not parallel:
            continue
        end = _tail(view, end)
        name = text[start:end]
        slogan = _SLOGAN.fullmatch(inner)  # “四个意识” counts its parts
        count = cn_number(slogan.group(1)) if slogan and slogan.group(2) != "网" and slogan.group(2) != "次" else 0
        out.append(InitiativeMention(start, end, name, "Programme", count if count >= 2 else None))
    return out


#: verbs that take a programme as their topic: 围绕“补短板、锻长板”, 聚焦“一老一小”
_TOPIC_VERBS = ("围绕", "聚焦", "紧扣", "对标")
#: a slogan of two parallel halves: “补短板、锻长板”, “放得开、管得住”
_PARALLEL = re.compile(r"([\u4e00-\u9fff]{3,4})、([\u4e00-\u9fff]{3,4})")
#: a run of quoted names side by side that an initiative head follows in the clause:
#: “西气东输”“西电东送”后的又一项重大工程 (each quote is one of them)
_RUN = re.compile(r"(?:“[^“”，。；、]{2,10}”){2,6}(?=[^，。；“]{0,12}?(?:工程|战略|行动|计划|举措|改革|项目|品牌))")


def _verb_before(view: SentView, pos: int) -> bool:
    """The token right before ``pos`` is tagged a verb (推进/v“…”, not 科技创新/vn“…”)."""
    k = view.token_at(pos - 1) if pos else None
    return k is not None and view.tokens[k][1] == pos and view.tokens[k][2] == "v"


def _lead(text: str, start: int) -> str:
    """The words before a quoted name in its clause (other quotes before it skipped): 实现“一网通办”“一次不跑”."""
    lead = re.sub(r"(?:“[^“”]{1,20}”)+$", "", text[:start])[-6:]
    return re.split(r"[，,。；;：:]", lead)[-1]


def _quote_runs(view: SentView) -> set[int]:
    """Starts of the quotes that stand in a run of quoted names an initiative head follows."""
    out = set()
    for m in _RUN.finditer(view.text):
        out.update(m.start() + q.start() for q in re.finditer("“", m.group(0)))
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
