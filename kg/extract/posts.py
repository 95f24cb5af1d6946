"""Posts: a person with a title, in a body when the text names one.

    市委书记袁家军                          (市委, 书记)
    市委副书记、市长王明                    (市委, 副书记) + (—, 市长): titles before one name
    中国科学院院士、浙江大学教授李明        two posts
    习近平总书记 / 赵明委员长               a title that may follow the name
    海尔集团董事长兼总裁张华                titles joined by 兼 share their body
    云途科技联合创始人、首席执行官王立新    a bare title after a company's title is in that company
    王明，清华大学教授、博士生导师，        titles in apposition after the name
    副市长李华、赵刚                        a list of names after a title several hold
    两院院士                                no body recognised: the whole phrase is the title
    梅宏担任主任委员                        a title taken on; its body is the sentence's topic
    首批委员既有张一、李二…，王三…等        members listed after the title they share
"""
from __future__ import annotations

import re

from kg import gazetteer as gz
from kg.document import PostFact
from kg.vocab import strip_paren, vocab
from kg.extract.post_titles import Post, headed, inherit, split_joined, split_post
from kg.extract.view import Name, SentView

_HONOUR = re.compile(r"(获得者|得主)$")


def find_posts(view: SentView, topic: str | None = None
               ) -> tuple[list[PostFact], list[tuple[str, Name | None, str]]]:
    """Posts of the persons in the sentence.

    ``topic`` is the body the sentence is about (a body just founded, or one a bare noun
    refers back to): the body of a title that is taken on or shared by listed members
    without a body of its own. Returns the facts and, for each, the organization text it
    named (so the caller can make sure an organization entity exists for it).
    """
    facts, orgs = [], []
    listed = _list_titles(view)
    members = _members(view, topic)
    persons = view.names_of("person")
    own = {p.start: _titles_before(view, p) + _titles_after(view, p) for p in persons}
    for p in persons:  # "王明，清华大学教授": only for a name no title stands before
        own[p.start] = own[p.start] or _apposition(view, p)
    shared = _shared(view, persons, own)
    for person in persons:
        found = (own[person.start] + shared.get(person.start, []) + listed.get(person.start, [])
                 + _taken_on(view, person, topic) + members.get(person.start, []))
        found = list(dict.fromkeys(found))
        for title, org in found:
            org = org or _head_of_named(view, title, person.start) or _government_of(title, found)
            facts.append(PostFact(person.text, title, org, view.evidence))
            if org:
                orgs.append((org, view.name_at(*_find(view, org, person.start), "organization"), title))
    return facts, orgs


#: heads of a local government: 市长 heads the 人民政府 of the city
_GOV_HEAD = re.compile(r"^([\u4e00-\u9fff]*?)副?(?:省长|市长|区长|县长|州长)$")
_PARTY_OF_PLACE = re.compile(r"^(?:中共)?([\u4e00-\u9fff]{2,10}?[省市区县州])委$")


def _government_of(title: str, posts: list[tuple[str, str | None]]) -> str | None:
    """The people's government a mayor, governor or county head heads when the text names no
    body: the division the title starts with (某某市副市长 -> 某某市人民政府), else the division
    of the person's party committee (中共某某市委副书记、市长 -> 某某市人民政府). A foreign
    city's mayor (某国某市长) gets none."""
    m = _GOV_HEAD.match(title)
    if not m:
        return None
    place = m.group(1)
    if not place:
        level = title[-2]
        places = {p.group(1) for _, org in posts if org and (p := _PARTY_OF_PLACE.match(org)) and p.group(1)[-1] == level}
        return places.pop() + "人民政府" if len(places) == 1 else None
    division = gz.division(place) or gz.division(place + title[-2])
    return division.name + "人民政府" if division and division.code else None  # code: a division of China


def _head_of_named(view: SentView, title: str, before: int) -> str | None:
    """The body a bare head's title belongs to when the clause before names exactly one body
    it can head: "某局在北京举办发布会，局长王明介绍…" → 某局 (kg.extract.post_titles.headed)."""
    bodies = {h for n in view.names_of("organization") if n.end <= before and (h := headed(n.text, title))}
    return bodies.pop() if len(bodies) == 1 else None


def _find(view: SentView, org: str, before: int) -> tuple[int, int]:
    i = view.text.rfind(org, 0, before)
    return (i, i + len(org))


