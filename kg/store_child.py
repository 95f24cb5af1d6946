"""The child process that makes a build's store (kg.build._storing).

    python -c "…from kg.store_child import main; main()" PARENT_PID  < task.json  > result.json

Started before the documents are built, it imports what it needs, then reads its task (one
line of JSON: the generation folder, the sorted N-Quads file, the build metadata,
the previous generation, whether to write the search index) on stdin, runs
``store_into`` and writes its result (JSON) on stdout. A new interpreter, neither a fork
(RocksDB's state, forked from a process that had opened a store before, a notebook or a test
session, deadlocks the child) nor multiprocessing's spawn (which imports the parent's main
script again: a script that calls kg.build at its top level would build twice).
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

#: the merged quads' file in a generation (kg.build.GRAPH_NQ)
GRAPH_NQ = "graph.nq"


def main() -> None:
    """Started early (kg.build._store_process, the parent's pid its argument): imports what the
    task needs, then reads it, one line of JSON; a line ``{"prepare": {"stage", "previous"}}``
    before it: what an update from the previous build needs is read meanwhile (``prepare``)."""
    from .executor import die_with_parent

    die_with_parent(int(sys.argv[1]))
    import pyoxigraph  # noqa: F401 - imported while the parent builds the documents

    from . import ns, search_graph, search_update, store  # noqa: F401 - ns: rdflib, ~0.2 s

    ahead = None
    while True:
        line = sys.stdin.readline()
        if not line:  # the parent stopped before it had a task
            return
        task = json.loads(line)
        if "prepare" not in task:
            break
        ahead = prepare(Path(task["prepare"]["stage"]), Path(task["prepare"]["previous"]))
    previous = Path(task["previous"]) if task["previous"] else None
    result = store_into(Path(task["stage"]), Path(task["nquads"]), task["metadata"].encode("utf-8"),
                        previous, task["index"], ahead)
    sys.stdout.write(json.dumps(result, ensure_ascii=False))


def prepare(stage: Path, previous: Path) -> dict | None:
    """What updating ``stage``'s store from the ``previous`` build's will need of it, made
    while the documents are built (kg.store.update_store's ``ahead``): the lines of its
    graph.nq (when small enough to compare as sets) and a checkpoint of its store in
    ``stage``. None when there is nothing to update from."""
    from pyoxigraph import Store

    from .store import SET_DIFF_BYTES, checkpoint_path, store_path

    before, old_nq = store_path(previous), Path(previous) / GRAPH_NQ
    if not (before / "CURRENT").is_file() or not old_nq.is_file() or old_nq.stat().st_size > SET_DIFF_BYTES:
        return None
    with open(old_nq, encoding="utf-8", newline="\n") as f:
        lines = set(f)
    tmp = checkpoint_path(stage)
    shutil.rmtree(tmp, ignore_errors=True)
    Store.read_only(str(before.resolve())).backup(str(tmp))
    return {"lines": lines, "checkpoint": tmp}


def store_into(stage: Path, nquads: Path, metadata: bytes, previous: Path | None = None,
               index: bool | str = False, ahead: dict | None = None) -> dict:
    """Make ``stage``/store from the sorted N-Quads file ``nquads`` and ``metadata`` (N-Quads):
    updated from the ``previous`` build's store when few quads changed, else loaded anew; with
    ``index``, write ``stage``/search.sqlite from it (``index="update"``: updated from the
    previous build's index when the store was, kg.search_update). Returns how (``store``:
    loaded or updated; ``search``: written or updated), the seconds of each (``seconds``,
    ``index``) and the rows of the counting queries of stats.json (``counts``). ``ahead``:
    what ``prepare`` read of the previous build."""
    from .store import load_store, open_store, read_quads, update_store, write_atomic

    t = time.perf_counter()
    quads = read_quads(nquads=metadata)
    diff = None if previous is None else update_store(stage, previous, Path(previous) / GRAPH_NQ, nquads, quads,
                                                      ahead)
    if diff is None:
        load_store(stage, quads, files=[nquads])
    store = open_store(stage)
    out = {"store": "loaded" if diff is None else "updated", "seconds": time.perf_counter() - t}
    if index:
        t = time.perf_counter()
        out["search"] = _index(store, stage, previous, diff if index == "update" else None, quads)
        out["index"] = time.perf_counter() - t
    old = None if diff is None else _read_counts(Path(previous) / COUNTS)
    if old is not None:
        out["counts"] = updated_counts(store, old, diff, quads, Path(previous) / "metadata.trig")
    else:
        out["counts"] = store_counts(store)
    write_atomic(stage / COUNTS, json.dumps(out["counts"], ensure_ascii=False) + "\n")
    return out


#: the rows of the counting queries of a build (store_counts), kept for its re-run
COUNTS = "counts.json"


def _read_counts(path: Path) -> dict | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and {"per_graph", "classes", "triples"} <= set(found) else None


def _index(store, stage: Path, previous: Path | None, diff, quads) -> str:
    """stage/search.sqlite: updated from the previous build's by the rows of the nodes that
    ``diff`` (kg.store.Diff) and the build metadata (``quads``, and the previous build's)
    changed, or written anew; says which."""
    from .search import INDEX_NAME, write_index

    old = None if previous is None else Path(previous) / INDEX_NAME
    if diff is not None and old.is_file():
        from .search_update import update_index

        subjects, evidence = changed_nodes(diff, quads, Path(previous) / "metadata.trig")
        if update_index(store, old, stage / INDEX_NAME, subjects, evidence):
            return "updated"
    write_index(store, stage / INDEX_NAME)
    return "written"


_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


def changed_nodes(diff, metadata, old_metadata: Path) -> tuple[set[str], set[str]]:
    """The IRI subjects of the quads added or removed (``diff``, the ``metadata`` quads and
    those of the previous build's metadata file), and the IRIs their prov:wasDerivedFrom
    links point to."""
    from pyoxigraph import NamedNode, RdfFormat, parse

    quads = list(parse("".join(diff.added + diff.removed).encode("utf-8"), format=RdfFormat.N_QUADS))
    quads += list(metadata)
    if old_metadata.is_file():
        quads += list(parse(path=str(old_metadata), format=RdfFormat.TRIG))
    subjects = {q.subject.value for q in quads if type(q.subject) is NamedNode}
    evidence = {q.object.value for q in quads
                if type(q.object) is NamedNode and q.predicate.value == _DERIVED}
    return subjects, evidence


#: per graph, the classes of the nodes it types or supports (an entity's types live once in the
#: shared graph; a document's graph holds its evidence links to it: kg/map.py)
_PER_GRAPH_CLASS = """SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n)
WHERE { { GRAPH ?g { ?s a ?c } } UNION { GRAPH ?g { ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?e } ?s a ?c } }
GROUP BY ?g ?c"""
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


def updated_counts(store, old: dict, diff, metadata, old_metadata: Path) -> dict:
    """store_counts of ``store``, updated from the ``old`` ones of the store it was updated
    from by ``diff`` (kg.store.Diff) and the build metadata (the quads ``metadata`` replaced
    those of the file ``old_metadata``): the rows of the graphs whose counts can have changed
    (a quad added or removed there, or a type of a node it derives from a sentence) counted
    again, the others kept; the classes counted again (one cheap query); the triples as
    before plus those now present and minus those now absent."""
    from pyoxigraph import NamedNode, RdfFormat, parse

    from .store import query

    added = list(parse("".join(diff.added).encode("utf-8"), format=RdfFormat.N_QUADS)) + list(metadata)
    removed = list(parse("".join(diff.removed).encode("utf-8"), format=RdfFormat.N_QUADS))
    if old_metadata.is_file():
        removed += list(parse(path=str(old_metadata), format=RdfFormat.TRIG))
    graphs = {q.graph_name for q in added + removed}
    kind = NamedNode(_TYPE)
    typed = {q.subject for q in added + removed if q.predicate == kind}
    derived = NamedNode(_DERIVED)
    for s in typed:  # the graphs that count a node whose types changed
        graphs |= {q.graph_name for q in store.quads_for_pattern(s, derived, None, None)}
    names = {g.value for g in graphs if isinstance(g, NamedNode)}
    rows = [r for r in old["per_graph"] if r[0] not in names]
    if names:
        values = "VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(names)) + " }"
        rows += query(store, _PER_GRAPH_CLASS.replace("WHERE { ", "WHERE { " + values + " ", 1)).rows
    delta = {}
    for q, step in [(q, 1) for q in added] + [(q, -1) for q in removed]:
        t = (q.subject, q.predicate, q.object)
        delta[t] = delta.get(t, 0) + step
    triples = old["triples"]
    for (s, p, o), step in delta.items():
        now = sum(1 for _ in store.quads_for_pattern(s, p, o, None))
        triples += (now > 0) - (now - step > 0)  # present now, present before
    return {"per_graph": rows, "classes": query(store, _CLASSES).rows, "triples": triples}


_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def store_counts(store) -> dict:
    """What stats.json counts in a build's store: per graph and class, per class, triples."""
    from .store import query

    return {"per_graph": query(store, _PER_GRAPH_CLASS).rows, "classes": query(store, _CLASSES).rows,
            "triples": query(store, _TRIPLES).rows[0][0]}
