"""One "[body]title" phrase split into its title and its body.

    中国工程院院士                 (院士, 中国工程院)
    华信控股股份有限公司高级常务副总裁  (高级常务副总裁, …公司): modifiers belong to the title
    市委常委                       (常委, 市委): a title that begins with a body gives way
    百度创始人                     (创始人, 百度) when 百度 is a name found in the sentence
    两院院士                       (两院院士, —): no body recognised, the whole phrase is the title
    海尔集团董事长兼总裁            two posts of one body ("兼" joins titles)
"""
from __future__ import annotations

import re
from typing import NamedTuple

from kg.extract.view import Name, SentView, is_org_name, org_categories
from kg.vocab import vocab


class Post(NamedTuple):
    title: str
    org: str | None
    categories: frozenset[str] = frozenset()
    lead: str = ""  # an unrecognised head kept in the title (星河智能|联合创始人)


#: titles that name their own government (市长 is never the 市委's): no body is inherited
OWN_BODY = re.compile(r"(?:省|市|区|县|镇|乡|州|盟|旗)长$|总理$|总书记$")
_NAME_LIKE = re.compile(r"[\w\u4e00-\u9fff()（）·\-]+")
_ONE_CHAR_BODY = "部局厅署处"
_TRIM_POS = {"v", "p", "c", "u", "d", "r", "PER", "TIME", "vd"}


def title_of(seg: str) -> str | None:
    """The post title that ends ``seg``, with the modifiers before it (联合创始人)."""
    v = vocab()
    title = v.title_suffix(seg)
    if not title:
        return None
    for i in range(1, len(title) - 1):  # 市委常委 -> 常委: the body stays a body
        rest = title[i:]
        if rest in v.titles and _ends_in_body(title[:i]):
            title = rest
            break
    head = seg[: -len(title)]
    while head:
        mod = next((m for m in v.title_modifiers if head.endswith(m)), None)
        if mod is None or (mod == title[:len(mod)] and mod in ("副",)):
            break
        title, head = mod + title, head[: -len(mod)]
    return title


def _ends_in_body(piece: str) -> bool:
    v = vocab()
    return piece in v.bodies or any(piece.endswith(s.suffix) for s in v.org_suffixes if len(s.suffix) >= 2)


def split_post(view: SentView, seg: str, seg_start: int) -> Post | None:
    """(title, body) of one phrase; the body a name found in the sentence, a name with a
    body's suffix, or none (the unrecognised head then stays in the title)."""
    lead = len(seg) - len(seg.lstrip())
    seg, seg_start = seg.strip(), seg_start + lead
    title = title_of(seg)
    if not title:
        return None
    raw = seg[: -len(title)]
    if not raw:
        return Post(title, None)
    back = _referred_body(view, raw)
    if back is not None:
        return Post(title, back, frozenset(org_categories(back)))
    of = _body_of(view, raw, seg_start)
    if of is not None:  # 某某中心的|专家|代表: the title with its kind, in that body
        body, kind = of
        return Post(kind + title, body.text, frozenset(body.categories))
    short = _short_body(view, raw, seg_start, title)
    if short is not None:
        return short
    listed = seg_start > 0 and view.text[seg_start - 1] in "、兼"
    if listed and is_org_name(raw) and not _has_pos(view, seg_start, len(raw), {"PER", "u", "p", "r", "d"}):
        return Post(title, raw, frozenset(org_categories(raw)))  # 推进…领导小组组长, as listed
    body = _body(view, raw, seg_start)
    if body is not None:
        return body._replace(title=title)
    domain = _domain(view, raw, seg_start)
    if domain is not None:  # 旷视科技云服务事业群|智能驾驶|副总裁
        return domain._replace(title=domain.title + title)
    head = _trim_head(view, raw, seg_start)
    if not head:
        return Post(title, None)
    start = seg_start + len(raw) - len(head)
    if len(head) <= 20 and _NAME_LIKE.fullmatch(head) and not _has_pos(view, start, len(head), {"v", "vd"}):
        if _brand(view, head, start, title):
            return Post(title, head, frozenset({"Company"}))
        return Post(head + title, None, lead=head)
    return Post(title, None)


def _brand(view: SentView, head: str, start: int, title: str) -> bool:
    """The head before a title only companies give is the company, by brand, when the tagger
    names it a body or the brand list knows it (某某科技|首席执行官, where the recognizer took
    the whole phrase for the title): two to eight characters, not a person's name."""
    from kg.gazetteer import brands

    v = vocab()
    if "company" not in v.titles.get(v.title_suffix(title) or title, ()) or not 2 <= len(head) <= 8:
        return False
    end = start + len(head)
    if head in brands():
        return True
    toks = [(s, e, pos) for s, e, pos in view.tokens if start <= s < end]
    return bool(toks) and toks[0][0] == start and toks[-1][1] == end and all(pos in ("ORG", "nz") for _, _, pos in toks)


