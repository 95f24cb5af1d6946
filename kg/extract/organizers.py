"""The bodies an event names by what they do for it: who organizes it ("由A、B指导，C和D主办，
E、F共同承办") and whom its guests come from ("来自A、B和C的嘉宾").

Whoever hosts, co-hosts, organizes or guides an event in these words is a body (a government
office, a company, an association), and so is each body that guests, experts or delegates come
from when a tagger, a suffix or the gazetteer names it (not a place, not a phrase). Organizers
are bodies whatever the taggers took each name for: LAC often cuts an unknown brand into verbs and particles (启迪/v 之星/u), and a place qualifier in
brackets (某某之星（苏州）) is part of the body's name, not a place of its own.
"""
from __future__ import annotations

import re

from kg.vocab import vocab
from kg.extract.name_checks import common_noun, place_name, quantified
from kg.extract.view import SentView, is_org_name

#: what organizers do; 共同/联合 may stand before the verb
_VERB = re.compile(r"(共同|联合)?(主办|承办|协办|指导)")
#: where the list of organizers starts (the 由 of the passive, a clause start, 在…的指导下)
_OPEN = "由在，,：:；;。！？"
_SEP = re.compile(r"、|以及|和|及|与|联合|会同|携手")
#: LAC tags no organizer's name holds: a pronoun, a personal name, a preposition or adverb, a
#: number (两岸82家机构), a particle (推出了)
_NO_NAME_POS = {"r", "PER", "p", "d", "ad", "m", "u", "ul", "uz", "ug"}
#: people, not bodies, guide or host too (在专家指导下, 由志愿者承办)
_PEOPLE = re.compile(r"(?:人员|专家|学者|代表|志愿者|群众|居民|师生|学生|农民|工人|干部|党员|老师|教师)$")
_KIND_AFTER = re.compile(r"等(?:[\u4e00-\u9fff]{0,4}(?:单位|机构|部门))?$")


def organizers(view: SentView) -> list[tuple[int, int]]:
    """(start, end) of each named body in a list of organizers before 主办/承办/协办/指导
    (also "在A、B的指导下"; 支持 is left out: 坚定支持 is a stance, not a role). The list starts after 由, 在 or the clause's start; items are split
    at 、 and, where no backend mention spans the word, at 和/及/与. An item is kept when it reads
    as a name: 2-25 characters, not a pronoun or person, not one common-noun token (企业, 高校),
    not a reference by a quantifier (相关企业), not a place alone (上海), not in not_org.txt."""
    text, out = view.text, []
    for m in _VERB.finditer(text):
        if not view.is_token_end(m.end()) or not _verb_token(view, m.end()):
            continue
        end = m.start()
        if text.endswith("的", 0, end):  # 在A、B的指导下
            end -= 1
        start = max(text.rfind(c, 0, end) for c in _OPEN) + 1
        if k := _KIND_AFTER.search(text, start, end):  # A、B等单位主办
            end = k.start()
        passive = start > 0 and text[start - 1] in "由在"
        if end - start < 2 or not (passive or (m.group(1) or m.group(2) != "指导") and _clause_subject(view, start)):
            continue  # 坚定指导…: an organizer list is 由…, 在…的指导下, or a clause's subject that hosts
        out.extend(_items(view, start, end))
    return out


_FROM = re.compile(r"来自([^，,。；;：:！？“”]{2,200}?)的")


def affiliations(view: SentView) -> list[tuple[int, int]]:
    """(start, end) of each named body in "来自A、B和C的嘉宾/专家/代表": where the people come from.
    Places (来自北京、上海的专家), kinds (来自高校和企业的), counts (来自30多个国家的) name no body."""
    out = []
    for m in _FROM.finditer(view.text):
        start, end = m.span(1)
        if k := _KIND_AFTER.search(view.text, start, end):  # 来自A、B等单位的
            end = k.start()
        out.extend(span for span in _items(view, start, end) if _body_named(view, *span))
    return out


def _body_named(view: SentView, s: int, e: int) -> bool:
    """A place or a phrase is where people come from as often as a body (来自世界各地, 来自浙江安吉
    余村, 来自基层一线): a guest's origin is a body only when a tagger names one there (an ORG
    mention over the item), its suffix says so, or the gazetteer of bodies knows it (not the
    brands: 五湖四海 is one)."""
    from kg.gazetteer import orgs

    name = view.text[s:e]
    if re.search(r"各|有关|相关", name):
        return False  # 中央有关部门: bodies of a kind
    if is_org_name(name) or name in orgs():
        return True
    return any(label == "ORG" and a <= s and e <= b for a, b, label in view.lac) \
        and not any(pos == "LOC" for a, b, pos in view.tokens if s <= a and b <= e)


def _verb_token(view: SentView, end: int) -> bool:
    """The verb is a verb and no noun's first half (主办方, 主办单位, 承办城市, 指导意见);
    指导 only ends its clause (由某局指导，) or stands in 的指导下."""
    k = view.token_at(end - 1)
    if view.text.endswith("指导", 0, end) and not re.match(r"[下，,、。；;]|$", view.text[end:]):
        return False  # 在…领域的指导地位, 指导意见: guidance, no organizer
    return k is not None and view.tokens[k][2] in {"v", "vn"} and not re.match(r"方|单位|城市|权|地|国", view.text[end:])


def _clause_subject(view: SentView, start: int) -> bool:
    """Without 由, the list must be its clause's subject: the clause starts at ``start``."""
    return start == 0 or view.text[start - 1] in "，,；;。！？："


def _items(view: SentView, start: int, end: int) -> list[tuple[int, int]]:
    text = view.text
    spans = [(s, e) for s, e, label in view.lac if label == "ORG"]
    cuts, at = [], start
    for m in _SEP.finditer(text, start, end):
        if m.group() != "、" and any(s < m.start() and m.end() < e for s, e in spans):
            continue  # 国际科技园及创新区域协会: one body with 及 inside
        cuts.append((at, m.start()))
        at = m.end()
    cuts.append((at, end))
    kept = [(s, e) for s, e in cuts if _named(view, s, e)]
    return kept if 2 * len(kept) >= len(cuts) else []  # a list of kinds (企业、高校和科研院所) names none


def _named(view: SentView, s: int, e: int) -> bool:
    name = view.text[s:e]
    if not 2 <= len(name) <= 25 or re.search(r"[，,。；;：:“”《》\s]", name) or name in vocab().not_org:
        return False
    if quantified(name) or place_name(name) or common_noun(view, s, e) or vocab().title_suffix(name) \
            or _PEOPLE.search(name) or re.search(r"[一二三四五六七八九十两\d]+[大个家项所]", name):
        return False
    k = view.token_at(s)
    if k is None or view.tokens[k][0] != s or not view.is_token_end(e) or view.tokens[k][1:] == (e, "LOC"):
        return False  # 欧洲: a place that hosts is no body
    while k < len(view.tokens) and view.tokens[k][0] < e:
        if view.tokens[k][2] in _NO_NAME_POS and not (view.text[view.tokens[k][0]] == "之" or is_org_name(name)):
            return False  # 之 is a name's particle (某某之星)
        k += 1
    return not any(label == "PERSON" and a < e and s < b for a, b, label in view.lac)
