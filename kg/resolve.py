"""Resolve: one IRI per real person or body across the documents of a build.

Each document is built alone (kg.link mints IRIs from a normalized name), so the same name is
one IRI everywhere, and a name the tagger cut or glued (某某 of 丁某某, 某某强 of "某某强调") is
another. Between the per-document shards and the store, the build calls

    resolution = resolve(shard_paths, corrections=kg.corrections.find(sources))
    quads = resolved_quads(shard_paths, resolution, nquads=metadata)   # as kg.store.read_quads

``resolve`` reads the shards once (kg.corpus: memory grows with entities, not quads; a re-run
reads only those whose bytes changed, the others' summaries kept by the build before), lets
the rules of kg.resolve_rules propose merges, applies the researchers' corrections
(kg.corrections: ``same`` merges, ``distinct`` keeps apart or splits, ``drop`` removes a fact),
splits homonyms, and ``Resolution.quads(shard)`` streams each shard's quads rewritten:

- a merged entity takes the target's IRI; a variant's name becomes ``skos:altLabel`` when it is
  a real name (a short form, an alias, a correction), and is dropped when it was a tagger's cut;
- posts and event roles, whose IRIs are made from their person and body, take the IRI of the
  fact they now equal (the same post of the same person), else one minted from their parts;
- the corrections graph (``Resolution.extra_quads``) records each applied entry with its
  author and date; ``Resolution.report()`` (resolution.json) says for every merge and split
  which rule made it, why, and in which documents.

Deterministic: rules iterate in sorted order and new IRIs are minted from names, places and
document ids, so the same shards give the same IRIs whatever their order or the hash seed.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain, product
from pathlib import Path

from . import corrections as corr
from .corpus import FACT_PARTS, Corpus, scan
from .document import key_of
from .ns import ORG
from .resolve_rules import LOCAL_FORMS, Edge, homonym_groups, org_edges, person_edges, region

__all__ = ["resolve", "Resolution", "resolved_quads"]

_KIND_OF_FACT = {str(ORG.Post): "post"}


def _mint(kind: str, key: str) -> str:
    from .map import mint

    return str(mint(kind, key))


def resolve(shard_paths, corrections=None, summaries: Path | None = None) -> Resolution:
    """Decide the entities of ``shard_paths``; ``corrections``: a corrections file, a list of
    kg.corrections.Correction, or None; ``summaries``: a file of the shards' summaries an
    earlier build kept (kg.corpus.write_summaries), which spares reading the unchanged ones."""
    if isinstance(corrections, (str, Path)):
        corrections = corr.load(corrections)
    res = Resolution(scan(shard_paths, summaries), list(corrections or []))
    res.decide()
    return res


def resolved_quads(shard_paths, resolution: Resolution, nquads: bytes = b"") -> list:
    """The distinct resolved quads of the shards, of ``nquads`` and of the corrections graph, in
    first-seen order: what kg.store.read_quads gives for unresolved shards."""
    from pyoxigraph import RdfFormat, parse

    parts = [resolution.quads(p) for p in shard_paths]
    if nquads:
        parts.append(parse(nquads, format=RdfFormat.N_QUADS))
    parts.append(resolution.extra_quads())
    return list(dict.fromkeys(chain.from_iterable(parts)))


@dataclass
class Resolution:
    corpus: Corpus
    corrections: list = field(default_factory=list)
    #: (entity IRI, doc) -> target IRIs, for the mentions that change
    targets: dict = field(default_factory=dict)
    first: dict = field(default_factory=dict)  # (IRI, doc) -> the Edge that moved it
    facts: dict = field(default_factory=dict)  # (fact IRI, doc) -> [(new IRI, {part: IRI})]
    labels: dict = field(default_factory=dict)  # minted IRI -> label
    dropped: dict = field(default_factory=lambda: defaultdict(set))  # doc or None -> IRIs
    splits: list = field(default_factory=list)
    applied: list = field(default_factory=list)  # (Correction, IRIs, note)

    # ------------------------------------------------------------ deciding
    def decide(self) -> None:
        self.doc_edges, self.global_edges, self.fixed, self.pinned = {}, {}, {}, set()
        auto = person_edges(self.corpus) + org_edges(self.corpus)
        for e in sorted(auto, key=lambda e: (e.doc is None, e.src, e.doc or "", e.rule)):
            self._edge(e)
        corr.apply_before(self)
        for iri, k in sorted(self.corpus.entities.items()):
            for doc in sorted(k.docs):
                t = self._follow(iri, doc, ())
                if t != (iri,):
                    self.targets[(iri, doc)] = t
        self._local_bodies()
        self._homonyms()
        corr.apply_after(self)
        self._rekey_facts()

    def _edge(self, e: Edge) -> None:
        table, key = (self.doc_edges, (e.src, e.doc)) if e.doc else (self.global_edges, e.src)
        table.setdefault(key, e)

    def edge(self, iri: str, doc: str) -> Edge | None:
        """The edge that moves ``iri`` in ``doc``: a correction's, else none when a correction
        pinned it, else the rules' (one for this document before one for all)."""
        fixed = self.fixed.get((iri, doc)) or self.fixed.get((iri, None))
        if fixed or (iri, doc) in self.pinned or (iri, None) in self.pinned:
            return fixed
        return self.doc_edges.get((iri, doc)) or self.global_edges.get(iri)

    def _follow(self, iri: str, doc: str, seen: tuple) -> tuple[str, ...]:
        e = self.edge(iri, doc)
        if e is None or any(d in seen or d == iri for d in e.dst) or len(seen) > 8:
            return (iri,)
        if not seen:
            self.first[(iri, doc)] = e
        out = chain.from_iterable(self._follow(d, doc, seen + (iri,)) for d in e.dst)
        return tuple(dict.fromkeys(out))

    def target(self, iri: str, doc: str) -> tuple[str, ...]:
        return self.targets.get((iri, doc), (iri,))

    def in_document(self, doc: str) -> tuple[dict, dict]:
        """The targets ({IRI: targets}) and new facts ({fact: options}) of one document."""
        if not hasattr(self, "_by_doc"):
            self._by_doc = defaultdict(lambda: ({}, {}))
            for (iri, d), t in self.targets.items():
                self._by_doc[d][0][iri] = t
            for (f, d), options in self.facts.items():
                self._by_doc[d][1][f] = options
        return self._by_doc.get(doc, ({}, {}))

    def label(self, iri: str) -> str:
        k = self.corpus.entities.get(iri)
        return k.label if k else self.labels.get(iri, "")

    def _local_bodies(self) -> None:
        """省委, 市政府 that kg.link could not spell out: a body of that document alone."""
        for iri, k in sorted(self.corpus.entities.items()):
            if k.kind == "organization" and k.label in LOCAL_FORMS:
                for doc in sorted(k.docs):
                    if self.target(iri, doc) == (iri,):
                        self.split(iri, doc, f"{key_of(k.label)}|{doc}", "local",
                                   f"{k.label} is spelled out by its document's home only")

    def split(self, iri: str, doc: str, key: str, rule: str, reason: str) -> str:
        kind = self.corpus.entities[iri].kind if iri in self.corpus.entities else "person"
        new = _mint(kind, key)
        self.labels[new] = self.label(iri)
        own = [] if (iri, doc) in self.targets else [((iri, doc), (iri,))]
        for (src, d), t in list(self.targets.items()) + own:
            if d == doc and t == (iri,):
                self.targets[(src, d)] = (new,)
                self.first.setdefault((src, d), Edge(src, (new,), doc, rule, reason))
        return new

    def _homonyms(self) -> None:
        regions, orgs = defaultdict(lambda: defaultdict(set)), defaultdict(lambda: defaultdict(set))
        for iri, k in sorted(self.corpus.entities.items()):
            if k.kind != "person":
                continue
            for doc, seen in k.docs.items():
                t = self.target(iri, doc)
                if len(t) == 1:
                    found = {region(name) for _, _, name in seen.posts} - {None}
                    if found:
                        regions[t[0]][doc] |= found
                        orgs[t[0]][doc] |= {o for _, o, _ in seen.posts if o}
        for t in sorted(regions):
            places = sorted(set().union(*regions[t].values()))
            if len(places) < 2:
                continue
            groups = homonym_groups(regions[t], orgs[t], self.corpus.dates)
            self.splits.append({"name": self.label(t), "iri": t, "split": bool(groups), "groups": [
                {"regions": list(r), "documents": sorted(d)} for r, d in groups] or [
                {"regions": places, "documents": sorted(regions[t])}]})
            for places, docs in groups[1:]:
                for doc in sorted(docs):
                    self.split(t, doc, f"{key_of(self.label(t))}|{'+'.join(places)}", "homonym",
                               f"posts in {'、'.join(places)}, none shared with {'、'.join(groups[0][0])}")

    def _rekey_facts(self) -> None:
        natural, changed = {}, []
        for doc in sorted(self.corpus.facts):
            for f, (cls, parts) in sorted(self.corpus.facts[doc].items()):
                names = [p for p in FACT_PARTS[cls] if p in parts]
                options = [self.target(parts[p], doc) for p in names]
                if all(o == (parts[p],) for p, o in zip(names, options)):
                    sig = (cls, tuple((p, parts[p]) for p in names))
                    natural[sig] = min(natural.get(sig, f), f)
                else:
                    changed.append((doc, f, cls, names, options))
        for doc, f, cls, names, options in changed:
            out = []
            for combo in product(*options):
                sig = (cls, tuple(zip(names, combo)))
                new = natural.get(sig) or _mint(_KIND_OF_FACT.get(cls, "role"), "resolved|" + json.dumps(sig))
                out.append((new, dict(zip(names, combo))))
            self.facts[(f, doc)] = out

    # ------------------------------------------------------------ rewriting
    def quads(self, shard_path):
        """The quads of one shard, rewritten (an iterator of pyoxigraph Quads)."""
        from pyoxigraph import RdfFormat, parse

        from .rewrite import Rewriter

        path = Path(shard_path)
        doc = self.corpus.shards.get(self.corpus.real(path))
        stream = parse(path=str(path), format=RdfFormat.N_QUADS)
        if doc is None:  # a shard resolve() did not read: nothing is known to change in it
            return stream
        return Rewriter(self, doc).run(stream)

    def extra_quads(self) -> list:
        """The corrections graph (kg.corrections.provenance_quads) of the applied entries."""
        return corr.provenance_quads([(c, iris) for c, iris, _ in self.applied if iris])

    def report(self) -> dict:
        from .resolve_report import report

        return report(self)

    def write_report(self, path) -> Path:
        from .store import write_atomic

        text = json.dumps(self.report(), ensure_ascii=False, indent=1, sort_keys=False) + "\n"
        return write_atomic(Path(path), text)
