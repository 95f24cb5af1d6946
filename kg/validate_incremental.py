"""SHACL validation of a re-run in proportion to what changed, with the report a full one gives.

    report, info = validate_build(GEN/graph.trig, GEN/validation, previous=OLD/validation)

Every validation of a build leaves a cache in its generation (``validation/``): the key of what
made the report (the shapes, the ontology, the engine, this code and the engines' versions), a
digest of each subject's triples, and the results grouped by focus node, each group with the
triples of its result nodes in the report graph. A re-run compares the digests of its data
with the previous build's: the subjects whose triples were added, removed or altered are the
changes. The shapes say how far from its focus node a shape can read (:func:`depth`): D
forward steps here (``sh:path`` sequences, the value nodes of ``sh:class`` and nested shapes,
the triple patterns of SPARQL constraints as seen from ``$this``). A focus node's results can
change only when a changed subject is within D forward steps of it, so the focus nodes to
validate again are the changed subjects and those that reach one backward in at most D steps.
The data within D forward steps of them is validated (the engine mixes the ontology in, as in
a full validation); its results for those focus nodes replace the cached ones, the others are
kept. Anonymous shapes are given stable blank node labels (:func:`stable_shapes`), so cached
and new result nodes name the same shape nodes.

A full validation is run instead when there is no cache of the same key, when the shapes use
what :func:`depth` cannot bound (inverse or repeated paths, targets on objects, custom
components, SPARQL patterns not reachable forward from ``$this``), when the data has blank
nodes or rdfs:subClassOf statements, or when the part to validate is over half of the data.
tests/test_validate_incremental.py compares the reports with full validations.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection

from . import validate as _v
from .ns import RDF, RDFS, SH

FORMAT = 1
KEY, DATA, RESULTS = "key.json", "data.nt", "results.jsonl"
SKOLEM = "urn:x-citykg-validation:bnode:"  # blank nodes of cached report triples, written as IRIs
MAX_SHARE = 0.5  # above this share of the data's subjects, validate everything
#: shape features whose reach :func:`depth` does not bound
_UNBOUNDED = (SH.targetObjectsOf, SH.target, SH.validator, SH.nodeValidator, SH.propertyValidator,
              SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath)


# ------------------------------------------------------------------ the shapes


def stable_shapes(shapes=None) -> Graph:
    """The shapes graph with canonical blank node labels (the same shapes, the same labels)."""
    from rdflib.compare import to_canonical_graph

    graph = _v.shapes_graph(shapes)
    stable = Graph()
    stable += to_canonical_graph(graph)
    for prefix, ns in graph.namespaces():
        stable.bind(prefix, ns, override=True)
    return stable


ANY = "*"  # a step or a read of any predicate
TYPE = (str(RDF.type),)  # the step or read of rdf:type
MAX_ROUTES = 64  # routes from $this to one variable of a SPARQL constraint


def reads(sh: Graph) -> frozenset | None:
    """What the shapes of ``sh`` read from the data, relative to a focus node: pairs (route,
    predicate), the triples of that predicate (or of any, ``ANY``) of the nodes the route (a
    tuple of steps, each a tuple of predicates, from the focus) reaches. None when some
    shape's reach is not bounded this way."""
    if any(True for p in _UNBOUNDED for _ in sh.triples((None, p, None))):
        return None
    if any(True for _ in sh.triples((None, SH.qualifiedValueShapesDisjoint, Literal(True)))):
        return None
    shapes = set(sh.subjects(RDF.type, SH.NodeShape)) | set(sh.subjects(RDF.type, SH.PropertyShape))
    found = {((), TYPE)}  # sh:targetClass
    for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode):
        shapes |= set(sh.subjects(target, None))
    found |= {((), (str(p),)) for p in sh.objects(None, SH.targetSubjectsOf)}
    for shape in sorted(shapes, key=str):
        got = _shape_reads(sh, shape, (), ())
        if got is None:
            return None
        found |= got
    return frozenset(found)


def depth(sh: Graph) -> int | None:
    """The longest route of :func:`reads` (0: only the focus node's own triples), or None."""
    found = reads(sh)
    return None if found is None else max(len(route) for route, _ in found)


