"""kg.map: a document's own graph (evidence) and the shared graph (entities and facts, once),
deterministic IRIs, evidence on every node."""
from __future__ import annotations

import os

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.document import Document, EntityFact, Facts, PostFact, Span, key_of
from kg.map import (SHARED_GRAPH, date_literal, document_dataset, evidence_iri, graph_iri, metadata_graph,
                    mint)
from kg.ns import DCTERMS, KG, OA, ORG, PROV, RDF, RDFS, SDO, XSD

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "map_small.trig")


def _named_graphs(ds: Dataset):
    return sorted((g for g in ds.graphs() if len(g) and g.identifier != ds.default_graph.identifier),
                  key=lambda g: str(g.identifier))


def _union(ds: Dataset) -> Graph:
    """All the document's statements, whichever graph holds them."""
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def test_map_mint_deterministic_and_scoped_by_kind():
    a = mint("person", key_of("袁家军"))
    assert a == mint("person", key_of("袁 家军"))
    assert a != mint("organization", key_of("袁家军"))
    assert str(a).startswith("https://w3id.org/citykg/id/person/") and len(str(a).rsplit("/", 1)[1]) == 16


def test_map_document_graph_and_shared_graph(small_doc, small_dataset):
    graphs = _named_graphs(small_dataset)
    assert [g.identifier for g in graphs] == [graph_iri(small_doc.id), SHARED_GRAPH]
    assert len(small_dataset.default_graph) == 0


def test_map_no_triple_in_two_graphs(small_dataset):
    own, shared = _named_graphs(small_dataset)
    assert not set(own) & set(shared)


def test_map_document_graph_holds_evidence_and_its_own_nodes(small_doc, small_dataset):
    own, shared = _named_graphs(small_dataset)
    person, post = mint("person", key_of("袁家军")), shared.value(mint("person", key_of("袁家军")), ORG.holds)
    # identity once, in the shared graph; the document's support for it in its own graph
    for triple in ((person, RDF.type, SDO.Person), (person, RDFS.label, Literal("袁家军", lang="zh")),
                   (post, ORG.heldBy, person), (post, RDF.type, ORG.Post)):
        assert triple in shared and triple not in own
    assert any(own.objects(post, PROV.wasDerivedFrom)) and not any(shared.objects(post, PROV.wasDerivedFrom))
    # the document, its articles, evidence nodes and indicators are the document's own
    local = {mint("document", small_doc.id)} | set(own.subjects(RDF.type, KG.Evidence))
    local |= set(own.subjects(RDF.type, SDO.NewsArticle)) | set(own.subjects(RDF.type, KG.Indicator))
    assert len(local) > 10
    assert {s for s in shared.subjects()} & local == set()
    assert {p for s, p, o in own if s not in local} == {PROV.wasDerivedFrom}


def test_map_two_documents_repeat_shared_triples_not_evidence(make_doc):
    from dataclasses import replace

    one = document_dataset(make_doc())
    two = document_dataset(replace(make_doc(), path="other.txt", id="other.txt"))
    shared = [set(ds.graph(SHARED_GRAPH)) for ds in (one, two)]
    assert shared[0] == shared[1]  # a store keeps these once, however many documents say them
    own = [set(_named_graphs(ds)[0]) for ds in (one, two)]
    assert not own[0] & own[1]


def test_map_deterministic_across_runs(make_doc):
    one = document_dataset(make_doc()).serialize(format="nquads")
    two = document_dataset(make_doc()).serialize(format="nquads")
    assert sorted(one.splitlines()) == sorted(two.splitlines())


def test_map_every_fact_and_entity_has_evidence(small_doc, small_dataset):
    g = _union(small_dataset)
    nodes = set(g.subjects(RDF.type, KG.Fact))
    for cls in (SDO.Person, ORG.Organization, SDO.Place, SDO.Event, KG.Initiative):
        nodes |= set(g.subjects(RDF.type, cls))
    assert len(nodes) > 15
    for node in nodes:
        evidence = list(g.objects(node, PROV.wasDerivedFrom))
        assert evidence, f"{node} has no evidence"
        for ev in evidence:
            start, end = int(g.value(ev, OA.start)), int(g.value(ev, OA.end))
            assert str(g.value(ev, OA.exact)) == small_doc.text[start:end]
            assert ev == evidence_iri(small_doc.id, start, end)
            assert g.value(ev, DCTERMS.source) == mint("document", small_doc.id)


