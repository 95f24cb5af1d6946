"""The served build: worker pools, fair shares, the answer cache, and following rebuilds.

An :class:`Endpoint` serves one *generation* at a time: the workers opened on one build, its
graph names and its kept answers. A middleware (:class:`FollowBuild`) checks on every request,
with one ``stat`` (``kg.store.build_id``), whether a new build was put in the folder; if so,
new workers are started on it (by its resolved path), the answer cache starts empty, the old
workers are closed once the requests still using them are done, and the server logs
``reopened BUILD (build ID)``. A background task does the same check every few seconds.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..errors import BuildError, KGError
from ..store import build_id
from . import ServeOptions, safety
from .cache import AnswerCache, store_tag
from .fair import FairShare, Overloaded, WaitedTooLong
from .pool import Busy, QueryTimeout, WorkerPool
from .worker import Source

log = logging.getLogger("kg.serve")
RETRY_AFTER = "2"  # seconds, on 429 and 503
# A request waits for its turn at most this many times --timeout: every running query ends
# within --timeout, and a killed worker's replacement needs a moment to start.
WAIT_FACTOR = 2


def source_of(store_or_build_dir, writable: bool = False) -> Source:
    """A build folder (with store/), a store folder, or a pyoxigraph Store (copied to workers)."""
    if hasattr(store_or_build_dir, "query"):
        from pyoxigraph import RdfFormat

        return Source(nquads=store_or_build_dir.dump(format=RdfFormat.N_QUADS), writable=writable)
    path = Path(store_or_build_dir)
    for candidate in (path / "store", path):
        if (candidate / "CURRENT").is_file():  # resolved: workers started later open the same
            return Source(path=str(candidate.resolve()), writable=writable)
    raise BuildError(f"{path}: no pyoxigraph store (expected {path / 'store'})", path=str(path))


@dataclass(eq=False)
class Generation:
    """One opened build: its workers, graph names, kept answers. A request uses one generation
    from start to end (pinned by the middleware), so no answer or page mixes two builds."""

    pool: WorkerPool
    graphs: frozenset[str]
    cache: AnswerCache | None
    build: str | None            # kg.store.build_id of the build folder when it was opened
    void_rows: tuple | None = None
    users: int = 0               # requests pinned to it
    retired: bool = False        # a newer build is served: close the pool once unused


_client: contextvars.ContextVar[str] = contextvars.ContextVar("kg_client", default="local")


class Endpoint:
    """State shared by the routes: options, worker pools, fair shares, the served generation."""

    def __init__(self, source: Source, options: ServeOptions, build_dir: Path | None = None):
        self.options = options
        self.build_dir = build_dir  # followed for rebuilds (None: a store or in-memory data)
        size = 1 if options.writable else options.workers
        self.fair = FairShare(size, options.client_share)
        # Query texts are parsed in processes of their own: killable, off the event loop.
        self.checker = WorkerPool(Source(role="check"), min(2, max(1, options.workers)))
        self.fair_check = FairShare(self.checker.size)
        self.remembered = safety.Remembered()
        # The generation a request is pinned to; one variable per endpoint (tests make many).
        self._pinned: contextvars.ContextVar[Generation | None] = contextvars.ContextVar(
            f"kg_generation_{id(self)}", default=None)
        self._current = self._open(source, build_id(build_dir) if build_dir else None)
        self._reopening = asyncio.Lock()
        self._failed: str | None = None  # a build id that could not be opened
        guarded, how = self._current.pool.guard
        if not guarded:
            log.warning("kg serve: query workers can open network connections (%s); only the "
                        "parse check stands between SERVICE and the network", how)

    def _open(self, source: Source, build: str | None) -> Generation:
        """Start workers on ``source`` (in parallel) and read its graph names."""
        opts = self.options
        pool = WorkerPool(source, 1 if opts.writable else opts.workers)
        answer = pool.call("graphs", {}, opts.timeout) if pool.alive else ("error",)
        if answer[0] != "ok":
            pool.close()
            raise BuildError(f"{source.path}: the store could not be opened by the query workers",
                             path=str(source.path))
        # A writable store changes under its answers: nothing is kept then.
        cache = (AnswerCache(opts.cache_mb * 2**20, store_tag(source.path, source.nquads))
                 if opts.cache_mb > 0 and not opts.writable else None)
        return Generation(pool, frozenset(answer[1]), cache, build)

    @property
    def generation(self) -> Generation:
        """The request's generation (pinned by the middleware), else the newest."""
        return self._pinned.get() or self._current

    pool = property(lambda self: self.generation.pool)
    graphs = property(lambda self: self.generation.graphs)
    cache = property(lambda self: self.generation.cache)
    _void_rows = property(lambda self: self.generation.void_rows,
                          lambda self, rows: setattr(self.generation, "void_rows", rows))

    def refresh_graphs(self) -> None:
        answer = self.pool.call("graphs", {}, self.options.timeout)
        self.generation.graphs = frozenset(answer[1]) if answer[0] == "ok" else frozenset()

    def pin(self) -> Generation:
        gen = self._current
        gen.users += 1
        self._pinned.set(gen)
        return gen

    def unpin(self, gen: Generation) -> None:
        if self._pinned.get() is gen:
            self._pinned.set(None)
        gen.users -= 1
        if gen.retired and gen.users == 0:
            gen.pool.close()

    async def follow_build(self) -> None:
        """Notice a new build in the folder (a stat) and serve it: new workers, new cache,
        old workers closed once the requests that use them are done. Requests that come while
        this runs wait for it, so every request after a rebuild is answered from the new build."""
        if self.build_dir is None or build_id(self.build_dir) in (self._current.build, None, self._failed):
            return
        async with self._reopening:
            now = build_id(self.build_dir)
            if now in (self._current.build, None, self._failed):
                return
            try:
                gen = await run_in_threadpool(self._open_build, now)
            except KGError as err:
                self._failed = now
                log.warning("kg serve: could not reopen %s (build %s): %s; still serving build %s",
                            self.build_dir, now, err, self._current.build)
                return
            old, self._current = self._current, gen
            old.retired = True
            if old.users == 0:
                old.pool.close()
            log.warning("kg serve: reopened %s (build %s)", self.build_dir, gen.build)

    def _open_build(self, seen: str) -> Generation:
        """The generation of build ``seen``, opened by its resolved path (a folder switched in
        later is not followed by workers started now); raises if the build changed meanwhile."""
        source = source_of(self.build_dir)
        if build_id(self.build_dir) != seen:
            raise BuildError(f"{self.build_dir}: the build changed while it was opened")
        return self._open(source, seen)

    async def call(self, op: str, payload: dict):
        """Run in a worker, within the client's fair share; map timeouts, a full pool and a
        client over its share to (status, message)."""
        gen = self.generation
        try:
            async with self.fair.slot(_client.get(), WAIT_FACTOR * self.options.timeout):
                return await run_in_threadpool(gen.pool.call, op, payload, self.options.timeout)
        except Overloaded as err:
            return ("error", 429, str(err))
        except (QueryTimeout, Busy, WaitedTooLong) as err:
            return ("error", 503, f"{err} (查询超时或服务器繁忙)")

    async def check(self, op: str, text: str) -> tuple[str, ...]:
        """The FROM IRIs of a query (op "check") or () for an update ("check_update") that
        passes the parse check; raises safety.Refused. Decisions are remembered by hash."""
        key = self.remembered.key(op + "\0" + text)
        answer = self.remembered.get(key)
        if answer is None:
            answer = await self._check(op, text)
            if answer[0] == "error":  # the parser's process died: a stack overflow, memory
                raise safety.Refused("the query is too large or too deeply nested to be checked; "
                                     "simplify it (查询过大或嵌套过深)", 400)
            self.remembered.put(key, answer)
        if answer[0] == "refused":
            raise safety.Refused(answer[1], answer[2])
        return answer[1]

    async def precheck(self, texts) -> int:
        """Check query texts ahead of their first request (the canned queries of the web page,
        at startup): the same parse in the checker processes, its decision remembered by hash,
        so a canned query's first answer does not wait for the parser. Returns how many passed."""
        passed = 0
        for text in texts:
            try:
                await self.check("check", text)
                passed += 1
            except safety.Refused as err:
                log.warning("kg serve: a canned query is refused: %s", err)
        return passed

    async def _check(self, op: str, text: str) -> tuple:
        timeout = self.options.timeout
        try:
            async with self.fair_check.slot(_client.get(), WAIT_FACTOR * timeout):
                return await run_in_threadpool(self.checker.call, op, {"query": text}, timeout)
        except Overloaded as err:
            raise safety.Refused(str(err), 429) from None
        except (QueryTimeout, Busy, WaitedTooLong):
            raise safety.Refused(f"the query could not be checked within {timeout:g} s "
                                 "(查询检查超时或服务器繁忙)", 503) from None

    async def query(self, payload: dict, request: Request) -> Response:
        """A query operation's HTTP answer, from the answer cache when there is one."""
        cache = self.cache
        if cache is None:
            return _answer_response(await self.call("query", payload), {})
        key = cache.key(payload)
        etag = cache.etag(key)
        if etag in _tags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers={"ETag": etag, "X-KG-Cache": "hit"})
        answer, how = await cache.answer(key, lambda: self.call("query", payload))
        return _answer_response(answer, {"ETag": etag, "Cache-Control": "no-cache", "X-KG-Cache": how})

    async def rows(self, query: str, max_rows: int = 10_000):
        """(variables, rows of plain tuples) for the pages; raises on error."""
        answer = await self.call("rows", {"query": query, "max_rows": max_rows})
        if answer[0] != "ok":
            raise RuntimeError(answer[2])
        return answer[1], answer[2]

    def close(self) -> None:
        self._current.pool.close()
        self.checker.close()


