"""Rewrite one shard's quads with the decisions of a kg.resolve.Resolution.

A quad that names nothing that changes in its document passes as it is (most quads). Else:
an entity takes its target IRI (a glued pair of names, both); its name stays the target's
label, becomes an alias (``skos:altLabel``) when the decision keeps it, or goes; a post or
event role takes its new IRI, its parts the targets, its label the targets' names; what a
``drop`` correction names, and the posts and roles of a dropped entity, go.
"""
from __future__ import annotations

from .ns import KG, ORG, RDFS, SKOS

__all__ = ["Rewriter"]

_LABELS = {str(RDFS.label), str(SKOS.prefLabel)}
_ALT, _HOLDS, _HELD, _RDFS_LABEL = str(SKOS.altLabel), str(ORG.holds), str(ORG.heldBy), str(RDFS.label)
_CASCADE = (_HELD, str(KG.agent), str(KG.event))


class Rewriter:
    def __init__(self, res, doc: str):
        from pyoxigraph import Literal, NamedNode, Quad

        self.res, self.doc = res, doc
        self.NamedNode, self.Literal, self.Quad = NamedNode, Literal, Quad
        self.dropped = set(res.dropped.get(None, ())) | set(res.dropped.get(doc, ()))
        self.targets, facts = res.in_document(doc)
        self.facts = {f: [(new, b) for new, b in options
                          if new not in self.dropped and not set(b.values()) & self.dropped]
                      for f, options in facts.items()}
        if self.dropped:  # a post or role whose holder, agent or event is dropped goes too
            for f, (_, parts) in res.corpus.facts.get(doc, {}).items():
                if any(parts.get(p) in self.dropped for p in _CASCADE):
                    self.dropped.add(f)
        self.changed = set(self.targets) | set(self.facts) | self.dropped
        self.alt, self.nodes = self.NamedNode(_ALT), {}

    def run(self, stream):
        changed, NamedNode = self.changed, self.NamedNode
        for q in stream:
            o = q.object
            if q.subject.value in changed or (type(o) is NamedNode and o.value in changed):
                yield from self.quad(q)
            else:
                yield q

    def node(self, iri: str):
        node = self.nodes.get(iri)
        if node is None:
            node = self.nodes[iri] = self.NamedNode(iri)
        return node

    def objects(self, o) -> list:
        if type(o) is not self.NamedNode:
            return [o]
        v = o.value
        if v in self.dropped:
            return []
        if v in self.facts:
            return [self.node(new) for new, _ in self.facts[v]]
        if v in self.targets:
            return [self.node(t) for t in self.targets[v] if t not in self.dropped]
        return [o]

    def quad(self, q):
        s, p, o, g = q.subject.value, q.predicate, q.object, q.graph_name
        pv = p.value
        if s in self.dropped:
            return
        if s in self.facts:
            yield from self._fact(s, p, o, g)
            return
        subjects = self.targets.get(s, (s,))
        if s in self.targets and pv in _LABELS | {_ALT}:
            yield from self._label(s, subjects, p, o, g)
            return
        if pv == _HOLDS and type(o) is self.NamedNode and o.value in self.facts:
            for new, b in self.facts[o.value]:
                if b.get(_HELD) in subjects:
                    yield self.Quad(self.node(b[_HELD]), p, self.node(new), g)
            return
        for t in subjects:
            if t in self.dropped:
                continue
            for obj in self.objects(o):
                yield self.Quad(self.node(t), p, obj, g)

    def _fact(self, f: str, p, o, g):
        pv = p.value
        for new, binding in self.facts[f]:
            if pv in binding:
                objs = [self.node(binding[pv])]
            elif pv == _RDFS_LABEL:
                objs = [self._fact_label(f, binding, o)]
            else:
                objs = self.objects(o)
            for obj in objs:
                yield self.Quad(self.node(new), p, obj, g)

    def _fact_label(self, f: str, binding: dict, o):
        _, parts = self.res.corpus.facts[self.doc][f]
        text = o.value
        for prop, new in binding.items():
            old = parts.get(prop)
            a, b = self.res.label(old), self.res.label(new)
            if old != new and a and b and a != b:
                text = text.replace(a, b)
        return self.Literal(text, language=o.language) if o.language else self.Literal(text)

    def _label(self, s: str, subjects, p, o, g):
        if len(subjects) != 1 or subjects[0] in self.dropped:
            return  # a glued pair of names is no one's name
        t = subjects[0]
        if o.value == self.res.label(t):
            if p.value != _ALT:
                yield self.Quad(self.node(t), p, o, g)
            return
        edge = self.res.first.get((s, self.doc))
        if p.value == _ALT or (edge is not None and edge.alias):
            yield self.Quad(self.node(t), self.alt, o, g)
