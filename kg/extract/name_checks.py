"""Checks on the names taggers give, for kg/extract/names.py: mentions that name no body or
place although a tagger (LAC, the entity recognizer) labels them so.

Each check is general: it reads the mention's tokens, the rule vocabulary (kg/vocab.py) and the
gazetteers (kg/gazetteer.py), never names of an article.
"""
from __future__ import annotations

import re

from kg.extract.view import SentView, is_org_name
from kg.vocab import vocab

__all__ = ["branch_of_place", "common_noun", "country_pair", "place_name", "quantified", "not_a_body", "news_lead_note", "visited_place", "unconfirmed", "unsupported"]


def common_noun(view: SentView, s: int, e: int) -> bool:
    """The span is one token the tagger took for a common noun (展馆/n, 基地/n): a place or body
    word, no name (LAC's own names are LOC/ORG/PER tokens)."""
    k = view.token_at(s)
    return k is not None and view.tokens[k][:2] == (s, e) and view.tokens[k][2] in {"n", "vn", "an", "v", "a"}


_NUMERAL_END = re.compile(r"[一二三四五六七八九十百千零〇两]$")
_LATIN_SHORT = re.compile(r"^[A-Za-z]{1,2}$")


#: what a pair of countries is said of: their relations, friendship, border (中塔关系, 美墨边境)
_BETWEEN = re.compile(r"(?:关系|友好|友谊|两国|两党|边境|边界|双边|建交|人文交流|经贸)")


def country_pair(text: str, s: int, e: int) -> bool:
    """[s, e) is two countries' one-character short forms said of together (中塔关系, 中越两党,
    美墨边境): a relation between two countries, no place or body of its own."""
    from kg.gazetteer import country_initials

    initials = country_initials()
    return e - s == 2 and text[s] in initials and text[s + 1] in initials and text[s] != text[s + 1] \
        and _BETWEEN.match(text, e) is not None


def place_name(name: str) -> bool:
    """A country, province, city or county as the gazetteer names it (伊拉克, 安阳): a place,
    also where a tagger calls it an organization (CLUENER tags states acting in politics as
    government)."""
    from kg.gazetteer import find

    return find(name) == [(0, len(name), "PLACE")]  # safe surfaces only: 合作 (合作市) is no place here


def branch_of_place(name: str) -> bool:
    """The name's brackets hold a place (某某之星（苏州）): they tell the body's branches apart,
    unlike a second name or an abbreviation (某党校（某行政学院）, 某研究院（某院）)."""
    from kg.vocab import paren_of

    paren = paren_of(name)
    return bool(paren) and place_name(paren)


def _title_inside(name: str) -> bool:
    """A post title of two or more characters inside the name (…检察院检察长, …外长奥斯曼):
    a body with a post, or a post with a person, not one body."""
    titles = vocab().titles
    return any(name[i:i + n] in titles for n in range(2, 6) for i in range(len(name) - n + 1))


_CLAUSE_POS = {"d", "p", "u", "c", "r"}  # a verb may stand in a brand (启迪)


#: words that make a body name a reference to bodies of a kind: 多家政府部门, 当地政府, 各级党委
_QUANTIFIED = re.compile(r"^(?:多家|多地|多个|各地|各级|各类|当地|有关|相关|部分|一些|其他|其它|省级|市级|县级|全国各)")


def quantified(name: str) -> bool:
    """``name`` refers to bodies of a kind by a quantifier (多家政府, 当地政府, 相关企业), names none."""
    return _QUANTIFIED.match(name) is not None


def not_a_body(view: SentView, s: int, e: int, name: str) -> bool:
    """An ORG mention without a body's suffix that names no body: named like an event or an
    agreement (…峰会, …协定), ending like a word of not_org.txt (…冬奥会), a common noun (物联网/n), one or two Latin letters, a piece of
    a clause (a function word inside: 的, 和, 在), a phrase in a quoted list of slogans."""
    v = vocab()
    if is_org_name(name):
        return False
    if v.event_noun(name) or any(name.endswith(a) for a in v.agreement_types) \
            or any(name.endswith(w) for w in v.not_org):  # 北京冬奥会: the Games, no body
        return True
    if place_name(name) or _title_inside(name) or visited_place(view.text, s, e) or country_pair(view.text, s, e):
        return True
    if _NUMERAL_END.search(name):
        return True  # the tagger cut an ordinal: 中共十八|大, 第二|届
    if _LATIN_SHORT.match(name) or common_noun(view, s, e) or _inside_quotes(view.text, s, e):
        return True
    if news_lead_note(view.text, s, e):
        return True
    k = view.token_at(s)
    while k is not None and k < len(view.tokens) and view.tokens[k][0] < e:
        if view.tokens[k][2] in _CLAUSE_POS:
            return True
        k += 1
    return False


