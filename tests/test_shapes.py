"""shapes/: one parametrized test over tests/shapes/manifest.json, plus meta-SHACL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib

from kg.errors import ValidationError
from kg.validate import shapes_graph, validate

CASES = Path(__file__).resolve().parent / "shapes"
MANIFEST = json.loads((CASES / "manifest.json").read_text(encoding="utf-8"))["cases"]
EX = "http://example.org/"


def _case_graph(name: str) -> rdflib.Graph:
    text = (CASES / "_base.ttl").read_text(encoding="utf-8") + (CASES / name).read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


@pytest.mark.parametrize("case", MANIFEST, ids=[c["data"].removesuffix(".ttl") for c in MANIFEST])
def test_shapes_case(case):
    report = validate(_case_graph(case["data"]))
    got = sorted((r.severity, r.shape, r.focus.replace(EX, "ex:"), r.path) for r in report.results)
    assert got == sorted(tuple(x) for x in case["results"]), report.text("en")
    assert report.conforms is case["conforms"]
    for r in report.results:
        assert r.message_zh and r.message_en and r.message_zh != r.message_en


def test_shapes_every_node_shape_has_failing_and_conforming_case():
    sh = shapes_graph()
    node_shapes = {sh.namespace_manager.normalizeUri(s) for s in sh.subjects(rdflib.RDF.type, rdflib.SH.NodeShape)}
    failing = {x[1] for c in MANIFEST for x in c["results"]}
    failing_nodes = set()
    for s in sh.subjects(rdflib.RDF.type, rdflib.SH.NodeShape):
        props = {sh.namespace_manager.normalizeUri(p) for p in sh.objects(s, rdflib.SH.property)}
        name = sh.namespace_manager.normalizeUri(s)
        if name in failing or props & failing:
            failing_nodes.add(name)
    assert node_shapes - failing_nodes == set()
    assert any(c["conforms"] and not c["results"] for c in MANIFEST)


def test_shapes_pass_meta_shacl():
    import pyshacl

    conforms, _, text = pyshacl.validate(shapes_graph(), meta_shacl=True)
    assert conforms, text


def test_shapes_small_document_has_only_the_count_warning(small_dataset):
    report = validate(small_dataset)
    assert report.conforms
    assert [(r.severity, r.constraint) for r in report.results] == [("Warning", "kgsh:Initiative-count-matches")]
    assert "违规" in report.text("zh") and "violation" in report.text("en")


def test_shapes_validate_reads_files_and_folders(tmp_path, small_dataset):
    small_dataset.serialize(tmp_path / "graph.trig", format="trig")
    (tmp_path / "stats.json").write_text("{}", encoding="utf-8")  # not RDF: skipped in folders
    assert validate(tmp_path).conforms
    assert validate(tmp_path / "graph.trig").conforms


def test_shapes_validate_unreadable_file_names_it(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("this is not turtle .", encoding="utf-8")
    with pytest.raises(ValidationError, match="broken.ttl"):
        validate(bad)
