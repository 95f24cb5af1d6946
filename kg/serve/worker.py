"""Query worker processes: each opens the store itself; a query past its time limit is killed.

pyoxigraph cannot cancel a running query (a sort or an aggregate works before the first row
comes out), so every query runs in a worker process the server can kill. The answer is fully
serialized in the worker before it is sent back: a timeout never leaves a half-written body.
Before it opens the store, a worker makes itself unable to open network connections
(:mod:`.sandbox`); checker workers (``Source(role="check")``) hold no store and parse query
texts for :mod:`.safety`, so that a slow or crashing parse is bounded and killable too.
This module is what runs inside a worker; :mod:`.pool` starts, calls and kills them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from . import formats, safety, sandbox


@dataclass(frozen=True)
class Source:
    """Where workers find the data: an on-disk store folder, or N-Quads to load in memory."""

    path: str | None = None
    nquads: bytes | None = None
    writable: bool = False
    role: str = "query"  # "check": no store; the worker parses query texts (safety.check_text)


def _open(source: Source):
    if source.role == "check":
        safety.check_text("ASK {}")  # import and build the grammar before the first request
        return None
    from pyoxigraph import RdfFormat, Store

    if source.path is None:
        store = Store()
        store.bulk_load(source.nquads or b"", format=RdfFormat.N_QUADS)
        return store
    return Store(source.path) if source.writable else Store.read_only(source.path)


def _terms(iris):
    from pyoxigraph import NamedNode

    return None if iris is None else [NamedNode(i) for i in iris]


def _run(store, p: dict):
    """Evaluate a query with the protocol's dataset: the union of named graphs by default."""
    kwargs = {"base_iri": p.get("base_iri")}
    if p.get("default_graph") is not None or p.get("named_graphs") is not None:
        kwargs["default_graph"] = _terms(p.get("default_graph") or [])
        kwargs["named_graphs"] = _terms(p.get("named_graphs"))
    elif not p.get("query_dataset"):  # FROM / FROM NAMED in the query choose the dataset
        kwargs["use_default_graph_as_union"] = True
    return store.query(p["query"], **kwargs)


RESULTS_FORMATS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}


def _rows_at_most(body: bytes, fmt: str) -> int:
    """An upper bound on the rows of pyoxigraph's serialization of SELECT results (exact for
    XML and TSV). Each row opens one JSON object (``{``), one ``<result>`` element (``<`` is
    escaped in text), one CSV/TSV line (TSV escapes newlines; a CSV field may hold one, which
    only over-counts)."""
    if fmt == "json":
        return body.count(b"{") - 3  # {"head":{…},"results":{"bindings":[
    if fmt == "xml":
        return body.count(b"<result>")
    if fmt == "csv":
        return body.count(b"\r\n") - 1
    return body.count(b"\n") - 1


def _query(store, p: dict):
    from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions

    result = _run(store, p)
    cap, headers = p["max_rows"], {}
    if isinstance(result, QueryBoolean):
        fmt = formats.choose("results", p.get("accept"), p.get("format"))
        return ("ok", formats.media_type(fmt), formats.boolean_bytes(result, fmt), headers)
    if isinstance(result, QuerySolutions):
        fmt = formats.choose("results", p.get("accept"), p.get("format"))
        # pyoxigraph writes the results itself (no Python object per term); only when the
        # answer may hold more than ``cap`` rows is it read back (not evaluated again) and cut.
        qfmt = getattr(QueryResultsFormat, RESULTS_FORMATS[fmt])
        body = result.serialize(format=qfmt)
        if len(body) <= cap or _rows_at_most(body, fmt) <= cap:  # a row takes a byte at least
            return ("ok", formats.media_type(fmt), body, headers)
        if fmt == "csv":  # CSV cannot be read back into terms: cut after header + cap records
            return ("ok", formats.media_type(fmt), _cut_csv(body, cap, headers), headers)
        from pyoxigraph import parse_query_results

        result = parse_query_results(body, format=qfmt)
        variables = [v.value for v in result.variables]
        rows = _take(([s[v] for v in variables] for s in result), cap, headers)
        return ("ok", formats.media_type(fmt), formats.select_bytes(variables, rows, fmt), headers)
    fmt = formats.choose("graph", p.get("accept"), p.get("format"))
    triples = _take(iter(result), cap, headers)
    return ("ok", formats.media_type(fmt), formats.graph_bytes(triples, fmt), headers)


def _cut_csv(body: bytes, cap: int, headers: dict) -> bytes:
    """The header and the first ``cap`` records of pyoxigraph's CSV; a CRLF inside a quoted
    field (odd number of quotes before it) does not end a record."""
    pos, quotes, records = 0, 0, -1
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            return body
        quotes += body.count(b'"', pos, end)
        pos = end + 2
        if quotes % 2 == 0:
            records += 1
            if records == cap:
                if pos < len(body):
                    headers["X-KG-Truncated"] = f"true; max-rows={cap}"
                return body[:pos]


