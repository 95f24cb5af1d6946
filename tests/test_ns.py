"""Every kg: term used in kg/ns.py, shapes/ and queries/ is declared in ontology/."""
from __future__ import annotations

import re

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import ns

KG = str(ns.KG._NS)
DECLARING = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
             SKOS.Concept, SKOS.ConceptScheme}


@pytest.fixture(scope="module")
def ontology(repo_root):
    g = rdflib.Graph()
    for f in sorted((repo_root / "ontology").glob("*.ttl")):
        g.parse(f)
    return g


@pytest.fixture(scope="module")
def declared(ontology):
    return {str(s) for t in DECLARING for s in ontology.subjects(RDF.type, t) if str(s).startswith(KG)}


def _terms_in_text(text: str) -> set[str]:
    local = r"([A-Za-z_][A-Za-z0-9_]*)"
    found = {KG + m for m in re.findall(r"(?<![\w/#])kg:" + local, text)}
    found |= {KG + m for m in re.findall(re.escape("<" + KG) + local + ">", text)}
    return found


def test_ns_terms_declared_in_ontology(declared):
    terms = {str(ns.KG[name]) for name in ns.KG.__annotations__}
    assert terms - declared == set()


def test_ns_ontology_terms_all_in_ns(declared):
    assert declared - {str(ns.KG[n]) for n in ns.KG.__annotations__} == set()


def test_ns_unknown_term_fails():
    with pytest.raises(AttributeError):
        ns.KG.NoSuchTerm  # noqa: B018


@pytest.mark.parametrize("folder,glob", [("shapes", "*.ttl"), ("queries", "*.rq")])
def test_ns_terms_in_shapes_and_queries_declared(repo_root, declared, folder, glob):
    files = sorted((repo_root / folder).glob(glob))
    assert files, f"no {glob} in {folder}/"
    for f in files:
        used = _terms_in_text(f.read_text(encoding="utf-8"))
        assert used - declared == set(), f"{f.name} uses undeclared kg: terms"


def test_ns_every_term_has_zh_en_label_and_definition(ontology, declared):
    for term in map(rdflib.URIRef, sorted(declared)):
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in ontology.objects(term, prop)}
            assert {"zh", "en"} <= langs, f"{term} lacks {prop} in zh and en"


def test_ns_ontology_header(ontology):
    onto = ns.ONTOLOGY
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionIRI) is not None
    assert str(ontology.value(onto, OWL.versionInfo)) == "0.1.0"
    assert ontology.value(onto, rdflib.DCTERMS.license) is not None
    assert ontology.value(onto, rdflib.DCTERMS.creator) is not None


def test_ns_org_categories_are_classes_and_concepts(ontology):
    for cls in ns.ORG_CATEGORIES.values():
        assert (cls, RDF.type, OWL.Class) in ontology
        assert (cls, SKOS.inScheme, ns.KG.OrganizationCategoryScheme) in ontology
        assert (cls, RDFS.subClassOf, ns.ORG.Organization) in ontology
