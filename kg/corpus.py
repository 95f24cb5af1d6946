"""What the resolution knows about the persons and bodies of a build, read from its shards.

``scan(shard_paths)`` reads each N-Quads shard once (pyoxigraph's parser, one shard at a time)
and keeps, per person or organization IRI and per document naming it, the sentences that name
it (of persons only: the rules read no body's), the posts it holds there (title, body) and
the document's date; per document, the posts and event roles (the facts whose IRI is made
from an entity's key). Memory grows with the entities and facts, not with the quads: evidence
nodes, articles, indicators and the other statements are read and forgotten shard by shard.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .ns import DCTERMS, GRAPH, KG, OA, ORG, PROV, RDF, RDFS, SDO, SKOS

__all__ = ["Seen", "Known", "Corpus", "scan", "doc_of", "FACT_PARTS"]

KINDS = {str(SDO.Person): "person", str(ORG.Organization): "organization"}
#: per fact class: the single-valued properties its IRI is made from (kg.map.post, kg.map.role)
FACT_PARTS = {str(ORG.Post): (str(ORG.heldBy), str(KG.postTitle), str(ORG.postIn)),
              str(KG.EventRole): (str(KG.event), str(KG.agent), str(KG.role))}
_PARTS = {p for parts in FACT_PARTS.values() for p in parts}
_TYPE, _LABEL, _PREF, _ALT = str(RDF.type), str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel)
_EXACT, _DERIVED, _DATE = str(OA.exact), str(PROV.wasDerivedFrom), str(DCTERMS.date)
_SOURCE_DOC, _DOC_GRAPH = str(KG.SourceDocument), str(GRAPH["doc/"])


@dataclass
class Seen:
    """An entity as one document names it."""

    sentences: set[str] = field(default_factory=set)
    posts: set[tuple[str, str | None, str | None]] = field(default_factory=set)  # (title, org IRI, org name)


@dataclass
class Known:
    """A person or organization IRI of the shards and what the documents say of it."""

    iri: str
    kind: str
    labels: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    docs: dict[str, Seen] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return min(self.labels, key=lambda s: (len(s), s)) if self.labels else ""


@dataclass
class Corpus:
    entities: dict[str, Known] = field(default_factory=dict)
    #: doc -> fact IRI -> (fact class, {part property: IRI})
    facts: dict[str, dict[str, tuple[str, dict[str, str]]]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)  # doc -> its date (ISO)
    shards: dict[str, str] = field(default_factory=dict)  # shard path (resolved) -> doc

    _labels: dict = field(default_factory=dict, repr=False)

    def by_label(self, kind: str) -> dict[str, str]:
        """label -> IRI (the smallest IRI when several share a label); made once, after scan."""
        if kind not in self._labels:
            out: dict[str, str] = {}
            for iri in sorted(self.entities):
                k = self.entities[iri]
                if k.kind == kind:
                    for label in k.labels:
                        out.setdefault(label, iri)
            self._labels[kind] = out
        return self._labels[kind]


def doc_of(graph_iri: str | None, path: Path) -> str:
    """The document id of a shard: from its document graph, else the shard's file name."""
    if graph_iri and graph_iri.startswith(_DOC_GRAPH):
        return unquote(graph_iri[len(_DOC_GRAPH):])
    return path.name[:-3] if path.name.endswith(".nq") else path.stem


def scan(shard_paths) -> Corpus:
    corpus = Corpus()
    for path in sorted(map(Path, shard_paths)):
        _scan_shard(path, corpus)
    return corpus


class _Shard:
    """What one shard says, kept until its entities are recorded."""

    def __init__(self):
        self.types = defaultdict(set)
        self.labels = defaultdict(set)
        self.pref: dict[str, str] = {}
        self.alts = defaultdict(set)
        self.exact: dict[str, str] = {}
        self.derived = defaultdict(set)
        self.parts = defaultdict(dict)
        self.dates: dict[str, str] = {}
        self.graph: str | None = None

    def add(self, s: str, p: str, o, g: str | None):
        if g and g.startswith(_DOC_GRAPH):
            self.graph = g
        if p == _TYPE:
            self.types[s].add(o.value)
        elif p == _LABEL:
            self.labels[s].add(o.value)
        elif p == _PREF:
            self.pref[s] = o.value
        elif p == _ALT:
            self.alts[s].add(o.value)
        elif p == _EXACT:
            self.exact[s] = o.value
        elif p == _DERIVED:
            self.derived[s].add(o.value)
        elif p in _PARTS:
            self.parts[s][p] = o.value
        elif p == _DATE:
            self.dates[s] = o.value


def _scan_shard(path: Path, corpus: Corpus) -> None:
    from pyoxigraph import RdfFormat, parse

    sh = _Shard()
    for q in parse(path=str(path), format=RdfFormat.N_QUADS):
        g = getattr(q.graph_name, "value", None)
        sh.add(q.subject.value, q.predicate.value, q.object, g)
    doc = doc_of(sh.graph, path)
    corpus.shards[str(path.resolve())] = doc
    date = next((d for s, d in sorted(sh.dates.items()) if _SOURCE_DOC in sh.types[s]), None)
    if date:
        corpus.dates[doc] = date
    facts = corpus.facts.setdefault(doc, {})
    for f, parts in sh.parts.items():
        cls = next((c for c in sorted(sh.types[f]) if c in FACT_PARTS), None)
        if cls:
            facts[f] = (cls, dict(parts))
    texts: dict[str, str] = {}  # one str per sentence text of the shard, however many name it
    for s, types in sh.types.items():
        kind = next((KINDS[t] for t in sorted(types) if t in KINDS), None)
        if kind is None:
            continue
        known = corpus.entities.setdefault(s, Known(s, kind))
        known.labels |= sh.labels[s]
        known.aliases |= sh.alts[s]
        seen = known.docs.setdefault(doc, Seen())
        if kind == "person":  # the rules read the sentences of persons only (kg.resolve_rules)
            found = (sh.exact.get(e) for e in sh.derived[s])
            seen.sentences |= {texts.setdefault(t, t) for t in found if t is not None}
    _record_posts(sh, doc, facts, corpus)


def _record_posts(sh: _Shard, doc: str, facts: dict, corpus: Corpus) -> None:
    """Each person's posts in this document: (title, body IRI, body name)."""
    held_by, post_in = str(ORG.heldBy), str(ORG.postIn)
    for f, (cls, parts) in facts.items():
        person = parts.get(held_by)
        if person in corpus.entities and doc in corpus.entities[person].docs:
            org = parts.get(post_in)
            org_name = min(sh.labels[org]) if org and sh.labels.get(org) else None
            title = sh.pref.get(parts.get(str(KG.postTitle), ""))
            corpus.entities[person].docs[doc].posts.add((title, org, org_name))
