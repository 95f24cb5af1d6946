"""`kg build`: run the pipeline per document in parallel, then merge, store, validate, count.

    per document (a worker process):  read -> annotate -> extract -> link -> map
                                       -> BUILD/shards/<doc-id>.nq
    then (this process):  store/ (bulk-loaded from the shards + build metadata graph)
                          -> graph.trig, graph.ttl -> report.ttl, report.txt -> stats.json

``build_document`` is the per-document function a cluster engine can run as it is. A file that
fails is recorded (path and message) and skipped; the others' results are kept. Every output
is written to a temporary name in its folder and renamed into place.
"""
from __future__ import annotations

import datetime as _dt
import importlib
import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BackendError, BuildError, KGError
from .executor import run
from .store import load_store, open_store, read_quads, serialize, write_atomic

STAGES = ("read", "annotate", "extract", "link", "map", "write")


def _default_workers() -> int:
    return min(2, os.cpu_count() or 1)


@dataclass
class BuildOptions:
    nlp: str = "lac"                   # NLP backend name (kg.annotate.get_backend)
    nlp_options: dict = field(default_factory=dict)  # backend options (url, auth, model, ...)
    workers: int = field(default_factory=_default_workers)  # document processes
    shapes: Path | None = None         # SHACL shapes folder; None: the project's shapes/
    validate: bool = True              # run SHACL on the merged graph
    progress: bool = True              # tqdm bar on stderr (only when stderr is a terminal)
    rebuild: bool = False              # rebuild every file, not only new and changed ones
    executor: str = "local"            # kg.executor.EXECUTORS: local processes or dask
    scheduler: str | None = None       # dask scheduler address; None: a LocalCluster
    file_timeout: float | None = None  # seconds per source file; None: no limit


@dataclass
class DocOutcome:
    """What building one source file gave: counts and timings, or the error."""

    path: str
    id: str
    chars: int = 0
    articles: int = 0
    sentences: int = 0
    quads: int = 0
    graphs: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # kept going, but the user should know
    error: str | None = None
    fatal: bool = False  # the backend itself failed: no document can be built

    @property
    def message(self) -> str:
        """The error, starting with the file it is about."""
        err = self.error or ""
        return err if err.startswith(self.path) else f"{self.path}: {err}"
    hint: str = ""  # what to do about the error (KGError.hint)


@dataclass
class BuildResult:
    out: Path
    documents: list[DocOutcome]
    errors: list[DocOutcome]
    conforms: bool | None  # None when not validated
    violations: int
    stats: dict

    @property
    def exit_code(self) -> int:
        """0 all built and valid, 1 some files failed or the graph has SHACL violations."""
        return 0 if not self.errors and self.conforms is not False else 1

    def summary(self) -> str:
        s = self.stats
        lines = [f"built {len(self.documents)} document(s) into {self.out}: {s['triples']} triples, "
                 f"{s['chars']} chars in {s['seconds']:.1f} s ({s['chars_per_second']:.0f} chars/s)"]
        lines += [f"warning: {w}" for d in self.documents for w in d.warnings]
        lines += [f"failed: {e.message}" for e in self.errors]
        if self.conforms is not None:
            lines.append("SHACL: conforms" if self.conforms else
                         f"SHACL: {self.violations} violation(s), see {self.out / 'report.txt'}")
        return "\n".join(lines)


# ------------------------------------------------------------------ one document

def _stage(module: str, name: str):
    return getattr(importlib.import_module(f"kg.{module}"), name)


def build_document(path, shards_dir, nlp: str = "lac", nlp_options: dict | None = None) -> DocOutcome:
    """read -> annotate -> extract -> link -> map -> ``shards_dir/<doc-id>.nq``; never raises
    for a bad file: the outcome carries the error (``fatal`` when the backend is unusable)."""
    path = Path(path)
    outcome = DocOutcome(path=str(path), id=path.name)
    clock = time.perf_counter
    try:  # made once per process (kg.annotate caches it): models load once per worker
        backend = _stage("annotate", "get_backend")(nlp, **(nlp_options or {}))
    except BackendError as err:
        outcome.error, outcome.fatal, outcome.hint = str(err), True, err.hint
        return outcome
    try:
        t = clock()
        doc = _stage("read", "read_file")(path)
        outcome.timings["read"] = clock() - t
        for stage, module, func, args in (("annotate", "annotate", "annotate", (backend,)),
                                          ("extract", "extract", "extract", ()),
                                          ("link", "link", "link", ())):
            t = clock()
            doc = _stage(module, func)(doc, *args)
            outcome.timings[stage] = clock() - t
        t = clock()
        dataset = _stage("map", "document_dataset")(doc)
        outcome.timings["map"] = clock() - t
        t = clock()
        _write_shard(dataset, Path(shards_dir) / f"{doc.id}.nq", outcome)
        outcome.timings["write"] = clock() - t
    except Exception as err:  # noqa: BLE001 - one bad file must not stop the build
        outcome.error = str(err) if isinstance(err, KGError) else f"{type(err).__name__}: {err}"
        return outcome
    outcome.id, outcome.chars = doc.id, len(doc.text)
    outcome.articles, outcome.sentences = len(doc.articles), sum(1 for _ in doc.sentences)
    outcome.provenance = dict(doc.provenance)
    outcome.warnings = list(doc.warnings)
    return outcome


