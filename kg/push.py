"""`kg push`: send every named graph of a build to an external SPARQL 1.1 store.

Two ways, both replacing each graph so that a second push changes nothing:
- Graph Store Protocol: ``PUT {endpoint}?graph=IRI`` with the graph as N-Triples;
- SPARQL Update (``--update-endpoint``): ``DROP SILENT GRAPH`` then ``INSERT DATA`` in small
  batches through SPARQLWrapper (form-encoded POST, basic or digest auth).
Transient failures (connection errors, 408/429/5xx) are retried with back-off.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError, KGError

TRANSIENT = {408, 429, 500, 502, 503, 504}


class PushError(KGError):
    """The remote store refused or kept failing."""

    hint = "Check the endpoint URL, the credentials, and that the store accepts writes."


@dataclass
class PushOptions:
    endpoint: str | None = None          # Graph Store Protocol endpoint (e.g. http://host:7878/store)
    update_endpoint: str | None = None   # SPARQL Update endpoint: use INSERT DATA instead of PUT
    user: str | None = None
    password: str | None = None
    auth: str = "basic"                  # "basic" or "digest"
    batch_triples: int = 500             # INSERT DATA size; Virtuoso copes with a few thousand
    retries: int = 4
    backoff: float = 0.5                 # seconds, doubled after each failure


@dataclass
class GraphSent:
    graph: str
    triples: int
    requests: int


@dataclass
class PushReport:
    method: str
    graphs: list[GraphSent] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def text(self) -> str:
        lines = [f"{g.graph}\t{g.triples} triples\t{g.requests} request(s)" for g in self.graphs]
        lines.append(f"pushed {len(self.graphs)} graph(s), {self.triples} triples by {self.method}")
        return "\n".join(lines)


def open_build(build_or_store):
    """A pyoxigraph store for a build folder (store/ or graph.trig) or a Store given as is."""
    from pyoxigraph import RdfFormat, Store

    if hasattr(build_or_store, "quads_for_pattern"):
        return build_or_store
    path = Path(build_or_store)
    if (path / "store" / "CURRENT").is_file():
        return Store.read_only(str(path / "store"))
    if (path / "graph.trig").is_file():
        store = Store()
        store.bulk_load(path=str(path / "graph.trig"), format=RdfFormat.TRIG)
        return store
    raise BuildError(f"{path}: neither store/ nor graph.trig found", path=str(path))


def graphs_of(store) -> list[tuple[str | None, list]]:
    """(graph IRI or None for the default graph, triples) for every non-empty graph, sorted."""
    from pyoxigraph import DefaultGraph, NamedNode

    out = []
    default = [q.triple for q in store.quads_for_pattern(None, None, None, DefaultGraph())]
    if default:
        out.append((None, default))
    for g in sorted((g for g in store.named_graphs() if isinstance(g, NamedNode)), key=lambda g: g.value):
        out.append((g.value, [q.triple for q in store.quads_for_pattern(None, None, None, g)]))
    return out


def push(build_or_store, options: PushOptions, log=lambda msg: None) -> PushReport:
    """Replace every graph of the build in the remote store; return what was sent."""
    if not options.endpoint and not options.update_endpoint:
        raise PushError("give --endpoint (Graph Store Protocol) or --update-endpoint (SPARQL Update)")
    store = open_build(build_or_store)
    by_update = bool(options.update_endpoint)
    report = PushReport("SPARQL Update INSERT DATA" if by_update else "Graph Store Protocol PUT")
    for graph, triples in graphs_of(store):
        requests = _push_update(graph, triples, options) if by_update else _push_put(graph, triples, options)
        report.graphs.append(GraphSent(graph or "(default graph)", len(triples), requests))
        log(f"{graph or '(default graph)'}: {len(triples)} triples in {requests} request(s)")
    return report


def _retrying(action, options: PushOptions, what: str):
    delay = options.backoff
    for attempt in range(options.retries + 1):
        try:
            return action()
        except urllib.error.HTTPError as err:
            if err.code not in TRANSIENT or attempt == options.retries:
                body = err.read().decode("utf-8", "replace")[:500]
                raise PushError(f"{what}: HTTP {err.code} {err.reason}: {body}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
            if attempt == options.retries:
                raise PushError(f"{what}: {err}") from None
        time.sleep(delay)
        delay *= 2


def _opener(url: str, options: PushOptions):
    handlers = []
    if options.user is not None:
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, url, options.user, options.password or "")
        handler = urllib.request.HTTPDigestAuthHandler if options.auth == "digest" else urllib.request.HTTPBasicAuthHandler
        handlers.append(handler(mgr))
    return urllib.request.build_opener(*handlers)


def _push_put(graph: str | None, triples: list, options: PushOptions) -> int:
    from pyoxigraph import RdfFormat, serialize

    body = serialize(triples, format=RdfFormat.N_TRIPLES)
    query = "default" if graph is None else urllib.parse.urlencode({"graph": graph})
    sep = "&" if "?" in options.endpoint else "?"
    url = f"{options.endpoint}{sep}{query}"
    opener = _opener(options.endpoint, options)
    req = urllib.request.Request(url, data=body, method="PUT",
                                 headers={"Content-Type": "application/n-triples"})
    _retrying(lambda: opener.open(req, timeout=120).read(), options, f"PUT {url}")
    return 1


def batches(triples: list, size: int) -> list[list]:
    """Batches of at most ``size`` triples; triples with blank nodes all go in the last batch,
    since a blank node label only holds within one INSERT DATA request."""
    plain = [t for t in triples if not _has_bnode(t)]
    bnodes = [t for t in triples if _has_bnode(t)]
    out = [plain[i:i + size] for i in range(0, len(plain), size)]
    return out + ([bnodes] if bnodes else [])


def _has_bnode(t) -> bool:
    from pyoxigraph import BlankNode

    return isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode)


def _push_update(graph: str | None, triples: list, options: PushOptions) -> int:
    from pyoxigraph import RdfFormat, serialize

    target = "DEFAULT" if graph is None else f"GRAPH <{graph}>"
    requests = [f"DROP SILENT {target}"]
    for batch in batches(triples, options.batch_triples):
        data = serialize(batch, format=RdfFormat.N_TRIPLES).decode()
        requests.append(f"INSERT DATA {{ {data} }}" if graph is None
                        else f"INSERT DATA {{ GRAPH <{graph}> {{ {data} }} }}")
    for text in requests:
        _retrying(lambda t=text: _sparqlwrapper_update(t, options), options,
                  f"update at {options.update_endpoint}")
    return len(requests)


def _sparqlwrapper_update(text: str, options: PushOptions) -> None:
    from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper

    sw = SPARQLWrapper(options.update_endpoint)
    sw.setMethod(POST)
    sw.setRequestMethod(URLENCODED)
    if options.user is not None:
        sw.setHTTPAuth(DIGEST if options.auth == "digest" else BASIC)
        sw.setCredentials(options.user, options.password or "")
    sw.setQuery(text)
    from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

    try:
        sw.query().response.read()
    except EndPointInternalError as err:  # a 500: worth another try
        raise ConnectionError(str(err)) from None
    except SPARQLWrapperException as err:
        raise PushError(f"update at {options.update_endpoint}: {err}") from None
