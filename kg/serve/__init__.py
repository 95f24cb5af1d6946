"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint and a web page over the built store.

Nothing here imports starlette or uvicorn until the app is made, so `import kg` stays light.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_workers() -> int:
    # a slow query must not hold up quick ones: at least one worker for each of 8 researchers
    # at once (with 4 on 2 cores, 8 clients' quick queries waited 0.5-0.9 s behind the slow
    # ones); an idle worker is ~40 MB
    return max(8, 2 * (os.cpu_count() or 2))


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
    header_timeout: float = 10.0     # seconds for a request's head (line + headers), then 408 (uvicorn)
    client_share: int | None = None  # queries one client may run at once (default: workers // 2, >= 1)


def create_app(store_or_build_dir, options: ServeOptions | None = None):
    """The ASGI app: ``/sparql``, ``/.well-known/void``, ``/`` and entity pages."""
    from .app import create_app as _create

    return _create(store_or_build_dir, options or ServeOptions())


def run(build_dir, host: str = "127.0.0.1", port: int = 7878, options: ServeOptions | None = None,
        **fields) -> None:
    """Serve ``build_dir`` until interrupted (uvicorn, one event loop, query worker processes).
    ``fields`` override those of ``options`` (e.g. ``timeout=5``). The HTTP protocol is uvicorn's
    with read deadlines (:mod:`.protocol`); ``X-Forwarded-For`` is trusted only from the
    addresses in ``FORWARDED_ALLOW_IPS``, if set (the client address decides fair sharing)."""
    import dataclasses

    import uvicorn

    from .protocol import protocol_class

    opts = dataclasses.replace(options or ServeOptions(), **fields)
    http = protocol_class(opts.header_timeout, opts.timeout)
    uvicorn.run(create_app(build_dir, opts), host=host, port=port, log_level="warning", http=http,
                ws="none", proxy_headers="FORWARDED_ALLOW_IPS" in os.environ)