def _shape_reads(sh: Graph, shape, prefix: tuple, stack: tuple) -> set | None:
    if shape in stack or len(stack) > 8:  # a recursive shape
        return None
    stack += (shape,)
    out = {(prefix, TYPE)}  # sh:class of the focus node
    path = sh.value(shape, SH.path)
    routes = [()] if path is None else _path_routes(sh, path)
    if routes is None:
        return None
    for route in routes:
        out |= {(prefix + route[:i], route[i]) for i in range(len(route))}
        out.add((prefix + route, TYPE))  # sh:class of the value nodes
    for p in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
        out |= {(prefix, (str(q),)) for q in sh.objects(shape, p)}
    if sh.value(shape, SH.closed) == Literal(True):
        out.add((prefix, ANY))
    nested = [o for p in (SH.node, SH.property, SH.qualifiedValueShape, SH["not"])
              for o in sh.objects(shape, p)]
    nested += [x for p in (SH["and"], SH["or"], SH.xone) for items in sh.objects(shape, p)
               for x in Collection(sh, items)]
    for inner in nested:
        for route in routes:
            got = _shape_reads(sh, inner, prefix + route, stack)
            if got is None:
                return None
            out |= got
    for constraint in sh.objects(shape, SH.sparql):  # $this is the focus node, also of a property shape
        got = _sparql_reads(sh, constraint, prefix)
        if got is None:
            return None
        out |= got
    return out


def _path_routes(sh: Graph, path) -> list | None:
    """The routes (tuples of steps) a SHACL path can take."""
    from itertools import product

    if isinstance(path, URIRef):
        return [((str(path),),)]
    if sh.value(path, RDF.first) is not None:
        parts = [_path_routes(sh, p) for p in Collection(sh, path)]
        return None if None in parts else [sum(c, ()) for c in product(*parts)]
    if (inner := sh.value(path, SH.zeroOrOnePath)) is not None:
        got = _path_routes(sh, inner)
        return None if got is None else [(), *got]
    if (alternatives := sh.value(path, SH.alternativePath)) is not None:
        parts = [_path_routes(sh, p) for p in Collection(sh, alternatives)]
        return None if None in parts else [r for part in parts for r in part]
    return None


def _sparql_reads(sh: Graph, constraint, prefix: tuple) -> set | None:
    """The reads of a SPARQL constraint's triple patterns, each sub-select on its own, every
    pattern's subject reached forward from ``$this`` (all routes to it, as it may be bound
    through any of them)."""
    from rdflib.plugins.sparql import prepareQuery

    text = sh.value(constraint, SH.select)
    if text is None:
        return None
    prefixes = {str(sh.value(d, SH.prefix)): str(sh.value(d, SH.namespace))
                for p in sh.objects(constraint, SH.prefixes) for d in sh.objects(p, SH.declare)}
    try:
        query = prepareQuery(str(text), initNs=prefixes)
        groups: list[list] = [[]]
        _collect(query.algebra, groups, groups[0])
    except Exception:  # noqa: BLE001 - unparsable or unsupported: not bounded
        return None
    out = set()
    for patterns in groups:
        got = _group_reads(patterns)
        if got is None:
            return None
        out |= {(prefix + route, q) for route, q in got}
    return out


class _Unbounded(Exception):
    pass


