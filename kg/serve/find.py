"""``/api/find``: the start page's search when the build has no full-text index (``/search``
answers 404 then). A SPARQL scan of names and evidence sentences for a substring: slower than
the index (~0.3-0.5 s a query on a year of news) but needing nothing beyond the store. The answer
has the shape of ``/search``'s JSON, so the page reads either.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .i18n import lang_of
from .names import names, sparql_iri, sparql_string

PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://w3id.org/citykg/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
# Fact nodes named after their parts (袁家军：出席（…）, posts) are found through those parts.
ENTITIES = PREFIXES + """SELECT ?e (SAMPLE(?l) AS ?name) (GROUP_CONCAT(DISTINCT ?l; separator="\\u001f") AS ?names)
WHERE {{ VALUES ?p {{ rdfs:label skos:prefLabel skos:altLabel }} ?e ?p ?l FILTER(CONTAINS(STR(?l), {q}))
  MINUS {{ ?e a kg:EventRole }} MINUS {{ ?e a org:Post }} }}
GROUP BY ?e ORDER BY STRLEN(?name) ?name LIMIT {limit} OFFSET {offset}"""
DETAILS = PREFIXES + """SELECT ?e ?t (COUNT(DISTINCT ?ev) AS ?n) WHERE {{ VALUES ?e {{ {values} }}
  OPTIONAL {{ ?e a ?t }} OPTIONAL {{ ?e prov:wasDerivedFrom ?ev }} }} GROUP BY ?e ?t"""
SENTENCES = PREFIXES + """SELECT ?ev ?text ?doc ?article ?start ?end ?title ?date WHERE {{
  ?ev oa:exact ?text FILTER(CONTAINS(?text, {q}))
  OPTIONAL {{ ?ev dcterms:source ?doc }}
  OPTIONAL {{ ?ev kg:inArticle ?article OPTIONAL {{ ?article dcterms:title ?title }}
             OPTIONAL {{ ?article dcterms:date ?date }} }}
  OPTIONAL {{ ?ev oa:start ?start }} OPTIONAL {{ ?ev oa:end ?end }}
}} LIMIT {limit} OFFSET {offset}"""


def _int(text: str | None, default: int, high: int) -> int:
    try:
        return min(max(int(text), 0), high) if text else default
    except ValueError:
        return default


async def find(request: Request) -> Response:
    """GET ?q=TEXT&kind=entities|sentences&limit=20&offset=0 → the JSON of ``/search``."""
    text = (request.query_params.get("q") or "").strip()
    if not text:
        return PlainTextResponse("give ?q=TEXT\n", status_code=400)
    kind = request.query_params.get("kind")
    limit = _int(request.query_params.get("limit"), 20, 100)
    offset = _int(request.query_params.get("offset"), 0, 10**6)
    ep, q = request.app.state.endpoint, sparql_string(text)
    try:
        entities = await _entities(ep, q, limit, offset, lang_of(request)) if kind in (None, "entities") else []
        sentences = await _sentences(ep, q, limit, offset) if kind in (None, "sentences") else []
    except RuntimeError as err:
        return PlainTextResponse(f"{err}\n", status_code=503)
    return JSONResponse({"query": text, "index": False, "entities": entities, "sentences": sentences,
                         "total": {"entities": offset + len(entities), "sentences": offset + len(sentences)},
                         "more": {"entities": len(entities) == limit, "sentences": len(sentences) == limit}})


async def _entities(ep, q: str, limit: int, offset: int, lang: str) -> list[dict]:
    """Entities a name or alias of which holds the text; each named by its label (the alias
    that matched is among ``names``)."""
    _, rows = await ep.rows(ENTITIES.format(q=q, limit=limit, offset=offset))
    found = {r[0][1]: {"iri": r[0][1], "name": r[1][1], "names": sorted(set(r[2][1].split("\x1f"))),
                       "types": [], "mentions": 0} for r in rows if r[0][0] == "uri"}
    if found:
        for iri, name in (await names(ep, found, lang)).items():
            found[iri]["name"] = name
        _, details = await ep.rows(DETAILS.format(values=" ".join(sparql_iri(i) for i in found)))
        for e, t, n in details:
            if t:
                found[e[1]]["types"].append(t[1])
            found[e[1]]["mentions"] = max(found[e[1]]["mentions"], int(n[1]))
    return list(found.values())


async def _sentences(ep, q: str, limit: int, offset: int) -> list[dict]:
    _, rows = await ep.rows(SENTENCES.format(q=q, limit=limit, offset=offset))
    return [{"evidence": ev[1], "text": text[1], "document": doc[1] if doc else None,
             "article": art[1] if art else None, "start": int(s[1]) if s else None,
             "end": int(e[1]) if e else None, "title": title[1] if title else None,
             "date": date[1] if date else None, "about": []}
            for ev, text, doc, art, s, e, title, date in rows]
