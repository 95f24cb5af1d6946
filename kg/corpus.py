"""What the resolution knows about the persons and bodies of a build, read from its shards.

``scan(shard_paths)`` reads each N-Quads shard once (pyoxigraph's parser, one shard at a time)
and keeps, per person or organization IRI and per document naming it, the sentences that name
it (of persons only: the rules read no body's), the posts it holds there (title, body) and
the document's date; per document, the posts and event roles (the facts whose IRI is made
from an entity's key). Memory grows with the entities and facts, not with the quads: evidence
nodes, articles, indicators and the other statements are read and forgotten shard by shard.
"""
from __future__ import annotations

import functools
import hashlib
import json
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
    digests: dict[str, str] = field(default_factory=dict)  # shard path (resolved) -> name:SHA-256
    summaries: dict[str, dict] = field(default_factory=dict, repr=False)  # name:SHA-256 -> summary

    _labels: dict = field(default_factory=dict, repr=False)
    _folders: dict = field(default_factory=dict, repr=False)

    def real(self, path) -> str:
        """The resolved path of a shard, as ``shards`` and ``digests`` know it (each folder
        resolved once: the shards of a build share one)."""
        path = Path(path)
        folder = self._folders.get(path.parent)
        if folder is None:
            folder = self._folders[path.parent] = path.parent.resolve()
        return str(folder / path.name)

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


def scan(shard_paths, cache: Path | None = None) -> Corpus:
    """The corpus of the shards; ``cache``: a summaries file (``write_summaries``) of an
    earlier scan, whose summary of a shard of the same name and bytes is used instead of
    reading the shard again."""
    corpus = Corpus()
    known = read_summaries(cache)
    for path in sorted(map(Path, shard_paths)):
        data = path.read_bytes()
        key = f"{path.name}:{hashlib.sha256(data).hexdigest()}"
        corpus.digests[corpus.real(path)] = key
        summary = known.get(key)
        if summary is None:
            summary = _summary(data, path)
        corpus.summaries[key] = summary
        _apply(summary, path, corpus)
    return corpus


# ------------------------------------------------------------------ summaries of shards
#
# What a shard gives the corpus, as JSON data: ``_summary`` reads a shard, ``_apply`` adds it
# to a corpus. A build keeps them (``write_summaries``, ``<generation>/resolved/corpus.json``)
# so that its re-run reads again only the shards whose bytes changed; the key of the file is
# SUMMARIES plus a hash of this module's source, so that a change of how shards are read
# makes every summary stale.

SUMMARIES = 1


@functools.cache
def _summaries_key() -> str:
    return f"{SUMMARIES}:{hashlib.sha256(Path(__file__).read_bytes()).hexdigest()}"


def read_summaries(path: Path | None) -> dict:
    """The summaries (key -> summary) of a file ``write_summaries`` wrote; {} when there is
    none, or of another key."""
    if path is None:
        return {}
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict) or found.get("key") != _summaries_key():
        return {}
    return found.get("shards") or {}


def write_summaries(corpus: Corpus, path: Path) -> None:
    """Keep the summaries of the shards of ``corpus`` for the next build's ``scan``."""
    from .store import write_atomic

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(Path(path), json.dumps({"key": _summaries_key(), "shards": corpus.summaries},
                                        ensure_ascii=False, separators=(",", ":")) + "\n")


def _summary(data: bytes, path: Path) -> dict:
    """What the shard ``data`` (N-Quads, from ``path``) says that the corpus keeps."""
    from pyoxigraph import RdfFormat, parse

    sh = _Shard()
    for q in parse(data, format=RdfFormat.N_QUADS):
        g = getattr(q.graph_name, "value", None)
        sh.add(q.subject.value, q.predicate.value, q.object, g)
    doc = doc_of(sh.graph, path)
    date = next((d for s, d in sorted(sh.dates.items()) if _SOURCE_DOC in sh.types[s]), None)
    facts = {}
    for f, parts in sh.parts.items():
        cls = next((c for c in sorted(sh.types[f]) if c in FACT_PARTS), None)
        if cls:
            facts[f] = [cls, dict(parts)]
    entities = []
    for s, types in sh.types.items():
        kind = next((KINDS[t] for t in sorted(types) if t in KINDS), None)
        if kind is None:
            continue
        sentences = []
        if kind == "person":  # the rules read the sentences of persons only (kg.resolve_rules)
            found = (sh.exact.get(e) for e in sh.derived[s])
            sentences = sorted({t for t in found if t is not None})
        entities.append([s, kind, sorted(sh.labels[s]), sorted(sh.alts[s]), sentences])
    held_by, post_in = str(ORG.heldBy), str(ORG.postIn)
    posts = []  # each person's posts in this document: (person, title, body IRI, body name)
    for f, (cls, parts) in facts.items():
        person = parts.get(held_by)
        if person is not None:
            org = parts.get(post_in)
            org_name = min(sh.labels[org]) if org and sh.labels.get(org) else None
            posts.append([person, sh.pref.get(parts.get(str(KG.postTitle), "")), org, org_name])
    return {"doc": doc, "date": date, "facts": facts, "entities": entities, "posts": posts}


def _apply(summary: dict, path: Path, corpus: Corpus) -> None:
    """Add what a shard says (its ``summary``) to ``corpus``."""
    doc = summary["doc"]
    corpus.shards[corpus.real(path)] = doc
    if summary["date"]:
        corpus.dates[doc] = summary["date"]
    facts = corpus.facts.setdefault(doc, {})
    for f, (cls, parts) in summary["facts"].items():
        facts[f] = (cls, dict(parts))
    texts: dict[str, str] = {}  # one str per sentence text of the shard, however many name it
    for s, kind, labels, aliases, sentences in summary["entities"]:
        known = corpus.entities.setdefault(s, Known(s, kind))
        known.labels.update(labels)
        known.aliases.update(aliases)
        seen = known.docs.setdefault(doc, Seen())
        seen.sentences.update(texts.setdefault(t, t) for t in sentences)
    for person, title, org, org_name in summary["posts"]:
        if person in corpus.entities and doc in corpus.entities[person].docs:
            corpus.entities[person].docs[doc].posts.add((title, org, org_name))


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
