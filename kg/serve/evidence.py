"""Evidence sentences: the sentences that state a fact or mention an entity, newest article first,
each with its article's title and date and the entity's names highlighted.

Both evidence shapes are read: the build's own (a kg:Evidence node that is the selector, with
kg:inArticle and dcterms:source) and Web Annotation's nested oa:hasTarget/oa:hasSelector (or
NIF's anchorOf) that other tools write.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from .names import aliases, sparql_iri

PREFIXES = """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX kg: <https://w3id.org/citykg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/> PREFIX schemao: <http://schema.org/>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""
# One page of evidence nodes, newest article first; then what each of them says (two small
# queries: one with every OPTIONAL over all of an entity's sentences takes seconds).
PAGE = PREFIXES + """SELECT ?ev (MAX(?d) AS ?date) WHERE {{ {which}
  OPTIONAL {{ ?ev (kg:inArticle|dcterms:source|(oa:hasTarget/oa:hasSource))/dcterms:date ?d }}
}} GROUP BY ?ev ORDER BY DESC(?date) ?ev LIMIT {limit} OFFSET {offset}"""
DETAILS = PREFIXES + """SELECT ?ev ?exact ?s ?e ?article ?t0 ?d0 ?doc ?t1 ?d1 WHERE {{ VALUES ?ev {{ {evs} }}
  {{ ?ev oa:exact ?exact BIND(?ev AS ?sel) }} UNION {{ ?ev oa:hasTarget/oa:hasSelector ?sel . ?sel oa:exact ?exact }}
  UNION {{ ?ev nif:anchorOf ?exact BIND(?ev AS ?sel) }}
  OPTIONAL {{ ?sel oa:start|nif:beginIndex ?s }} OPTIONAL {{ ?sel oa:end|nif:endIndex ?e }}
  OPTIONAL {{ ?ev kg:inArticle ?article
             OPTIONAL {{ ?article dcterms:title|schema:headline|schemao:headline ?t0 }}
             OPTIONAL {{ ?article dcterms:date ?d0 }} }}
  OPTIONAL {{ ?ev dcterms:source|(oa:hasTarget/oa:hasSource)|nif:referenceContext ?doc FILTER(isIRI(?doc))
             OPTIONAL {{ ?doc dcterms:title|schema:headline|schemao:headline ?t1 }}
             OPTIONAL {{ ?doc dcterms:date ?d1 }} }}
}}"""
COUNT = PREFIXES + "SELECT (COUNT(DISTINCT ?ev) AS ?n) WHERE {{ {which} }}"
EVIDENCE_CLASS = "https://w3id.org/citykg/ontology#Evidence"


@dataclass
class Sentence:
    iri: str
    text: str
    start: str | None
    end: str | None
    source: str | None
    title: str | None
    date: str | None


def _which(node: str, is_evidence: bool) -> str:
    return f"VALUES ?ev {{ {node} }}" if is_evidence else f"{node} prov:wasDerivedFrom ?ev ."


async def sentences(ep, iri: str, is_evidence: bool = False, limit: int = 20,
                    offset: int = 0) -> tuple[int, list[Sentence]]:
    """(how many sentences support ``iri``, one page of them), newest article first."""
    which = _which(sparql_iri(iri), is_evidence)
    _, count = await ep.rows(COUNT.format(which=which))
    total = int(count[0][0][1]) if count and count[0][0] else 0
    _, page = await ep.rows(PAGE.format(which=which, limit=int(limit), offset=int(offset)))
    if not page:
        return total, []
    _, rows = await ep.rows(DETAILS.format(evs=" ".join(sparql_iri(r[0][1]) for r in page)))
    found: dict[str, Sentence] = {}
    for ev, exact, s, e, article, t0, d0, doc, t1, d1 in rows:
        v = [c[1] if c else None for c in (s, e, article, t0, d0, doc, t1, d1)]
        found.setdefault(ev[1], Sentence(ev[1], exact[1], v[0], v[1], v[2] or v[5], v[3] or v[6], v[4] or v[7]))
    return total, [found[r[0][1]] for r in page if r[0][1] in found]


async def words_for(ep, iris) -> list[str]:
    """The names and aliases of the given nodes: what to highlight in their sentences."""
    found: list[str] = []
    for iri in iris:
        found += await aliases(ep, iri)
    return sorted({w for w in found if len(w) >= 2}, key=len, reverse=True)


def highlight(text: str, words) -> Markup:
    """``text`` as HTML with every occurrence of the words in <mark>, longest word first."""
    words = [w for w in words if w]
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    parts, last = [], 0
    for m in pattern.finditer(text):
        parts += [escape(text[last:m.start()]), Markup("<mark>%s</mark>") % m.group(0)]
        last = m.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