def _collect(node, groups: list, current: list) -> None:
    """The triple patterns of an algebra tree, one list per (sub-)select."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name in ("Graph", "GraphGraphPattern", "ServiceGraphPattern"):
            raise _Unbounded(node.name)
        if node.name in ("Project", "SubSelect"):
            current = []
            groups.append(current)
        for triple in (node["triples"] or ()) if "triples" in node else ():
            if len(triple) != 3:
                raise _Unbounded("triples")
            current.append(tuple(triple))
        for key, value in node.items():
            if key != "triples":
                _collect(value, groups, current)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _collect(value, groups, current)


def _steps(p) -> list | None:
    """A SPARQL predicate or path as steps (each a tuple of predicates, or ANY)."""
    from rdflib.paths import AlternativePath, SequencePath

    if isinstance(p, URIRef):
        return [(str(p),)]
    if isinstance(p, Variable):
        return [ANY]
    if isinstance(p, SequencePath):
        parts = [_steps(x) for x in p.args]
        return None if None in parts else [s for part in parts for s in part]
    if isinstance(p, AlternativePath) and all(isinstance(x, URIRef) for x in p.args):
        return [tuple(sorted(str(x) for x in p.args))]
    return None  # inverse, repeated, negated paths


def _group_reads(patterns: list) -> set | None:
    var = (Variable, BNode)
    edges = []  # (subject, step, object): a path becomes steps through new blank nodes
    for s, p, o in patterns:
        steps = _steps(p)
        if steps is None or not isinstance(s, var):  # a constant subject is not near $this
            return None
        nodes = [s, *(BNode() for _ in steps[1:]), o]
        edges += [(nodes[i], step, nodes[i + 1]) for i, step in enumerate(steps)]
    routes: dict = {Variable("this"): {()}}
    for _ in range(len(edges) + 1):  # the simple routes from $this to each node
        for s, step, o in edges:
            for route in list(routes.get(s, ())):
                if isinstance(o, var) and o != Variable("this") and len(route) < len(edges):
                    routes.setdefault(o, set()).add(route + (step,))
    out = set()
    for s, step, _ in edges:
        if s not in routes or len(routes[s]) > MAX_ROUTES:
            return None
        out |= {(route, step) for route in routes[s]}
    return out


def cache_key(shapes, engine: str) -> str:
    """What a cached report depends on besides the data: the shapes (their files' bytes), the
    ontology, the engine, the validation code and the engines' versions."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256(f"{FORMAT}\0{engine}\0".encode())
    if isinstance(shapes, Graph):
        h.update("\n".join(sorted(stable_shapes(shapes).serialize(format="nt").splitlines())).encode())
    else:
        folder = _v.resource_dir("shapes") if shapes is None else Path(shapes)
        files = sorted(folder.glob("*.ttl")) if shapes is None else _v._files_of(shapes)
        for f in files:
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    here = Path(__file__).resolve().parent
    for f in [*_v._ontology_files(), *(here / n for n in ("validate.py", "validate_turbo.py",
                                                         "validate_incremental.py"))]:
        h.update(f.read_bytes())
    for dist in ("pyshacl", "pyshacl-turbo", "rdflib", "pyoxigraph"):
        try:
            h.update(f"{dist}={version(dist)}\0".encode())
        except PackageNotFoundError:
            pass
    return h.hexdigest()


# ------------------------------------------------------------------ the data


SUBCLASS = f"<{RDFS.subClassOf}>"


@dataclass
class Data:
    """The union of a build's graphs as N-Triples lines, and what decides whether the
    incremental way applies."""

    text: str  # N-Triples of the union of the graphs
    lines: set[str]
    blank_nodes: bool
    subclass: bool  # the data has rdfs:subClassOf statements of its own


def read_data(path: Path, merged=None) -> Data:
    """The data of the RDF file ``path``; or, given ``merged`` (kg.stream.Merged: the sorted
    quads ``path`` was written from) whose quads are all in named graphs, its triples cut from
    merged's lines (the same N-Triples text, without parsing either file)."""
    import pyoxigraph as ox

    if merged is not None and merged.named:
        from .stream import union_triples

        lines = {f"{t} ." for t in union_triples(merged, ordered=False)}
        text = "\n".join(lines) + "\n" if lines else ""
    else:
        fmt = getattr(ox.RdfFormat, _v.OX_FORMATS[Path(path).suffix.lower()])
        text = ox.serialize((q.triple for q in ox.parse(path=str(path), format=fmt)),
                            format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        lines = set(text.split("\n"))
        lines.discard("")
    blank = "_:" in text and any(x.startswith("_:") or x.split(" ", 2)[2].startswith("_:") for x in lines)
    return Data(text, lines, blank, SUBCLASS in text)


def changed_pairs(old: set[str], new: set[str]) -> set[tuple[str, str]]:
    """The (subject, predicate) pairs whose objects differ between two sets of N-Triples lines."""
    out = set()
    for line in old ^ new:
        s, p, _ = line.split(" ", 2)
        out.add((s[1:-1], p[1:-1]))
    return out


_ONTOLOGY = "urn:x-citykg-validation:ontology"


def _store(data: Data):
    """The data and the ontology (in a graph of its own) in an in-memory store."""
    return _store_of(data.text)


def _store_of(text: str):
    """The N-Triples ``text`` and the ontology (in a graph of its own) in an in-memory store."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    for f in _v._ontology_files():
        store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(_ONTOLOGY))
    return store


def _updated(store, old: set[str], new: set[str]):
    """``store`` (_store_of the lines ``old``) made _store_of the lines ``new``: the triples
    only in one of them removed or added."""
    import pyoxigraph as ox

    def quads(lines):
        text = "\n".join(lines) + "\n"
        return [ox.Quad(t.subject, t.predicate, t.object)
                for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]

    for q in quads(old - new):
        store.remove(q)
    store.extend(quads(new - old))
    return store


def _matches(step, predicate: str) -> bool:
    return step == ANY or predicate in step


def _edges(store, node: str, step, forward: bool):
    """The quads leaving (``forward``) or reaching ``node`` along ``step``."""
    import pyoxigraph as ox

    n = ox.NamedNode(node)
    for p in [None] if step == ANY else [ox.NamedNode(x) for x in step]:
        yield from store.quads_for_pattern(n, p, None, None) if forward else \
            store.quads_for_pattern(None, p, n, None)


def affected(store, changed: set, found_reads) -> set[str]:
    """The focus nodes whose reads (:func:`reads`) meet a changed (subject, predicate): walked
    back from each changed subject along the routes of the reads of its predicate."""
    import pyoxigraph as ox

    out = set()
    for route, step in found_reads:
        nodes = {s for s, p in changed if _matches(step, p)}
        for back in reversed(route):
            nodes = {q.subject.value for n in nodes for q in _edges(store, n, back, False)
                     if type(q.subject) is ox.NamedNode}
        out |= nodes
    return out


def footprint(store, focus: set[str], found_reads) -> tuple[set, int]:
    """The data's triples that ``focus`` reads (the ontology left out: the engine mixes it in)
    and how many subjects they are about."""
    import pyoxigraph as ox

    ontology = ox.NamedNode(_ONTOLOGY)
    reached: dict[tuple, set] = {(): set(focus)}

    def nodes(route: tuple) -> set:
        if route not in reached:
            reached[route] = {q.object.value for n in nodes(route[:-1])
                              for q in _edges(store, n, route[-1], True)
                              if type(q.object) is ox.NamedNode}
        return reached[route]

    triples, subjects = set(), set()
    for route, step in found_reads:
        for n in nodes(route):
            for q in _edges(store, n, step, True):
                if q.graph_name != ontology:
                    triples.add(q.triple)
                    subjects.add(n)
    return triples, len(subjects)


_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetNode)
_CLASSES = (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class"))


def focus_shapes(sh: Graph, store, focus: set[str]) -> Graph:
    """The shapes with each shape's targets replaced by the ``focus`` nodes it targets in the
    data (``sh:targetNode``): the part validated holds the whole reach of the focus nodes only,
    and the other nodes in it, their reach cut, would give results of no use."""
    import pyoxigraph as ox

    out = Graph()
    for t in sh:
        if t[1] not in _TARGETS:
            out.add(t)
    for prefix, ns in sh.namespaces():
        out.bind(prefix, ns, override=True)
    types = {f: {q.object.value for q in store.quads_for_pattern(ox.NamedNode(f), ox.NamedNode(TYPE[0]), None, None)}
             for f in focus}
    shapes = {x for p in _TARGETS for x in sh.subjects(p, None)}
    shapes |= {x for c in _CLASSES for x in sh.subjects(RDF.type, c)
               if (x, RDF.type, SH.NodeShape) in sh or (x, RDF.type, SH.PropertyShape) in sh}
    for shape in shapes:
        classes = set(sh.objects(shape, SH.targetClass))
        if any((shape, RDF.type, c) in sh for c in _CLASSES):
            classes.add(shape)
        kinds = {str(t) for c in classes for t in _subclasses(store, c)}
        nodes = {f for f in focus if types[f] & kinds}
        for q in sh.objects(shape, SH.targetSubjectsOf):
            nodes |= {f for f in focus
                      if next(store.quads_for_pattern(ox.NamedNode(f), ox.NamedNode(str(q)), None, None), None)}
        nodes |= {str(n) for n in sh.objects(shape, SH.targetNode)}
        for n in sorted(nodes):
            out.add((shape, SH.targetNode, URIRef(n)))
    return out


def _subclasses(store, cls) -> list[str]:
    """``cls`` and its subclasses (rdfs:subClassOf*, over the data and the ontology)."""
    rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}",
                       use_default_graph_as_union=True)
    return sorted({str(cls), *(r[0].value for r in rows)})


# ------------------------------------------------------------------ the cache


@dataclass
class Entry:
    """The results of one focus node and the triples of their nodes in the report graph."""

    focus: str
    results: list  # kg.validate.Result
    triples: str   # N-Triples, blank nodes as SKOLEM IRIs


def entries_of(report) -> dict[str, Entry]:
    """A report's results grouped by focus node."""
    rg = report.graph
    by_focus: dict[str, Entry] = {}
    for r in report.results:
        by_focus.setdefault(r.focus, Entry(r.focus, [], "")).results.append(r)
    nodes: dict[str, list] = defaultdict(list)
    for node in rg.subjects(RDF.type, SH.ValidationResult):
        nodes[str(rg.value(node, SH.focusNode))].append(node)
    for focus, found in nodes.items():
        sub = Graph()
        todo, seen = list(found), set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            for _, p, o in rg.triples((n, None, None)):
                sub.add((_skolem(n), p, _skolem(o)))
                if isinstance(o, BNode):
                    todo.append(o)
        by_focus.setdefault(focus, Entry(focus, [], "")).triples = sub.serialize(format="nt")
    return by_focus


def _skolem(term):
    return URIRef(f"{SKOLEM}{term}") if isinstance(term, BNode) else term


def _unskolem(term):
    return BNode(term[len(SKOLEM):]) if isinstance(term, URIRef) and term.startswith(SKOLEM) else term


def assemble(entries) -> "_v.Report":
    """The report of the results of ``entries``: conforms, sorted results, the report graph."""
    results = [r for e in entries for r in e.results]
    conforms = not any(r.severity == "Violation" for r in results)
    parsed = Graph().parse(data="".join(e.triples for e in entries) or " ", format="nt")
    graph, node = Graph(), BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(conforms)))
    for s, p, o in parsed:
        graph.add((_unskolem(s), p, _unskolem(o)))
    for r in list(graph.subjects(RDF.type, SH.ValidationResult)):
        graph.add((node, SH.result, r))
    return _v.Report(conforms=conforms, results=_v.sort_results(results), graph=_v.bind(graph))


