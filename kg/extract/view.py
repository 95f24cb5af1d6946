"""A sentence seen in its own (local) coordinates, with the names found in it.

Backends give tokens and mentions in document offsets; rules are easier to write over
the sentence's NLP text (``Sentence.text``), so ``SentView`` converts them to local
indices once and converts results back with ``Sentence.doc_span``.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from kg.document import Sentence, Span
from kg.vocab import strip_paren, vocab

#: POS tags that may stand inside an organization or event name (LAC tag set).
NAME_POS = {"n", "nz", "nw", "ns", "nt", "LOC", "ORG", "vn", "a", "an", "m", "f", "s", "j", "nr"}
PUNCT_IN_NAME = set("()（）·-“”《》\"+")
_DURATION = re.compile(r"^[一二三四五六七八九十两]{1,2}年$")
_YEAR_TOKEN = re.compile(r"^(?:19|20)\d{2}年?度?$")
SEPARATORS = "、，,；;：:。！？!?"


@dataclass
class Name:
    start: int  # local
    end: int
    text: str
    kind: str  # person | organization | place
    categories: set[str] = field(default_factory=set)


@dataclass
class SentView:
    sent: Sentence
    text: str
    tokens: list[tuple[int, int, str]]  # local (start, end, pos)
    lac: list[tuple[int, int, str]]  # local mentions (start, end, LABEL): backend, recognizer, lexicon
    names: list[Name] = field(default_factory=list)
    #: (start, end) -> organization category the entity recognizer gave a mention (Company, ...)
    categories: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (start, end, LABEL) -> what produced the mention ("lac", "ner", "lexicon", ...)
    sources: dict[tuple[int, int, str], str] = field(default_factory=dict)
    #: the article's bodies so far by the last two or three characters of their names (学会 ->
    #: the first 某某学会 it names): what a bare kind before a title refers back to (学会理事长)
    bodies_by_tail: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, sent: Sentence) -> "SentView":
        if sent.offsets is None:
            def loc(o: int) -> int:
                return o - sent.start
            def loc_end(o: int) -> int:
                return o - sent.start
        else:
            inv = {o: i for i, o in enumerate(sent.offsets)}

            def loc(o: int) -> int:
                return inv.get(o, 0)

            def loc_end(o: int) -> int:
                return inv.get(o - 1, -1) + 1
        toks = [(loc(t.start), loc_end(t.end), t.pos) for t in sent.tokens]
        ments = [(loc(m.start), loc_end(m.end), m.label) for m in sent.mentions]
        cats = {(loc(m.start), loc_end(m.end)): m.category for m in sent.mentions if m.category}
        srcs = {(loc(m.start), loc_end(m.end), m.label): m.source for m in sent.mentions}
        return cls(sent, sent.text, toks, ments, categories=cats, sources=srcs)

    # -------------------------------------------------------------- helpers
    def span(self, i: int, j: int) -> Span:
        return self.sent.doc_span(i, j)

    @property
    def evidence(self) -> Span:
        return self.sent.span

    def token_at(self, i: int) -> int | None:
        """Index of the token covering local position ``i`` (tokens are in text order)."""
        k = bisect.bisect_right(self._starts, i) - 1
        if k >= 0 and i < self.tokens[k][1]:
            return k
        return None

    def is_token_end(self, i: int) -> bool:
        return i in self._ends or i >= len(self.text)

    def local_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Local range of the document span [start, end); None when it leaves the sentence."""
        if self.sent.offsets is None:
            return start - self.sent.start, end - self.sent.start
        if start not in self._inverse or end - 1 not in self._inverse:
            return None
        return self._inverse[start], self._inverse[end - 1] + 1

    @functools.cached_property
    def _inverse(self) -> dict[int, int]:
        return {o: i for i, o in enumerate(self.sent.offsets or ())}

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [s for s, _, _ in self.tokens]

    @functools.cached_property
    def _ends(self) -> set[int]:
        return {e for _, e, _ in self.tokens}

    def names_of(self, kind: str) -> list[Name]:
        return [n for n in self.names if n.kind == kind]

    def name_at(self, i: int, j: int, kind: str | None = None) -> Name | None:
        for n in self.names:
            if n.start == i and n.end == j and (kind is None or n.kind == kind):
                return n
        return None

    def inside_name(self, i: int, j: int, kinds=("organization", "event", "initiative")) -> bool:
        return any(n.start <= i and j <= n.end and (n.start, n.end) != (i, j) and n.kind in kinds
                   for n in self.names)

    def expand_left(self, end_tok: int, *, allow=NAME_POS, allow_quotes=True, years=False,
                    nouns_before_quote=False) -> int:
        """Walk left from token ``end_tok`` over name-like tokens; return the local start.

        A closing quote takes the whole quotation with it ("“揭榜挂帅”擂台赛"); with
        ``years`` a leading year token is part of the name ("2025年世界城市日…活动").
        """
        start = self.tokens[end_tok][0]
        k = end_tok - 1
        while k >= 0:
            s, e, pos = self.tokens[k]
            word = self.text[s:e]
            if nouns_before_quote and start < len(self.text) and self.text[start] == "“":
                allow = allow & {"n", "nz", "nw", "LOC", "ORG", "j"}  # 创新“…”模式: 创新 is a verb here
            if allow_quotes and word.endswith("”"):
                q = self.text.rfind("“", 0, e - 1)
                if q >= 0 and e - q <= 24 and "”" not in self.text[q:e - 1]:
                    start = q
                    while k >= 0 and self.tokens[k][0] > q:
                        k -= 1
                    if k >= 0 and self.tokens[k][0] == q:
                        k -= 1
                    continue
            if pos == "TIME" and _DURATION.match(word):
                start = s  # 三年行动计划: a span of years belongs to the name
                k -= 1
                continue
            if years and pos in ("TIME", "m") and _YEAR_TOKEN.match(word):
                start = s
                k -= 1
                continue
            if pos in allow or (pos == "w" and all(c in PUNCT_IN_NAME for c in word)):
                if pos == "w" and word in "“《" and not allow_quotes:
                    break
                start = s
                k -= 1
                continue
            break
        # never start on a closing bracket or an unbalanced opening quote
        while start < len(self.text) and self.text[start] in ")）”》-—·+":
            start += 1
        return start


