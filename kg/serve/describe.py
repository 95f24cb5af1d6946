"""Descriptions of the service (SPARQL 1.1 Service Description) and of the dataset (VoID)."""
from __future__ import annotations

import hashlib

from pyoxigraph import BlankNode, Literal, NamedNode, Triple, serialize
from starlette.responses import PlainTextResponse, Response

from . import formats

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT_TITLE = NamedNode("http://purl.org/dc/terms/title")
XSD_INT = NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _n(ns: str, local: str) -> NamedNode:
    return NamedNode(ns + local)


def _send(request, triples: list[Triple]) -> Response:
    try:
        fmt = formats.choose("graph", request.headers.get("accept"), request.query_params.get("format"))
    except formats.NotAcceptable as err:
        return PlainTextResponse(str(err) + "\n", status_code=406)
    return Response(serialize(triples, format=fmt), media_type=fmt.media_type)


def service_description(request, endpoint) -> Response:
    url = str(request.url.replace(query=""))
    service, dataset = NamedNode(url), BlankNode()
    t = [Triple(service, RDF_TYPE, _n(SD, "Service")),
         Triple(service, _n(SD, "endpoint"), service),
         Triple(service, _n(SD, "supportedLanguage"), _n(SD, "SPARQL11Query")),
         Triple(service, _n(SD, "feature"), _n(SD, "UnionDefaultGraph")),
         Triple(service, _n(SD, "defaultDataset"), dataset),
         Triple(dataset, RDF_TYPE, _n(SD, "Dataset")),
         Triple(dataset, _n(SD, "defaultGraph"), BlankNode()),
         Triple(service, DCT_TITLE, Literal("kg SPARQL endpoint (read-only)", language="en")),
         Triple(service, DCT_TITLE, Literal("kg SPARQL 查询端点（只读）", language="zh"))]
    if endpoint.options.writable:
        t.append(Triple(service, _n(SD, "supportedLanguage"), _n(SD, "SPARQL11Update")))
    for media in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values", "text/turtle", "application/n-triples",
                  "application/n-quads", "application/trig", "application/ld+json",
                  "application/rdf+xml"):
        t.append(Triple(service, _n(SD, "resultFormat"), NamedNode(_format_iri(media))))
    for g in sorted(endpoint.graphs):
        node = BlankNode()
        t += [Triple(dataset, _n(SD, "namedGraph"), node), Triple(node, _n(SD, "name"), NamedNode(g))]
    return _send(request, t)


def _format_iri(media: str) -> str:
    names = {"application/sparql-results+json": "SPARQL_Results_JSON",
             "application/sparql-results+xml": "SPARQL_Results_XML",
             "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV",
             "text/turtle": "Turtle", "application/n-triples": "N-Triples",
             "application/n-quads": "N-Quads", "application/trig": "TriG",
             "application/ld+json": "JSON-LD", "application/rdf+xml": "RDF_XML"}
    return "http://www.w3.org/ns/formats/" + names[media]


VOID_COUNTS = """SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""
VOID_TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?p) AS ?properties)
(COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s ?p ?o }"""


async def void(request, endpoint) -> Response:
    cached = getattr(endpoint, "_void_rows", None)
    if cached is None:
        try:
            cached = (await endpoint.rows(VOID_TOTALS), await endpoint.rows(VOID_COUNTS))
        except RuntimeError as err:
            return PlainTextResponse(f"{err}\n", status_code=503)
        endpoint._void_rows = cached
    (_, totals), (_, per_graph) = cached
    base = str(request.base_url)
    ds = NamedNode(base + ".well-known/void#dataset")
    t = [Triple(ds, RDF_TYPE, _n(VOID, "Dataset")),
         Triple(ds, DCT_TITLE, Literal("smart-city governance knowledge graph", language="en")),
         Triple(ds, DCT_TITLE, Literal("智慧城市治理知识图谱", language="zh")),
         Triple(ds, _n(VOID, "sparqlEndpoint"), NamedNode(base + "sparql"))]
    for name, cell in zip(("triples", "properties", "entities"), totals[0]):
        t.append(Triple(ds, _n(VOID, name), Literal(cell[1], datatype=XSD_INT)))
    for g, triples, subjects in per_graph:
        sub = NamedNode(base + ".well-known/void#graph-" + hashlib.sha1(g[1].encode()).hexdigest()[:12])
        t += [Triple(ds, _n(VOID, "subset"), sub), Triple(sub, RDF_TYPE, _n(VOID, "Dataset")),
              Triple(sub, _n(SD, "name"), NamedNode(g[1])),
              Triple(sub, _n(VOID, "triples"), Literal(triples[1], datatype=XSD_INT)),
              Triple(sub, _n(VOID, "distinctSubjects"), Literal(subjects[1], datatype=XSD_INT))]
    return _send(request, t)