def _body_of(view: SentView, raw: str, start: int) -> tuple[Name, str] | None:
    """"(来自)某某中心的|专家|代表": the body named right before 的, when the sentence names it as a
    body, and the kind of the title between 的 and the title (专家, or "")."""
    cut = raw.rfind("的")
    kind = raw[cut + 1:]
    if cut < 2 or len(kind) > 6 or not re.fullmatch(r"[\u4e00-\u9fff]*", kind):
        return None
    end = start + cut
    lead = re.match(r"(?:来自|代表)?", raw).end()
    body = next((n for n in view.names_of("organization") if n.end == end and n.start >= start + lead), None)
    return (body, kind) if body is not None else None


def _referred_body(view: SentView, raw: str) -> str | None:
    """The body a bare kind before a title refers back to (学会理事长, 公司董事长): the first
    body of the article so far whose name ends with that kind (its own, not one named in passing), when the kind is a body's suffix
    of two or more characters (学会, 公司, 研究院) that no state or party body ends with (市委书记,
    局长 keep their own rules)."""
    body = view.bodies_by_tail.get(raw)
    if body is None or body == raw:
        return None
    suf = next((s for s in vocab().org_suffixes if s.suffix == raw), None)
    return body if suf is not None and len(raw) >= 2 and not suf.of_body \
        and not suf.categories & {"GovernmentBody", "PartyBody"} else None


def _bare_unit(head: str) -> bool:
    """A department named by its kind alone (宣传部部长, 办公厅主任): the body as written."""
    return len(head) >= 3 and any(head == s.suffix for s in vocab().org_suffixes)


def _short_body(view: SentView, raw: str, start: int, title: str) -> Post | None:
    """国防部长: the body's last character is the title's first (国防部|部长)."""
    if title[0] not in _ONE_CHAR_BODY or title[1:] != "长" or raw.endswith(title[0]):
        return None
    head = _trim_head(view, raw, start)
    if not head or is_org_name(head) or not is_org_name(head + title[0]):
        return None
    return Post(title, head + title[0], frozenset(org_categories(head + title[0])))


def _body(view: SentView, raw: str, start: int) -> Post | None:
    """The body that ends where the title begins: the longest of an organization the
    sentence names (旷视科技|联合创始人) and the head with a body's suffix."""
    end = start + len(raw)
    found = [n for n in _orgs(view) if n.start >= start and _ends_at(view, n.end, end)
             and not _spans_clause(view, n.start, n.end)]
    head = _trim_head(view, raw, start)
    if head and (is_org_name(head) or _bare_unit(head)) and all(len(n.text) < len(head) for n in found):
        return Post("", head, frozenset(org_categories(head)))
    if not found:
        return None
    n = min(found, key=lambda n: n.start)
    return Post("", n.text, frozenset(org_categories(n.text) or n.categories))


def _orgs(view: SentView) -> list[Name]:
    """The sentence's organizations, and the tagger's ORG mentions no name covers (a brand
    right before a title: 某某资本|合伙人)."""
    names = view.names_of("organization")
    taken = [(n.start, n.end) for n in view.names]
    extra = [Name(s, e, view.text[s:e], "organization") for s, e, label in view.lac
             if label == "ORG" and e - s >= 2 and not any(a < e and s < b for a, b in taken)]
    return names + extra


def _spans_clause(view: SentView, start: int, end: int) -> bool:
    """A found name that runs over a person or a preposition that opens a clause (在人民大会堂同…);
    a name that is the tagger's whole "person" was already judged a body (李宁|创始人)."""
    return any(start <= s < end and ((pos == "PER" and (s, e) != (start, end))
                                     or (pos == "p" and view.text[s:e] in _CLAUSE_P))
               for s, e, pos in view.tokens)


_CLAUSE_P = {"同", "在", "向", "跟", "于", "从", "给"}


def _ends_at(view: SentView, name_end: int, end: int) -> bool:
    """A name ends at ``end``, or only its bracketed short form stands between (协会（IASP）)."""
    if name_end > end:
        return False
    gap = view.text[name_end:end]
    return gap == "" or bool(re.fullmatch(r"[（(][^（）()]{1,12}[)）]", gap))


_DOMAIN_POS = {"n", "nz", "vn", "v", "a", "an", "nw"}


def _domain(view: SentView, raw: str, start: int) -> Post | None:
    """A short field between the body and the title (…事业群智能驾驶副总裁): it is part of the title."""
    end = start + len(raw)
    for n in view.names_of("organization"):
        if start <= n.start and end - 6 <= n.end < end - 1:
            toks = [pos for s, e, pos in view.tokens if n.end <= s < end]
            if view.is_token_end(n.end) and len(toks) >= 2 and all(p in _DOMAIN_POS for p in toks):
                return Post(view.text[n.end:end], n.text, frozenset(org_categories(n.text) or n.categories))
    return None