def _write_shard(dataset, path: Path, outcome: DocOutcome) -> None:
    data = nquads_of(dataset)
    write_atomic(path, data)
    outcome.quads = data.count("\n")
    outcome.graphs = sorted({str(g.identifier) for g in dataset.graphs() if len(g)})
    outcome.prefixes = {p: str(ns) for p, ns in dataset.namespaces() if p and str(ns) in data}


def nquads_of(graph) -> str:
    """N-Quads of an rdflib Dataset, or of a Graph put in the named graph of its identifier."""
    import rdflib

    if not isinstance(graph, rdflib.Dataset):
        dataset = rdflib.Dataset()
        named = dataset.graph(graph.identifier)
        for triple in graph:
            named.add(triple)
        graph = dataset
    return graph.serialize(format="nquads")


# ------------------------------------------------------------------ the whole build


def _unique(paths: list[Path]) -> tuple[list[Path], list[DocOutcome]]:
    """Shards are named by file name: a second file of the same name is refused; the same
    file given twice (``seeds/ seeds/``, ``a.txt ./a.txt``) is built once."""
    seen, keep, refused, resolved = {}, [], [], set()
    for p in paths:
        real = p.resolve()
        if real in resolved:
            continue
        resolved.add(real)
        if p.name in seen:
            refused.append(DocOutcome(str(p), p.name, error=f"same file name as {seen[p.name]}; "
                                      "rename one (shards and graphs are named by file name)"))
        else:
            seen[p.name] = p
            keep.append(p)
    return keep, refused


def build(sources, out, options: BuildOptions | None = None) -> BuildResult:
    """Build ``out`` from ``sources`` (files and folders); see the module's docstring."""
    options = options or BuildOptions()
    started, t0 = _dt.datetime.now(_dt.timezone.utc), time.perf_counter()
    paths, outcomes = _unique(_stage("read", "iter_sources")([Path(s) for s in sources]))
    if not paths and not outcomes:
        raise BuildError(f"no source files (.txt, .md, .html) in {', '.join(map(str, sources))}",
                         hint="Give .txt, .md or .html files, or folders that hold them.")
    out = Path(out)
    _check_out(out)
    outcomes += list(run(paths, out / "shards", options))
    fatal = next((o for o in outcomes if o.fatal), None)
    if fatal:
        raise BackendError(fatal.error, hint=fatal.hint or None)
    done = sorted((o for o in outcomes if o.error is None), key=lambda o: o.id)
    errors = sorted((o for o in outcomes if o.error is not None), key=lambda o: o.path)
    _remove_stale_shards(out / "shards", {o.id for o in done})
    if not done:
        raise BuildError("nothing built: " + "; ".join(e.message for e in errors),
                         hint="Fix or remove the files named above, then build again.")
    return _finish(out, done, errors, options, started, t0)


def _check_out(out: Path) -> None:
    """The build folder must be (or become) a writable folder: refused before any work."""
    hint = "Give --out a folder you can write to (it is created if missing)."
    for parent in (out, *out.parents):
        if parent.exists():
            if not parent.is_dir():
                raise BuildError(f"--out {out}: {parent} is a file, not a folder", hint=hint)
            break
    try:
        (out / "shards").mkdir(parents=True, exist_ok=True)
        probe = out / f".kg-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise BuildError(f"--out {out}: cannot write there ({err.strerror or err})", hint=hint) from None


def _remove_stale_shards(shards: Path, keep: set[str]) -> None:
    """The build folder shows this build: shards of files not built now are removed."""
    for shard in shards.glob("*.nq"):
        if shard.stem not in keep:
            shard.unlink()


