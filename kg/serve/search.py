"""``/search``: full-text search of the build's index (BUILD/search.sqlite, kg.search).

    GET /search?q=TEXT&kind=entities|sentences&limit=20&offset=0[&format=json|html]

JSON (kg.search.search's dict) for ``format=json`` or an Accept that prefers application/json;
else a plain HTML page with links to the entity pages, the totals and next/previous links.
The index is opened read-only per request, in a thread of the pool (SQLite does not block the
event loop). A build without an index answers 404 with the hint to run ``kg index``.
"""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..errors import KGError, QueryError
from ..search import INDEX_NAME, KINDS, search
from . import formats

MAX_LIMIT = 200
MAX_CHARS = 500  # of the query text: names and phrases are far shorter


def index_file(endpoint) -> Path | None:
    """BUILD/search.sqlite of the served build folder (else beside the served store folder);
    None for data served from memory."""
    if getattr(endpoint, "build_dir", None) is not None:
        return Path(endpoint.build_dir) / INDEX_NAME
    store = getattr(endpoint.pool.source, "path", None)
    return Path(store).parent / INDEX_NAME if store else None


def page_link(path: str, iri: str) -> str:
    """The page of ``iri``: /entity (names, facts) or /evidence (a sentence, its article)."""
    return f"{path}?iri={quote(iri, safe='')}"


def _wants_json(request: Request) -> bool:
    fmt = request.query_params.get("format")
    if fmt:
        return fmt == "json"
    for media in formats.parse_accept(request.headers.get("accept")):
        if media in ("application/json", "application/sparql-results+json"):
            return True
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            return False
    return False


def _number(request: Request, name: str, default: int, most: int | None = None) -> int:
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    if not text.isdigit() or (most is not None and int(text) > most):
        bound = f"0 to {most}" if most is not None else "0 or more"
        raise QueryError(f"{name}={text!r}: give a whole number, {bound}", hint=f"e.g. {name}={default}")
    return int(text)


def _options(request: Request) -> dict:
    if len(request.query_params.get("q", "")) > MAX_CHARS:
        raise QueryError(f"q has more than {MAX_CHARS} characters", hint="Search for a name or a few words.")
    kind = request.query_params.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise QueryError(f"kind={kind!r} is unknown", hint=f"Use kind={' or kind='.join(KINDS)}, or leave it out.")
    return {"kind": kind, "limit": _number(request, "limit", 20, MAX_LIMIT),
            "offset": _number(request, "offset", 0)}


async def search_route(request: Request) -> Response:
    wants_json = _wants_json(request)
    text = request.query_params.get("q", "")
    try:
        options = _options(request)
        path = index_file(request.app.state.endpoint)
        if path is None or not path.is_file():
            return _failure(wants_json, 404, f"this build has no search index ({INDEX_NAME})",
                            "run `kg index BUILD` (or rebuild) and restart kg serve")
        result = await run_in_threadpool(search, path, text, **options)
    except QueryError as err:
        return _failure(wants_json, 400, str(err), err.hint)
    except KGError as err:
        return _failure(wants_json, 404, str(err), err.hint)
    if wants_json:
        return JSONResponse(result, headers={"Vary": "Accept"})
    return HTMLResponse(render(result, options), headers={"Vary": "Accept"})


def _failure(wants_json: bool, status: int, message: str, hint: str) -> Response:
    if wants_json:
        return JSONResponse({"error": message, "hint": hint}, status_code=status)
    body = f"<p>{html.escape(message)}</p><p>hint: {html.escape(hint)}</p>"
    return HTMLResponse(_page("搜索 Search", body), status_code=status)


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f'</title></head><body><p><a href="/">kg</a></p>{body}</body></html>')


def _link(query: str, kind: str, limit: int, offset: int) -> str:
    return "/search?" + html.escape(urlencode({"q": query, "kind": kind, "limit": limit, "offset": offset}))


def render(result: dict, options: dict) -> str:
    """The plain HTML page of a search answer: a form, then one section per kind listed."""
    q, limit, offset = result["query"], options["limit"], options["offset"]
    form = (f'<form action="/search"><input name="q" value="{html.escape(q)}">'
            '<button>搜索 Search</button></form>')
    parts = [form]
    for kind, title in (("entities", "实体 Entities"), ("sentences", "证据句 Evidence sentences")):
        if options["kind"] not in (None, kind):
            continue
        rows, total = result[kind], result["total"][kind]
        end = offset + len(rows)
        items = "".join(f"<li>{_entity(r) if kind == 'entities' else _sentence(r)}</li>" for r in rows)
        nav = []
        if offset > 0:
            back = _link(q, kind, limit, max(0, offset - limit))
            nav.append(f'<a rel="prev" href="{back}">← 上一页 previous</a>')
        if end < total:
            nav.append(f'<a rel="next" href="{_link(q, kind, limit, end)}">下一页 next →</a>')
        shown = f"{offset + 1}–{end} / {total}" if rows else f"0 / {total}"
        parts.append(f'<section id="{kind}"><h2>{title} ({shown})</h2><ol start="{offset + 1}">{items}</ol>'
                     f'<p>{" ".join(nav)}</p></section>')
    return _page(f"{q} - 搜索 Search", "".join(parts))


def _entity(row: dict) -> str:
    others = [n for n in row["names"] if n != row["name"]]
    kinds = ", ".join(t.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in row["types"])
    return (f'<a href="{html.escape(page_link("/entity", row["iri"]))}">{html.escape(row["name"])}</a> '
            f'<small>{html.escape(kinds)}; {row["mentions"]} 句 sentences'
            f'{"; " + html.escape(" / ".join(others)) if others else ""}</small>')


def _sentence(row: dict) -> str:
    where = html.escape(" ".join(x for x in (row.get("date"), row.get("title")) if x) or "article")
    article = (f' <small><a href="{html.escape(page_link("/entity", row["article"]))}">{where}</a></small>'
               if row["article"] else "")
    return (f'<a href="{html.escape(page_link("/evidence", row["evidence"]))}">{html.escape(row["text"])}</a>'
            f'{article}')


def routes() -> list:
    from starlette.routing import Route

    return [Route("/search", search_route, methods=["GET"])]
