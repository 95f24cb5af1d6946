"""The embedded SPARQL store of a build (BUILD/store, pyoxigraph), its outputs and the canned queries.

    load_store(build_dir)            bulk-load BUILD/shards/*.nq into BUILD/store (renamed into place)
    open_store(build_dir)            open BUILD/store (read-only by default) at its real path
    build_id(build_dir)              the id of the build in place; changes at every rebuild
    query(build_dir, sparql)         QueryResult(vars, rows) of plain Python values
    export(build_dir, fmt, output)   BUILD/graph.trig as ttl | nt | trig | nq | jsonld
    serialize(quads, fmt, output)    sorted, so the same quads give the same bytes
    queries_dir(), list_queries(), read_query(name_or_path)   the research questions of queries/

The default graph of every query is the union of the named graphs, as in ``kg serve``: one
graph per source document (its evidence) and the shared graph (kg.map.SHARED_GRAPH) holding
each statement about an entity or fact once, so the union is a set and COUNT counts things.
Turtle and TriG declare only the prefixes under which every IRI of the data has a plain local
name (no ``\\/`` escapes: ``kgid:agreement\\/…`` is written as the full IRI instead).
pyoxigraph is imported on first use only.
"""
from __future__ import annotations

import os
import re
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

    def to_pandas(self):
        """The rows as a pandas DataFrame, one column per variable in order (pip install 'kg[notebook]').

        A column of integers is int64 (Int64 when some rows leave it unbound), of numbers
        float64 (NaN for unbound), of booleans bool (boolean when some are unbound); IRIs and
        other literals stay strings, unbound ones missing.
        """
        try:
            import pandas as pd
        except ImportError:
            from .errors import KGError

            raise KGError("QueryResult.to_pandas() needs pandas, which is not installed",
                          hint="pip install 'kg[notebook]' (or pip install pandas)") from None
        columns = list(zip(*self.rows)) or [()] * len(self.vars)
        return pd.DataFrame({name: self._series(pd, values) for name, values in zip(self.vars, columns)},
                            columns=list(self.vars))

    @staticmethod
    def _series(pd, values: tuple):
        """One variable's values as a pandas Series, typed as ``to_pandas`` says."""
        kinds = {type(v) for v in values if v is not None}
        unbound = bool(kinds) and None in values
        dtype = None if kinds <= {str} else object  # strings: pandas' own string type
        if kinds == {int}:
            dtype = "Int64" if unbound else "int64"
        elif kinds in ({float}, {int, float}):
            dtype = "float64"
        elif kinds == {bool}:
            dtype = "boolean" if unbound else "bool"
        try:
            return pd.Series(values, dtype=dtype)
        except (OverflowError, TypeError, ValueError):  # an xsd:integer beyond int64
            return pd.Series(values, dtype=object)


def store_path(build_dir) -> Path:
    return Path(build_dir) / "store"


def build_id(build_dir) -> str | None:
    """A string that changes whenever a new build is switched in to ``build_dir`` (None when
    there is no build): ``kg serve`` compares it to notice a rebuild. It is the name of the
    generation ``BUILD/current`` points at (kg.folder); for a folder made before generations,
    the modification time and size of its stats.json."""
    from .folder import generation_id

    found = generation_id(build_dir)
    if found:
        return found
    stats = Path(build_dir) / "stats.json"
    try:
        st = stats.stat()
    except OSError:
        return None
    return f"{st.st_mtime_ns}-{st.st_size}"


LOAD_BATCH = 100_000


