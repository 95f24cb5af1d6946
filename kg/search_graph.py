"""What the full-text index (kg.search) reads from a build's store: named entities and
evidence sentences, as plain dicts.

Each predicate is read once with a SPARQL SELECT over the union of the named graphs (about
twice as fast as iterating quads in Python on a year of news); statements that several
documents repeat are kept once. Nothing here knows SQLite.
"""
from __future__ import annotations

from collections import defaultdict


def _name_predicates():
    from .ns import DCTERMS, RDFS, SDO, SKOS

    # in the order a display name is chosen
    return (SKOS.prefLabel, RDFS.label, SDO.name, DCTERMS.title, SDO.headline, SKOS.altLabel)


class GraphReader:
    """Reads a pyoxigraph Store; ``entities()`` and ``sentences()`` share what both need."""

    def __init__(self, store, subjects=None):
        """``subjects`` (IRIs): read only the statements about these (kg.search.update_index)."""
        from pyoxigraph import Literal, NamedNode

        self.store, self._literal, self._iri = store, Literal, NamedNode
        self._read: dict = {}
        self.subjects = None if subjects is None else sorted(set(subjects))

    def pairs(self, predicate, skip_objects=()) -> dict:
        """{subject IRI: [object term, …]}: distinct, in the order of their N-Triples text (not
        the store's: an on-disk and an in-memory store of the same quads give the same index);
        IRI subjects only; ``skip_objects`` (IRIs) left out by the query (fewer Python objects made)."""
        key = (str(predicate), *map(str, skip_objects))
        if key not in self._read:
            out: dict = defaultdict(dict)
            skip = f"FILTER(?o NOT IN ({', '.join(f'<{o}>' for o in key[1:])}))" if skip_objects else ""
            query = f"SELECT ?s ?o WHERE {{ {_values('s', self.subjects)} ?s <{key[0]}> ?o {skip} }}"
            for s, o in self.store.query(query, use_default_graph_as_union=True):
                if type(s) is self._iri:
                    out[s.value][o] = None
            self._read[key] = {k: sorted(v, key=str) if len(v) > 1 else list(v) for k, v in out.items()}
        return self._read[key]

    def first(self, predicate) -> dict:
        """{subject IRI: the lexical value of its first object}."""
        return {s: objects[0].value for s, objects in self.pairs(predicate).items()}

    def entities(self):
        """One dict per named node but evidence and the facts named after other entities
        (event roles, indicators): iri, name (zh first), names, types, mentions (the number
        of evidence sentences it is derived from)."""
        from .ns import KG, OA, PROV, RDF

        labels: dict = defaultdict(list)
        for predicate in _name_predicates():
            for subject, objects in self.pairs(predicate).items():
                labels[subject] += [o for o in objects if isinstance(o, self._literal) and o.value.strip()]
        # evidence nodes have no names: their three types need not be read
        types = self.pairs(RDF.type, (KG.Evidence, OA.TextQuoteSelector, OA.TextPositionSelector))
        derived = self.pairs(PROV.wasDerivedFrom)
        skip = {str(KG.Evidence), str(KG.EventRole), str(KG.Indicator)}
        for iri in sorted(labels):
            kinds = [t.value for t in types.get(iri, ())]
            if labels[iri] and not skip.intersection(kinds):
                yield {"iri": iri, "name": _display_name(labels[iri]),
                       "names": list(dict.fromkeys(t.value for t in labels[iri])),
                       "types": kinds, "mentions": len(derived.get(iri, ()))}

    def sentences(self) -> list[dict]:
        """One dict per evidence node (its quoted sentence, its offsets in the document, the
        article with its title and date, the nodes derived from it)."""
        from .ns import DCTERMS, KG, OA, PROV, SDO

        exact, start, end = self.first(OA.exact), self.first(OA.start), self.first(OA.end)
        document, article = self.first(DCTERMS.source), self.first(KG.inArticle)
        titles = {**self.first(SDO.headline), **self.first(DCTERMS.title)}
        dates = self.first(DCTERMS.date)
        about = self.derived(PROV.wasDerivedFrom, exact)

        def row(ev: str) -> dict:
            art, doc = article.get(ev), document.get(ev)
            return {"evidence": ev, "text": exact[ev], "document": doc, "article": art,
                    "title": titles.get(art), "date": dates.get(art) or dates.get(doc),
                    "start": _int(start.get(ev)), "end": _int(end.get(ev)),
                    "about": sorted(about.get(ev, ()))}

        return [row(ev) for ev in exact]


    def derived(self, predicate, objects) -> dict:
        """{object IRI: [IRI subjects of ``predicate`` whose object it is]} for the IRIs
        ``objects`` when the reader is restricted to some subjects, else for every object."""
        about: dict = defaultdict(set)
        if self.subjects is None:
            for subject, found in self.pairs(predicate).items():
                for o in found:
                    about[o.value].add(subject)
        elif objects:
            query = f"SELECT ?s ?o WHERE {{ {_values('o', objects)} ?s <{predicate}> ?o }}"
            for s, o in self.store.query(query, use_default_graph_as_union=True):
                if type(s) is self._iri:
                    about[o.value].add(s.value)
        return about


def _values(var: str, iris) -> str:
    """A SPARQL VALUES clause binding ``var`` to the ``iris`` ("" for None: no restriction)."""
    if iris is None:
        return ""
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in iris)} }}"


def _display_name(labels: list) -> str:
    """The first zh (or untagged) name, else the first name."""
    for term in labels:
        if (term.language or "zh").startswith("zh"):
            return term.value
    return labels[0].value


def _int(value):
    return int(value) if value is not None else None
