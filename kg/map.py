"""Document -> RDF: the only module that knows RDF.

One source document writes two named graphs, so that the union of all graphs is a set (no
triple in two graphs) and still says, per document, what supports each statement:

- its own graph (``graph_iri(doc.id)``): what only this document can say -- the source
  document and its articles, the evidence nodes, indicators (minted from the document id),
  and every ``prov:wasDerivedFrom`` link from an entity or fact to this document's evidence;
- the shared graph (``SHARED_GRAPH``): every statement about a node minted from a canonical
  key (entities, posts, event roles, agreements, concepts, OWL-Time nodes) -- types, labels,
  ``org:heldBy``/``org:postIn``, dates, places, parts.  Any document naming 李强's post writes
  the same triples there, and a store keeps each of them once, however many documents repeat
  it (over the union, one post is one solution, and COUNT counts posts, not mentions).

The rule is one test: a triple goes to the document's graph when its subject is the
document's own (``_Mapper.local``) or its predicate is ``prov:wasDerivedFrom``. ``DROP GRAPH``
of a document removes its evidence, articles and provenance links; nodes that no remaining
document supports are then found by ``RETRACT_UNSUPPORTED`` (docs/ARCHITECTURE.md, "Named
graphs").  Each shard holds both graphs of its document, so a store loaded from the remaining
shards is the exact graph without it.

Entities and facts are looked up by canonical name (``doc.entities[(kind, key_of(name))]``);
a name with no entity is minted anyway, never dropped.  Every entity and fact node carries
``prov:wasDerivedFrom`` to one evidence node per span: an ``oa:TextQuoteSelector`` +
``oa:TextPositionSelector`` with the sentence text (``oa:exact``), code-point offsets
(``oa:start``/``oa:end``), the source document (``dcterms:source``) and the article that holds
it (``kg:inArticle``) and the date that article states it on (``kg:statedOn``: "who held post
X in May 2023" is one query, queries/posts-at-date.rq).

Integers are xsd:integer (not xsd:nonNegativeInteger): stores such as Oxigraph canonicalize
derived integer types to xsd:integer, and the shapes must hold after a round trip.

All IRIs come from :func:`mint`: ``https://w3id.org/citykg/id/{kind}/{sha1(key)[:16]}``.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import hashlib
import logging
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from rdflib import Dataset, Graph, Literal, URIRef

from kg.document import Article, Document, Entity, Span, key_of
from kg.ns import (DCTERMS, EVENT_TYPES, GRAPH, ID, INITIATIVE_KINDS, KG, OA, ORG,
                   ORG_CATEGORIES, PREFIXES, PROV, RDF, RDFS, ROLES, SDO, SKOS, TIME, XSD)

log = logging.getLogger(__name__)

#: rdf:type of each entity kind
KIND_CLASS = {"person": SDO.Person, "organization": ORG.Organization, "place": SDO.Place,
              "initiative": KG.Initiative, "event": SDO.Event}
#: per kind: (property to a category, known categories, kind of minted concept, scheme)
_CATEGORY = {"event": (KG.eventType, EVENT_TYPES, "event-type", KG.EventTypeScheme),
             "initiative": (KG.initiativeKind, INITIATIVE_KINDS, "initiative-kind", KG.InitiativeKindScheme)}


#: zh words for the roles, in the labels of role nodes ("王明：主持（数字经济推进会）")
_ROLE_ZH = {"chair": "主持", "speaker": "发言", "attendee": "出席", "signatory": "签署", "organizer": "主办"}


def mint(kind: str, key: str) -> URIRef:
    """The one IRI-minting function: deterministic from (kind, normalized key)."""
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return ID[f"{kind}/{digest}"]


#: the named graph holding, once per build, the statements every document may repeat
SHARED_GRAPH = GRAPH["shared"]

#: SPARQL Update run after ``DROP GRAPH`` of documents: removes from the shared graph every
#: entity or fact that no remaining document supports (no ``prov:wasDerivedFrom`` left in any
#: graph), and the statements pointing at it; concepts and OWL-Time nodes stay
RETRACT_UNSUPPORTED = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX kg: <https://w3id.org/citykg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
DELETE { GRAPH <%(g)s> { ?n ?p ?o . ?s ?q ?n } }
WHERE {
  GRAPH <%(g)s> {
    VALUES ?c { kg:Fact schema:Person org:Organization schema:Place kg:Initiative schema:Event }
    ?n a ?c .
  }
  FILTER NOT EXISTS { GRAPH ?any { ?n prov:wasDerivedFrom ?evidence } }
  GRAPH <%(g)s> { { ?n ?p ?o } UNION { ?s ?q ?n } }
}""" % {"g": SHARED_GRAPH}


