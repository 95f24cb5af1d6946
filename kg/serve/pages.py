"""The web page: query editor with canned queries, entity pages (HTML/Turtle/JSON-LD), SVG."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from . import formats
from .i18n import lang_of, t

HERE = Path(__file__).parent
PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX schemas: <https://schema.org/>
PREFIX kgo: <https://w3id.org/citykg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
LABEL_PATH = ("rdfs:label|skos:prefLabel|skos:altLabel|schema:name|schemas:name|dcterms:title"
              "|schema:headline|schemas:headline")


def canned_queries(folder: Path | None) -> list[dict]:
    """Each .rq of ``folder``: name, research question (its ``# Research question:`` line), text."""
    if folder is None:
        from ..resources import project_dir

        folder = project_dir("queries", "*.rq")
    if folder is None:
        return []
    out = []
    for path in sorted(Path(folder).glob("*.rq")) if Path(folder).is_dir() else []:
        text = path.read_text(encoding="utf-8")
        en = re.search(r"^#\s*Research question:\s*(.+)$", text, re.M | re.I)
        zh = re.search(r"^#\s*研究问题[:：]\s*(.+)$", text, re.M)
        question = " / ".join(m.group(1).strip() for m in (en, zh) if m)
        out.append({"name": path.stem, "question": question, "query": text})
    return out


def _iri_ok(iri: str | None) -> bool:
    return bool(iri) and re.match(r"^[a-zA-Z][\w+.\-]*:[^<>\"{}|^`\\\s]*$", iri) is not None


async def index(request: Request) -> Response:
    lang = lang_of(request)
    page = (HERE / "templates" / "index.html").read_text(encoding="utf-8")
    strings = {k: t(k, lang) for k in ("title", "intro", "run", "canned", "results", "rows",
                                        "error", "running", "truncated", "other_lang", "endpoint_note")}
    page = page.replace("{{LANG}}", lang).replace("{{STRINGS}}", json.dumps(strings, ensure_ascii=False))
    page = page.replace("{{OTHER}}", "en" if lang == "zh" else "zh")
    return HTMLResponse(re.sub(r"\{\{t:(\w+)\}\}", lambda m: html.escape(t(m.group(1), lang)), page))


async def queries(request: Request) -> Response:
    return JSONResponse(canned_queries(request.app.state.endpoint.options.queries_dir))


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    path = HERE / "static" / name
    if "/" in name or not path.is_file():
        return PlainTextResponse("not found\n", status_code=404)
    media = {"js": "text/javascript", "css": "text/css"}.get(path.suffix[1:], "application/octet-stream")
    return Response(path.read_bytes(), media_type=media + "; charset=utf-8")


def _wants_html(request: Request) -> bool:
    if request.query_params.get("format"):
        return request.query_params["format"] == "html"
    for media in formats.parse_accept(request.headers.get("accept")):
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media in formats.GRAPH_TYPES:
            return False
    return True


async def entity(request: Request) -> Response:
    iri = request.query_params.get("iri")
    if not _iri_ok(iri):
        return PlainTextResponse("give ?iri=<an absolute IRI>\n", status_code=400)
    ep = request.app.state.endpoint
    if not _wants_html(request):
        q = f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}"
        payload = {"query": q, "accept": request.headers.get("accept"),
                   "format": request.query_params.get("format"), "max_rows": ep.options.max_rows}
        return await ep.query(payload, request)
    from .entity import render_entity

    try:
        body = await render_entity(ep, iri, lang_of(request))
    except RuntimeError as err:
        return PlainTextResponse(f"{err}\n", status_code=503)
    return HTMLResponse(body, headers={"Vary": "Accept"})


async def neighbourhood_svg(request: Request) -> Response:
    iri = request.query_params.get("iri")
    if not _iri_ok(iri):
        return PlainTextResponse("give ?iri=<an absolute IRI>\n", status_code=400)
    if not shutil.which("dot"):
        return PlainTextResponse("Graphviz (dot) is not installed: apt-get install graphviz\n", status_code=501)
    from .entity import neighbourhood_dot

    dot = await neighbourhood_dot(request.app.state.endpoint, iri)
    try:
        svg = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=20, check=True).stdout
    except (subprocess.SubprocessError, OSError) as err:
        return PlainTextResponse(f"Graphviz failed: {err}\n", status_code=500)
    return Response(svg, media_type="image/svg+xml")


def entity_link(iri: str) -> str:
    return "/entity?iri=" + quote(iri, safe="")


def routes(options) -> list[Route]:
    return [Route("/", index), Route("/api/queries", queries), Route("/static/{name}", static),
            Route("/entity", entity), Route("/entity/graph.svg", neighbourhood_svg)]
