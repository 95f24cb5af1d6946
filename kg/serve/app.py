"""The ASGI app: SPARQL 1.1 Protocol at /sparql, service description, VoID, page routes."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ..errors import BuildError
from . import ServeOptions, describe, formats, safety
from .cache import AnswerCache, store_tag
from .worker import Busy, QueryTimeout, Source, WorkerPool

log = logging.getLogger("kg.serve")


def source_of(store_or_build_dir, writable: bool = False) -> Source:
    """A build folder (with store/), a store folder, or a pyoxigraph Store (copied to workers)."""
    if hasattr(store_or_build_dir, "query"):
        from pyoxigraph import RdfFormat

        return Source(nquads=store_or_build_dir.dump(format=RdfFormat.N_QUADS), writable=writable)
    path = Path(store_or_build_dir)
    for candidate in (path / "store", path):
        if (candidate / "CURRENT").is_file():
            return Source(path=str(candidate), writable=writable)
    raise BuildError(f"{path}: no pyoxigraph store (expected {path / 'store'})", path=str(path))


class Endpoint:
    """State shared by the routes: options, worker pool, the dataset's graph names."""

    def __init__(self, source: Source, options: ServeOptions):
        self.options = options
        self.pool = WorkerPool(source, 1 if options.writable else options.workers)
        # Query texts are parsed in processes of their own: killable, off the event loop.
        self.checker = WorkerPool(Source(role="check"), min(2, max(1, options.workers)))
        self.remembered = safety.Remembered()
        guarded, how = self.pool.guard
        if not guarded:
            log.warning("kg serve: query workers can open network connections (%s); only the "
                        "parse check stands between SERVICE and the network", how)
        self.graphs: frozenset[str] = frozenset()
        self.refresh_graphs()
        # A writable store changes under its answers: nothing is kept then.
        self.cache = (AnswerCache(options.cache_mb * 2**20, store_tag(source.path, source.nquads))
                      if options.cache_mb > 0 and not options.writable else None)

    def refresh_graphs(self) -> None:
        answer = self.pool.call("graphs", {}, self.options.timeout)
        self.graphs = frozenset(answer[1]) if answer[0] == "ok" else frozenset()

    async def call(self, op: str, payload: dict):
        """Run in a worker; map timeouts and worker errors to (status, message)."""
        try:
            return await run_in_threadpool(self.pool.call, op, payload, self.options.timeout)
        except (QueryTimeout, Busy) as err:
            return ("error", 503, f"{err} (查询超时或服务器繁忙)")

    async def check(self, op: str, text: str) -> tuple[str, ...]:
        """The FROM IRIs of a query (op "check") or () for an update ("check_update") that
        passes the parse check; raises safety.Refused. Decisions are remembered by hash."""
        key = self.remembered.key(op + "\0" + text)
        answer = self.remembered.get(key)
        if answer is None:
            try:
                answer = await run_in_threadpool(self.checker.call, op, {"query": text},
                                                 self.options.timeout)
            except (QueryTimeout, Busy):
                raise safety.Refused(f"the query could not be checked within {self.options.timeout:g} s "
                                     "(查询检查超时或服务器繁忙)", 503) from None
            if answer[0] == "error":  # the parser's process died: a stack overflow, memory
                raise safety.Refused("the query is too large or too deeply nested to be checked; "
                                     "simplify it (查询过大或嵌套过深)", 400)
            self.remembered.put(key, answer)
        if answer[0] == "refused":
            raise safety.Refused(answer[1], answer[2])
        return answer[1]

    async def query(self, payload: dict, request: Request) -> Response:
        """A query operation's HTTP answer, from the answer cache when there is one."""
        if self.cache is None:
            return _answer_response(await self.call("query", payload), {})
        key = self.cache.key(payload)
        etag = self.cache.etag(key)
        if etag in _tags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers={"ETag": etag, "X-KG-Cache": "hit"})
        answer, how = await self.cache.answer(key, lambda: self.call("query", payload))
        return _answer_response(answer, {"ETag": etag, "Cache-Control": "no-cache", "X-KG-Cache": how})

    async def rows(self, query: str, max_rows: int = 10_000):
        """(variables, rows of plain tuples) for the pages; raises on error."""
        answer = await self.call("rows", {"query": query, "max_rows": max_rows})
        if answer[0] != "ok":
            raise RuntimeError(answer[2])
        return answer[1], answer[2]


def error(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)


def _tags(header: str | None) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compare as strong: RFC 9110 13.1.2)."""
    return {t.strip().removeprefix("W/") for t in (header or "").split(",") if t.strip()}


def _answer_response(answer: tuple, cache_headers: dict) -> Response:
    if answer[0] != "ok":
        return error(answer[1], answer[2])
    _, media, body, headers = answer
    if media.startswith("text/") or media.endswith(("json", "xml")):
        media += "; charset=utf-8"
    return Response(body, media_type=media, headers={**headers, "Vary": "Accept", **cache_headers})


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes: by its
    Content-Length before any byte is read, or while reading, without keeping the rest."""
    length = request.headers.get("content-length", "")
    if length.strip().isdigit() and int(length) > limit:
        raise safety.Refused(f"the request body has {int(length)} bytes; at most {limit} are "
                             "accepted (--max-query-bytes) (请求体过大)", 413)
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise safety.Refused(f"the request body exceeds {limit} bytes "
                                         "(--max-query-bytes) (请求体过大)", 413)
                chunks.append(chunk)
    except TimeoutError:
        raise safety.Refused(f"the request body was not received within {timeout:g} s", 408) from None
    return b"".join(chunks)