def _take(items, cap: int, headers: dict) -> list:
    out = []
    for item in items:
        if len(out) == cap:
            headers["X-KG-Truncated"] = f"true; max-rows={cap}"
            break
        out.append(item)
    return out


def _plain(t):
    """A term as a picklable tuple: (kind, value, language, datatype)."""
    from pyoxigraph import BlankNode, Literal, NamedNode

    if t is None:
        return None
    if isinstance(t, NamedNode):
        return ("uri", t.value, None, None)
    if isinstance(t, BlankNode):
        return ("bnode", t.value, None, None)
    if isinstance(t, Literal):
        return ("literal", t.value, t.language, t.datatype.value)
    return ("triple", str(t), None, None)


def _rows(store, p: dict):
    result = _run(store, p)
    if isinstance(result, bool) or type(result).__name__ == "QueryBoolean":
        return ("ok", ["boolean"], [[("literal", str(bool(result)).lower(), None, None)]])
    variables = [v.value for v in result.variables]
    rows = _take(([_plain(s[v]) for v in variables] for s in result), p["max_rows"], {})
    return ("ok", variables, rows)


def _update(store, p: dict):
    store.update(p["update"], base_iri=p.get("base_iri"))
    return ("ok",)


def _graphs(store, _p):
    return ("ok", sorted(g.value for g in store.named_graphs() if hasattr(g, "value")))


def _probe(_store, p: dict):
    """Try a TCP connection from inside the worker (the sandbox's self-test): the error, or None."""
    import socket

    try:
        socket.create_connection(tuple(p["address"]), timeout=2).close()
    except OSError as err:
        return ("ok", f"{type(err).__name__}: {err}")
    return ("ok", None)


HANDLERS = {"query": _query, "rows": _rows, "update": _update, "graphs": _graphs, "probe": _probe,
            "check": lambda _s, p: safety.check_text(p["query"]),
            "check_update": lambda _s, p: safety.check_update_text(p["query"])}


def _main(conn, source: Source) -> None:  # runs in the worker process
    guard = sandbox.block_network()  # first: before the store (and any thread) exists
    store = _open(source)
    conn.send(("ready", guard))
    while True:
        try:
            op, payload = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = HANDLERS[op](store, payload)
        except SyntaxError as err:
            answer = ("error", 400, f"syntax error: {err}")
        except formats.NotAcceptable as err:
            answer = ("error", 406, str(err))
        except Exception as err:  # noqa: BLE001 - the worker must answer, never die silently
            answer = ("error", 500, f"{type(err).__name__}: {err}")
        _send(conn, answer)
        if len(payload.get("query") or "") > LARGE:
            del payload, answer
            _give_back_memory()


LARGE = 2**20  # characters of a query text after which the worker returns freed memory


def _give_back_memory() -> None:
    """Free a large request's memory and return the heap's free pages to the system. glibc
    keeps what a large query's parse freed (its threshold for mmap grows with each large free, and the
    parse ran on a thread with an arena of its own): without this, a checker grows by
    tens of MB per 10 MB query and never shrinks. The parse tree holds reference cycles,
    so the collector runs first. Elsewhere than glibc: only the collection."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _send(conn, answer: tuple) -> None:
    """An answer whose last field is a (large) body is sent as a pickled head plus raw bytes,
    sparing the pickling and unpickling copies of the body. On POSIX the bytes go straight
    through the pipe's file descriptor and are read into one buffer of the size the head
    announced (multiprocessing's ``recv_bytes`` allocates a buffer of the remaining size
    for each read and copies the chunks once more)."""
    if answer[0] == "ok" and len(answer) == 4 and isinstance(answer[2], bytes):
        body = answer[2]
        if not RAW:
            conn.send(("ok-body", answer[1], answer[3]))
            conn.send_bytes(body)
            return
        conn.send(("ok-raw", answer[1], answer[3], len(body)))
        view, fd, sent = memoryview(body), conn.fileno(), 0
        while sent < len(body):
            sent += os.write(fd, view[sent:])
    else:
        conn.send(answer)


def _recv(conn) -> tuple:
    answer = conn.recv()
    if answer[0] == "ok-body":
        return ("ok", answer[1], conn.recv_bytes(), answer[2])
    if answer[0] == "ok-raw":
        return ("ok", answer[1], _read_exactly(conn.fileno(), answer[3]), answer[2])
    return answer


RAW = os.name == "posix"  # a pipe's end is a file descriptor os.write/os.readv can use


def _read_exactly(fd: int, size: int) -> bytearray:
    """``size`` bytes from ``fd`` into one buffer; EOFError when the writer died before."""
    buf = bytearray(size)
    view, got = memoryview(buf), 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError("the worker closed its pipe in the middle of an answer")
        got += n
    return buf
