"""The entity's neighbourhood as nodes and edges for the page's network view (vis-network).

Evidence nodes are never drawn: a fact with one other party (a post in a body, a role in an
event) is drawn as one edge between the two, labelled with the post or role and the number of
sentences that state it; a fact with several parties (an agreement) is a node of its own. A
click on a node opens its entity page, a click on an edge opens the sentences behind it.
"""
from __future__ import annotations

from urllib.parse import quote

from .entity import Entity, Row
from .i18n import t

MAX_EDGES = 40  # more is a hairball: the tables above list everything


def page_link(path: str, iri: str, lang: str) -> str:
    return f"{path}?iri={quote(iri, safe='')}&lang={lang}"


def _label(ent: Entity, row: Row, lang: str) -> str:
    text = ent.names.get(row.via if row.hub else row.relation, "")
    if row.reverse:
        text = "← " + text
    if row.fact is not None and row.fact.sentences:
        text += " · " + t("n_sentences", lang, n=row.fact.sentences)
    return text


def _ends(ent: Entity, row: Row) -> tuple[str, str]:
    if row.other is None:  # a post that names no body: the post itself is the other end
        return ent.iri, row.fact.iri
    if row.hub:
        return row.fact.iri, row.other
    return (row.other, ent.iri) if row.reverse else (ent.iri, row.other)


def network(ent: Entity, lang: str) -> dict:
    """{"nodes": [...], "edges": [...], "cut": bool} for vis-network."""
    rows = sorted(ent.rows, key=lambda r: (r.kind != "posts", -(r.fact.sentences if r.fact else 0)))
    nodes = {ent.iri: _node(ent, ent.iri, "centre", lang)}
    edges, seen = [], set()
    for row in rows[:MAX_EDGES]:
        a, b = _ends(ent, row)
        if (a, b, row.relation) in seen:
            continue
        seen.add((a, b, row.relation))
        for end in (a, b):
            if end not in nodes:
                kind = "posts" if row.other is None and end == row.fact.iri else ent.kinds.get(end, "others")
                nodes[end] = _node(ent, end, kind, lang)
        edge = {"from": a, "to": b, "label": _label(ent, row, lang), "title": _label(ent, row, lang)}
        if row.fact is not None and row.fact.sentences:
            edge["url"] = page_link("/evidence", row.fact.iri, lang)
        edges.append(edge)
    return {"nodes": list(nodes.values()), "edges": edges, "cut": len(rows) > MAX_EDGES,
            "note": t("network_cut", lang, n=MAX_EDGES) if len(rows) > MAX_EDGES else ""}


def _node(ent: Entity, iri: str, kind: str, lang: str) -> dict:
    return {"id": iri, "label": ent.names.get(iri, iri), "group": kind,
            "url": page_link("/entity", iri, lang), "title": iri}
