"""The entity page: labels, types, facts, evidence sentences with their article, neighbourhood."""
from __future__ import annotations

import html
from urllib.parse import quote

from .i18n import t
from .pages import LABEL_PATH, PREFIXES, entity_link

EVIDENCE = PREFIXES + """
SELECT DISTINCT ?exact ?source ?title WHERE {{
  {{ BIND(<{e}> AS ?fact) }} UNION {{ ?fact ?in <{e}> }} UNION {{ <{e}> ?out ?fact }}
  ?fact prov:wasDerivedFrom ?ev .
  ?ev (oa:hasTarget|oa:hasSelector|oa:refinedBy)* ?sel .
  {{ ?sel oa:exact ?exact }} UNION {{ ?sel nif:anchorOf ?exact }}
  OPTIONAL {{
    ?ev (oa:hasTarget|oa:hasSelector)*/(kgo:inArticle|oa:hasSource|dcterms:source|nif:referenceContext|dcterms:isPartOf) ?source .
    FILTER(isIRI(?source))
    OPTIONAL {{ ?source dcterms:title|schema:headline|schemas:headline|schemas:name|rdfs:label ?title }}
  }}
}} LIMIT 200"""
OUT = "SELECT ?p ?o ?olabel WHERE {{ <{e}> ?p ?o OPTIONAL {{ ?o " + LABEL_PATH + " ?olabel }} }} LIMIT 500"
IN = "SELECT ?s ?p ?slabel WHERE {{ ?s ?p <{e}> OPTIONAL {{ ?s " + LABEL_PATH + " ?slabel }} }} LIMIT 500"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL_IRIS = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
              "http://www.w3.org/2004/02/skos/core#altLabel", "http://schema.org/name", "https://schema.org/name"}


def short(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1] or iri
    return iri


def _term_html(term, label=None) -> str:
    if term is None:
        return ""
    kind, value, lang, _ = term
    if kind == "uri":
        text = label[1] if label else short(value)
        return f'<a href="{entity_link(value)}" title="{html.escape(value)}">{html.escape(text)}</a>'
    if kind == "literal":
        tag = f' <span class="lang">@{html.escape(lang)}</span>' if lang else ""
        return f"{html.escape(value)}{tag}"
    return f"<code>{html.escape(value)}</code>"


def _merge(rows):
    """One row per (p, o) pair: the first label wins (OPTIONAL may give several)."""
    seen, out = set(), []
    for row in rows:
        key = (row[0][1] if row[0] else None, row[1][1] if row[1] else None)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


async def render_entity(ep, iri: str, lang: str) -> str:
    esc = iri.replace(">", "%3E")
    _, out = await ep.rows(PREFIXES + OUT.format(e=esc))
    _, inc = await ep.rows(PREFIXES + IN.format(e=esc))
    _, ev = await ep.rows(EVIDENCE.format(e=esc))
    out, inc = _merge(out), _merge(inc)
    labels = list({(o[1], o[2]): o for p, o, _ in out if p[1] in LABEL_IRIS and o[0] == "literal"}.values())
    types = [o for p, o, lbl in out if p[1] == RDF_TYPE]
    facts = [(p, o, lbl) for p, o, lbl in out if p[1] not in LABEL_IRIS and p[1] != RDF_TYPE]
    name = labels[0][1] if labels else short(iri)
    parts = [f"<h1>{html.escape(name)}</h1><p class='iri'><code>{html.escape(iri)}</code></p>",
             _list(t("labels", lang), [_term_html(x) for x in labels], lang),
             _list(t("types", lang), [_term_html(x) for x in types], lang),
             _table(t("facts", lang), [t("property", lang), t("value", lang)],
                    [(_term_html(p), _term_html(o, lbl)) for p, o, lbl in facts], lang),
             _table(t("incoming", lang), [t("subject", lang), t("property", lang)],
                    [(_term_html(s, lbl), _term_html(p)) for s, p, lbl in inc], lang),
             _evidence(ev, lang),
             f"<h2>{t('neighbourhood', lang)}</h2><object class='graph' type='image/svg+xml' "
             f"data='/entity/graph.svg?iri={quote(iri, safe='')}'></object>"]
    return _page(name, "".join(parts), iri, lang)