def load_store(build_dir, quads=None, files=()) -> Path:
    """Bulk-load the RDF ``files`` (parsed as a stream, format from the suffix) and ``quads``
    (default, without files: the quads of BUILD/shards/*.nq) into a new store, built in a
    temporary folder and then renamed to BUILD/store. The store keeps each quad once.

    A file is loaded ``LOAD_BATCH`` quads at a time: pyoxigraph's ``bulk_load`` of a whole
    file holds it in memory (719 MB for xwlb-2023's 750k quads, 168 MB in batches, as fast)."""
    from itertools import islice

    from pyoxigraph import RdfFormat, Store, parse

    build_dir = Path(build_dir)
    if quads is None and not files:
        quads = read_quads(*sorted((build_dir / "shards").glob("*.nq")))
    tmp = build_dir / f".store.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    store = Store(str(tmp))
    for f in files:
        parsed = iter(parse(path=str(f), format=RdfFormat.from_extension(Path(f).suffix.lstrip("."))))
        while batch := list(islice(parsed, LOAD_BATCH)):
            store.bulk_extend(batch)
    store.bulk_extend(quads or [])
    store.optimize()  # compacts the many files the batches left: each term decode is one lookup
    store.flush()
    del store
    return _swap(tmp, store_path(build_dir))


#: a re-run whose quads differ from the previous build's in more than this share loads anew
UPDATE_SHARE = 0.25


#: an update that adds and removes at most this share of the quads does not compact the store
#: (Store.optimize, ~0.3 s on 75k quads): the previous build's store was compacted, the few
#: files the update adds cost a lookup each
COMPACT_SHARE = 0.05


def checkpoint_path(build_dir) -> Path:
    """Where update_store makes the checkpoint of the previous store (in ``build_dir``)."""
    return Path(build_dir) / f".store.tmp-{os.getpid()}"


def update_store(build_dir, previous, old_nq, new_nq, quads=(), ahead: dict | None = None) -> Diff | None:
    """Make BUILD/store from the ``previous`` build's store instead of loading every quad: a
    checkpoint of it (hard links, ``Store.backup``), the quads of the sorted N-Quads file
    ``new_nq`` that its predecessor ``old_nq`` lacks added, those it no longer has removed,
    the graphs of ``quads`` (the build metadata) replaced and graphs no longer present
    dropped: the same quads and graphs as ``load_store(build_dir, quads, [new_nq])``. Returns
    the difference of the two files (kg.search_update reads it); None (nothing done) when
    there is no previous store or sorted file, or too much changed. ``ahead``
    (kg.store_child.prepare): the lines of ``old_nq`` and the checkpoint, made beforehand."""
    from pyoxigraph import NamedNode, RdfFormat, Store, parse

    build_dir, before = Path(build_dir), store_path(previous) if previous else None
    tmp = checkpoint_path(build_dir)
    if before is None or not (before / "CURRENT").is_file() or not Path(old_nq).is_file():
        return None
    diff = diff_lines(old_nq, new_nq, (ahead or {}).get("lines"))
    if diff is None or len(diff.added) + len(diff.removed) > UPDATE_SHARE * max(1, diff.lines):
        shutil.rmtree(tmp, ignore_errors=True)  # a checkpoint made ahead is of no use
        return None
    if not (ahead and Path(ahead["checkpoint"]) == tmp and (tmp / "CURRENT").is_file()):
        shutil.rmtree(tmp, ignore_errors=True)
        Store.read_only(str(before.resolve())).backup(str(tmp))
    store = Store(str(tmp))
    keep = None if diff.graphs is None else diff.graphs | {str(q.graph_name) for q in quads}
    for g in list(store.named_graphs()) if keep is not None else ():
        if str(g) not in keep:
            store.remove_graph(g)
    for g in {q.graph_name for q in quads}:
        if isinstance(g, NamedNode):
            store.clear_graph(g)
    emptied = set()
    for q in parse("".join(diff.removed).encode("utf-8"), format=RdfFormat.N_QUADS):
        store.remove(q)
        emptied.add(q.graph_name)
    store.bulk_extend(parse("".join(diff.added).encode("utf-8"), format=RdfFormat.N_QUADS))
    store.bulk_extend(quads)
    if keep is None:  # the graphs whose quads were all removed go
        for g in emptied:
            if isinstance(g, NamedNode) and next(store.quads_for_pattern(None, None, None, g), None) is None:
                store.remove_graph(g)
    if len(diff.added) + len(diff.removed) > COMPACT_SHARE * max(1, diff.lines):
        store.optimize()
    store.flush()
    del store
    _swap(tmp, store_path(build_dir))
    return diff


@dataclass
class Diff:
    added: list[str]    # N-Quads lines
    removed: list[str]
    lines: int          # of the new file
    graphs: set[str] | None  # graph names of the new file, as N-Quads terms (None: not read)