def _titles_before(view: SentView, person: Name) -> list[tuple[str, str | None]]:
    """Phrases "[body]title" separated by 、 right before the name: 市委副书记、市长王明;
    a bare title takes the body of the title before it when they share one."""
    found: list[Post] = []  # right to left
    others = [p.end for p in view.names_of("person") if p is not person]
    pos = person.start
    note = _NOTE_BEFORE.search(view.text, 0, pos)
    if note and note.end() == pos:
        pos = note.start()  # 副校长（主持行政工作）王明: a note on the post before the name
    while pos > 0:
        seg_start = pos
        while seg_start > 0 and view.text[seg_start - 1] not in _SEGMENT_END:
            seg_start -= 1
        cut = max((e for e in others if seg_start < e <= pos), default=seg_start)  # no other name
        if cut != seg_start and view.text[cut:cut + 1] in _JOINS:
            cut += 1  # 王伟与|小米创始人雷军: the conjunction after the other name
        posts = split_joined(view, view.text[cut:pos], cut)
        if not posts:
            seg = view.text[seg_start:pos]
            if found and _HONOUR.search(seg) and seg_start > 0 and view.text[seg_start - 1] == "、":
                pos = seg_start - 1  # 国家最高科学技术奖获得者 between two titles
                continue
            break
        found.extend(reversed(posts))
        if cut != seg_start or seg_start == 0 or view.text[seg_start - 1] != "、":
            break
        pos = seg_start - 1
    return [(p.title, p.org) for p in inherit(found[::-1])]


_SEGMENT_END = "、，,；;。：:！？ \u3000\n"
_NOTE_BEFORE = re.compile(r"[（(][^（）()，。；]{2,12}[)）]$")
_JOINS = set("与和及同跟")


def _split_post(view: SentView, seg: str, seg_start: int) -> tuple[str, str | None] | None:
    post = split_post(view, seg, seg_start)
    return (post.title, post.org) if post else None


_LIST_TAIL = re.compile(r"等(?:[^，。；、]{0,15}?的)?([\u4e00-\u9fff]{2,12}?)(?=[，。；,]|$)")


def _list_titles(view: SentView) -> dict[int, list[tuple[str, str | None]]]:
    """Names listed before a title they share: "张一、李二、王三等信息科学领域的两院院士"."""
    persons = view.names_of("person")
    out: dict[int, list] = {}
    run: list[Name] = []
    for p in persons + [None]:
        if p is not None and run and view.text[run[-1].end:p.start] == "、":
            run.append(p)
            continue
        if len(run) >= 2:
            m = _LIST_TAIL.match(view.text, run[-1].end)
            post = _split_post(view, m.group(1), m.start(1)) if m else None
            if post:
                for q in run:
                    out.setdefault(q.start, []).append(post)
        run = [p] if p is not None else []
    return out


_TAKES_ON = re.compile(r"(?:将|还|同时|正式)?(?:担任|出任|兼任|当选为?|任)([^，。；、,;]{1,24})(?=[，。；、,;]|$)")
_BATCH = re.compile(r"^(?:首批|首届|第[一二三四五六七八九十\d]+[批届]|新一?届|本届|新任|现任)")
_MEMBERS = re.compile(r"(?:既|还|主要|分别)?(?:有|包括|包含|为|是)")


def _with_topic(view: SentView, seg: str, seg_start: int, topic: str | None) -> tuple[str, str | None] | None:
    """The post of "主任委员" / "首批委员" / "中国计算机学会理事长": a bare title takes the topic."""
    head = _BATCH.match(seg)
    if head:
        seg, seg_start = seg[head.end():], seg_start + head.end()
    post = split_post(view, seg, seg_start)
    if post is None or post.org is not None:
        return post and (post.title, post.org)
    if not post.lead and post.title == seg.strip():  # a bare title (with its modifiers)
        return (post.title, topic)
    return None


def _taken_on(view: SentView, person: Name, topic: str | None) -> list[tuple[str, str | None]]:
    """A title right after the name and a verb of taking it on: "梅宏担任主任委员"."""
    m = _TAKES_ON.match(view.text, person.end)
    post = m and _with_topic(view, m.group(1), m.start(1), topic)
    return [post] if post else []


