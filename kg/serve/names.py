"""Readable names for IRIs: the ontology's zh/en labels for vocabulary terms, the store's labels
(in the page's language, else the other one) for everything else; never a hash when a name exists.

IRIs and strings reach a query only as terms serialized by pyoxigraph (``sparql_iri``,
``sparql_string``), which parses them first: a value that is not an IRI is refused there.
"""
from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from .i18n import short, term_label

# Label properties, best first; the last ones name nodes that have no label of their own.
NAME_PROPS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
              "https://schema.org/name", "http://schema.org/name", "http://purl.org/dc/terms/title",
              "https://schema.org/headline", "http://schema.org/headline",
              "http://purl.org/dc/terms/identifier", "http://www.w3.org/2006/time#inXSDDate",
              "http://www.w3.org/ns/oa#exact")
ALIAS_PROPS = ("http://www.w3.org/2004/02/skos/core#altLabel",)
CHUNK = 400  # IRIs per VALUES query


def sparql_iri(iri: str) -> str:
    """``<iri>`` for a query; raises ValueError when ``iri`` is not an absolute IRI."""
    return str(NamedNode(iri))


def sparql_string(text: str) -> str:
    """A plain string literal for a query, escaped by pyoxigraph."""
    return str(Literal(text))


def is_iri(iri: str | None) -> bool:
    try:
        return bool(iri) and bool(sparql_iri(iri))
    except ValueError:
        return False


def _values(iris) -> str:
    return " ".join(sparql_iri(i) for i in iris)


def _rank(prop: str, lang: str | None, page_lang: str) -> tuple:
    lang_rank = 0 if lang == page_lang else 1 if lang else 2
    return (lang_rank, NAME_PROPS.index(prop))


def _clip(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


async def names(ep, iris, lang: str) -> dict[str, str]:
    """{iri: name} for every IRI given; unnamed ones keep the last segment of the IRI."""
    out, rest = {}, []
    for iri in dict.fromkeys(iris):
        label = term_label(iri, lang)
        if label:
            out[iri] = label
        else:
            rest.append(iri)
    props = ", ".join(sparql_iri(p) for p in NAME_PROPS)
    for start in range(0, len(rest), CHUNK):  # (a second VALUES for ?p makes it 100x slower)
        query = (f"SELECT ?e ?p ?l WHERE {{ VALUES ?e {{ {_values(rest[start:start + CHUNK])} }} "
                 f"?e ?p ?l FILTER(?p IN ({props}) && isLiteral(?l)) }}")
        _, rows = await ep.rows(query)
        best: dict[str, tuple] = {}
        for e, p, label in rows:
            rank = _rank(p[1], label[2], lang)
            if e[1] not in best or rank < best[e[1]][0]:
                best[e[1]] = (rank, label[1])
        # a sentence names its evidence node only when nothing else does: shortened
        out.update({iri: _clip(text) if rank[1] == len(NAME_PROPS) - 1 else text
                    for iri, (rank, text) in best.items()})
    for iri in rest:
        out.setdefault(iri, short(iri))
    return out


async def aliases(ep, iri: str) -> list[str]:
    """Every label and alias of one IRI (for highlighting it in sentences)."""
    props = ", ".join(sparql_iri(p) for p in NAME_PROPS[:5] + ALIAS_PROPS)
    _, rows = await ep.rows(f"SELECT DISTINCT ?l WHERE {{ {sparql_iri(iri)} ?p ?l "
                            f"FILTER(?p IN ({props}) && isLiteral(?l)) }}")
    return [r[0][1] for r in rows]


async def types(ep, iris) -> dict[str, set[str]]:
    """{iri: its rdf:type IRIs} for the IRIs given."""
    out: dict[str, set[str]] = {}
    iris = list(dict.fromkeys(iris))
    for start in range(0, len(iris), CHUNK):
        _, rows = await ep.rows(f"SELECT ?e ?t WHERE {{ VALUES ?e {{ {_values(iris[start:start + CHUNK])} }} "
                                "?e a ?t }")
        for e, t in rows:
            out.setdefault(e[1], set()).add(t[1])
    return out
