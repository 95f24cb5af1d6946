"""Click commands `kg serve` and `kg push`; kg/cli.py attaches them with ``add_command``."""
from __future__ import annotations

import sys

import click

from ..errors import KGError


@click.command("serve", epilog="\b\nExit status: 0 stopped, 2 error (no store in BUILD, extra not installed).")
@click.argument("build_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=int)
@click.option("--timeout", default=30.0, show_default=True, type=float,
              help="Seconds a query may run before it is stopped (503); also for a request body (408).")
@click.option("--max-rows", default=100_000, show_default=True, type=int,
              help="Rows or triples per answer; more are cut and flagged in X-KG-Truncated.")
@click.option("--workers", default=None, type=int, help="Query worker processes (default: 2 x cores, at least 8).")
@click.option("--cache-mb", default=512, show_default=True, type=click.IntRange(min=0),
              help="Memory for answers kept and sent again (the store is read-only); 0 keeps none.")
@click.option("--max-query-bytes", default=2**20, show_default=True, type=click.IntRange(min=1),
              help="Largest request body (or URL query) accepted; a larger one gets 413 at once.")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a client has to send a request's head (a body has --timeout); then 408.")
def serve(build_dir, host, port, timeout, max_rows, workers, cache_mb, max_query_bytes, header_timeout):
    """Serve BUILD_DIR read-only: page at /, SPARQL 1.1 endpoint at /sparql.

    \b
    Each client (remote address) runs at most half of the workers at once; a rebuild of
    BUILD_DIR is noticed and served from the next request on.

    \b
    Example:
      kg serve build/ --port 7878      # then open http://127.0.0.1:7878/
    """
    from . import ServeOptions, run

    _check_port(host, port)
    opts = ServeOptions(timeout=timeout, max_rows=max_rows, cache_mb=cache_mb,
                        max_query_bytes=max_query_bytes, header_timeout=header_timeout)
    if workers:
        opts.workers = workers
    click.echo(f"kg serve: http://{host}:{port}/  (SPARQL: http://{host}:{port}/sparql)", err=True)
    try:
        run(build_dir, host, port, opts)
    except ModuleNotFoundError as err:
        if err.name not in ("uvicorn", "starlette"):
            raise
        raise KGError(f"kg serve needs the serve extra ({err.name} is missing)",
                      hint="pip install 'kg[serve]'") from None


def _check_port(host: str, port: int) -> None:
    """Refuse a port that cannot be bound before saying where the server is (uvicorn would
    print [Errno 98] and exit 3 after the URL was shown)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise KGError(f"--host {host}: unknown address ({err.strerror or err})",
                      hint="Give an address of this machine, e.g. --host 127.0.0.1 or --host 0.0.0.0.") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind(address)
        except OSError as err:
            raise KGError(f"cannot listen on {host}:{port} ({err.strerror or err})",
                          hint=f"Another program (or kg serve) may be using port {port}: stop it, "
                               "or choose another with --port.") from None


@click.command("push", epilog="\b\nExit status: 0 every graph sent, 2 error (message and hint on stderr).")
@click.argument("build_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--endpoint", help="Graph Store Protocol endpoint: each named graph is PUT (replaced).")
@click.option("--update-endpoint", help="SPARQL Update endpoint: DROP + batched INSERT DATA instead.")
@click.option("--user", help="User name for HTTP authentication.")
@click.option("--password", help="Password (or set it in the KG_PUSH_PASSWORD environment variable).",
              envvar="KG_PUSH_PASSWORD")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True)
@click.option("--batch", "batch_triples", default=500, show_default=True, type=int,
              help="Triples per INSERT DATA request.")
def push(build_dir, endpoint, update_endpoint, user, password, auth, batch_triples):
    """Send every named graph of BUILD_DIR to a SPARQL 1.1 store (re-running is idempotent).

    \b
    Examples:
      kg push build/ --endpoint http://127.0.0.1:7878/store
      kg push build/ --update-endpoint http://host:8890/sparql-auth --user dba --auth digest
    """
    from ..push import PushOptions, push as do_push

    opts = PushOptions(endpoint=endpoint, update_endpoint=update_endpoint, user=user,
                       password=password, auth=auth, batch_triples=batch_triples)
    report = do_push(build_dir, opts, log=lambda m: click.echo(m, err=True))
    click.echo(report.text().splitlines()[-1], err=True)
    sys.stdout.write(report.text() + "\n")