def _finish(out, done, errors, options, started, t0) -> BuildResult:
    timings: dict[str, float] = {s: sum(o.timings.get(s, 0.0) for o in done) for s in STAGES}
    clock = time.perf_counter
    t = clock()
    names = {p: ns for o in done for p, ns in o.prefixes.items()}
    metadata = _metadata(done, options, started).encode("utf-8")
    quads = read_quads(*(out / "shards" / f"{o.id}.nq" for o in done), nquads=metadata)
    serialize(quads, "trig", out / "graph.trig", names)
    serialize(quads, "ttl", out / "graph.ttl", names)
    timings["merge"] = clock() - t
    t = clock()
    load_store(out, quads)
    store = open_store(out)
    timings["store"] = clock() - t
    conforms, violations = None, 0
    if options.validate:
        t = clock()
        conforms, violations = _validate(out, options.shapes)
        timings["validate"] = clock() - t
    else:  # a report of an earlier build would not be about this graph
        for name in ("report.ttl", "report.txt"):
            (out / name).unlink(missing_ok=True)
    stats = _stats(store, done, errors, options, names, timings, clock() - t0)
    stats["validation"] = {"conforms": conforms, "violations": violations}
    write_atomic(out / "stats.json", json.dumps(stats, ensure_ascii=False, indent=2) + "\n")
    return BuildResult(out, done, errors, conforms, violations, stats)


def _metadata(done: list[DocOutcome], options: BuildOptions, started) -> str:
    """N-Quads of kg.map.metadata_graph: backend, versions, time, sources."""
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    provenance = next((o.provenance for o in done if o.provenance), {})
    backend = provenance.get("backend", options.nlp)
    versions = {"kg": __version__, "python": platform.python_version()}
    if provenance.get("version"):
        versions[backend] = provenance["version"]
    for dist in ("rdflib", "pyoxigraph", "pyshacl"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            pass
    info = {"backend": backend, "versions": versions, "started": started,
            "ended": _dt.datetime.now(_dt.timezone.utc), "sources": [o.path for o in done]}
    return nquads_of(_stage("map", "metadata_graph")(info))


def _validate(out: Path, shapes) -> tuple[bool, int]:
    report = _stage("validate", "validate")(out / "graph.trig", shapes)
    write_atomic(out / "report.ttl", report.graph.serialize(format="turtle"))
    write_atomic(out / "report.txt", report.text("both"))
    return bool(report.conforms), report.count("Violation")


#: per graph, the classes of the nodes it types or supports (an entity's types live once in the
#: shared graph; a document's graph holds its evidence links to it: kg/map.py)
_PER_GRAPH_CLASS = """SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n)
WHERE { { GRAPH ?g { ?s a ?c } } UNION { GRAPH ?g { ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?e } ?s a ?c } }
GROUP BY ?g ?c"""


def _stats(store, done, errors, options, names, timings, seconds) -> dict:
    from . import __version__
    from .store import query

    def short(iri: str) -> str:
        for p, ns in names.items():
            if iri.startswith(ns) and ns:
                return f"{p}:{iri[len(ns):]}"
        return iri

    shared = str(getattr(importlib.import_module("kg.map"), "SHARED_GRAPH", ""))
    doc_of = {g: o.id for o in done for g in o.graphs if g != shared}
    per_doc: dict[str, dict[str, int]] = {o.id: {} for o in done}
    classes: dict[str, int] = {}
    for g, c, n in query(store, _PER_GRAPH_CLASS).rows:
        if g in doc_of:
            per_doc[doc_of[g]][short(c)] = n
    for (c, n) in query(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) "
                               "WHERE { ?s a ?c } GROUP BY ?c").rows:
        classes[short(c)] = n
    triples = query(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                           "WHERE { ?s ?p ?o } }").rows[0][0]
    chars = sum(o.chars for o in done)
    provenance = next((o.provenance for o in done if o.provenance), {})
    return {
        "kg_version": __version__, "python": platform.python_version(),
        "backend": {"name": provenance.get("backend", options.nlp),
                    **{k: v for k, v in provenance.items() if k != "backend"}},
        "workers": options.workers,
        "seconds": seconds, "chars": chars, "chars_per_second": chars / seconds if seconds else 0.0,
        "documents_per_second": len(done) / seconds if seconds else 0.0,
        "triples": triples, "quads": sum(o.quads for o in done),
        "classes": dict(sorted(classes.items())), "timings": timings,
        "documents": {o.id: {"path": o.path, "chars": o.chars, "articles": o.articles,
                             "sentences": o.sentences, "quads": o.quads, "graphs": o.graphs,
                             "classes": dict(sorted(per_doc[o.id].items())),
                             "timings": o.timings} for o in done},
        "errors": [{"path": e.path, "message": e.error} for e in errors],
    }
