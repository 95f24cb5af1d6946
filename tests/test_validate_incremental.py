"""kg/validate_incremental.py: a re-run validates again only what changed, and its report is
the one a full validation of the same data gives (results, conforms, the report graph)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg import validate_incremental as vi
from kg.build import BuildOptions, build
from kg.validate import validate
from test_build import fake_pipeline, write  # noqa: F401 - stand-in pipeline

CASES = Path(__file__).resolve().parent / "shapes"
MANIFEST = json.loads((CASES / "manifest.json").read_text(encoding="utf-8"))["cases"]
EX = rdflib.Namespace("http://example.org/")
SCHEMA = rdflib.Namespace("https://schema.org/")


def assert_same_report(got, want):
    assert got.results == want.results, "\n".join(r.message_en for r in got.results)
    assert got.conforms is want.conforms and got.text("both") == want.text("both")
    if not isomorphic(got.graph, want.graph):
        _, only_got, only_want = graph_diff(to_isomorphic(got.graph), to_isomorphic(want.graph))
        pytest.fail(f"report graphs differ:\n+{only_got.serialize(format='nt')}\n-{only_want.serialize(format='nt')}")


def _validate_pair(tmp_path, before: str, after: str, engine: str):
    """Validate ``before`` fully (leaving a cache), then ``after`` from that cache."""
    (tmp_path / "before.ttl").write_text(before, encoding="utf-8")
    (tmp_path / "after.ttl").write_text(after, encoding="utf-8")
    vi.validate_build(tmp_path / "before.ttl", tmp_path / "c0", engine=engine)
    return vi.validate_build(tmp_path / "after.ttl", tmp_path / "c1", tmp_path / "c0", engine=engine)


@pytest.fixture
def always_incremental(monkeypatch):
    """Small graphs: re-validate incrementally however large a share of them changed."""
    monkeypatch.setattr(vi, "MAX_SHARE", 1.0)


@pytest.mark.parametrize("direction", ["added", "removed"])
@pytest.mark.parametrize("case", MANIFEST, ids=[c["data"].removesuffix(".ttl") for c in MANIFEST])
def test_validate_incremental_shape_cases_equal_full(case, direction, tmp_path, always_incremental):
    """Every case of the project's shapes added to (or removed from) the base data: the
    incremental report equals a full one (violations introduced are reported, removed ones go)."""
    base = (CASES / "_base.ttl").read_text(encoding="utf-8")
    case_text = base + (CASES / case["data"]).read_text(encoding="utf-8")
    before, after = (base, case_text) if direction == "added" else (case_text, base)
    report, how = _validate_pair(tmp_path, before, after, "turbo")
    assert how["mode"] == "incremental", how
    assert_same_report(report, validate(tmp_path / "after.ttl", vi.stable_shapes(), engine="turbo"))
    if direction == "added":
        assert len(report.results) == len(case["results"])
    else:
        assert [r.constraint for r in report.results] in ([], ["kgsh:Initiative-count-matches"])


def test_validate_incremental_keeps_unaffected_results_and_revalidates_few(tmp_path):
    """Two independent parts: changing one re-validates its focus nodes only; the other
    part's cached violation stays in the report."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES, encoding="utf-8")
    people = "".join(f"ex:p{i} a schema:Person ; rdfs:label \"人{i}\"@zh .\n" for i in range(40))
    before = PREFIXES + people + "ex:bad a schema:Person .\n"
    after = before.replace('ex:p3 a schema:Person ; rdfs:label "人3"@zh .', "ex:p3 a schema:Person .")
    (tmp_path / "b.ttl").write_text(before, encoding="utf-8")
    (tmp_path / "a.ttl").write_text(after, encoding="utf-8")
    vi.validate_build(tmp_path / "b.ttl", tmp_path / "c0", shapes=shapes)
    report, how = vi.validate_build(tmp_path / "a.ttl", tmp_path / "c1", tmp_path / "c0", shapes=shapes)
    assert how["mode"] == "incremental" and how["focus_nodes"] == 1
    assert sorted(r.focus for r in report.results) == [str(EX.bad), str(EX.p3)]
    assert_same_report(report, validate(tmp_path / "a.ttl", vi.stable_shapes(shapes)))


def test_validate_incremental_starts_from_what_was_read_ahead(tmp_path, monkeypatch):
    """read_ahead (run by the build's validation child while the documents are built) reads the
    previous cache and loads its data in a store; validate_build then reads it no more, updates
    that store with what changed, and reports what it reports alone (and a full validation)."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES, encoding="utf-8")
    people = "".join(f"ex:p{i} a schema:Person ; rdfs:label \"人{i}\"@zh .\n" for i in range(40))
    (tmp_path / "b.ttl").write_text(PREFIXES + people, encoding="utf-8")
    (tmp_path / "a.ttl").write_text(PREFIXES + people.replace('"人7"', '"人X"'), encoding="utf-8")
    vi.validate_build(tmp_path / "b.ttl", tmp_path / "c0", shapes=shapes)
    alone = vi.validate_build(tmp_path / "a.ttl", tmp_path / "c1", tmp_path / "c0", shapes=shapes)
    vi.read_ahead(tmp_path / "c0", shapes, "auto")
    monkeypatch.setattr(vi, "read_cache", lambda folder: pytest.fail("the cache was read again"))
    report, how = vi.validate_build(tmp_path / "a.ttl", tmp_path / "c2", tmp_path / "c0", shapes=shapes)
    assert how["mode"] == "incremental" and how["focus_nodes"] == alone[1]["focus_nodes"] == 1
    assert_same_report(report, alone[0])
    assert_same_report(report, validate(tmp_path / "a.ttl", vi.stable_shapes(shapes)))
    assert [r.focus for r in report.results] == [str(EX.p7)]
    assert vi._ahead == {}  # used once


PREFIXES = """@prefix ex: <http://example.org/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:PersonShape a sh:NodeShape ; sh:targetClass schema:Person ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:pattern "^[^X]*$" ;
                  sh:message "no label, or an X in it"@en , "没有名称或名称含 X"@zh ] .