#: two files of at most this many bytes each are compared as sets of lines (~10x faster than
#: the streaming comparison of diff_sorted, and in memory: ~3x their size)
SET_DIFF_BYTES = 64 << 20


def diff_lines(old, new, before: set[str] | None = None) -> Diff | None:
    """The lines only in one of two N-Quads files of distinct lines (kg.stream.merge): as sets
    when both are small (``graphs`` not read), else diff_sorted's streaming comparison;
    ``before``: the lines of ``old``, read already."""
    if max(Path(old).stat().st_size, Path(new).stat().st_size) > SET_DIFF_BYTES:
        return diff_sorted(old, new)
    if before is None:
        with open(old, encoding="utf-8", newline="\n") as f:
            before = set(f)
    with open(new, encoding="utf-8", newline="\n") as f:
        after = set(f)
    return Diff(sorted(after - before), sorted(before - after), len(after), None)


def _graph_of(line: str) -> str:
    """The graph name of an N-Quads line as written by kg.stream.merge ("" for none found)."""
    if line.endswith("> .\n"):
        return line[line.rfind(" <", 0, -4) + 1:-3]
    body = line.rstrip("\n")[:-2]
    return body[body.rfind(" <") + 1:] if body.endswith(">") else ""


def diff_sorted(old, new) -> Diff | None:
    """The lines only in one of two N-Quads files sorted by graph, then line (kg.stream.merge),
    in one pass over both; None when a file is not in that order."""
    class Unsorted(Exception):
        pass

    graphs: set[str] = set()

    def keyed(path, note):
        last = None
        with open(path, encoding="utf-8", newline="\n") as f:
            for line in f:
                key = (_graph_of(line), line)
                if last is not None and key <= last:
                    raise Unsorted
                if note:
                    graphs.add(key[0])
                last = key
                yield key

    added, removed, lines = [], [], 0
    a, b = keyed(old, False), keyed(new, True)
    try:
        x, y = next(a, None), next(b, None)
        while x is not None or y is not None:
            if y is None or (x is not None and x < y):
                removed.append(x[1])
                x = next(a, None)
            elif x is None or y < x:
                added.append(y[1])
                y, lines = next(b, None), lines + 1
            else:
                x, y, lines = next(a, None), next(b, None), lines + 1
    except Unsorted:
        return None
    return Diff(added, removed, lines, graphs)


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
            # the real path: BUILD/store is a symlink through BUILD/current, which a rebuild
            # switches; the store must keep reading the files of the build it opened
            real = str(candidate.resolve())
            return Store.read_only(real) if read_only else Store(real)
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
    """The distinct triples of all graphs, sorted (by their N-Triples text) for stable output."""
    return sorted({q.triple for q in quads}, key=str)


def sorted_quads(quads) -> list:
    """Quads sorted by graph, then by their N-Quads text: the same set gives the same bytes,
    whatever the order they were found in (Python's hash seed, worker completion order)."""
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q)))


def prefixes(build_dir) -> dict[str, str]:
    """The prefixes of a build (to keep exports and tables readable): those recorded in its
    manifest.json, else those declared at the top of its graph.trig."""
    import json

    try:
        found = json.loads((Path(build_dir) / "manifest.json").read_text(encoding="utf-8"))["prefixes"]
        return dict(found)
    except (OSError, ValueError, KeyError, TypeError):
        pass
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


