"""The ASGI app: SPARQL 1.1 Protocol at /sparql, service description, VoID, page routes."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from . import ServeOptions, describe, safety
from .endpoint import Endpoint, FollowBuild, error, source_of

__all__ = ["Endpoint", "create_app", "error", "read_request", "source_of"]
log = logging.getLogger("kg.serve")


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
    except ClientDisconnect:  # gone, or closed by the server's read deadline (kg.serve.protocol)
        raise safety.Refused("the request body was not received (client disconnected)", 408) from None
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
    endpoint = Endpoint(source_of(store_or_build_dir, options.writable), options,
                        build_dir=_build_dir(store_or_build_dir, options))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        follower = asyncio.create_task(_follow_every(endpoint, 2.0))
        canned = [q["query"] for q in pages.canned_queries(options.queries_dir)]
        prechecked = asyncio.create_task(endpoint.precheck(canned))
        yield
        follower.cancel()
        prechecked.cancel()
        endpoint.close()

    from . import pages, search

    routes = [Route("/sparql", sparql, methods=["GET", "POST"]),
              Route("/sparql/", sparql, methods=["GET", "POST"]),
              Route("/.well-known/void", void, methods=["GET"]), *pages.routes(options),
              *search.routes()]
    middleware = [Middleware(FollowBuild, endpoint=endpoint)]
    if options.cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                                     allow_headers=["*"], expose_headers=EXPOSED))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.endpoint = endpoint
    return app


EXPOSED = ["X-KG-Truncated", "X-KG-Cache", "X-KG-Build", "ETag", "Retry-After"]


def _build_dir(store_or_build_dir, options: ServeOptions):
    """The build folder to follow for rebuilds: one with a build id, served read-only."""
    if options.writable or hasattr(store_or_build_dir, "query"):
        return None
    from ..store import build_id

    return store_or_build_dir if build_id(store_or_build_dir) is not None else None


async def _follow_every(endpoint: Endpoint, seconds: float) -> None:
    """Notice a rebuild even while no request comes (so old workers do not linger)."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await endpoint.follow_build()
        except Exception:  # noqa: BLE001 - keep following; the next request tries again
            log.exception("kg serve: checking for a new build failed")
