"""Ontology terms in one place.

Every term is a class attribute of an rdflib ``DefinedNamespace`` with ``_fail = True``,
so a typo is an ``AttributeError`` instead of a new IRI.  ``KG`` is ours and is checked
against ``ontology/kg.ttl`` by tests/test_ns.py; the vocabularies rdflib does not ship
(EU CPOV, Web Annotation, SAREF4City) are declared here with the terms we use.
rdflib ships ORG, PROV, SKOS, DCTERMS, SDO (schema.org), XSD, RDF, RDFS, OWL, SH.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import (  # noqa: F401  (re-exported for kg.map and kg.validate)
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    TIME,
    SKOS,
    XSD,
    DefinedNamespace,
)

#: where minted entity and fact IRIs live: ID + "{kind}/{hash}"
ID = Namespace("https://w3id.org/citykg/id/")
#: named graphs: GRAPH + "doc/{doc id}" and GRAPH + "build"
GRAPH = Namespace("https://w3id.org/citykg/graph/")
#: the ontology document itself (owl:Ontology)
ONTOLOGY = URIRef("https://w3id.org/citykg/ontology")
#: shapes of shapes/*.ttl
KGSH = Namespace("https://w3id.org/citykg/shapes#")


class KG(DefinedNamespace):
    """The citykg ontology (ontology/kg.ttl)."""

    _fail = True
    _NS = Namespace("https://w3id.org/citykg/ontology#")

    # classes
    Fact: URIRef
    SourceDocument: URIRef
    Evidence: URIRef
    Initiative: URIRef
    Agreement: URIRef
    Indicator: URIRef
    Target: URIRef
    EventRole: URIRef
    Build: URIRef
    Correction: URIRef
    SameEntityCorrection: URIRef
    DistinctEntityCorrection: URIRef
    DropCorrection: URIRef
    # organization categories (classes, also skos:Concepts of OrganizationCategoryScheme)
    GovernmentBody: URIRef
    PartyBody: URIRef
    University: URIRef
    Company: URIRef
    ResearchInstitute: URIRef
    Media: URIRef
    InternationalOrganization: URIRef
    Academy: URIRef
    Committee: URIRef
    # concept schemes
    OrganizationCategoryScheme: URIRef
    PostTitleScheme: URIRef
    AgreementTypeScheme: URIRef
    EventTypeScheme: URIRef
    InitiativeKindScheme: URIRef
    EventRoleScheme: URIRef
    # event types
    Meeting: URIRef
    Forum: URIRef
    Ceremony: URIRef
    Conference: URIRef
    Campaign: URIRef
    Activity: URIRef
    Competition: URIRef
    Launch: URIRef
    # initiative kinds
    System: URIRef
    Platform: URIRef
    Centre: URIRef
    Project: URIRef
    Mode: URIRef
    Mechanism: URIRef
    Action: URIRef
    List: URIRef
    DemonstrationZone: URIRef
    Pilot: URIRef
    Strategy: URIRef
    Programme: URIRef
    Framework: URIRef
    Index: URIRef
    Scenario: URIRef
    Standard: URIRef
    # event roles
    chair: URIRef
    speaker: URIRef
    attendee: URIRef
    signatory: URIRef
    organizer: URIRef
    # object properties
    postTitle: URIRef
    event: URIRef
    agent: URIRef
    role: URIRef
    eventType: URIRef
    initiativeKind: URIRef
    agreementType: URIRef
    party: URIRef
    signedAt: URIRef
    hasComponent: URIRef
    partOf: URIRef
    subject: URIRef
    inArticle: URIRef
    concerns: URIRef
    # datatype properties
    statedCount: URIRef
    approximation: URIRef
    targetYear: URIRef
    surfaceText: URIRef
    nlpBackend: URIRef
    softwareVersion: URIRef
    sourceFile: URIRef
    statedOn: URIRef


class CV(DefinedNamespace):
    """EU Core Public Organisation Vocabulary (CPOV)."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/m8g/")

    PublicOrganisation: URIRef


class OA(DefinedNamespace):
    """W3C Web Annotation vocabulary: the selectors of evidence nodes."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/oa#")

    TextQuoteSelector: URIRef
    TextPositionSelector: URIRef
    exact: URIRef
    start: URIRef
    end: URIRef


class S4CITY(DefinedNamespace):
    """SAREF4City (ETSI TS 103 410-4)."""

    _fail = True
    _NS = Namespace("https://saref.etsi.org/saref4city/")

    KeyPerformanceIndicator: URIRef


#: organization categories by name (EntityFact.categories) -> class
ORG_CATEGORIES = {n: KG[n] for n in (
    "GovernmentBody", "PartyBody", "University", "Company", "ResearchInstitute",
    "Media", "InternationalOrganization", "Academy", "Committee")}
#: event types by name -> concept of KG.EventTypeScheme
EVENT_TYPES = {n: KG[n] for n in (
    "Meeting", "Forum", "Ceremony", "Conference", "Campaign", "Activity", "Competition", "Launch")}
#: initiative kinds by name -> concept of KG.InitiativeKindScheme
INITIATIVE_KINDS = {n: KG[n] for n in (
    "System", "Platform", "Centre", "Project", "Mode", "Mechanism", "Action", "List",
    "DemonstrationZone", "Pilot", "Strategy", "Programme", "Framework", "Index", "Scenario", "Standard")}
#: event roles (kg.document.Role) -> concept of KG.EventRoleScheme
ROLES = {n: KG[n] for n in ("chair", "speaker", "attendee", "signatory", "organizer")}

#: prefixes bound on every graph kg.map writes
PREFIXES = {
    "kg": KG._NS, "kgid": ID, "org": ORG._NS, "cv": CV._NS, "schema": SDO._NS, "prov": PROV._NS,
    "oa": OA._NS, "skos": SKOS._NS, "dcterms": DCTERMS._NS, "s4city": S4CITY._NS, "time": TIME._NS,
}