def write_cache(folder: Path, key: str, sh: Graph, found_reads, data: Data, entries) -> None:
    from .store import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / DATA, data.text)
    write_atomic(folder / RESULTS, "".join(
        json.dumps({"focus": e.focus, "results": [dataclasses.asdict(r) for r in e.results],
                    "triples": e.triples}, ensure_ascii=False) + "\n"
        for e in sorted(entries, key=lambda e: e.focus)))
    shapes = Graph()
    for t in sh:
        shapes.add(tuple(map(_skolem, t)))
    meta = {"format": FORMAT, "key": key, "subclass": data.subclass,
            "reads": None if found_reads is None else sorted([list(r), s] for r, s in found_reads),
            "shapes": shapes.serialize(format="nt"),
            "prefixes": {p: str(ns) for p, ns in sh.namespaces()}}
    write_atomic(folder / KEY, json.dumps(meta, ensure_ascii=False) + "\n")


def read_meta(folder: Path | None, key: str) -> dict | None:
    """What a cache of ``key`` says about the shapes: their stable graph and reads."""
    try:
        meta = json.loads((Path(folder) / KEY).read_text(encoding="utf-8"))
    except (TypeError, OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("key") != key:
        return None
    sh = Graph()
    for t in Graph().parse(data=meta["shapes"] or " ", format="nt"):
        sh.add(tuple(map(_unskolem, t)))
    for prefix, ns in meta["prefixes"].items():
        sh.bind(prefix, ns, override=True)
    meta["shapes"] = sh
    if meta["reads"] is not None:
        meta["reads"] = frozenset((tuple(_step(x) for x in route), _step(step))
                                  for route, step in meta["reads"])
    return meta


def _step(x):
    return x if x == ANY else tuple(x)


def read_cache(folder: Path) -> tuple[set[str], dict] | None:
    """The data lines and the entries by focus node of a cache (its key already checked)."""
    try:
        lines = set((folder / DATA).read_text(encoding="utf-8").split("\n"))
        entries = {}
        for line in (folder / RESULTS).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            entries[row["focus"]] = Entry(row["focus"], [_v.Result(**r) for r in row["results"]],
                                          row["triples"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    lines.discard("")
    return lines, entries


# ------------------------------------------------------------------ validating


def validate_build(data: Path, cache: Path, previous: Path | None = None, shapes=None,
                   engine: str = "auto", run=None, merged=None) -> tuple:
    """Validate a build's ``data`` (graph.trig) and write ``cache``; with the ``previous``
    build's cache, validate only what changed (see the module's docstring). Returns the
    report (as kg.validate.validate gives it) and what was done: {"mode": "full" or
    "incremental", "why": the reason for a full one, counts of what was validated again}.
    ``run`` is the validation function (default kg.validate.validate); ``merged``
    (kg.stream.Merged), the sorted quads ``data`` was written from, read instead of it."""
    from . import validate_turbo

    run = run or _v.validate
    if engine == "auto":
        engine = "turbo" if validate_turbo.available() else "pyshacl"
    key = cache_key(shapes, engine)
    ahead = _ahead.pop((str(previous), key), None) if previous is not None else None
    meta = ahead[0] if ahead else read_meta(previous, key) if previous is not None else None
    if meta is not None:  # the same shapes: their stable labels and reads as analysed before
        sh, found_reads = meta["shapes"], meta["reads"]
    else:
        sh = stable_shapes(shapes)
        found_reads = reads(sh)
    data_info = read_data(Path(data), merged)
    old = (ahead[1] if ahead else read_cache(Path(previous))) if meta is not None else None
    why = _why_full(old, found_reads, data_info, meta)
    if why is None:
        report, info = _incremental(data_info, old, sh, engine, found_reads, run, ahead[2] if ahead else None)
        why = info.get("why")
    if why is not None:
        report = run(data, sh, engine=engine)
        info = {"mode": "full", "why": why}
    if isinstance(report, _v.Report):  # (a stand-in report of a test has no graph to cache)
        entries = info.pop("entries", None) or entries_of(report)
        write_cache(Path(cache), key, sh, found_reads, data_info, entries.values())
    return report, info


#: (previous cache, key) -> (read_meta's, read_cache's), read ahead by ``read_ahead``
_ahead: dict = {}


def read_ahead(previous: Path | None, shapes=None, engine: str = "auto") -> None:
    """In a process that will run validate_build with the ``previous`` cache: read that cache
    now (and import the engine), while the build makes what it will validate; validate_build
    then starts from what was read. Best effort: it reads the cache itself otherwise."""
    from . import validate_turbo

    if engine == "auto":
        engine = "turbo" if validate_turbo.available() else "pyshacl"
    try:
        if engine == "turbo":
            import pyshacl_turbo  # noqa: F401
        else:
            import pyshacl  # noqa: F401
    except ImportError:
        pass
    if previous is None:
        return
    key = cache_key(shapes, engine)
    meta = read_meta(previous, key)
    old = read_cache(Path(previous)) if meta is not None else None
    # the previous data in a store: a re-run's store is this one with what changed
    store = None if old is None else _store_of("\n".join(old[0]) + "\n")
    _ahead[(str(previous), key)] = (meta, old, store)


def _why_full(old, found_reads, data: Data, meta) -> str | None:
    if old is None:
        return "no cached report of the same shapes, ontology and engine"
    if found_reads is None:
        return "the shapes' reach is not bounded"
    if data.blank_nodes:
        return "the data has blank nodes"
    if data.subclass or meta.get("subclass"):
        return "the data has rdfs:subClassOf statements"
    return None


def _incremental(data: Data, old, sh: Graph, engine: str, found_reads, run, store=None):
    """``store``: _store_of the previous data (read ahead), updated here; else made anew."""
    import pyoxigraph as ox

    lines, cached = old
    changed = changed_pairs(lines, data.lines)
    store = _store(data) if store is None else _updated(store, lines, data.lines)
    focus = affected(store, changed, found_reads)
    triples, subjects = footprint(store, focus, found_reads)
    targeted = focus_shapes(sh, store, focus)
    total = int(next(iter(store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
    del store
    if subjects > MAX_SHARE * max(1, total):
        return None, {"why": f"{subjects} of {total} subjects to validate"}
    entries = {f: e for f, e in cached.items() if f not in focus}
    if triples:
        part = ox.Store()
        part.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        fresh = entries_of(run(part, targeted, engine=engine))
        entries.update({f: e for f, e in fresh.items() if f in focus})
    info = {"mode": "incremental", "changed": len(changed), "focus_nodes": len(focus),
            "subjects": subjects, "triples": len(triples), "entries": entries}
    return assemble(entries.values()), info