class FollowBuild:
    """ASGI middleware: each request notices a rebuild first, is pinned to one generation,
    knows its client (the remote address) and says which build answered (``X-KG-Build``)."""

    def __init__(self, app, endpoint: Endpoint):
        self.app, self.endpoint = app, endpoint

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        ep = self.endpoint
        await ep.follow_build()
        gen = ep.pin()
        _client.set((scope.get("client") or ("unknown",))[0])

        async def send_build(message):
            if message["type"] == "http.response.start" and gen.build:
                message["headers"] = [*message.get("headers", []), (b"x-kg-build", gen.build.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_build)
        finally:
            ep.unpin(gen)


def error(status: int, message: str) -> Response:
    headers = {"Retry-After": RETRY_AFTER} if status in (429, 503) else None
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def _tags(header: str | None) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compare as strong: RFC 9110 13.1.2)."""
    return {t.strip().removeprefix("W/") for t in (header or "").split(",") if t.strip()}


def _answer_response(answer: tuple, cache_headers: dict) -> Response:
    if answer[0] != "ok":
        return error(answer[1], answer[2])
    _, media, body, headers = answer
    if isinstance(body, bytearray):  # read from the worker's pipe into one buffer: not copied
        body = memoryview(body)
    if media.startswith("text/") or media.endswith(("json", "xml")):
        media += "; charset=utf-8"
    return Response(body, media_type=media, headers={**headers, "Vary": "Accept", **cache_headers})