def graph_iri(doc_id: str) -> URIRef:
    """The named graph holding what only one source document says (evidence, articles, links)."""
    return GRAPH["doc/" + quote(doc_id, safe="")]


def evidence_iri(doc_id: str, start: int, end: int) -> URIRef:
    return mint("evidence", f"{doc_id}#{start}-{end}")


def date_literal(value) -> Literal | None:
    """xsd:date for "YYYY-MM-DD" (or a date), xsd:gMonthDay for "--MM-DD", a plain string otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    s = str(value).strip()
    for pattern, dtype in ((r"\d{4}-\d{2}-\d{2}", XSD.date), (r"--\d{2}-\d{2}", XSD.gMonthDay),
                           (r"\d{4}-\d{2}", XSD.gYearMonth), (r"\d{4}", XSD.gYear)):
        if re.fullmatch(pattern, s):
            return Literal(s, datatype=dtype)
    log.warning("date %r is not ISO 8601; kept as a plain string", s)
    return Literal(s)


def _decimal(value: float) -> Literal:
    """xsd:decimal in its canonical lexical form ("17.0", "0.5"), stable through Turtle round trips."""
    text = format(Decimal(str(value)).normalize(), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


class _Mapper:
    """Writes one document into its own graph ``g`` and the build's shared graph ``shared``."""

    def __init__(self, doc: Document, graph: Graph, shared: Graph):
        self.doc, self.g, self.shared = doc, graph, shared
        self.doc_node = mint("document", doc.id)
        #: nodes only this document mints (document, articles, evidence, indicators)
        self.local = {self.doc_node}
        arts = doc.articles  # kg.read makes them in text order; one made by hand may not be
        self.starts = [a.start for a in arts] if all(a.end <= b.start for a, b in zip(arts, arts[1:])) else None

    # ------------------------------------------------------------ helpers
    def add(self, s, p, o):
        if o is not None:
            own = s in self.local or p == PROV.wasDerivedFrom
            (self.g if own else self.shared).add((s, p, o))

    def label(self, node, name: str):
        self.add(node, RDFS.label, _zh(name))
        self.add(node, SKOS.prefLabel, _zh(name))

    def evidence(self, node, spans):
        for span in spans:
            ev = evidence_iri(self.doc.id, span.start, span.end)
            self.local.add(ev)
            self.add(node, PROV.wasDerivedFrom, ev)
            if (ev, RDF.type, KG.Evidence) in self.g:
                continue
            for cls in (KG.Evidence, OA.TextQuoteSelector, OA.TextPositionSelector):
                self.add(ev, RDF.type, cls)
            self.add(ev, OA.exact, Literal(self.doc.text[span.start:span.end]))
            self.add(ev, OA.start, Literal(span.start, datatype=XSD.integer))
            self.add(ev, OA.end, Literal(span.end, datatype=XSD.integer))
            self.add(ev, DCTERMS.source, self.doc_node)
            self.add(ev, KG.inArticle, self.article_at(span.start))
            self.add(ev, KG.statedOn, self.date_at(span.start))

    def article_at(self, offset: int) -> URIRef | None:
        a = self.holding(offset)
        return self.article_iri(a) if a else None

    def holding(self, offset: int) -> Article | None:
        """The article that holds ``offset``: a binary search over the articles in text order
        (time per evidence node in log(articles), not in the number of articles)."""
        arts = self.doc.articles
        if self.starts is None:
            return next((a for a in arts if a.start <= offset < a.end), None)
        k = bisect.bisect_right(self.starts, offset) - 1
        return arts[k] if k >= 0 and offset < arts[k].end else None

    def date_at(self, offset: int) -> Literal | None:
        """kg:statedOn of evidence: the date of the article holding it, else the document's."""
        article = self.holding(offset)
        date = date_literal((article.date if article else None) or self.doc.date)
        return date if date is not None and date.datatype == XSD.date else None

    def article_iri(self, a: Article) -> URIRef:
        node = mint("article", f"{self.doc.id}#{a.start}")
        self.local.add(node)
        return node

    def concept(self, kind: str, scheme, name: str, lang: str = "zh") -> URIRef:
        node = mint(kind, key_of(name))
        self.add(node, RDF.type, SKOS.Concept)
        self.add(node, SKOS.prefLabel, Literal(name, lang=lang))
        self.add(node, SKOS.inScheme, scheme)
        return node

    # ------------------------------------------------------------ entity references
    def ref(self, kind: str, key: str, name: str, spans) -> URIRef:
        """IRI of entity (kind, key); a minimal entity is written when linking made none."""
        node = mint(kind, key)
        if (kind, key) not in self.doc.entities:
            self.add(node, RDF.type, KIND_CLASS[kind])
            self.label(node, name)
            self.evidence(node, spans)
        return node

    def named(self, kind: str, name: str, spans) -> URIRef:
        return self.ref(kind, key_of(name), name, spans)

    def agent(self, name: str, spans, first: str | None = None) -> URIRef:
        """An agent named in a fact: the first kind linking knows, else ``first`` (or organization)."""
        key = key_of(name)
        kinds = [k for k in (first, "organization", "person", "place") if k]
        for kind in kinds:
            if (kind, key) in self.doc.entities:
                return mint(kind, key)
        return self.ref(kinds[0], key, name, spans)

    # ------------------------------------------------------------ statements
    def source_document(self):
        d, meta = self.doc_node, self.doc.meta
        self.add(d, RDF.type, KG.SourceDocument)
        self.add(d, DCTERMS.identifier, Literal(self.doc.id))
        if meta.get("title"):
            self.add(d, DCTERMS.title, _zh(str(meta["title"])))
        self.add(d, DCTERMS.date, date_literal(meta.get("date") or self.doc.date))
        src = meta.get("source")
        if src:
            self.add(d, DCTERMS.source, URIRef(src) if re.match(r"https?://\S+$", str(src)) else Literal(str(src)))

    def article(self, a: Article):
        node = self.article_iri(a)
        self.add(node, RDF.type, SDO.NewsArticle)
        self.add(node, SDO.isPartOf, self.doc_node)
        if a.title:
            self.add(node, SDO.headline, _zh(a.title))
            self.add(node, DCTERMS.title, _zh(a.title))
        self.add(node, DCTERMS.date, date_literal(a.date))
        spans = [a.byline_span or a.title_span or Span(a.start, a.end)]
        for reporter in filter(None, a.reporter.split("、")):  # several reporters: "周婷、王磊"
            self.add(node, SDO.author, self.named("person", reporter, spans))
        if a.media:
            media = self.named("organization", a.media, spans)
            if ("organization", key_of(a.media)) not in self.doc.entities:
                self.add(media, RDF.type, KG.Media)
            self.add(node, SDO.publisher, media)
        if a.title_span:
            self.evidence(node, [a.title_span])

    def entity(self, e: Entity):
        node = mint(e.kind, e.key)
        self.add(node, RDF.type, KIND_CLASS[e.kind])
        self.label(node, e.name)
        for alias in sorted(e.aliases - {e.name}):
            self.add(node, SKOS.altLabel, _zh(alias))
        self.categories(node, e)
        if e.part_of:
            prop = ORG.subOrganizationOf if e.kind == "organization" else KG.partOf
            self.add(node, prop, self.ref(e.kind, e.part_of, e.part_of, e.evidence))
        if e.kind == "organization" and e.also_place:
            self.add(node, RDF.type, SDO.Place)
        self.add(node, DCTERMS.date, date_literal(e.date))
        if e.kind == "event" and e.date:
            self.time(node, e)
        if e.place:
            self.add(node, SDO.location, self.ref("place", e.place, e.place, e.evidence))
        if e.count is not None:
            self.add(node, KG.statedCount, Literal(e.count, datatype=XSD.integer))
        for c in e.components:
            self.add(node, KG.hasComponent, self.ref("initiative", c, c, e.evidence))
        self.evidence(node, e.evidence)

    def time(self, node, e: Entity):
        """OWL-Time: the event's day as a time:Instant with a time:DateTimeDescription, which can
        say "29 October" when the year is unknown (--10-29)."""
        m = re.fullmatch(r"(\d{4})?-?-(\d{2})-(\d{2})", e.date)
        if not m:
            return
        instant, desc = mint("time", f"{e.key}|{e.date}"), mint("datetime", e.date)
        self.add(node, TIME.hasTime, instant)
        self.add(instant, RDF.type, TIME.Instant)
        self.add(instant, TIME.inDateTime, desc)
        if m.group(1):
            self.add(instant, TIME.inXSDDate, Literal(e.date, datatype=XSD.date))
            self.add(desc, TIME.year, Literal(m.group(1), datatype=XSD.gYear))
        self.add(desc, RDF.type, TIME.DateTimeDescription)
        self.add(desc, TIME.unitType, TIME.unitDay)
        self.add(desc, TIME.month, Literal(f"--{m.group(2)}", datatype=XSD.gMonth))
        self.add(desc, TIME.day, Literal(f"---{m.group(3)}", datatype=XSD.gDay))

    def categories(self, node, e: Entity):
        for cat in sorted(e.categories):
            if e.kind == "organization":
                if cat in ORG_CATEGORIES:
                    self.add(node, RDF.type, ORG_CATEGORIES[cat])
                else:
                    log.warning("unknown organization category %r of %s", cat, e.name)
            elif e.kind in _CATEGORY:
                prop, known, kind, scheme = _CATEGORY[e.kind]
                self.add(node, prop, known.get(cat) or self.concept(kind, scheme, cat, "en"))

    def post(self, f):
        spans = [f.evidence]
        person = self.named("person", f.person, spans)
        org = self.named("organization", f.org, spans) if f.org else None
        okey = key_of(f.org) if f.org else ""
        node = mint("post", f"{key_of(f.person)}|{key_of(f.title)}|{okey}")
        self.add(node, RDF.type, ORG.Post)
        self.add(node, RDF.type, KG.Fact)
        self.add(node, KG.postTitle, self.concept("post-title", KG.PostTitleScheme, f.title))
        self.add(node, RDFS.label, _zh((f.org or "") + f.title))
        self.add(node, ORG.heldBy, person)
        self.add(person, ORG.holds, node)
        self.add(node, ORG.postIn, org)
        self.evidence(node, spans)

    def role(self, f):
        spans = [f.evidence]
        event = self.named("event", f.event, spans)
        agent = self.agent(f.agent, spans, f.agent_kind)
        node = mint("role", f"{key_of(f.event)}|{f.agent_kind}:{key_of(f.agent)}|{f.role}")
        self.add(node, RDF.type, KG.EventRole)
        self.add(node, RDF.type, KG.Fact)
        self.add(node, KG.event, event)
        self.add(node, KG.agent, agent)
        self.add(node, KG.role, ROLES.get(f.role) or self.concept("role", KG.EventRoleScheme, f.role, "en"))
        self.add(node, RDFS.label, _zh(f"{f.agent}：{_ROLE_ZH.get(f.role, f.role)}（{f.event}）"))
        self.evidence(node, spans)

    def agreement(self, f):
        spans = [f.evidence]
        parties = [self.agent(p, spans) for p in f.parties]
        pkeys = "+".join(sorted(key_of(p) for p in f.parties))
        node = mint("agreement", f"{key_of(f.type)}|{key_of(f.title)}|{pkeys}|{f.date or self.doc.id}")
        self.add(node, RDF.type, KG.Agreement)
        self.add(node, RDF.type, KG.Fact)
        if f.type:
            self.add(node, KG.agreementType, self.concept("agreement-type", KG.AgreementTypeScheme, f.type))
        if f.title:
            self.add(node, DCTERMS.title, _zh(f.title))
        self.add(node, RDFS.label, _zh(f.title or f.type))
        for p in parties:
            self.add(node, KG.party, p)
        self.add(node, DCTERMS.date, date_literal(f.date))
        if f.event:
            self.add(node, KG.signedAt, self.named("event", f.event, spans))
        self.evidence(node, spans)

    def indicator(self, f):
        spans = [f.evidence]
        key = f"{self.doc.id}|{f.evidence.start}-{f.evidence.end}|{f.label}|{f.value}|{f.unit}|{f.surface}"
        node = mint("indicator", key)
        self.local.add(node)
        for cls in (KG.Indicator, KG.Fact, SDO.QuantitativeValue):
            self.add(node, RDF.type, cls)
        self.add(node, SDO.value, _decimal(f.value))
        self.add(node, SDO.unitText, Literal(f.unit))
        if f.label:
            self.add(node, RDFS.label, _zh(f.label))
        if f.approx:
            self.add(node, KG.approximation, Literal(f.approx))
        if f.surface:
            self.add(node, KG.surfaceText, Literal(f.surface))
        if f.subject:
            self.add(node, KG.subject, self.agent(f.subject, spans, f.subject_kind))
        if f.target_year:
            self.add(node, RDF.type, KG.Target)
            self.add(node, KG.targetYear, Literal(str(f.target_year), datatype=XSD.gYear))
        self.evidence(node, spans)

    def run(self):
        self.source_document()
        for a in self.doc.articles:
            self.article(a)
        for _, e in sorted(self.doc.entities.items()):
            self.entity(e)
        facts = self.doc.facts
        for f in facts.posts:
            self.post(f)
        for f in facts.roles:
            self.role(f)
        for f in facts.agreements:
            self.agreement(f)
        for f in facts.indicators:
            self.indicator(f)