def test_map_post_offsets_point_at_the_sentence(small_doc, small_dataset):
    g = _union(small_dataset)
    person = mint("person", key_of("袁家军"))
    post = g.value(person, ORG.holds)
    assert g.value(post, ORG.heldBy) == person
    assert g.value(post, ORG.postIn) == mint("organization", key_of("中共重庆市委"))
    ev = g.value(post, PROV.wasDerivedFrom)
    assert str(g.value(ev, OA.exact)) == "市委书记袁家军出席会议并讲话。"
    assert int(g.value(ev, OA.start)) == small_doc.text.index("市委书记")


def test_map_missing_entity_is_minted_not_dropped(small_dataset):
    g = _union(small_dataset)
    wang = mint("person", key_of("王炯"))
    assert (wang, RDF.type, SDO.Person) in g
    assert (wang, RDFS.label, Literal("王炯", lang="zh")) in g
    assert any(g.objects(wang, PROV.wasDerivedFrom))
    assert (None, KG.agent, wang) in g


def test_map_categories_dates_counts(small_dataset):
    g = _union(small_dataset)
    assert (mint("organization", key_of("中共重庆市委")), RDF.type, KG.PartyBody) in g
    event = mint("event", key_of("数字重庆建设推进会"))
    assert g.value(event, DCTERMS.date) == Literal("2025-10-29", datatype=XSD.date)
    assert g.value(event, KG.eventType) == KG.Meeting
    assert g.value(event, SDO.location) == mint("place", key_of("重庆"))
    six = mint("initiative", key_of("六大应用系统"))
    assert int(g.value(six, KG.statedCount)) == 6
    assert set(g.objects(six, KG.hasComponent)) == {mint("initiative", key_of("数字党建")),
                                                     mint("initiative", key_of("数字政务"))}


@pytest.mark.parametrize("value,dtype", [("2025-10-29", XSD.date), ("--10-29", XSD.gMonthDay),
                                         ("2025-10", XSD.gYearMonth)])
def test_map_date_literal(value, dtype):
    assert date_literal(value).datatype == dtype


def test_map_also_place_and_unknown_names():
    text = "两江新区发言。"
    doc = Document(path="x", id="x.txt", text=text, facts=Facts(
        entities=[EntityFact("organization", "两江新区", Span(0, 7))],
        posts=[PostFact("某人", "主任", "某委员会", Span(0, 7))]))
    from kg.document import Entity

    doc.entities[("organization", key_of("两江新区"))] = Entity(
        "organization", key_of("两江新区"), "两江新区", evidence=[Span(0, 7)], also_place=True)
    g = _union(document_dataset(doc))
    org = mint("organization", key_of("两江新区"))
    assert (org, RDF.type, SDO.Place) in g and (org, RDF.type, ORG.Organization) in g
    assert (mint("organization", key_of("某委员会")), RDF.type, ORG.Organization) in g


def test_map_metadata_graph():
    g = metadata_graph({"backend": "lac", "versions": {"rdflib": "7.1"}, "started": "2025-11-01T10:00:00",
                        "sources": ["seeds/a.txt"]})
    assert g.identifier == URIRef("https://w3id.org/citykg/graph/build")
    build = g.value(None, RDF.type, KG.Build)
    assert str(g.value(build, KG.nlpBackend)) == "lac"
    assert g.value(build, PROV.used) == mint("document", "a.txt")


def _lines(g) -> str:
    return "\n".join(sorted(" ".join(x.n3() for x in t) for t in g))


@pytest.mark.parametrize("which", ["document", "shared"])
def test_map_matches_golden_trig(small_dataset, which):
    got = _named_graphs(small_dataset)[0 if which == "document" else 1]
    if os.environ.get("KG_UPDATE_GOLDEN") == "1" or not os.path.exists(GOLDEN):
        if os.environ.get("KG_UPDATE_GOLDEN") != "1":
            pytest.fail(f"{GOLDEN} missing; run with KG_UPDATE_GOLDEN=1 to write it")
        os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
        small_dataset.serialize(GOLDEN, format="trig")
    want_ds = Dataset()
    want_ds.parse(GOLDEN, format="trig")
    want = want_ds.graph(got.identifier)
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        print("only in mapped graph:\n" + _lines(only_got))
        print("only in golden file:\n" + _lines(only_want))
        pytest.fail("mapped graph differs from tests/golden/map_small.trig (KG_UPDATE_GOLDEN=1 refreshes it)")