async def read_request(request: Request, limit: int, timeout: float) -> dict:
    """The protocol's operation: {"query"|"update": text, graph lists}; raises safety.Refused."""
    if len(request.scope.get("query_string", b"")) > limit:
        raise safety.Refused(f"the request URL's query exceeds {limit} bytes (--max-query-bytes); "
                             "POST the query instead (请求过大)", 414)
    params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "POST":
        ctype, _, rest = (request.headers.get("content-type") or "").partition(";")
        ctype = ctype.strip().lower()
        charset = rest.lower().replace(" ", "").partition("charset=")[2].split(";")[0]
        if charset and charset not in ("utf-8", "utf8"):
            raise safety.Refused(f"charset {charset}: only UTF-8 is accepted", 415)
        body = await read_body(request, limit, timeout)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise safety.Refused("the request body is not UTF-8", 400) from None
        if ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            params.setdefault("query", []).append(text)
        elif ctype == "application/sparql-update":
            params.setdefault("update", []).append(text)
        elif not ctype:
            raise safety.Refused("POST needs a Content-Type: application/x-www-form-urlencoded, "
                                 "application/sparql-query or application/sparql-update", 400)
        else:
            raise safety.Refused(f"Content-Type {ctype} is not a SPARQL protocol type", 415)
    queries, updates = params.get("query", []), params.get("update", [])
    if len(queries) + len(updates) > 1:
        raise safety.Refused("give exactly one query or one update per request", 400)
    if updates and request.method != "POST":
        raise safety.Refused("updates need POST", 400)
    return {"query": queries[0] if queries else None, "update": updates[0] if updates else None,
            "default_graph": params.get("default-graph-uri"),
            "named_graphs": params.get("named-graph-uri"),
            "using": params.get("using-graph-uri", []),
            "using_named": params.get("using-named-graph-uri", []),
            "format": (params.get("format") or [None])[0]}


async def sparql(request: Request) -> Response:
    ep: Endpoint = request.app.state.endpoint
    try:
        op = await read_request(request, ep.options.max_query_bytes, ep.options.timeout)
        if op["update"] is not None:
            return await _update(ep, op, _base(request))
        if op["query"] is None:
            if request.method != "GET":
                raise safety.Refused("no query given", 400)
            return describe.service_description(request, ep)
        from_iris = await ep.check("check", op["query"])
        safety.check_graphs(from_iris, ep.graphs.__contains__, "FROM")
        for key, where in (("default_graph", "default-graph-uri"), ("named_graphs", "named-graph-uri")):
            safety.check_graphs(op[key] or (), ep.graphs.__contains__, where)
    except safety.Refused as err:
        return error(err.status, str(err))
    payload = {"query": op["query"], "default_graph": op["default_graph"],
               "named_graphs": op["named_graphs"], "accept": request.headers.get("accept"),
               "format": op["format"], "max_rows": ep.options.max_rows,
               "query_dataset": bool(from_iris), "base_iri": _base(request)}
    return await ep.query(payload, request)


def _base(request: Request) -> str:
    """Relative IRIs in a query or update resolve against the endpoint's URL."""
    return str(request.url.replace(query=""))


async def _update(ep: Endpoint, op: dict, base: str) -> Response:
    if not ep.options.writable:
        raise safety.Refused("this endpoint is read-only; SPARQL Update is refused (只读端点)", 403)
    await ep.check("check_update", op["update"])
    text = safety.add_using(op["update"], op["using"], op["using_named"])
    answer = await ep.call("update", {"update": text, "base_iri": base})
    if answer[0] != "ok":
        return error(answer[1], answer[2])
    await run_in_threadpool(ep.refresh_graphs)
    return PlainTextResponse("ok\n")


async def void(request: Request) -> Response:
    return await describe.void(request, request.app.state.endpoint)


def create_app(store_or_build_dir, options: ServeOptions) -> Starlette:
    endpoint = Endpoint(source_of(store_or_build_dir, options.writable), options)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        endpoint.pool.close()
        endpoint.checker.close()

    from . import pages

    routes = [Route("/sparql", sparql, methods=["GET", "POST"]),
              Route("/sparql/", sparql, methods=["GET", "POST"]),
              Route("/.well-known/void", void, methods=["GET"]), *pages.routes(options)]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["*"], expose_headers=["X-KG-Truncated", "X-KG-Cache", "ETag"])] if options.cors else []
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.endpoint = endpoint
    return app