ex:ArticleShape a sh:NodeShape ; sh:targetClass schema:NewsArticle ;
    sh:property [ sh:path ex:mentions ; sh:class schema:Person ;
                  sh:message "mentions what is not a person"@en , "提到的不是人"@zh ] ;
    sh:sparql [ a sh:SPARQLConstraint ;
        sh:message "mentions a person whose label has an X"@en , "提到的人名称含 X"@zh ;
        sh:select \"\"\"SELECT $this ?value WHERE { $this <http://example.org/mentions> ?value .
                      ?value <http://www.w3.org/2000/01/rdf-schema#label> ?l . FILTER(CONTAINS(STR(?l), "X")) }\"\"\" ] .
"""


def test_validate_incremental_reads_of_shapes():
    """The project's shapes are bounded (else re-runs would always validate everything);
    an inverse path, a repeated path or a SPARQL pattern not reached from $this is not."""
    sh = vi.stable_shapes()
    assert vi.depth(sh) == 2
    assert (((str(rdflib.PROV.wasDerivedFrom),),), ("http://www.w3.org/ns/oa#exact",)) in vi.reads(sh)
    for unbounded in ('sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ]',
                      'sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ]',
                      'sh:sparql [ sh:select "SELECT $this WHERE { ?x ex:p $this }" ]',
                      'sh:sparql [ sh:select "SELECT $this WHERE { ex:x ex:p ?y }" ]'):
        text = f"@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n" \
               f"ex:S a sh:NodeShape ; sh:targetClass ex:C ; {unbounded} ."
        assert vi.reads(rdflib.Graph().parse(data=text, format="turtle")) is None, unbounded


def test_validate_incremental_new_shapes_validate_everything(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES, encoding="utf-8")
    (tmp_path / "d.ttl").write_text(PREFIXES + "ex:p a schema:Person .\n", encoding="utf-8")
    vi.validate_build(tmp_path / "d.ttl", tmp_path / "c0", shapes=shapes)
    shapes.write_text(SHAPES.replace("minCount 1", "minCount 2"), encoding="utf-8")
    report, how = vi.validate_build(tmp_path / "d.ttl", tmp_path / "c1", tmp_path / "c0", shapes=shapes)
    assert how["mode"] == "full" and "no cached report" in how["why"]
    assert len(report.results) == 1


# ------------------------------------------------------------------ through kg build


def _dataset(doc):
    """A stand-in map: each word names a person the document mentions; a word starting with
    @ only mentions one that another document describes (types and labels are shared)."""
    ds = rdflib.Dataset()
    article = EX[f"doc/{doc.id}"]
    g, shared = ds.graph(EX[f"graph/{doc.id}"]), ds.graph(EX["graph/shared"])
    g.add((article, rdflib.RDF.type, SCHEMA.NewsArticle))
    for word in doc.text.split():
        person = EX[f"person/{word.lstrip('@')}"]
        g.add((article, EX.mentions, person))
        if not word.startswith("@"):
            shared.add((person, rdflib.RDF.type, SCHEMA.Person))
            shared.add((person, rdflib.RDFS.label, rdflib.Literal(word, lang="zh")))
    return ds


@pytest.fixture
def real_validation(fake_pipeline, monkeypatch, tmp_path):
    """The stand-in pipeline with the stand-in map above and real SHACL validation."""
    monkeypatch.setattr(sys.modules["kg.map"], "document_dataset", _dataset)
    monkeypatch.setitem(sys.modules, "kg.validate", vi._v)
    monkeypatch.setattr(vi, "MAX_SHARE", 1.0)
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES, encoding="utf-8")
    return BuildOptions(workers=1, progress=False, shapes=shapes)


@pytest.mark.parametrize("step", ["introduce", "remove-violating-file", "remove-describing-file"])
def test_build_rerun_validation_equals_full(step, tmp_path, real_validation):
    """A re-run reports the violation its change introduces, drops that of a removed file,
    and sees an unchanged document become invalid when the file describing what it mentions
    goes; each time the report equals a full validation of the same build."""
    src = write(tmp_path / "src", {"a.txt": "张三 @李四", "b.txt": "李四", "c.txt": "X王", "d.txt": "赵六"})
    out = tmp_path / "out"
    build([src], out, real_validation)
    if step == "introduce":
        write(src, {"d.txt": "赵六 X钱"})
        want = {"X王", "doc/c.txt", "X钱", "doc/d.txt"}
    elif step == "remove-violating-file":
        (src / "c.txt").unlink()
        want = set()
    else:
        (src / "b.txt").unlink()  # a.txt, unchanged, now mentions an untyped 李四
        want = {"X王", "doc/c.txt", "doc/a.txt"}
    result = build([src], out, real_validation)
    how = result.stats["validation"]
    assert how["mode"] == "incremental", how
    got = (out / "report.txt").read_text(encoding="utf-8")
    found = {line.split("<http://example.org/", 1)[1].split(">", 1)[0].removeprefix("person/")
             for line in got.splitlines() if "<http://example.org/" in line}
    assert found == want, got
    assert result.violations == got.count("[violation]") and result.conforms is (not want)
    full = validate(out / "graph.trig", vi.stable_shapes(real_validation.shapes))
    assert got == full.text("both")
    assert isomorphic(rdflib.Graph().parse(out / "report.ttl", format="turtle"), full.graph)
