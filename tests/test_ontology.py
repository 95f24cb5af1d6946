"""ontology/: reasoning-ready (OWL RL, RDFS), every used term declared, stable IRIs, README examples."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from kg import ns

ROOT = Path(__file__).resolve().parent.parent
KG = str(ns.KG._NS)
SEED = ROOT / "tests" / "golden" / "seed.nq"  # the seed build's graph (tests/test_seed.py keeps it current)
DECLARING = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
             SKOS.Concept, SKOS.ConceptScheme)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    g = rdflib.Graph()
    for f in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(f)
    return g


@pytest.fixture(scope="module")
def seed() -> rdflib.Graph:
    ds = rdflib.Dataset()
    ds.parse(SEED, format="nquads")
    g = rdflib.Graph()
    g.addN((s, p, o, g) for s, p, o, _ in ds.quads((None, None, None, None)))
    return g


def _closure(ontology, seed, semantics) -> rdflib.Graph:
    import owlrl

    g = rdflib.Graph()
    g.addN((s, p, o, g) for s, p, o in ontology)
    g.addN((s, p, o, g) for s, p, o in seed)
    # improved_datatypes=False: owlrl's "improved" conversions replace rdflib's global literal
    # mapping for the rest of the process, and its xsd:gMonthDay check rejects "--10-29", which
    # would make every later SHACL run see our event dates as ill-typed
    owlrl.DeductiveClosure(semantics, improved_datatypes=False).expand(g)
    return g


def test_ontology_owl_rl_consistent_with_seed(ontology, seed):
    import owlrl
    from owlrl.Namespaces import ERRNS

    g = _closure(ontology, seed, owlrl.OWLRL_Semantics)
    errors = [str(m) for e in g.subjects(RDF.type, ERRNS.ErrorMessage) for m in g.objects(e, ERRNS.error)]
    assert errors == []
    assert list(g.subjects(RDF.type, OWL.Nothing)) == []


def test_ontology_rdfs_finds_bodies_and_facts(ontology, seed):
    import owlrl

    extra = rdflib.Graph()  # typed only by a category or a fact class: found through the ontology
    extra.add((rdflib.URIRef("urn:x:uni"), RDF.type, ns.KG.University))
    extra.add((rdflib.URIRef("urn:x:deal"), RDF.type, ns.KG.Agreement))
    g = _closure(ontology, seed + extra, owlrl.RDFS_Semantics)
    bodies = {r[0] for r in g.query("SELECT ?x WHERE { ?x a org:Organization }", initNs={"org": ns.ORG._NS})}
    facts = {r[0] for r in g.query("SELECT ?x WHERE { ?x a prov:Entity }", initNs={"prov": PROV._NS})}
    assert rdflib.URIRef("urn:x:uni") in bodies and len(bodies) > 10
    assert rdflib.URIRef("urn:x:deal") in facts
    seed_facts = set(seed.subjects(RDF.type, ns.KG.Fact))
    assert seed_facts and seed_facts <= facts
    assert set(seed.subjects(RDF.type, ns.KG.GovernmentBody)) <= bodies


def _declared(ontology) -> set[str]:
    return {str(s) for t in DECLARING for s in ontology.subjects(RDF.type, t)}


def test_ontology_kg_terms_in_code_declared(ontology):
    """kg: terms written as text anywhere in kg/ (SPARQL strings, CURIEs) are declared."""
    declared = _declared(ontology)
    for f in sorted((ROOT / "kg").rglob("*.py")):
        text = f.read_text(encoding="utf-8")
        used = {KG + m for m in re.findall(r"(?<![\w/#])kg:([A-Za-z_][A-Za-z0-9_]*)", text)}
        used |= {KG + m for m in re.findall(r"KG\.([A-Za-z_][A-Za-z0-9_]*)", text) if not m.startswith("_")}
        assert used - declared == set(), f"{f.relative_to(ROOT)} uses undeclared kg: terms"


def test_ontology_shape_targets_and_paths_declared(ontology):
    """Every class a shape targets or requires, and every property it constrains, is declared."""
    from kg.validate import shapes_graph

    sh, declared = shapes_graph(), _declared(ontology)
    used = set(sh.objects(None, rdflib.SH.targetClass)) | set(sh.objects(None, rdflib.SH["class"]))
    used |= {p for p in sh.objects(None, rdflib.SH.path) if isinstance(p, rdflib.URIRef)}
    used |= set(sh.objects(None, rdflib.SH.targetSubjectsOf))
    builtin = {RDFS.label}
    assert {str(t) for t in used - builtin} - declared == set()


# ------------------------------------------------------------------ stability
RELEASES = ROOT / "ontology" / "releases"


def _release_terms(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize("release", sorted(RELEASES.glob("*-terms.txt")), ids=lambda p: p.name)
def test_ontology_terms_of_earlier_releases_kept_or_deprecated(ontology, release):
    """A term of a release may leave only as owl:deprecated with a note naming it in CHANGELOG.md."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    current = _declared(ontology)
    for term in sorted(_release_terms(release)):
        iri = rdflib.URIRef(term)
        if term in current and (iri, OWL.deprecated, rdflib.Literal(True)) not in ontology:
            continue
        deprecated = (iri, OWL.deprecated, rdflib.Literal(True)) in ontology
        local = term.removeprefix(KG)
        noted = f"kg:{local}" in changelog or term in changelog
        assert deprecated and noted, (
            f"{term} of {release.name} was removed or renamed: keep it declared with "
            f"owl:deprecated true (and owl:equivalentClass/Property or dcterms:isReplacedBy to its successor) "
            f"and name kg:{local} in CHANGELOG.md")