#: a Turtle local name that needs no escape (PN_LOCAL of Turtle 1.1 without PLX: no ``\x``, no %)
_U = ("A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
      "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_CHARS = _U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLAIN_LOCAL = re.compile(f"(?:[{_U}:0-9](?:[{_CHARS}.:]*[{_CHARS}:])?)?")


def plain_prefixes(quads, prefixes: dict[str, str]) -> dict[str, str]:
    """The ``prefixes`` (sorted by name) under which every IRI of ``quads`` has a local name
    that Turtle can write without escapes; a prefix that would need ``kgid:agreement\\/…``
    is left out, and its IRIs are written in full."""
    check = PrefixCheck(prefixes)
    for q in quads:
        check.add(q)
    return check.plain()


class PrefixCheck:
    """``plain_prefixes`` fed one quad (or triple) at a time. What it learnt of each IRI is
    remembered for the next quads that name it, ``MEMO`` IRIs at most (then forgotten and
    learnt again): memory does not grow with the corpus."""

    MEMO = 100_000

    def __init__(self, prefixes: dict[str, str]):
        from pyoxigraph import NamedNode

        self.prefixes = dict(prefixes or {})
        names = sorted((ns, n) for n, ns in self.prefixes.items() if ns)
        self.name_of, self.bad, self.bad_graph, self.seen = dict(names), set(), set(), {}
        self._iri = NamedNode
        self.split = re.compile("(%s)(.*)" % "|".join(
            re.escape(ns) for ns, _ in sorted(names, key=lambda x: -len(x[0]))), re.DOTALL) if names else None

    def add(self, q) -> None:
        if self.split is None:
            return
        iri = self._iri
        for t in (q.subject, q.predicate, q.object):
            if type(t) is iri:
                prefix = self._prefix(t.value)
                if prefix:
                    self.bad.add(prefix)
        g = getattr(q, "graph_name", None)
        if type(g) is iri:
            prefix = self._prefix(g.value)
            if prefix:
                self.bad_graph.add(prefix)

    def _prefix(self, value: str):
        """The prefix under which ``value`` has no plain local name, else None."""
        prefix = self.seen.get(value, False)
        if prefix is False:  # not seen yet: None when it needs no prefix or has a plain name
            if len(self.seen) >= self.MEMO:
                self.seen.clear()
            m = self.split.match(value)
            prefix = self.seen[value] = (self.name_of[m.group(1)] if m and not
                                         _PLAIN_LOCAL.fullmatch(m.group(2)) else None)
        return prefix

    def plain(self, graphs: bool = True) -> dict[str, str]:
        """The plain prefixes (of the triples alone when ``graphs`` is False: for Turtle)."""
        bad = self.bad | self.bad_graph if graphs else self.bad
        return {n: ns for n, ns in sorted(self.prefixes.items()) if n not in bad}


def serialize(quads, fmt: str, output=None, prefixes: dict | None = None):
    """Write ``quads`` as ``fmt`` (FORMATS; ttl and nt: the union of the graphs), sorted, to
    ``output`` (a path, written atomically), or return bytes when ``output`` is None."""
    import pyoxigraph

    if fmt not in FORMATS:
        raise BuildError(f"unknown export format {fmt!r}", hint=f"Choose one of {', '.join(FORMATS)}.")
    attr, named = FORMATS[fmt]
    data = sorted_quads(quads) if named else union_triples(quads)
    kwargs = {}
    if prefixes and fmt in ("ttl", "trig"):
        kwargs["prefixes"] = plain_prefixes(data, prefixes)
    data = pyoxigraph.serialize(data, format=getattr(pyoxigraph.RdfFormat, attr), **kwargs)
    if output is None:
        return data
    return write_atomic(Path(output), data)


def export(build_dir, fmt: str = "ttl", output=None):
    """``kg export``: BUILD/graph.trig as ``fmt``, to ``output`` or as bytes. Streamed through
    a sorted file on disk (kg.stream), so memory does not grow with the graph."""
    import tempfile

    from pyoxigraph import RdfFormat, parse

    from .stream import merge, write

    trig = Path(build_dir) / "graph.trig"
    if not trig.is_file():
        raise BuildError(f"no graph.trig in {build_dir}", path=str(build_dir))
    if fmt not in FORMATS:
        raise BuildError(f"unknown export format {fmt!r}", hint=f"Choose one of {', '.join(FORMATS)}.")
    with tempfile.TemporaryDirectory(prefix="kg-export-") as tmp:
        merged = merge(parse(path=str(trig), format=RdfFormat.TRIG), Path(tmp) / "graph.nq", prefixes(build_dir))
        if output is not None:
            return write(merged, fmt, Path(output))
        return write(merged, fmt, Path(tmp) / f"graph.{fmt}").read_bytes()


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
