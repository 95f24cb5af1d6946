"""Content negotiation as SPARQL clients do it: SPARQLWrapper's format= names, roqet's Accept."""
from __future__ import annotations

import pytest

pytest.importorskip("starlette")
pyoxigraph = pytest.importorskip("pyoxigraph")
from pyoxigraph import RdfFormat  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from kg.serve import ServeOptions, create_app  # noqa: E402
from kg.serve import formats  # noqa: E402
from test_serve import EX, SELECT, make_store  # noqa: E402

CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
ASK = f"ASK {{ <{EX}cq> ?p ?o }}"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    build = make_store(tmp_path_factory.mktemp("build"))
    with TestClient(create_app(build, ServeOptions(workers=1, timeout=10))) as c:
        yield c


@pytest.mark.parametrize("fmt,expected", [
    ("rdf+xml", RdfFormat.RDF_XML), ("rdf xml", RdfFormat.RDF_XML), ("n3", RdfFormat.TURTLE),
    ("turtle", RdfFormat.TURTLE), ("json-ld", RdfFormat.JSON_LD), ("json", RdfFormat.JSON_LD),
    ("xml", RdfFormat.RDF_XML), ("application/rdf+xml", RdfFormat.RDF_XML), ("N-Triples", RdfFormat.N_TRIPLES),
])
def test_choose_graph_names_clients_send(fmt, expected):
    assert formats.choose("graph", None, fmt) == expected


def test_choose_name_of_the_other_kind_defers_to_accept():
    assert formats.choose("results", "text/csv", "rdf+xml") == "csv"
    assert formats.choose("results", None, "n3") == "json"
    assert formats.choose("graph", "application/n-triples", "csv") == RdfFormat.N_TRIPLES
    with pytest.raises(formats.NotAcceptable):
        formats.choose("results", "image/png", "rdf+xml")
    with pytest.raises(formats.NotAcceptable, match="format='bogus'"):
        formats.choose("results", None, "bogus")


def test_choose_results_type_for_a_graph_gets_the_nearest_graph_format():
    assert formats.choose("graph", "application/sparql-results+xml", None) == RdfFormat.RDF_XML
    assert formats.choose("graph", "application/sparql-results+json", None) == RdfFormat.JSON_LD
    assert formats.choose("graph", "text/csv", None) == RdfFormat.TURTLE
    # an exact graph type, even less preferred, still wins over the stand-in
    assert formats.choose("graph", "application/sparql-results+xml, text/turtle;q=0.5", None) == RdfFormat.TURTLE
    with pytest.raises(formats.NotAcceptable):
        formats.choose("graph", "image/png", None)


# What SPARQLWrapper 2.x sends: format= (repeated with the media type for RDFXML, JSONLD, TSV),
# output= and results= carrying the same name, and an Accept header for the return format.
SW_ACCEPT = {
    "rdf+xml": "application/rdf+xml", "n3": "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3",
    "turtle": "application/turtle,text/turtle", "json-ld": "application/ld+json,application/x-json+ld",
    "json": "application/sparql-results+json,application/json,text/javascript,application/javascript",
    "xml": "application/sparql-results+xml",
}


def sw_params(query, name):
    params = [("query", query), ("format", name), ("output", name), ("results", name)]
    if name in ("rdf+xml", "json-ld"):
        params.insert(2, ("format", SW_ACCEPT[name]))
    return params


@pytest.mark.parametrize("name,media,needle", [
    ("rdf+xml", "application/rdf+xml", "rdf:RDF"),
    ("n3", "text/turtle", "数字重庆"),
    ("turtle", "text/turtle", "数字重庆"),
    ("json-ld", "application/ld+json", '"@id"'),
    ("xml", "application/rdf+xml", "rdf:RDF"),
])
def test_sparqlwrapper_construct_return_formats(client, name, media, needle):
    r = client.get("/sparql", params=sw_params(CONSTRUCT, name), headers={"accept": SW_ACCEPT[name]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert needle in r.text


@pytest.mark.parametrize("name,media", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
])
def test_sparqlwrapper_select_and_ask(client, name, media):
    for q in (SELECT, ASK):
        r = client.get("/sparql", params=sw_params(q, name), headers={"accept": SW_ACCEPT[name]})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)


def test_graph_name_on_a_select_falls_back_to_accept(client):
    r = client.get("/sparql", params={"query": SELECT, "format": "rdf+xml"}, headers={"accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    r = client.get("/sparql", params={"query": SELECT, "format": "n3"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")


def test_unknown_format_name_is_still_406(client):
    r = client.get("/sparql", params={"query": SELECT, "format": "bogus"})
    assert r.status_code == 406


def test_roqet_construct_asking_results_xml_gets_rdfxml(client):
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "application/sparql-results+xml"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/rdf+xml")
    assert "数字重庆" in r.text


def test_serve_md_example_query_runs(client):
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "SERVE.md").read_text(encoding="utf-8")
    start = text.index('sw.setQuery(') + len('sw.setQuery(')
    query = eval("(" + text[start:text.index(")\n", start)] + ")")  # adjacent literals, joined
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]["bindings"]) == 2


# ------------------------------------------------------- SPARQLWrapper itself, against `kg serve`

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`python -m kg serve` on the hand-made store, on a free port (a real HTTP server)."""
    from test_serve_http import Server

    root = tmp_path_factory.mktemp("sw")
    (root / "build").mkdir()
    srv = Server(make_store(root / "build"), root / "serve.log", "--workers", "1")
    yield srv
    srv.stop()


@pytest.mark.parametrize("name", ["RDFXML", "N3", "TURTLE", "JSONLD"])
def test_sparqlwrapper_graph_return_formats_against_kg_serve(served, name):
    import rdflib
    from SPARQLWrapper import SPARQLWrapper

    import SPARQLWrapper as sw

    client = SPARQLWrapper(served.url + "/sparql")
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(getattr(sw, name))
    result = client.query()
    graph = result.convert()
    if not isinstance(graph, rdflib.Graph):  # TURTLE, N3: bytes of the document
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    assert len(graph) > 0
    assert any("数字重庆" in str(o) for o in graph.objects())


@pytest.mark.parametrize("name", ["JSON", "XML", "CSV", "TSV"])
def test_sparqlwrapper_select_return_formats_against_kg_serve(served, name):
    from SPARQLWrapper import SPARQLWrapper

    import SPARQLWrapper as sw

    client = SPARQLWrapper(served.url + "/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(getattr(sw, name))
    answer = client.query().convert()
    rows = (answer["results"]["bindings"] if name == "JSON" else
            answer.getElementsByTagName("result") if name == "XML" else
            answer.decode("utf-8").strip().splitlines()[1:])
    assert len(rows) > 0