#: verbs of going somewhere: what follows is where one goes ("来到X进行检查")
_GO_TO = re.compile(r"(?:来到|前往|抵达|走进|深入|奔赴|赶赴|赶到)$")


def visited_place(text: str, s: int, e: int) -> bool:
    """[s, e) follows a verb of going (来到, 前往, 抵达…) and has no body's suffix and is no
    known body or brand: where someone went (a district, a quarter), not a body."""
    name = text[s:e]
    if not _GO_TO.search(text[max(0, s - 2):s]) or is_org_name(name):
        return False
    from kg.gazetteer import brands, orgs

    return name not in orgs() and name not in brands()


#: the lead of a news item: "<media>消息（<program or reporter>）：", "<media>讯（…）"
_LEAD = re.compile(r"(?:消息|讯|电)\s*[（(]$")


def news_lead_note(text: str, s: int, e: int) -> bool:
    """[s, e) is the parenthesized note of a news item's lead, "央视网消息（某某节目）：" or
    "本报讯（记者 …）": the program or column that aired it, or its reporter, not a body (the
    media before 消息 is the body)."""
    return s <= 40 and text[e:e + 1] in ("）", ")") and _LEAD.search(text[:s]) is not None


def unconfirmed(view: SentView, s: int, e: int, name: str) -> bool:
    """A short body name (two or three characters) only the backend gives (the recognizer, run
    beside it, did not), without a body's suffix, unknown to the gazetteers' bodies and brands:
    LAC's common words (合作, 新时代). Longer ones (高瓴资本) are kept, and so are short ones the
    sentence treats as a body: one that has staff speaking for it (某某相关负责人) or that a
    statement or interview is given to (对某某表示, 接受某某采访)."""
    if e - s > 3 or not view.sources.get((s, e, "ORG"), "").endswith("-only"):
        return False
    from kg.gazetteer import orgs

    return not is_org_name(name) and name not in orgs() and not unambiguous_brand(name) \
        and not _BODY_AFTER.match(view.text, e) and not _told(view.text, s, e)


#: a body's spokesperson after its name: 某某(的)(有关|相关)负责人
_BODY_AFTER = re.compile(r"的?(?:有关|相关)?负责人")
_TOLD_AFTER = re.compile(r"(?:记者)?(?:表示|透露|介绍)")
_INTERVIEW_AFTER = re.compile(r"(?:记者)?的?(?:采访|专访)")


def _told(text: str, s: int, e: int) -> bool:
    """A statement or an interview is given to [s, e): 对|某某|表示 (not 面对, 绝对), 接受|某某|采访."""
    before = text[max(0, s - 2):s]
    if before.endswith("对") and not before.endswith(("面对", "绝对")):
        return _TOLD_AFTER.match(text, e) is not None
    return before.endswith("接受") and _INTERVIEW_AFTER.match(text, e) is not None


def unambiguous_brand(name: str) -> bool:
    """A company brand that is no common word (华为 yes; 好帮手, 一品堂 no: words of the
    general dictionary too, kg.gazetteer.brand_is_word)."""
    from kg.gazetteer import brand_is_word, brands

    return name in brands() and not brand_is_word(name)


def _inside_quotes(text: str, s: int, e: int) -> bool:
    """[s, e) stands inside a “…” that holds more than it (“建设制造强国、交通强国”)."""
    q = text.rfind("“", 0, s)
    return q >= 0 and "”" not in text[q:s] and "”" in text[e:] and (q + 1, text.index("”", e)) != (s, e)


#: LAC tags of tokens that make up a name (entity tags, proper and other nouns, short forms)
_NAME_TOKEN = {"ORG", "LOC", "PER", "nz", "nt", "nw", "ns", "nr", "j", "x"}  # not n: 国家/n 工作/n 大局/n


def unsupported(view: SentView, s: int, e: int, name: str) -> bool:
    """A body only the entity recognizer names, without a body's suffix and unknown to the
    gazetteers, that does not start and end with the tokens or holds a token no name is made of
    (评|现政府, 围绕/v 农村群众医疗, 土库曼斯坦 维护/v 国家主权): the recognizer, trained on
    another kind of text, ran past a name. Brands (百度) and one-token names (央视网) pass."""
    if view.sources.get((s, e, "ORG")) != "ner" or is_org_name(name):
        return False
    from kg.gazetteer import brands, orgs

    if name in orgs() or name in brands():
        return False
    k = view.token_at(s)
    if k is None or view.tokens[k][0] != s or not view.is_token_end(e):
        return True
    if view.tokens[k][1] == e:
        return False  # one token
    while k < len(view.tokens) and view.tokens[k][0] < e:
        if view.tokens[k][2] not in _NAME_TOKEN:
            return True
        k += 1
    return False