def balanced(name: str) -> bool:
    for o, c in ("()", "（）", "“”", "《》"):
        if name.count(o) != name.count(c):
            return False
    return True


def clean_name(name: str) -> str:
    name = name.strip(" \t\u3000" + SEPARATORS)
    while name and not balanced(name):
        if name[0] in "(（“《":
            name = name[1:]
        elif name[-1] in ")）”》":
            name = name[:-1]
        else:
            break
    return name


def org_categories(name: str, parent: str | None = None) -> set[str]:
    """Categories from the name's suffix, the table of short forms and leading words;
    a body inside a university is a university research unit, a centre inside a company is
    part of the company (国家电网有限公司大数据中心)."""
    cats = _categories(name)
    if parent and "University" in _categories(parent) and cats & {"Academy", "ResearchInstitute", "University"}:
        cats = {"University", "ResearchInstitute"}
    elif parent and "Company" in _categories(parent) and cats <= {"ResearchInstitute"}:
        cats = {"Company"}
    return cats


def _categories(name: str) -> set[str]:
    v = vocab()
    core = strip_paren(name)
    if core in v.bodies:
        return set(v.bodies[core][1])
    cats: set[str] = set()
    suf = v.org_suffix(name)
    if suf and suf.of_body:  # 教育部|高等教育司: the unit of a body is of the body's kind
        return _categories(v.parent_body(core[:-len(suf.suffix)]))
    if suf:
        cats |= set(suf.categories)
    for w, c in v.org_words.items():
        if name.startswith(w):  # 中共…局 is a party body, 国际…委员会 no government
            cats = set(c) | (cats - {"GovernmentBody"} if c & {"InternationalOrganization", "PartyBody"} else cats)
    if (not cats or core.endswith("数据中心")) and _LOCAL_BODY.match(core):
        cats = {"GovernmentBody"}  # 成都市城市运行管理中心: a local public body named after its city
    if cats == {"Committee"} and suf and suf.suffix == "委员会" and _STATE_LEAD.match(core):
        cats.add("GovernmentBody")  # 某市发展和改革委员会: a committee of the state
    if not cats and _NEWS_SITE.fullmatch(core):
        cats = {"Media"}  # 人民网, 央视网: a news site named by its short name
    return cats


_LOCAL_BODY = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:省|市|区|县)(?!民|场|级|域|委)[\u4e00-\u9fff]{2,}(?:中心|办公室|指挥部|专班)$")
_STATE_LEAD = re.compile(r"(?:国家|全国|中央|国务院|中华人民共和国)|[\u4e00-\u9fff]{1,6}?(?:省|市|区|县|州|自治区|特别行政区)(?!场|级|域)")
_NEWS_SITE = re.compile(r"[\u4e00-\u9fff]{2,3}网(?<!电网)(?<!联网)(?<!管网)(?<!路网)(?<!专网)(?<!光网)(?<!监管网)")


#: what stands before a one-character suffix used as a measure word or pointed at (四部, 若干部, 该局)
#: (a numbered division keeps its name: …招商三处)
_COUNTED = re.compile(r"(?:^|[和与及、])(?:其中)?(?:[\d一二三四五六七八九十百千两几多每各该此本其]|若干)+$")


def is_org_name(name: str) -> bool:
    v = vocab()
    core = strip_paren(name)
    if core in v.bodies:
        return True
    suf = v.org_suffix(name)
    if not suf or len(core) - len(suf.suffix) < 2 or re.search(r"[，,。；、“”]|^[\d一]", name):
        return False
    if any(core.endswith(w) for w in v.not_org):
        return False
    if _COUNTED.search(core[:len(core) - len(suf.suffix)]) and len(suf.suffix) == 1:
        return False  # a measure word after a number or a pronoun: 四部法律, 若干部, 该部
    title = v.title_suffix(core)
    return not (title and len(title) > len(suf.suffix))
