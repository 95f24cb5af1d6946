"""What the entity page shows about one IRI: its names and types, the people, bodies, events,
agreements, places and initiatives it is connected to (directly, or through a fact node such as
a post, an event role or an agreement), a person's or a body's posts in date order, and every
statement about it with readable names.

A fact node's dates are the dates of the articles whose sentences state it (its evidence's
article, else its source document); its sentence count is the number of those sentences.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .names import ALIAS_PROPS, NAME_PROPS, names, sparql_iri, types

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
KG = "https://w3id.org/citykg/ontology#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = ("https://schema.org/", "http://schema.org/")
KINDS = (("people", {s + "Person" for s in SCHEMA}),
         ("bodies", {ORG + "Organization", "http://data.europa.eu/m8g/PublicOrganisation"}),
         ("events", {s + "Event" for s in SCHEMA}),
         ("agreements", {KG + "Agreement"}),
         ("places", {s + "Place" for s in SCHEMA}),
         ("initiatives", {KG + "Initiative"}),
         ("articles", {s + "NewsArticle" for s in SCHEMA}))
FACT_TYPES = {KG + "Fact", ORG + "Post", ORG + "Membership", KG + "EventRole"}
POST = ORG + "Post"
NOT_LINKS = {RDF_TYPE, DERIVED}
LABELS = set(NAME_PROPS[:4] + ALIAS_PROPS)
MAX_LINKS = 500  # statements read in each direction

EVIDENCE_STATS = """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX kg: <https://w3id.org/citykg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?f (COUNT(DISTINCT ?ev) AS ?n) (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
  VALUES ?f {{ {facts} }} ?f prov:wasDerivedFrom ?ev .
  OPTIONAL {{ ?ev (kg:inArticle|dcterms:source|(oa:hasTarget/oa:hasSource))/dcterms:date ?d }}
}} GROUP BY ?f"""


def kind_of(type_iris) -> str | None:
    for kind, classes in KINDS:
        if classes & set(type_iris):
            return kind
    return None


@dataclass
class Fact:
    """A node that states something with more than two parts, and what its evidence says of it."""

    iri: str
    types: set[str]
    out: list[tuple[str, tuple]] = field(default_factory=list)  # (property, term)
    sentences: int = 0
    first: str | None = None
    last: str | None = None


@dataclass
class Row:
    """One connection of the entity to another node, for a table and for the network."""

    kind: str                 # a KINDS name, or "posts"
    other: str | None         # the connected node (None: a post that names no body)
    relation: str             # how: the IRI of a role, a post or a property (named on the page)
    fact: Fact | None = None  # the fact node it goes through (None: a direct statement)
    via: str = ""             # the property from the fact node (or the entity) to ``other``
    hub: bool = False         # drawn through the fact node (a fact with several parties)
    reverse: bool = False     # ``other`` states the property about the entity, not the other way


@dataclass
class Entity:
    iri: str
    out: list[tuple[str, tuple]]      # (property, term)
    inc: list[tuple[tuple, str]]      # (subject term, property)
    types: set[str]
    facts: dict[str, Fact] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)   # IRI → KINDS name
    names: dict[str, str] = field(default_factory=dict)   # IRI → readable name
    rows: list[Row] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names.get(self.iri, self.iri)

    @property
    def labels(self) -> list[str]:
        """Its names and aliases, as stated."""
        return list(dict.fromkeys(o[1] for p, o in self.out if p in LABELS and o[0] == "literal"))

    @property
    def kind(self) -> str | None:
        return kind_of(self.types)

    @property
    def own(self) -> Fact:
        return self.facts.get(self.iri) or Fact(self.iri, self.types)

    def table(self, kind: str) -> list[Row]:
        rows = [r for r in self.rows if r.kind == kind]
        return sorted(rows, key=lambda r: ((r.fact.first if r.fact else None) or "9999", self.names.get(r.other or "", "")))


async def gather(ep, iri: str, lang: str) -> Entity | None:
    """Everything the page shows about ``iri``; None when the graph states nothing about it."""
    node = sparql_iri(iri)
    _, out = await ep.rows(f"SELECT ?p ?o WHERE {{ {node} ?p ?o FILTER(?p != <{DERIVED}>) }}", MAX_LINKS)
    _, inc = await ep.rows(f"SELECT ?s ?p WHERE {{ ?s ?p {node} FILTER(?p != <{DERIVED}>) }}", MAX_LINKS)
    own_types = {o[1] for p, o in out if p[1] == RDF_TYPE}
    if not out and not inc:
        _, known = await ep.rows(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}")
        if known[0][0][1] != "true":
            return None
    ent = Entity(iri, [(p[1], o) for p, o in out], [(s, p[1]) for s, p in inc], own_types)
    await _facts(ep, ent)
    others = {o[1] for f in ent.facts.values() for _, o in f.out if o[0] == "uri"}
    others |= {o[1] for _, o in ent.out if o[0] == "uri"} | {s[1] for s, _ in ent.inc if s[0] == "uri"}
    found = await types(ep, others - set(ent.facts))
    found.update({f.iri: f.types for f in ent.facts.values()})
    ent.kinds = {i: k for i, ts in found.items() if (k := kind_of(ts))}
    _rows(ent)
    every = {iri, *others, *ent.facts, *(p for p, _ in ent.out), *(p for _, p in ent.inc),
             *(t for ts in found.values() for t in ts), *own_types}
    ent.names = await names(ep, every, lang)
    return ent


async def _facts(ep, ent: Entity) -> None:
    """The fact nodes pointing at the entity (and the entity itself when it is one), with their
    statements and evidence counts and dates."""
    subjects = {s[1] for s, _ in ent.inc if s[0] == "uri"}
    fact_iris = [i for i, ts in (await types(ep, subjects)).items() if ts & FACT_TYPES]
    if fact_iris:
        values = " ".join(sparql_iri(f) for f in fact_iris)
        _, rows = await ep.rows(f"SELECT ?f ?q ?x WHERE {{ VALUES ?f {{ {values} }} ?f ?q ?x "
                                f"FILTER(?q != <{DERIVED}>) }}")
        for f, q, x in rows:
            fact = ent.facts.setdefault(f[1], Fact(f[1], set()))
            if q[1] == RDF_TYPE:
                fact.types.add(x[1])
            else:
                fact.out.append((q[1], x))
    ent.facts[ent.iri] = Fact(ent.iri, ent.types, [(p, o) for p, o in ent.out if p != RDF_TYPE])
    _, stats = await ep.rows(EVIDENCE_STATS.format(facts=" ".join(sparql_iri(f) for f in ent.facts)))
    for f, n, first, last in stats:
        fact = ent.facts[f[1]]
        fact.sentences = int(n[1])
        fact.first, fact.last = (first[1] if first else None), (last[1] if last else None)


def _relation(ent: Entity, fact: Fact) -> str:
    """A fact in words: its role (主持) when it has one, else its own name (市委书记)."""
    for p, o in fact.out:
        if p == KG + "role" and o[0] == "uri":
            return o[1]
    return fact.iri


def _rows(ent: Entity) -> None:
    """The connections; relations are IRIs, named with everything else afterwards."""
    rows = ent.rows
    for fact in ent.facts.values():
        if fact.iri == ent.iri:
            continue
        parties = [(p, o[1]) for p, o in fact.out if o[0] == "uri" and o[1] in ent.kinds and o[1] != ent.iri]
        linked_by = [p for s, p in ent.inc if s[1] == fact.iri]
        if POST in fact.types:
            others = parties or [(None, None)]
            rows.extend(Row("posts", o, fact.iri, fact, p or "") for p, o in others)
            continue
        own_kind = ent.kinds.get(fact.iri)
        if own_kind:  # the fact is itself something to list (an agreement)
            rows.append(Row(own_kind, fact.iri, linked_by[0] if linked_by else fact.iri, fact))
        for p, other in parties:
            rows.append(Row(ent.kinds[other], other, _relation(ent, fact), fact, p, hub=bool(own_kind)))
    own = ent.own if ent.types & FACT_TYPES else None  # a fact's own parties: its evidence
    for p, o in ent.out:
        if o[0] == "uri" and o[1] in ent.kinds and p not in NOT_LINKS:
            rows.append(Row(ent.kinds[o[1]], o[1], p, own, p))
    for s, p in ent.inc:
        if s[1] in ent.kinds and s[1] not in ent.facts and p not in NOT_LINKS:
            rows.append(Row(ent.kinds[s[1]], s[1], p, None, p, reverse=True))
    seen, ent.rows = set(), []
    for r in rows:
        key = (r.kind, r.other, r.relation, r.reverse, r.fact.iri if r.fact else None)
        if key not in seen:
            seen.add(key)
            ent.rows.append(r)
