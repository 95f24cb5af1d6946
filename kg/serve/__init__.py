"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint and a web page over the built store.

Nothing here imports starlette or uvicorn until the app is made, so `import kg` stays light.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_workers() -> int:
    return max(4, 2 * (os.cpu_count() or 2))  # a slow query must not hold up quick ones


@dataclass
class ServeOptions:
    """How the server behaves; every limit is per request."""

    timeout: float = 30.0            # wall-clock seconds a query may run before it is stopped (503)
    max_rows: int = 100_000          # rows (SELECT) or triples (CONSTRUCT) sent; more is cut, flagged
    workers: int = field(default_factory=_default_workers)  # query processes (killable)
    writable: bool = False           # test-only: accept SPARQL Update (never LOAD/SERVICE)
    queries_dir: Path | None = None  # canned queries for the page; default: the repo's queries/
    cors: bool = True                # Access-Control-Allow-Origin: * on every answer
    cache_mb: int = 512              # answers kept in memory (read-only store); 0: none
    max_query_bytes: int = 2**20     # request body or URL query longer than this: 413/414 at once


def create_app(store_or_build_dir, options: ServeOptions | None = None):
    """The ASGI app: ``/sparql``, ``/.well-known/void``, ``/`` and entity pages."""
    from .app import create_app as _create

    return _create(store_or_build_dir, options or ServeOptions())


def run(build_dir, host: str = "127.0.0.1", port: int = 7878, *, timeout: float = 30.0,
        max_rows: int = 100_000, writable: bool = False, workers: int | None = None,
        cache_mb: int = 512, max_query_bytes: int = 2**20) -> None:
    """Serve ``build_dir`` until interrupted (uvicorn, one event loop, query worker processes)."""
    import uvicorn

    opts = ServeOptions(timeout=timeout, max_rows=max_rows, writable=writable, cache_mb=cache_mb,
                        max_query_bytes=max_query_bytes)
    if workers:
        opts.workers = workers
    uvicorn.run(create_app(build_dir, opts), host=host, port=port, log_level="warning")
