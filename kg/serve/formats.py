"""Result formats: content negotiation and serialization with a row cap.

SELECT results are written here (JSON, XML, CSV, TSV) so they can be cut at ``max_rows``;
ASK results and graphs (CONSTRUCT/DESCRIBE) are written by pyoxigraph.
"""
from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, RdfFormat, Triple, serialize

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

RESULT_TYPES = {  # media type -> short name; the first is the default
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": RdfFormat.TURTLE, "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES, "text/plain": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS, "application/trig": RdfFormat.TRIG,
    "application/ld+json": RdfFormat.JSON_LD, "application/json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
RESULT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml",
                "sparql-results+json": "json", "sparql-results+xml": "xml"}
GRAPH_NAMES = {
    "turtle": RdfFormat.TURTLE, "ttl": RdfFormat.TURTLE, "n3": RdfFormat.TURTLE,  # Turtle is N3's core
    "text/n3": RdfFormat.TURTLE, "text/rdf+n3": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES, "n-triples": RdfFormat.N_TRIPLES, "nt": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS, "n-quads": RdfFormat.N_QUADS, "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG, "jsonld": RdfFormat.JSON_LD, "json-ld": RdfFormat.JSON_LD,
    "ld+json": RdfFormat.JSON_LD, "json": RdfFormat.JSON_LD, "rdfxml": RdfFormat.RDF_XML,
    "rdf+xml": RdfFormat.RDF_XML, "rdf/xml": RdfFormat.RDF_XML, "xml": RdfFormat.RDF_XML,
    "rdf": RdfFormat.RDF_XML,
}
# A client asking a results type for a graph (roqet asks application/sparql-results+xml for
# CONSTRUCT) gets the graph format nearest to it, as a browser asking text/html gets Turtle.
GRAPH_FOR_RESULTS = {"xml": RdfFormat.RDF_XML, "json": RdfFormat.JSON_LD}
RESULT_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}


class NotAcceptable(ValueError):
    """No format the client accepts can carry this kind of result."""


def parse_accept(accept: str | None) -> list[str]:
    """Media types of an Accept header, best first (q-values honoured, q=0 dropped)."""
    items = []
    for i, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((-q, i, fields[0].lower()))
    return [m for _, _, m in sorted(items)]


def _known(key: str) -> bool:
    return any(key in table for table in (RESULT_NAMES, RESULT_TYPES, GRAPH_NAMES, GRAPH_TYPES))


def choose(kind: str, accept: str | None, fmt: str | None):
    """The format for a result ``kind`` ("results" or "graph"): a short name or an RdfFormat.

    ``fmt`` (the ``format=`` parameter) wins when it names a format of ``kind``; a format name
    clients send that only fits the other kind (SPARQLWrapper's ``format=rdf+xml`` on a SELECT,
    ``format=csv`` on a CONSTRUCT) defers to the Accept header; an unknown name is refused.
    """
    names, types = (RESULT_NAMES, RESULT_TYPES) if kind == "results" else (GRAPH_NAMES, GRAPH_TYPES)
    default = "json" if kind == "results" else RdfFormat.TURTLE
    if fmt:
        key = fmt.strip().lower().replace(" ", "+")  # an unescaped '+' in a URL arrives as ' '
        if key in names:
            return names[key]
        if key in types:
            return types[key]
        if not _known(key):
            raise NotAcceptable(f"format={fmt!r} is not available for {kind}; use one of {sorted(names)}")
    wanted = parse_accept(accept)
    if not wanted:
        return default
    for media in wanted:
        if media in types:
            return types[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
        if media == "text/html":  # a browser: show something readable
            return default
    if kind == "graph":
        for media in wanted:
            if media in RESULT_TYPES:
                return GRAPH_FOR_RESULTS.get(RESULT_TYPES[media], default)
    raise NotAcceptable(f"none of the accepted types ({accept}) fits {kind}; "
                        f"offer one of {sorted(set(types))}")


def media_type(fmt) -> str:
    if isinstance(fmt, str):
        return RESULT_MEDIA[fmt]
    return fmt.media_type


def boolean_bytes(result, fmt: str) -> bytes:
    qfmt = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
            "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}[fmt]
    return result.serialize(format=qfmt)


def graph_bytes(triples: list, fmt) -> bytes:
    return serialize(triples, format=fmt)


# --- SELECT results --------------------------------------------------------------------------

def _json_term(t) -> dict:
    if isinstance(t, NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, Triple):
        return {"type": "triple", "value": {"subject": _json_term(t.subject),
                "predicate": _json_term(t.predicate), "object": _json_term(t.object)}}
    raise TypeError(f"unexpected term {t!r}")


def _xml_term(t) -> str:
    if isinstance(t, NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}"
            f"</predicate><object>{_xml_term(t.object)}</object></triple>")


def _csv_field(t) -> str:
    if t is None:
        return ""
    v = f"_:{t.value}" if isinstance(t, BlankNode) else (str(t) if isinstance(t, Triple) else t.value)
    if any(c in v for c in ',"\r\n'):
        v = '"' + v.replace('"', '""') + '"'
    return v


def select_bytes(variables: list[str], rows: list, fmt: str) -> bytes:
    """Serialize SELECT ``rows`` (lists of terms or None, in ``variables`` order)."""
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        body = "".join("<result>" + "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(variables, row) if t is not None) + "</result>" for row in rows)
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head>{head}</head><results>{body}</results></sparql>\n").encode()
    if fmt == "csv":
        lines = [",".join(variables)] + [",".join(_csv_field(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()
