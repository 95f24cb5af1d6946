"""The turbo engine (pyshacl-turbo) on a whole build: the data stays in native code.

pyshacl-turbo's public ``validate`` takes a pyoxigraph Store or a path, but on the way it
decodes the data into rdflib terms and encodes them again (Python, ~10 s per million quads),
mixes the ontology in by writing a second copy (``inoculate``, ~9 s), and a Store's dump is
read in a mode where ``sh:in ( "more-than" … )`` fails on every plain string (pyshacl-turbo
0.6.5: 4,517 false violations on xwlb-2023). Here the union of the data's graphs and the
ontology are written once as N-Triples by pyoxigraph and handed to the native validator as its
own input record (``pyshacl_turbo.rdf.Input``), which it parses directly: the report equals
pySHACL's on the same union graph (bench/validate.py compares them result by result).

The zh labels that name focus nodes in the report are collected on the same pass.
"""
from __future__ import annotations

from itertools import chain
from pathlib import Path

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def available() -> bool:
    """pyshacl-turbo is installed and has the input record this module hands it."""
    try:
        from pyshacl_turbo.rdf import Input  # noqa: F401
    except ImportError:
        return False
    return True


def _quads_of(data):
    """pyoxigraph quads of a Store, or of RDF files (blank nodes kept apart per file)."""
    import pyoxigraph as ox

    from .validate import OX_FORMATS

    if hasattr(data, "quads_for_pattern"):
        return data.quads_for_pattern(None, None, None, None)
    return chain.from_iterable(
        ox.parse(path=str(f), format=getattr(ox.RdfFormat, OX_FORMATS[f.suffix.lower()]),
                 rename_blank_nodes=True) for f in data)


def native_input(data, ontology_files: list[Path]) -> tuple[str, dict[str, str]]:
    """N-Triples of the union of ``data``'s graphs (a Store or a list of files) and of the
    ontology files, and the smallest zh ``rdfs:label`` of each subject (for the report)."""
    import pyoxigraph as ox

    labels: dict[str, str] = {}

    def triples():
        for q in chain(_quads_of(data), _quads_of(ontology_files)):
            o = q.object
            if q.predicate.value == RDFS_LABEL and (getattr(o, "language", None) or "").startswith("zh"):
                s = q.subject.value
                if s not in labels or o.value < labels[s]:
                    labels[s] = o.value
            yield q.triple

    text = ox.serialize(triples(), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return text, labels


def run(text: str, shapes, inference: str = "none"):
    """pyshacl-turbo on N-Triples ``text``: (conforms, report graph, report text)."""
    import pyshacl_turbo
    from pyshacl_turbo.rdf import Input

    return pyshacl_turbo.validate(Input(text, "nt", None, {}, preserve_ids=True), shacl_graph=shapes,
                                  inference=None if inference == "none" else inference,
                                  allow_warnings=True)
