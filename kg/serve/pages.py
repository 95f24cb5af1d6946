"""The web pages: the start page (search, questions, query editor with paged results), entity
pages (HTML, or Turtle/JSON-LD by content negotiation), evidence pages, and the small JSON
helpers the start page calls (/api/queries, /api/names, /api/find)."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from . import formats
from .i18n import lang_of, literal_text, t
from .names import is_iri, names, sparql_iri
from .network import page_link

HERE = Path(__file__).parent
MAX_NAMES = 2000  # IRIs one /api/names call may ask about


def canned_queries(folder: Path | None, lang: str = "zh") -> list[dict]:
    """Each .rq of ``folder``: name, its research question in ``lang`` (else the other
    language; from the ``# 研究问题:`` and ``# Research question:`` lines), both questions, text."""
    if folder is None:
        from ..resources import project_dir

        folder = project_dir("queries", "*.rq")
    if folder is None or not Path(folder).is_dir():
        return []
    out = []
    for path in sorted(Path(folder).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        en = re.search(r"^#\s*Research question:\s*(.+)$", text, re.M | re.I)
        zh = re.search(r"^#\s*研究问题[:：]\s*(.+)$", text, re.M)
        both = {"zh": zh.group(1).strip() if zh else "", "en": en.group(1).strip() if en else ""}
        first = both[lang] or both["en" if lang == "zh" else "zh"]
        out.append({"name": path.stem, "question": first, "questions": both, "query": text})
    return out


@functools.lru_cache(maxsize=1)
def _env():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


def render(request: Request, template: str, lang: str, status: int = 200, **context) -> HTMLResponse:
    """A page from templates/ with the page's language helpers in its context."""
    from .evidence import highlight

    other = "en" if lang == "zh" else "zh"
    helpers = {"lang": lang, "other": other, "t": lambda key, **kw: t(key, lang, **kw),
               "entity_url": lambda iri: page_link("/entity", iri, lang),
               "evidence_url": lambda iri: page_link("/evidence", iri, lang),
               "literal": lambda term: literal_text(term[1], term[3], lang), "highlight": highlight,
               "other_url": str(request.url.include_query_params(lang=other))}
    body = _env().get_template(template).render(**helpers, **context)
    return HTMLResponse(body, status_code=status, headers={"Vary": "Accept, Accept-Language"})


async def index(request: Request) -> Response:
    lang = lang_of(request)
    strings = {k: t(k, lang) for k in ("rows", "of", "error", "running", "truncated", "entities",
                                        "sentences", "no_match", "mentions", "prev", "next")}
    return render(request, "index.html", lang, strings=strings, q=request.query_params.get("q", ""))


async def queries(request: Request) -> Response:
    return JSONResponse(canned_queries(request.app.state.endpoint.options.queries_dir, lang_of(request)))


async def names_api(request: Request) -> Response:
    """POST {"iris": [...], "lang": "zh"} → {"names": {iri: name}} (invalid IRIs left out)."""
    try:
        asked = (await request.json()).get("iris", [])
    except (ValueError, AttributeError):
        return PlainTextResponse('give a JSON body {"iris": [...]}\n', status_code=400)
    if not isinstance(asked, list) or len(asked) > MAX_NAMES:
        return PlainTextResponse(f"give a list of at most {MAX_NAMES} IRIs\n", status_code=400)
    iris = [i for i in asked if isinstance(i, str) and is_iri(i)]
    try:
        found = await names(request.app.state.endpoint, iris, lang_of(request))
    except RuntimeError as err:
        return PlainTextResponse(f"{err}\n", status_code=503)
    return JSONResponse({"names": found})


async def static(request: Request) -> Response:
    root = (HERE / "static").resolve()
    path = (root / request.path_params["path"]).resolve()
    if not path.is_file() or not path.is_relative_to(root):
        return PlainTextResponse("not found\n", status_code=404)
    media = {"js": "text/javascript", "css": "text/css"}.get(path.suffix[1:], "text/plain")
    return Response(path.read_bytes(), media_type=media + "; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})


def _wants_html(request: Request) -> bool:
    if request.query_params.get("format"):
        return request.query_params["format"] == "html"
    for media in formats.parse_accept(request.headers.get("accept")):
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media in formats.GRAPH_TYPES:
            return False
    return True


def _not_found(request: Request, iri: str, lang: str) -> Response:
    if not _wants_html(request):
        return PlainTextResponse(f"nothing is stated about <{iri}> in this graph\n", status_code=404)
    return render(request, "not_found.html", lang, status=404, iri=iri)


async def entity(request: Request) -> Response:
    iri = request.query_params.get("iri")
    if not is_iri(iri):
        return PlainTextResponse("give ?iri=<an absolute IRI>\n", status_code=400)
    ep, lang = request.app.state.endpoint, lang_of(request)
    from .entity import gather
    from .evidence import sentences, words_for
    from .network import network

    try:
        ent = await gather(ep, iri, lang)
        if ent is None:
            return _not_found(request, iri, lang)
        if not _wants_html(request):
            return await _graph_of(request, iri)
        total, first = await sentences(ep, iri, limit=10)
        words = await words_for(ep, [iri])
    except RuntimeError as err:
        return PlainTextResponse(f"{err}\n", status_code=503)
    return render(request, "entity.html", lang, e=ent, network=network(ent, lang),
                  sentences=first, total=total, words=words)


async def _graph_of(request: Request, iri: str) -> Response:
    ep, node = request.app.state.endpoint, sparql_iri(iri)
    q = f"CONSTRUCT {{ {node} ?p ?o . ?s ?q {node} }} WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?q {node} }} }}"
    payload = {"query": q, "accept": request.headers.get("accept"),
               "format": request.query_params.get("format"), "max_rows": ep.options.max_rows}
    return await ep.query(payload, request)


async def evidence(request: Request) -> Response:
    """The sentences that state ``?iri`` (a fact or an entity), or the one sentence it is."""
    iri, lang = request.query_params.get("iri"), lang_of(request)
    if not is_iri(iri):
        return PlainTextResponse("give ?iri=<an absolute IRI>\n", status_code=400)
    size = _int(request.query_params.get("limit"), 20, 1, 200)
    offset = _int(request.query_params.get("offset"), 0, 0, 10**7)
    from .entity import gather
    from .evidence import EVIDENCE_CLASS, sentences, words_for

    ep = request.app.state.endpoint
    try:
        ent = await gather(ep, iri, lang)
        if ent is None:
            return _not_found(request, iri, lang)
        is_evidence = EVIDENCE_CLASS in ent.types
        total, page = await sentences(ep, iri, is_evidence, size, offset)
        parts = [r.other for r in ent.rows if r.fact is not None and r.fact.iri == iri and r.other]
        words = await words_for(ep, [iri, *parts] if not is_evidence else [])
    except RuntimeError as err:
        return PlainTextResponse(f"{err}\n", status_code=503)
    if request.query_params.get("q"):  # the words a search found the sentence by
        words = [*request.query_params["q"].split(), *words]
    return render(request, "evidence.html", lang, e=ent, sentences=page, total=total, words=words,
                  offset=offset, size=size, is_evidence=is_evidence)


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(text), low), high) if text is not None else default
    except ValueError:
        return default


def routes(options) -> list[Route]:
    from .find import find

    return [Route("/", index), Route("/api/queries", queries), Route("/api/find", find),
            Route("/api/names", names_api, methods=["POST"]), Route("/static/{path:path}", static),
            Route("/entity", entity), Route("/evidence", evidence)]
