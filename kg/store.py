"""The embedded SPARQL store of a build (BUILD/store, pyoxigraph) and the canned queries.

    load_store(build_dir)            bulk-load BUILD/shards/*.nq into BUILD/store (renamed into place)
    open_store(build_dir)            open BUILD/store (read-only by default)
    query(build_dir, sparql)         QueryResult(vars, rows) of plain Python values
    export(build_dir, fmt, output)   BUILD/graph.trig as ttl | nt | trig | nq | jsonld
    queries_dir(), list_queries(), read_query(name_or_path)   the research questions of queries/

The default graph of every query is the union of the named graphs, as in ``kg serve``: one
graph per source document (its evidence) and the shared graph (kg.map.SHARED_GRAPH) holding
each statement about an entity or fact once, so the union is a set and COUNT counts things.
pyoxigraph is imported on first use only.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, QueryError

#: formats of ``kg export``: name -> (pyoxigraph RdfFormat attribute, keeps named graphs)
FORMATS = {"ttl": ("TURTLE", False), "nt": ("N_TRIPLES", False), "trig": ("TRIG", True),
           "nq": ("N_QUADS", True), "jsonld": ("JSON_LD", True)}

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTS = {f"{_XSD}{t}" for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOATS = {f"{_XSD}{t}" for t in ("decimal", "double", "float")}


@dataclass
class QueryResult:
    """Variables and rows (tuples of str, int, float, bool or None for unbound)."""

    vars: list[str]
    rows: list[tuple]


def store_path(build_dir) -> Path:
    return Path(build_dir) / "store"


def build_id(build_dir) -> str | None:
    """A string that changes whenever a new build is put in place in ``build_dir`` (None when
    there is no build): ``kg serve`` compares it to notice a rebuild."""
    stats = Path(build_dir) / "stats.json"
    try:
        st = stats.stat()
    except OSError:
        return None
    return f"{st.st_mtime_ns}-{st.st_size}"


def load_store(build_dir, quads=None) -> Path:
    """Bulk-load ``quads`` (default: the quads of BUILD/shards/*.nq) into a new store, built in
    a temporary folder and then renamed to BUILD/store."""
    from pyoxigraph import Store

    build_dir = Path(build_dir)
    if quads is None:
        quads = read_quads(*sorted((build_dir / "shards").glob("*.nq")))
    tmp = build_dir / f".store.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    store = Store(str(tmp))
    store.bulk_extend(quads)
    store.flush()
    del store
    return _swap(tmp, store_path(build_dir))


def _swap(new: Path, dest: Path) -> Path:
    """Put folder ``new`` at ``dest``, replacing what was there with two renames."""
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    if dest.exists():
        os.replace(dest, old)
    os.replace(new, dest)
    shutil.rmtree(old, ignore_errors=True)
    return dest


def open_store(build_dir, read_only: bool = True):
    """The pyoxigraph ``Store`` of a build folder (or of a store folder given directly)."""
    from pyoxigraph import Store

    path = Path(build_dir)
    for candidate in (store_path(path), path):
        if (candidate / "CURRENT").is_file():
            return Store.read_only(str(candidate)) if read_only else Store(str(candidate))
    raise BuildError(f"no store in {path} (expected {store_path(path)}/)", path=str(path))


def query(build_or_store, sparql: str) -> QueryResult:
    """Evaluate SELECT, ASK or CONSTRUCT/DESCRIBE over the union of the named graphs."""
    from pyoxigraph import QueryBoolean, QuerySolutions

    store = build_or_store if hasattr(build_or_store, "query") else open_store(build_or_store)
    try:
        result = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as err:
        raise QueryError(f"malformed SPARQL: {err}") from None
    if isinstance(result, QueryBoolean):
        return QueryResult(["ask"], [(bool(result),)])
    if isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        convert = _plain_function()
        return QueryResult(names, [tuple(map(convert, solution)) for solution in result])
    return QueryResult(["subject", "predicate", "object"],
                       [(plain(t.subject), plain(t.predicate), plain(t.object)) for t in result])


def plain(term):
    """A pyoxigraph term as a plain Python value: IRIs and strings as str, numbers as numbers."""
    return _plain_function()(term)


_PLAIN: list = []


def _plain_function():
    """``plain`` with pyoxigraph's classes and a datatype -> converter table bound once (a year
    of news answers 100,000 rows of seven terms: a lookup per term, not an import)."""
    if _PLAIN:
        return _PLAIN[0]
    from pyoxigraph import BlankNode, Literal, NamedNode

    converters = {NamedNode(t): int for t in _INTS}
    converters.update({NamedNode(t): float for t in _FLOATS})
    converters[NamedNode(f"{_XSD}boolean")] = lambda v: v in ("true", "1")
    find = converters.get

    def convert(term):
        cls = type(term)
        if cls is NamedNode:
            return term.value
        if cls is Literal:
            to = find(term.datatype)
            if to is None:
                return term.value
            try:
                return to(term.value)
            except ValueError:
                return term.value
        if term is None:
            return None
        if cls is BlankNode:
            return f"_:{term.value}"
        return getattr(term, "value", str(term))

    _PLAIN.append(convert)
    return convert


def read_quads(*sources: Path, nquads: bytes = b"") -> list:
    """The distinct quads of RDF files (format from the suffix) and of ``nquads``, parsed by pyoxigraph.

    Outputs are serialized from parsed quads, not from the store: pyoxigraph's store keeps
    integers of derived types as xsd:integer ("3"^^xsd:nonNegativeInteger comes back as 3).
    """
    from itertools import chain

    from pyoxigraph import RdfFormat, parse

    parsed = [parse(path=str(p), format=RdfFormat.from_extension(p.suffix.lstrip("."))) for p in sources]
    if nquads:
        parsed.append(parse(nquads, format=RdfFormat.N_QUADS))
    # each shard carries its document's part of the shared graph (kg.map.SHARED_GRAPH): a quad
    # that many shards repeat is kept once, in first-seen order, as a store would keep it
    return list(dict.fromkeys(chain.from_iterable(parsed)))


def union_triples(quads) -> list:
    """The distinct triples of all graphs, sorted (subject, predicate, object) for stable output."""
    return sorted({q.triple for q in quads}, key=str)


def prefixes(build_dir) -> dict[str, str]:
    """The prefixes declared at the top of BUILD/graph.trig (to keep exports readable)."""
    found = {}
    path = Path(build_dir) / "graph.trig"
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.startswith("@prefix"):
                    break
                name, iri = line.split()[1:3]
                found[name.rstrip(":")] = iri.strip("<>")
    return found


def serialize(quads, fmt: str, output=None, prefixes: dict | None = None):
    """Write ``quads`` as ``fmt`` (FORMATS; ttl and nt: the union of the graphs) to ``output``
    (a path, written atomically), or return bytes when ``output`` is None."""
    import pyoxigraph

    if fmt not in FORMATS:
        raise BuildError(f"unknown export format {fmt!r}", hint=f"Choose one of {', '.join(FORMATS)}.")
    attr, named = FORMATS[fmt]
    kwargs = {"prefixes": prefixes} if prefixes and fmt in ("ttl", "trig") else {}
    data = pyoxigraph.serialize(quads if named else union_triples(quads),
                                format=getattr(pyoxigraph.RdfFormat, attr), **kwargs)
    if output is None:
        return data
    return write_atomic(Path(output), data)


def export(build_dir, fmt: str = "ttl", output=None):
    """``kg export``: BUILD/graph.trig as ``fmt``, to ``output`` or as bytes."""
    trig = Path(build_dir) / "graph.trig"
    if not trig.is_file():
        raise BuildError(f"no graph.trig in {build_dir}", path=str(build_dir))
    return serialize(read_quads(trig), fmt, output, prefixes(build_dir))


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write to a temporary file in the same folder, then rename over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# ------------------------------------------------------------------ canned queries


def queries_dir() -> Path:
    """queries/ of a source checkout (editable install), else the copy shipped in the wheel
    as package data (kg/data/queries, copied by setup.py's build_py)."""
    from .resources import project_dir

    found = project_dir("queries", "*.rq")
    if found:
        return found
    raise QueryError("no canned queries found (queries/ or kg/data/queries)",
                     hint="Reinstall kg, or give a path to a .rq file.")


def question(path: Path) -> str:
    """The research question of a .rq file: its first comment line ("Research question:" dropped)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#"):
            text = line.strip().lstrip("#").strip()
            return text.split(":", 1)[1].strip() if text.lower().startswith("research question:") else text
    return ""


def list_queries() -> list[tuple[str, str]]:
    """(name, research question) of every canned query, sorted by name."""
    return [(p.stem, question(p)) for p in sorted(queries_dir().glob("*.rq"))]


def read_query(name_or_path: str) -> str:
    """The text of a canned query named ``name_or_path`` or of the .rq file at that path."""
    path = Path(name_or_path)
    if path.suffix == ".rq" or path.is_file():
        if not path.is_file():
            raise QueryError(f"no such query file: {path}", path=str(path))
        return path.read_text(encoding="utf-8")
    names = dict(list_queries())
    if path.name not in names:
        raise QueryError(f"unknown query {name_or_path!r}",
                         hint=f"Use one of: {', '.join(names)}; or give a path to a .rq file.")
    return (queries_dir() / f"{path.name}.rq").read_text(encoding="utf-8")