def _bind(g):
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)


def document_dataset(doc: Document) -> Dataset:
    """All statements of one document: its own graph ``graph_iri(doc.id)`` and its part of the
    shared graph ``SHARED_GRAPH`` (see the module's docstring)."""
    ds = Dataset()
    _bind(ds)
    _Mapper(doc, ds.graph(graph_iri(doc.id)), ds.graph(SHARED_GRAPH)).run()
    return ds


def metadata_graph(info: dict) -> Graph:
    """Build metadata in the named graph ``https://w3id.org/citykg/graph/build``.

    ``info`` keys (all optional): ``backend`` (str), ``versions`` ({name: version}),
    ``started``/``ended`` (datetime or ISO string), ``sources`` (paths read).
    """
    g = Graph(identifier=GRAPH["build"])
    _bind(g)
    started = info.get("started") or info.get("time")
    node = mint("build", str(started or ""))
    g.add((node, RDF.type, KG.Build))
    g.add((node, RDF.type, PROV.Activity))
    if info.get("backend"):
        g.add((node, KG.nlpBackend, Literal(str(info["backend"]))))
    for name, version in sorted((info.get("versions") or {}).items()):
        g.add((node, KG.softwareVersion, Literal(f"{name} {version}")))
    for prop, key in ((PROV.startedAtTime, "started"), (PROV.endedAtTime, "ended")):
        value = info.get(key) or (info.get("time") if key == "started" else None)
        if value:
            text = value.isoformat() if hasattr(value, "isoformat") else str(value)
            g.add((node, prop, Literal(text, datatype=XSD.dateTime)))
    for src in info.get("sources") or ():
        g.add((node, KG.sourceFile, Literal(str(src))))
        g.add((node, PROV.used, mint("document", Path(str(src)).name)))
    return g


__all__ = ["mint", "graph_iri", "SHARED_GRAPH", "RETRACT_UNSUPPORTED", "evidence_iri", "date_literal", "document_dataset",
           "metadata_graph", "KIND_CLASS"]