def _members(view: SentView, topic: str | None) -> dict[int, list[tuple[str, str | None]]]:
    """Persons listed right after the title they share, to the end of the sentence:
    "首批委员既有张一、李二、王三等…院士，刘四、赵五等经济学家"."""
    out: dict[int, list] = {}
    text, persons = view.text, view.names_of("person")
    for m in _MEMBERS.finditer(text):
        seg_start = max(text.rfind(c, 0, m.start()) for c in _SEGMENT_END) + 1
        if not 2 <= m.start() - seg_start <= 16:
            continue
        post = _with_topic(view, text[seg_start:m.start()], seg_start, topic)
        if post is None:
            continue
        end = text.find("。", m.end())
        listed = [p for p in persons if m.end() <= p.start and (end < 0 or p.end <= end)]
        if len(listed) >= 2 and text[m.end():listed[0].start].strip("“”：:") == "":
            for p in listed:
                out.setdefault(p.start, []).append(post)
    return out


_APPOSED = re.compile(r"[，,]|[（(](?=[^（）()]+[)）])")
_APPOSED_LEAD = re.compile(r"(?:现任|曾任|系|任)")


def _apposition(view: SentView, person: Name) -> list[tuple[str, str | None]]:
    """Titles in apposition after the name: "王明，清华大学教授、博士生导师，…" / "王明（某公司总裁）"."""
    text, pos = view.text, person.end
    m = _APPOSED.match(text, pos)
    if not m:
        return []
    pos = m.end()
    lead = _APPOSED_LEAD.match(text, pos)
    pos = lead.end() if lead else pos
    found: list[Post] = []
    while True:
        end = pos
        while end < len(text) and text[end] not in _SEGMENT_END + "()（）":
            end += 1
        if any(pos <= p.start < end for p in view.names_of("person")):
            return []  # "…王明，副市长李华": the titles are the next name's
        if end == pos or end - pos > 30:
            break
        posts = split_joined(view, text[pos:end], pos)
        if not posts or len(text[pos:end]) > len(posts[-1].title) + len(posts[-1].org or "") + 12:
            break
        found.extend(posts)
        if end >= len(text) or text[end] != "、":
            break
        pos = end + 1
    return [(p.title, p.org) for p in inherit(found)]


#: titles several persons hold at once, so that a list of names after one of them shares it
_PLURAL = re.compile(r"^副|(?:委员|常委|院士|教授|研究员|代表|董事|理事|成员|记者|专家)$")


def _shared(view: SentView, persons: list[Name], own: dict) -> dict[int, list[tuple[str, str | None]]]:
    """Names listed after a title held by several: "副市长王明、李华出席" (both 副市长)."""
    out: dict[int, list] = {}
    run: list[Name] = []
    for p in persons + [None]:
        if p is not None and run and view.text[run[-1].end:p.start] == "、" and not own[p.start]:
            run.append(p)
            continue
        if len(run) >= 2:
            posts = [t for t in _titles_before(view, run[0]) if _PLURAL.search(t[0])]
            for q in run[1:]:
                out[q.start] = posts
        run = [p] if p is not None else []
    return out


_NOUN_ON = set("团会府")  # 主席团, 总统府: the title word heads a noun


def _titles_after(view: SentView, person: Name) -> list[tuple[str, str | None]]:
    """A title that may follow the name (习近平总书记), or a credit line "责任编辑：张敏"."""
    v = vocab()
    t = v.title_prefix(view.text[person.end:])
    end = person.end + len(t or "")
    if t and "after" in v.titles.get(t, ()) and view.is_token_end(end) and view.text[end:end + 1] not in _NOUN_ON:
        return [(t, _affiliation(view, person.start))]
    m = re.search(r"([\u4e00-\u9fff]{2,6})[：:]\s*$", view.text[:person.start])
    if m and m.group(1) in v.titles:
        return [(m.group(1), None)]
    return []


def _affiliation(view: SentView, start: int) -> str | None:
    """The body of "来自某大学的王明教授" / "某研究院的李华院士": an organization followed by 的 right
    before the name."""
    for n in view.names_of("organization"):
        if n.end == start - 1 and view.text[n.end] == "的":
            return n.text
    return None


def byline_posts(article, evidence) -> list[PostFact]:
    """The reporter of an article holds the post 记者 at its media."""
    return [PostFact(name, "记者", article.media or None, evidence)
            for name in article.reporter.split("、") if name]


__all__ = ["find_posts", "byline_posts", "strip_paren"]
