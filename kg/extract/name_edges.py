"""Where the name of a headed initiative begins: the left edge the token walk found, corrected
for what the tagger gets wrong (a verb inside the name, a pronoun split from its unit, a count,
a determiner or a leading verb before the name)."""
from __future__ import annotations

import re

from kg.extract.initiative_words import BUILD_VERBS, DETERMINERS, GENERIC_BODY, INIT_POS, LEADING_VERBS, VERBAL_ADJ
from kg.extract.view import SentView


def before_head(view: SentView, start: int, m: re.Match) -> int:
    """The name goes on before a head whose first word the walk left stopped at (东北/全面振兴,
    国际消费/之都); a short head takes the word before it whatever it is tagged (制造/强国)."""
    k0 = view.token_at(m.start())
    if start != m.start() or not k0 or view.tokens[k0][0] != m.start():
        return start
    s, e, pos = view.tokens[k0 - 1]
    if pos in INIT_POS:
        return view.expand_left(k0 - 1, allow=INIT_POS, nouns_before_quote=True)
    return start


def short_body(view: SentView, start: int, m: re.Match) -> int:
    """科技强国, 制造强国: a short head takes the one two-character word before it, whatever it
    is tagged (not 社会主义现代化强国, not 建设质量强国)."""
    k0 = view.token_at(m.start())
    if not k0 or view.tokens[k0][0] != m.start():
        return start
    s, e, pos = view.tokens[k0 - 1]
    ok = e - s == 2 and pos in ("n", "nz", "v", "vn") and view.text[s:e] not in BUILD_VERBS
    return s if ok else m.start()


def through_verb(view: SentView, start: int) -> int:
    """国家/算力(v)/枢纽节点: a two-character word the tagger calls a verb, between nouns, is a
    modifier inside the name (not a verb of building, which leads the name)."""
    j = view.token_at(start - 1) if start else None
    if j is None or j < 1 or view.tokens[j][2] != "v" or view.tokens[j - 1][2] not in {"n", "nz"} \
            or not GENERIC_BODY.fullmatch(view.text[view.tokens[j - 1][0]:view.tokens[j - 1][1]]):
        return start  # only after a generic modifier (国家, 公共) is a "verb" surely inside the name
    word = view.text[view.tokens[j][0]:view.tokens[j][1]]
    if len(word) != 2 or word in BUILD_VERBS or word in VERBAL_ADJ:
        return start
    return view.tokens[j - 1][0]


def trim_count(view: SentView, start: int, end: int) -> int:
    """10个/国家数据中心集群: a leading count is no part of the name (count-named ones are found apart)
    when what is counted is named by who sets it up (国家, a place, a body); 100个特色消费新场景
    counts things of a kind and keeps its count (and is no name)."""
    k = view.token_at(start)
    if k is None or view.tokens[k][2] != "m" or view.tokens[k][1] >= end - 3 \
            or not _COUNT.fullmatch(view.text[start:view.tokens[k][1]]):
        return start
    after = view.tokens[k][1]
    nxt = view.token_at(after)
    named = view.text.startswith(("国家", "全国"), after) or nxt is not None and view.tokens[nxt][2] in ("LOC", "ORG")
    return after if named else start


_COUNT = re.compile(r"(?!一[^\d一二两三四五六七八九十百千万])[\d一二两三四五六七八九十百千万余多]+[个项座批种条张家所]")


def trim_determiners(view: SentView, start: int, end: int) -> int:
    """Skip leading tokens that are determiners (全市, 各, 有关) or verbs the tagger took for
    adjectives (丰富5G+AI应用场景, 完善…体系) rather than part of a name."""
    k = view.token_at(start)
    if k and view.tokens[k][1] - start == 1 and view.text[start] in _UNIT_CHARS and start + 3 < end \
            and view.tokens[k - 1][2] == "r" and view.tokens[k - 1][1] - view.tokens[k - 1][0] == 1:
        start += 1  # 我/国 一体化…: the tagger split 我国 and left 国 to the name
    for s, e, pos in view.tokens:
        if s < start:
            continue
        word = view.text[s:e]
        if s == start and e < end - 2 and (pos == "r" or word in DETERMINERS
                                           or word == "全国" and view.text.startswith(DETERMINERS, e)
                                           or pos == "a" and (word in BUILD_VERBS or word in VERBAL_ADJ)
                                           or pos in ("v", "vn") and word in LEADING_VERBS and e <= end - 4):
            start = e
            if e - s == 1 and view.text[e:e + 1] in _UNIT_CHARS and view.is_token_end(e + 1):
                start = e + 1  # 我/国 一体化…: the tagger split 我国, 本市
            continue
        if s >= start:
            break
    return start


#: the one-character unit a pronoun may have been split from: 我/国, 本/市, 该/区
_UNIT_CHARS = "国省市区县镇村"
