"""kg.store: bulk load of shards, read-only store, queries with plain values, exports, canned queries."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

import kg
from kg.errors import BuildError, QueryError
from kg.store import (list_queries, load_store, open_store, prefixes, query, queries_dir, read_query,
                      read_quads, serialize, write_atomic)

EX = "http://example.org/"
SHARDS = {
    "a.txt": f"""<{EX}cq> <http://www.w3.org/2000/01/rdf-schema#label> "数字重庆"@zh <{EX}doc/a> .
<{EX}cq> <{EX}count> "6"^^<http://www.w3.org/2001/XMLSchema#integer> <{EX}doc/a> .
<{EX}cq> <{EX}share> "0.5"^^<http://www.w3.org/2001/XMLSchema#decimal> <{EX}doc/a> .
<{EX}cq> <{EX}parts> "3"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> <{EX}doc/a> .
""",
    "b.txt": f"""<{EX}cq> <http://www.w3.org/2000/01/rdf-schema#label> "数字重庆"@zh <{EX}doc/b> .
<{EX}yuan> <http://www.w3.org/2000/01/rdf-schema#label> "袁家军"@zh <{EX}doc/b> .
<{EX}yuan> <{EX}active> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> <{EX}doc/b> .
""",
}


@pytest.fixture
def build_dir(tmp_path):
    (tmp_path / "shards").mkdir()
    for name, text in SHARDS.items():
        (tmp_path / "shards" / f"{name}.nq").write_text(text, encoding="utf-8")
    metadata = f'<{EX}build> <{EX}backend> "lac" <{EX}build> .\n'.encode()
    quads = read_quads(*sorted((tmp_path / "shards").glob("*.nq")), nquads=metadata)
    load_store(tmp_path, quads)
    serialize(quads, "trig", tmp_path / "graph.trig", {"ex": EX})
    return tmp_path


def test_store_load_keeps_named_graphs(build_dir):
    store = open_store(build_dir)
    graphs = sorted(g.value for g in store.named_graphs())
    assert graphs == [f"{EX}build", f"{EX}doc/a", f"{EX}doc/b"]
    assert [p.name for p in build_dir.iterdir() if p.name.startswith(".")] == []


def test_store_query_default_graph_is_union(build_dir):
    result = query(build_dir, "SELECT DISTINCT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label")
    assert result.vars == ["s", "label"]
    assert result.rows == [(f"{EX}cq", "数字重庆"), (f"{EX}yuan", "袁家军")]


def test_store_query_plain_python_values(build_dir):
    result = query(build_dir, f"SELECT ?n ?x ?b ?none WHERE {{ <{EX}cq> <{EX}count> ?n ; <{EX}share> ?x . "
                              f"<{EX}yuan> <{EX}active> ?b . OPTIONAL {{ <{EX}cq> <{EX}nothing> ?none }} }}")
    assert result.rows == [(6, 0.5, True, None)]
    assert [type(v) for v in result.rows[0][:3]] == [int, float, bool]


def test_store_query_ask_and_construct(build_dir):
    assert query(build_dir, f"ASK {{ <{EX}yuan> ?p ?o }}").rows == [(True,)]
    triples = query(build_dir, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}doc/a> {{ ?s ?p ?o }} }}")
    assert triples.vars == ["subject", "predicate", "object"] and len(triples.rows) == 4


def test_store_query_malformed_sparql_raises_query_error(build_dir):
    with pytest.raises(QueryError, match="malformed SPARQL"):
        query(build_dir, "SELEKT ?x WHERE {")


def test_store_open_missing_store_raises_build_error(tmp_path):
    with pytest.raises(BuildError, match="no store"):
        open_store(tmp_path)


def test_store_reload_replaces_store(build_dir):
    (build_dir / "shards" / "b.txt.nq").unlink()
    load_store(build_dir)  # from the shards
    assert sorted(g.value for g in open_store(build_dir).named_graphs()) == [f"{EX}doc/a"]


@pytest.mark.parametrize("fmt, graphs", [("trig", True), ("nq", True), ("jsonld", True),
                                         ("ttl", False), ("nt", False)])
def test_store_export_formats(build_dir, fmt, graphs):
    out = kg.export(build_dir, fmt, build_dir / f"g.{fmt}")
    rdflib_format = {"ttl": "turtle", "nt": "nt", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}[fmt]
    if graphs:
        ds = rdflib.Dataset().parse(out, format=rdflib_format)
        assert len(list(ds.quads((None, None, None, None)))) == 8
    else:  # the union: the label of cq stated in two graphs is one triple
        assert len(rdflib.Graph().parse(out, format=rdflib_format)) == 7


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nq"])
def test_store_export_keeps_derived_integer_datatypes(build_dir, fmt):
    # pyoxigraph's store turns "3"^^xsd:nonNegativeInteger into xsd:integer: outputs must not
    data = kg.export(build_dir, fmt).decode()
    assert "nonNegativeInteger" in data


def test_store_export_without_graph_raises(tmp_path):
    with pytest.raises(BuildError, match="no graph.trig"):
        kg.export(tmp_path, "ttl")


def test_store_prefixes_from_graph_trig_header_or_manifest(build_dir):
    # the header declares only prefixes with plain local names: ex: has <…/doc/a> (a "/")
    assert prefixes(build_dir) == {}
    (build_dir / "manifest.json").write_text(json.dumps({"prefixes": {"ex": EX}}), encoding="utf-8")
    assert prefixes(build_dir) == {"ex": EX}
    assert b"ex:cq" in kg.export(build_dir, "ttl")


@pytest.mark.parametrize("fmt, rdflib_format", [("ttl", "turtle"), ("trig", "trig")])
def test_store_turtle_never_escapes_slash_in_prefixed_names(tmp_path, fmt, rdflib_format):
    from pyoxigraph import Literal, NamedNode, Quad

    kgid, g = "https://w3id.org/citykg/id/", NamedNode("https://w3id.org/citykg/graph/doc/a.txt")
    quads = [Quad(NamedNode(f"{kgid}agreement/1f"), NamedNode(f"{EX}p"), NamedNode(f"{EX}x.y."), g),
             Quad(NamedNode(f"{EX}cq"), NamedNode(f"{EX}p"), Literal("kgid:a\\/b 数字重庆"), g)]
    data = serialize(quads, fmt, prefixes={"kgid": kgid, "ex": EX, "unused": "http://unused/"})
    text = data.decode()
    assert "\\/" not in text.replace('"kgid:a\\\\/b', "")  # only the literal holds one
    assert f"<{kgid}agreement/1f>" in text and "@prefix kgid:" not in text
    assert "@prefix ex:" not in text  # ex:x.y. would need an escaped final dot
    ds = rdflib.Dataset().parse(data=data, format=rdflib_format)
    triples = {q[:3] for q in ds.quads((None, None, None, None))}
    assert (rdflib.URIRef(f"{kgid}agreement/1f"), rdflib.URIRef(f"{EX}p"), rdflib.URIRef(f"{EX}x.y.")) in triples
    rapper = shutil.which("rapper")
    if rapper:  # Raptor, when installed, parses it too
        (tmp_path / f"g.{fmt}").write_bytes(data)
        subprocess.run([rapper, "-q", "-i", rdflib_format, "-c", str(tmp_path / f"g.{fmt}")], check=True)


def test_store_plain_prefixes_keeps_those_with_plain_local_names():
    from pyoxigraph import NamedNode, Quad

    from kg.store import plain_prefixes

    q = Quad(NamedNode(f"{EX}a"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), NamedNode(f"{EX}中文-1"))
    found = plain_prefixes([q], {"rdfs": "http://www.w3.org/2000/01/rdf-schema#", "ex": EX, "z": "http://z/"})
    assert found == {"ex": EX, "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "z": "http://z/"}


@pytest.mark.parametrize("fmt", ["trig", "nq", "ttl", "nt", "jsonld"])
def test_store_serialize_same_quads_any_order_same_bytes(build_dir, fmt):
    quads = read_quads(build_dir / "graph.trig")
    assert serialize(quads, fmt, prefixes={"ex": EX}) == serialize(quads[::-1], fmt, prefixes={"ex": EX})


def test_store_write_atomic_replaces(tmp_path):
    write_atomic(tmp_path / "f.txt", "one")
    write_atomic(tmp_path / "f.txt", b"two")
    assert (tmp_path / "f.txt").read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


# ------------------------------------------------------------------ canned queries

needs_queries = pytest.mark.skipif(not any((Path(kg.__file__).parents[1] / "queries").glob("*.rq")),
                                   reason="queries/ has no .rq files yet (helper 'rdf')")


@needs_queries
def test_store_canned_queries_each_state_a_question():
    listed = list_queries()
    assert listed and all(question for _, question in listed), listed


@needs_queries
def test_store_read_query_by_name_and_path():
    name = list_queries()[0][0]
    assert read_query(name) == (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    assert read_query(str(queries_dir() / f"{name}.rq")) == read_query(name)


def test_store_read_query_unknown_name_hints_at_list():
    with pytest.raises(QueryError) as err:
        read_query("no-such-question")
    assert err.value.hint


def test_store_read_query_path_to_missing_file(tmp_path):
    with pytest.raises(QueryError, match="no such query file"):
        read_query(str(tmp_path / "missing.rq"))


def test_import_kg_loads_no_heavy_module():
    code = ("import sys, json, kg; print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('torch', 'onnxruntime', 'pyoxigraph', 'rdflib', 'hanlp', 'LAC', 'numpy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_kg_build_is_the_function_and_the_module():
    import kg.build as module

    assert callable(kg.build) and kg.build.BuildOptions is module.BuildOptions
    assert callable(kg.validate)