def _trim_head(view: SentView, head: str, seg_start: int) -> str:
    """Cut what comes before the body's name: verbs, prepositions, the subject of the clause."""
    cut = 0
    for s, e, pos in view.tokens:
        if seg_start <= s < seg_start + len(head) and pos in _TRIM_POS:
            cut = max(cut, min(e, seg_start + len(head)) - seg_start)
    return head[cut:]


def _has_pos(view: SentView, start: int, length: int, tags: set[str]) -> bool:
    return any(start <= s < start + length and pos in tags for s, _, pos in view.tokens)


def split_joined(view: SentView, seg: str, seg_start: int) -> list[Post]:
    """Titles joined by 兼 in one phrase; a title without a body takes the one before it
    (海尔集团董事长兼总裁); none when a part is not a post."""
    parts, pos = [], 0
    for m in re.finditer("兼任?", seg):
        parts.append((seg[pos:m.start()], seg_start + pos))
        pos = m.end()
    parts.append((seg[pos:], seg_start + pos))
    posts = [split_post(view, p, s) for p, s in parts]
    if any(p is None for p in posts):
        return [] if len(parts) == 1 else _last_only(view, parts)
    return inherit(posts, joined=True)


def _last_only(view: SentView, parts: list[tuple[str, int]]) -> list[Post]:
    """"兼" that does not join titles: only the phrase next to the name counts."""
    post = split_post(view, *parts[-1])
    return [post] if post else []


def inherit(posts: list[Post], joined: bool = False) -> list[Post]:
    """Posts in text order; a bare title after a body's title is in that body when the body
    is a company, a university, an institute or a medium (旷视科技联合创始人、首席执行官),
    or when 兼 joins them; never a title that names its own government (市委副书记、市长)."""
    out: list[Post] = []
    for p in posts:
        prev = out[-1] if out else None
        if prev is not None and p.org is None and prev.org and not joined:
            prev = _host(prev)  # X集团党委书记、董事长: the 董事长 is the 集团's
        if p.org is None and prev is not None and prev.org and not OWN_BODY.search(p.title) \
                and (joined or _shares_body(prev.categories)):
            p = p._replace(org=prev.org, categories=prev.categories)
        elif p.org is None and prev is not None and prev.org and (host := headed(prev.org, p.title)):
            p = p._replace(org=host, categories=frozenset(org_categories(host)))  # X局党组书记、局长
        elif p.org is None and prev is not None and prev.lead and not p.lead and not OWN_BODY.search(p.title):
            p = p._replace(title=prev.lead + p.title, lead=prev.lead)  # 星河智能联合创始人、首席执行官
        out.append(p)
    return out


_PARTY_UNIT = re.compile(r"(?:党委|党组|党总支|党支部)$")


def _host(post: Post) -> Post:
    """The body a party committee sits in (某某集团党委 -> 某某集团), when it is one that shares titles."""
    host = _PARTY_UNIT.sub("", post.org or "")
    if host == post.org or not is_org_name(host):
        return post
    cats = frozenset(org_categories(host))
    return post._replace(org=host, categories=cats) if cats and _shares_body(cats) else post


#: a head's title and the suffix of the body it heads: 局长 heads a …局, 校长 a …大学
_HEADS = {"局长": ("局",), "厅长": ("厅",), "部长": ("部",), "署长": ("署",), "处长": ("处",),
          "院长": ("院",), "校长": ("大学", "学院", "学校"), "社长": ("社",), "行长": ("银行",),
          "主任": ("委员会", "办公室", "中心", "委"), "所长": ("所",), "台长": ("台",), "馆长": ("馆",)}


def headed(org: str, title: str) -> str | None:
    """The body a bare head's title belongs to after a post in that body's party unit or in
    the body itself: 某局党组书记、局长 → 某局; none when the suffix does not match."""
    core = re.sub(r"^(?:常务)?副", "", title)
    host = _PARTY_UNIT.sub("", org)
    if core not in _HEADS or not host.endswith(_HEADS[core]) or not is_org_name(host):
        return None
    return host


_CORPORATE = re.compile(r"(?:董事长|董事|总裁|总经理|首席\w{0,2}官|创始人|合伙人|行长|社长)$")


def title_categories(title: str) -> set[str]:
    """The category a title implies for its body: 董事长, 总裁, 创始人 are a company's."""
    return {"Company"} if _CORPORATE.search(title) else set()


def _shares_body(cats: frozenset[str]) -> bool:
    return not cats & {"GovernmentBody", "PartyBody", "Academy", "Committee"}
