"""The one data object that flows through the pipeline.

    read -> Document(text, articles, sentences)
    annotate -> Sentence.tokens, Sentence.mentions
    extract -> Document.facts (typed facts naming entities by surface name)
    link -> Document.entities (canonical entities), facts rewritten to canonical names
    map -> RDF (kg.map is the only module that knows RDF)

Every offset anywhere (Span, Token, Mention, Sentence, Article) counts code points
into ``Document.text``, the original decoded text of the source file.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Literal

#: Mention labels printed by ``kg annotate`` (see CONTRACT.md).
LABELS = ("PERSON", "ORG", "PLACE", "TIME", "POST", "INITIATIVE", "EVENT", "AGREEMENT", "NUMBER")

#: Kinds of canonical entities.
EntityKind = Literal["person", "organization", "place", "initiative", "event"]

#: Roles an agent can take in an event (CONTRACT.md, event-roles.rq).
Role = Literal["chair", "speaker", "attendee", "signatory", "organizer"]


@dataclass(frozen=True, order=True)
class Span:
    """A half-open range [start, end) of code points in ``Document.text``."""

    start: int
    end: int


@dataclass
class Token:
    start: int
    end: int
    text: str
    pos: str  # backend POS tag (LAC tag set: n, v, nz, PER, LOC, ORG, TIME, m, q, w, ...)


@dataclass
class Mention:
    start: int
    end: int
    text: str
    label: str  # one of LABELS
    source: str = ""  # which backend or rule produced it ("lac", "ner", "lexicon", "rule:post", ...;
    # "lac-only": the backend's, where the entity recognizer ran and found nothing there)
    category: str = ""  # ORG from the entity recognizer: Company, GovernmentBody ("" when unknown)


@dataclass
class Sentence:
    """A sentence of an article.

    ``text`` is what NLP backends see: the original slice with layout breaks inside a
    paragraph removed ("上线\\n\\n运行" -> "上线运行"). ``offsets[i]`` is the position in
    ``Document.text`` of ``text[i]``; it is ``None`` when ``text`` equals the original slice
    (then position i is ``start + i``).
    """

    start: int
    end: int
    text: str
    offsets: list[int] | None = None
    tokens: list[Token] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    #: semantic-role frames from backends that give them (HanLP):
    #: [{"predicate": (start, end), "ARG0": (start, end), ...}] in document offsets
    srl: list[dict] = field(default_factory=list)

    def doc_offset(self, i: int) -> int:
        """Document offset of local index ``i`` (``i == len(text)`` gives ``end``)."""
        if self.offsets is None:
            return self.start + i
        if i >= len(self.offsets):
            return self.end
        return self.offsets[i]

    def doc_span(self, i: int, j: int) -> Span:
        """Document span of local range [i, j)."""
        if j <= i:
            return Span(self.doc_offset(i), self.doc_offset(i))
        return Span(self.doc_offset(i), self.doc_offset(j - 1) + 1)

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass
class Article:
    """One news article; a file may hold several (closed by a reporter's byline)."""

    start: int
    end: int
    title: str = ""
    media: str = ""
    reporter: str = ""
    date: _dt.date | None = None
    title_span: Span | None = None
    byline_span: Span | None = None
    sentences: list[Sentence] = field(default_factory=list)


# ------------------------------------------------------------------ facts
# Facts name entities by their surface name; kg.link rewrites the names to canonical
# names and fills Document.entities. Each fact carries the span of the sentence that
# states it (its evidence).


@dataclass
class EntityFact:
    """An entity mentioned in a sentence, with what that sentence says of it."""

    kind: EntityKind
    name: str
    evidence: Span
    #: organization categories (GovernmentBody, PartyBody, University, Company,
    #: ResearchInstitute, Media, InternationalOrganization, Academy, Committee);
    #: event types (Meeting, Forum, Ceremony, Conference, Campaign, Activity);
    #: initiative kinds (System, Platform, Centre, Project, Mode, Mechanism, Action,
    #: List, DemonstrationZone, Pilot, Strategy, Programme)
    categories: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    part_of: str | None = None  # name of a containing entity of the same kind
    date: str | None = None  # events: "2025-10-29" or "--10-29" when the year is unknown
    place: str | None = None  # events: name of a place entity
    count: int | None = None  # initiatives named with a number: the stated count (六大 -> 6)
    components: list[str] = field(default_factory=list)  # initiatives: named parts, in order
    also_place: bool = False  # organizations that are also places (两江新区)


@dataclass
class PostFact:
    """A person holds a post: title (书记, 副校长) in an organization (may be unknown)."""

    person: str
    title: str
    org: str | None
    evidence: Span


@dataclass
class RoleFact:
    """An agent (person or organization) took a role in an event."""

    event: str
    agent: str
    agent_kind: EntityKind
    role: Role
    evidence: Span


@dataclass
class AgreementFact:
    """An agreement signed by two or more parties."""

    type: str  # 合作协议, 战略合作协议, 合作备忘录, ...
    parties: list[str]
    evidence: Span
    title: str = ""  # the quoted title when the text gives one ("…"合作协议)
    date: str | None = None
    event: str | None = None  # name of the event where it was signed


@dataclass
class IndicatorFact:
    """A number the text states, with its unit and what it counts."""

    value: float  # scale folded in: 500万元 -> 5000000, unit 元
    unit: str
    label: str  # what is counted (高校, 一级指标, 奖金总额)
    evidence: Span
    surface: str = ""  # the text as written ("超500万元")
    approx: str | None = None  # "more-than" (余/超/逾/多), "at-least" (以上), "about" (约/近), None when exact
    subject: str | None = None  # name of the entity the number is about, when known
    subject_kind: EntityKind | None = None
    target_year: int | None = None  # a target set for this year ("到2025年，建成…")


@dataclass
class Facts:
    entities: list[EntityFact] = field(default_factory=list)
    posts: list[PostFact] = field(default_factory=list)
    roles: list[RoleFact] = field(default_factory=list)
    agreements: list[AgreementFact] = field(default_factory=list)
    indicators: list[IndicatorFact] = field(default_factory=list)


@dataclass
class Entity:
    """A canonical entity after linking (one per real-world thing in a document)."""

    kind: EntityKind
    key: str  # normalized canonical key; IRIs are minted from (kind, key)
    name: str  # canonical name, the zh label
    aliases: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    part_of: str | None = None  # key of the containing entity (same kind)
    evidence: list[Span] = field(default_factory=list)
    date: str | None = None
    place: str | None = None  # key of a place entity
    count: int | None = None
    components: list[str] = field(default_factory=list)  # keys of component initiatives
    also_place: bool = False


@dataclass
class Document:
    """One source file."""

    path: str  # as given by the user (for messages)
    id: str  # stable identifier: the file name without directories
    text: str  # the original decoded text; every offset refers to it
    encoding: str = "utf-8"
    meta: dict = field(default_factory=dict)  # front matter: title, date, source, media
    date: _dt.date | None = None  # the document's date (front matter or stated)
    articles: list[Article] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    entities: dict[tuple[str, str], Entity] = field(default_factory=dict)  # (kind, key) -> Entity
    #: what produced the annotations: {"backend": "lac", "version": "0.1.0", ...}
    provenance: dict = field(default_factory=dict)
    #: problems that did not stop the build ("empty file", "undecodable byte at offset 120")
    warnings: list[str] = field(default_factory=list)

    @property
    def sentences(self):
        for a in self.articles:
            yield from a.sentences

    def quote(self, span: Span) -> str:
        return self.text[span.start:span.end]

    def sentence_at(self, offset: int) -> Sentence | None:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None


_QUOTES = "“”\"'‘’「」『』《》〈〉"
_DROP = {ord(c): None for c in _QUOTES + " \t\r\n\u3000·•・"}


def key_of(name: str) -> str:
    """Normalized key of a name: NFKC, no quotes, spaces or middle dots, lower case.

    kg.link keys canonical entities with it, and kg.map mints IRIs from (kind, key),
    so the same name gives the same IRI in every build.
    """
    import unicodedata

    return unicodedata.normalize("NFKC", name).translate(_DROP).lower()