def _list(title: str, items: list[str], lang: str) -> str:
    body = "".join(f"<li>{i}</li>" for i in items) or f"<li>{t('none', lang)}</li>"
    return f"<h2>{title}</h2><ul>{body}</ul>"


def _table(title: str, head: list[str], rows, lang: str) -> str:
    if not rows:
        return f"<h2>{title}</h2><p>{t('none', lang)}</p>"
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<h2>{title}</h2><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _evidence(rows, lang: str) -> str:
    if not rows:
        return f"<h2>{t('evidence', lang)}</h2><p>{t('no_evidence', lang)}</p>"
    items, best = [], {}
    for exact, source, title in rows:  # one line per sentence: its article (with a title) first
        if exact[1] not in best or (title and not best[exact[1]][2]):
            best[exact[1]] = (exact, source, title)
    for exact, source, title in best.values():
        src = ""
        if source:
            src = f" — {t('source', lang)}: {_term_html(source, title)}"
        items.append(f"<li class='evidence'><q>{html.escape(exact[1])}</q>{src}</li>")
    return f"<h2>{t('evidence', lang)}</h2><ul>{''.join(items)}</ul>"


def _page(title: str, body: str, iri: str, lang: str) -> str:
    other = "en" if lang == "zh" else "zh"
    enc = quote(iri, safe="")
    links = " ".join(f"<a href='/entity?iri={enc}&format={f}'>{f}</a>" for f in ("turtle", "jsonld", "nt"))
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(title)} · {t('entity', lang)}</title><link rel="stylesheet" href="/static/style.css">
<link rel="alternate" type="text/turtle" href="/entity?iri={enc}&format=turtle"></head><body>
<nav><a href="/?lang={lang}">← {t('back', lang)}</a> · <a href="/entity?iri={enc}&lang={other}">{t('other_lang', lang)}</a>
· {t('download', lang)} {links}</nav>{body}</body></html>"""


def _dot_id(iri: str) -> str:
    return '"' + iri.replace("\\", "\\\\").replace('"', '\\"') + '"'


async def neighbourhood_dot(ep, iri: str, limit: int = 40) -> str:
    esc = iri.replace(">", "%3E")
    _, out = await ep.rows(PREFIXES + OUT.format(e=esc), limit * 3)
    _, inc = await ep.rows(PREFIXES + IN.format(e=esc), limit * 3)
    edges, labels = [], {}
    for p, o, lbl in _merge(out):
        if o[0] == "uri" and p[1] != RDF_TYPE:
            edges.append((iri, p[1], o[1]))
            if lbl:
                labels.setdefault(o[1], lbl[1])
        elif p[1] in LABEL_IRIS and o[0] == "literal":
            labels.setdefault(iri, o[1])
    for s, p, lbl in _merge(inc):
        if s[0] == "uri":
            edges.append((s[1], p[1], iri))
            if lbl:
                labels.setdefault(s[1], lbl[1])
    lines = ['digraph G { rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#eef4fb", '
             'fontname="Noto Sans CJK SC"]; edge [fontname="Noto Sans CJK SC", fontsize=10];',
             f'{_dot_id(iri)} [fillcolor="#ffd479", label={_dot_id(labels.get(iri, short(iri)))}];']
    for node in {n for s, _, o in edges[:limit] for n in (s, o)} - {iri}:
        lines.append(f'{_dot_id(node)} [label={_dot_id(labels.get(node, short(node)))}, '
                     f'URL={_dot_id(entity_link(node))}, target="_top"];')
    for s, p, o in edges[:limit]:
        lines.append(f"{_dot_id(s)} -> {_dot_id(o)} [label={_dot_id(short(p))}];")
    return "\n".join(lines) + "\n}\n"