def test_ontology_stability_check_catches_a_removed_term(ontology, tmp_path):
    """The check itself: a release listing a term the ontology lacks fails."""
    release = tmp_path / "9.9.9-terms.txt"
    release.write_text(KG + "NoLongerThere\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="NoLongerThere"):
        test_ontology_terms_of_earlier_releases_kept_or_deprecated(ontology, release)


def test_ontology_version_matches_latest_release(ontology):
    version = str(ontology.value(ns.ONTOLOGY, OWL.versionInfo))
    latest = max(RELEASES.glob("*-terms.txt"), key=lambda p: [int(x) for x in p.name.split("-")[0].split(".")])
    assert latest.name.split("-")[0] <= version
    assert str(ontology.value(ns.ONTOLOGY, OWL.versionIRI)).endswith(version)


# ------------------------------------------------------------------ README examples
def _readme_queries() -> list[tuple[str, str]]:
    text = (ROOT / "ontology" / "README.md").read_text(encoding="utf-8")
    return re.findall(r"<!-- query: ([\w-]+) -->\s*```sparql\n(.*?)```", text, flags=re.S)


def test_ontology_readme_has_three_examples():
    assert {name for name, _ in _readme_queries()} >= {"post", "agreement", "evidence"}


@pytest.mark.parametrize("name,sparql", _readme_queries(), ids=[n for n, _ in _readme_queries()])
def test_ontology_readme_query_runs_on_seed(seed, name, sparql):
    rows = list(seed.query(sparql))
    assert rows, f"the {name} example returns no rows on the seed graph"


# ------------------------------------------------------------------ HTML documentation
def test_ontology_docs_build(tmp_path):
    pytest.importorskip("pylode", reason="the docs extra (pyLODE) is not installed")
    from click.testing import CliRunner

    from kg.docs import build_docs, docs

    index = build_docs(tmp_path / "site")
    html = index.read_text(encoding="utf-8")
    assert "治理举措" in html and "governance initiative" in html and "hasComponent" in html
    assert (tmp_path / "site" / "model.svg").is_file()
    result = CliRunner().invoke(docs, [str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "index.html").is_file()
