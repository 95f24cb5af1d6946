"""kg.validate for users' CI: any RDF file or folder, their shapes, report formats, engines."""
from __future__ import annotations

import json

import pytest
import rdflib

from kg.errors import ValidationError
from kg.validate import validate

BAD = """@prefix kg: <https://w3id.org/citykg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<http://example.org/g> a kg:Agreement , kg:Fact ; kg:party <http://example.org/o1> .
"""
USER_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "no name"@en , "没有名称"@zh ] .
"""


@pytest.fixture
def bad_file(tmp_path):
    f = tmp_path / "bad.ttl"
    f.write_text(BAD, encoding="utf-8")
    return f


def test_validate_violations_exit_1_and_formats(bad_file):
    report = validate(bad_file)
    assert not report.conforms and report.exit_code == 1
    data = json.loads(report.to_json())
    assert data["conforms"] is False and data["counts"]["Violation"] == report.count("Violation") > 0
    shapes = {r["shape"] for r in data["results"]}
    assert {"kgsh:Agreement-two-parties", "kgsh:Fact-evidence-text"} <= shapes
    rg = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    assert (None, rdflib.SH.conforms, rdflib.Literal(False)) in rg
    assert report.render("text", "en").startswith("Does not conform")
    with pytest.raises(ValueError):
        report.render("xml")


def test_validate_user_shapes_on_user_data(tmp_path):
    (tmp_path / "shapes.ttl").write_text(USER_SHAPES, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.nt").write_text("<http://example.org/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/Thing> .\n", encoding="utf-8")
    (data / "b.jsonld").write_text(json.dumps({"@id": "http://example.org/y", "@type": "http://example.org/Thing",
                                               "http://example.org/name": "y"}), encoding="utf-8")
    report = validate(data, shapes=tmp_path / "shapes.ttl")
    assert [(r.focus, r.path, r.message_en, r.message_zh) for r in report.results] == [
        ("http://example.org/x", "http://example.org/name", "no name", "没有名称")]
    assert report.exit_code == 1


def test_validate_unknown_engine_and_unusable_shapes(bad_file, tmp_path):
    with pytest.raises(ValidationError, match="unknown validation engine"):
        validate(bad_file, engine="nope")
    broken = tmp_path / "broken-shapes.ttl"
    broken.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ; "
                      "sh:targetClass <https://w3id.org/citykg/ontology#Agreement> ; sh:sparql [ sh:select \"SELECT $this WHERE { VALUES ?x {1} }\" ] .\n",
                      encoding="utf-8")
    with pytest.raises(ValidationError):
        validate(bad_file, shapes=broken)


def test_validate_leaves_a_callers_graph_untouched(bad_file):
    g = rdflib.Graph().parse(bad_file)
    before = len(g)
    validate(g)
    assert len(g) == before


def test_validate_same_blank_node_label_in_two_files_stays_two_nodes(tmp_path):
    for name in ("a.ttl", "b.ttl"):
        (tmp_path / name).write_text("_:b1 <http://example.org/p> \"%s\" .\n" % name, encoding="utf-8")
    from kg.validate import load_data

    g = load_data(tmp_path)
    assert len(set(g.subjects())) == 2
    assert len(load_data([tmp_path / "a.ttl", tmp_path / "b.ttl"])) == 2  # files as pre-commit passes them


def _summary(report):
    return sorted((r.severity, r.shape, r.focus, r.path or "", r.value or "", r.message_en) for r in report.results)


@pytest.mark.parametrize("case", ["bad", "small"])
def test_validate_turbo_gives_the_same_report(case, bad_file, small_dataset):
    pytest.importorskip("pyshacl_turbo", reason="the turbo extra (pyshacl-turbo) is not installed")
    data = bad_file if case == "bad" else small_dataset
    a, b = validate(data), validate(data, engine="turbo")
    assert a.conforms == b.conforms
    assert _summary(a) == _summary(b)


def _full(report):
    """Every field of every result, as a multiset (the order of equal keys may differ)."""
    import collections
    import dataclasses

    return collections.Counter(json.dumps(dataclasses.asdict(r), ensure_ascii=False, sort_keys=True)
                               for r in report.results)


INDICATOR = """@prefix kg: <https://w3id.org/citykg/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/n> a kg:Indicator ; kg:approximation "more-than" ; schema:value "2.0"^^xsd:decimal ;
    schema:unitText "个" .
<http://example.org/m> a kg:Indicator ; kg:approximation "roughly" ; schema:value "1"^^xsd:decimal ;
    schema:unitText "个" .
"""


@pytest.mark.parametrize("form", ["file", "store", "nquads-file"])
def test_validate_turbo_native_input_same_report_and_labels(form, tmp_path, small_dataset):
    pytest.importorskip("pyshacl_turbo", reason="the turbo extra (pyshacl-turbo) is not installed")
    import pyoxigraph as ox

    trig = tmp_path / "graph.trig"
    trig.write_text(small_dataset.serialize(format="trig") + INDICATOR, encoding="utf-8")
    store = ox.Store()
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    nq = tmp_path / "graph.nq"
    ox.serialize(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG), output=str(nq), format=ox.RdfFormat.N_QUADS)
    data = {"file": trig, "store": store, "nquads-file": nq}[form]
    reference, fast, slow = validate(trig), validate(data, engine="turbo"), validate(data, engine="pyshacl")
    assert (fast.conforms, _full(fast)) == (reference.conforms, _full(reference)) == (slow.conforms, _full(slow))
    assert any(r.focus_label for r in fast.results)  # zh names of the focus nodes, as pySHACL's
    # sh:in over plain strings: only the value outside the list is reported (pyshacl-turbo's own
    # Store input reports "more-than" too)
    bad = {(r.focus, r.value) for r in fast.results if r.shape == "kgsh:Indicator-approximation"}
    assert bad == {("http://example.org/m", "roughly")}


def test_validate_auto_engine_is_turbo_when_installed(bad_file, monkeypatch):
    from kg import validate_turbo

    calls = []
    real = validate_turbo.run
    monkeypatch.setattr(validate_turbo, "run", lambda *a, **k: calls.append(1) or real(*a, **k))
    report = validate(bad_file, engine="auto")
    assert not report.conforms
    assert calls == ([1] if validate_turbo.available() else [])
