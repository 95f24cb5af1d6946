"""`kg build`: run the pipeline per document in parallel, then merge, store, validate, count.

    per document (a worker process):  read -> annotate -> extract -> link -> map
                                       -> <generation>/shards/<doc-id>.nq
    then (this process):  resolve -> merge (sorted on disk, kg/stream.py) -> graph.nq,
                          graph.trig, metadata.trig, graph.ttl -> stats.json, manifest.json
         (child processes, beside graph.ttl):  store/ (loaded, or updated from the previous
                          build's) and the counts of stats.json read from it; search.sqlite;
                          graph.trig and SHACL on it -> report.ttl, report.txt, validation/

The main process streams: quads are never all in its memory (the merge sorts and deduplicates
them in bounded runs on disk; resolution keeps per entity and document only what its rules
read). What holds the whole graph runs in a child process of its own, and its memory goes with
it: the store (the database, the counting queries), the search index of a large graph, and
validation; on a re-run, validation checks again only the focus nodes whose data changed and
keeps the previous report's other results (kg/validate_incremental.py: the same report as a
full validation).

Every build is made in a new generation folder ``BUILD/.builds/<id>/`` and switched in whole
when it succeeded (kg/folder.py); a failed, interrupted or killed build leaves the previous one
in place. A re-run rebuilds only new and changed files (kg/manifest.py): the shards of files
whose bytes and version key are unchanged are hard-linked from the previous generation, the
documents of files that are gone are dropped; ``BuildOptions.rebuild`` builds every file.
What the previous generation kept is reused where its inputs did not change: the summaries of
the shards for the resolution (kg/corpus.py), the resolved lines (kg/remerge.py), the pieces of
graph.trig and graph.ttl (kg/pieces.py), the store and its counts (kg/store_child.py), the
search index (kg/search_update.py) and the validation results. The children read what they
need of it while the documents are built.

``build_document`` is the per-document function a cluster engine can run as it is. A file that
fails is recorded (path and message) and skipped; the others' results are kept. Content files
(shards, graph.trig, graph.ttl) are sorted, so the same sources give the same bytes; what
differs between runs (times, versions, sources) is in metadata.trig (its own named graph,
loaded into the store too) and in stats.json.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import folder, manifest, store_child
from .annotate import annotate, get_backend
from .errors import BackendError, BuildError, KGError
from .executor import run
from .extract import extract
from .link import link
from .map import SHARED_GRAPH, document_dataset, metadata_graph
from .read import iter_sources, read_file
from .corpus import write_summaries
from .corrections import find as find_corrections
from .remerge import merge_resolved
from .resolve import resolve
from .store import read_quads, serialize, write_atomic
from .stream import write
from .validate import validate as validate_graph

STAGES = ("read", "annotate", "extract", "link", "map", "write")
#: the merged quads, sorted and distinct (kg/stream.py): kept, a re-run updates the store from them
GRAPH_NQ = store_child.GRAPH_NQ
#: what a shard gives the resolution, per shard (kg.corpus): a re-run reads only changed shards
SUMMARIES = "resolved/corpus.json"


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
    engine: str = "auto"               # SHACL engine (kg.validate.ENGINES): turbo when installed


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
        files = s.get("files") or {}
        first = set(files) <= {"new", "reused", "removed"} and not (files.get("reused") or files.get("removed"))
        if files and not first:  # a re-run: what it reused, rebuilt (and why) and removed
            rebuilt = {k: len(v) for k, v in files.items() if k not in ("reused", "removed") and v}
            why = ", ".join(f"{n} {k}" for k, n in rebuilt.items())
            lines.append(f"reused {len(files['reused'])}, rebuilt {sum(rebuilt.values())}"
                         + (f" ({why})" if why else "") + f", removed {len(files['removed'])}")
        lines += [f"warning: {w}" for d in self.documents for w in d.warnings]
        lines += [f"failed: {e.message}" for e in self.errors]
        if self.conforms is not None:
            lines.append("SHACL: conforms" if self.conforms else
                         f"SHACL: {self.violations} violation(s), see {self.out / 'report.txt'}")
        return "\n".join(lines)


# ------------------------------------------------------------------ one document


def build_document(path, shards_dir, nlp: str = "lac", nlp_options: dict | None = None) -> DocOutcome:
    """read -> annotate -> extract -> link -> map -> ``shards_dir/<doc-id>.nq``; never raises
    for a bad file: the outcome carries the error (``fatal`` when the backend is unusable)."""
    path = Path(path)
    outcome = DocOutcome(path=str(path), id=path.name)
    clock = time.perf_counter
    try:  # made once per process (kg.annotate caches it): models load once per worker
        backend = get_backend(nlp, **(nlp_options or {}))
    except BackendError as err:
        outcome.error, outcome.fatal, outcome.hint = str(err), True, err.hint
        return outcome
    try:
        t = clock()
        doc = read_file(path)
        outcome.timings["read"] = clock() - t
        for stage, step, args in (("annotate", annotate, (backend,)), ("extract", extract, ()),
                                  ("link", link, ())):
            t = clock()
            doc = step(doc, *args)
            outcome.timings[stage] = clock() - t
        t = clock()
        dataset = document_dataset(doc)
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
    outcome.prefixes = {p: str(ns) for p, ns in sorted(dataset.namespaces()) if p and str(ns) in data}


def nquads_of(graph) -> str:
    """N-Quads of an rdflib Dataset, or of a Graph put in the named graph of its identifier:
    one line per distinct quad, sorted (no blank line), so the same graph gives the same text."""
    import rdflib

    if not isinstance(graph, rdflib.Dataset):
        dataset = rdflib.Dataset()
        named = dataset.graph(graph.identifier)
        for triple in graph:
            named.add(triple)
        graph = dataset
    lines = {line for line in graph.serialize(format="nquads").splitlines() if line.strip()}
    return "".join(f"{line}\n" for line in sorted(lines))


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
    paths, refused = _unique(iter_sources([Path(s) for s in sources]))
    if not paths and not refused:
        raise BuildError(f"no source files (.txt, .md, .html) in {', '.join(map(str, sources))}",
                         hint="Give .txt, .md or .html files, or folders that hold them.")
    out = Path(out)
    _check_out(out)
    with folder.lock(out):
        folder.migrate(out)
        folder.clean(out)
        stage = _new_stage(out)
        try:
            result = _build_in(stage, out, paths, refused, options, (started, t0),
                               find_corrections([Path(s) for s in sources]))
        except BaseException:  # failed, interrupted: the build in place stays whole
            shutil.rmtree(stage, ignore_errors=True)
            raise
        folder.switch(out, stage)
    return result


_HINT_OUT = "Give --out a folder you can write to (it is created if missing)."


def _check_out(out: Path) -> None:
    """The build folder must be (or become) a writable folder: refused before any work."""
    for parent in (out, *out.parents):
        if parent.exists():
            if not parent.is_dir():
                raise BuildError(f"--out {out}: {parent} is a file, not a folder", hint=_HINT_OUT)
            break
    try:
        (out / folder.GENERATIONS).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BuildError(f"--out {out}: cannot write there ({err.strerror or err})", hint=_HINT_OUT) from None


def _new_stage(out: Path) -> Path:
    try:
        return folder.new_stage(out)
    except OSError as err:
        raise BuildError(f"--out {out}: cannot write there ({err.strerror or err})", hint=_HINT_OUT) from None


def _build_in(stage: Path, out: Path, paths, refused, options, clock, corrections=None) -> BuildResult:
    """Build into the generation folder ``stage``: reuse, build, merge, store, validate, count."""
    found = manifest.versions(options.nlp, options.nlp_options)
    key = manifest.version_key(found)
    previous = folder.current(out)
    plan = manifest.plan(paths, manifest.load(previous), key, previous, force=options.rebuild)
    # the validation's child is forked before the documents are built only when no worker
    # processes will be forked after it (forking beside its pool's threads can deadlock them)
    in_process = not plan.to_build or _builds_in_process(_executor_options(options, plan), len(plan.to_build))
    with _store_process() as store_child, _validation_process(options, previous, in_process) as validator:
        if previous is not None:  # what updating the store from the previous one needs, read meanwhile
            store_child.send({"prepare": {"stage": str(stage), "previous": str(previous)}})
        return _build_with(stage, out, refused, options, clock, corrections, previous, plan,
                           (found, key), store_child, validator)


def _build_with(stage, out, refused, options, clock, corrections, previous, plan, version, store_child,
                validator=None):
    """_build_in's work once the plan is made and the store's child started."""
    found, key = version
    reused = [_reuse(p, entry, previous, stage / "shards") for p, entry in plan.reuse]
    built = list(run(plan.to_build, stage / "shards", _executor_options(options, plan))) if plan.to_build else []
    fatal = next((o for o in built if o.fatal), None)
    if fatal:
        raise BackendError(fatal.error, hint=fatal.hint or None)
    done = sorted(reused + [o for o in built if o.error is None], key=lambda o: o.id)
    errors = sorted((o for o in refused + built if o.error is not None), key=lambda o: o.path)
    if not done:
        raise BuildError("nothing built: " + "; ".join(e.message for e in errors),
                         hint="Fix or remove the files named above, then build again.")
    files = {"reused": sorted(o.id for o in reused), "removed": plan.removed}
    for reason, ps in plan.build.items():
        ok = {o.path for o in built if o.error is None}
        files[reason] = sorted(p.name for p in ps if str(p) in ok)
    names = dict(sorted({p: ns for o in done for p, ns in o.prefixes.items()}.items()))
    result = _finish(stage, out, done, errors, options, clock, files, names, corrections, previous,
                     store_child, validator)
    entries = {Path(o.path).name: manifest.entry(o, plan.hashes[Path(o.path)], key) for o in done}
    manifest.write(stage, key, found, entries, names)
    return result


#: a re-run that rebuilds at most this many bytes of sources builds them in this process:
#: starting worker processes (each loads the model, ~1 s) costs more than they save on a few
#: news items
IN_PROCESS_BYTES = 32_000


def _executor_options(options: BuildOptions, plan) -> BuildOptions:
    """The options the executor runs with: one worker (this process) for a small re-run."""
    import dataclasses

    if (not plan.reuse or options.executor != "local" or options.file_timeout or options.workers <= 1
            or sum(p.stat().st_size for p in plan.to_build) > IN_PROCESS_BYTES):
        return options
    return dataclasses.replace(options, workers=1)


def _reuse(path: Path, entry: dict, previous: Path, shards: Path) -> DocOutcome:
    """The shard of an unchanged file, linked (or copied) from the previous generation."""
    target = shards / Path(entry["shard"]).name
    try:
        os.link(previous / entry["shard"], target)
    except OSError:  # another file system, or no hard links there
        shutil.copyfile(previous / entry["shard"], target)
    return DocOutcome(**{**entry["outcome"], "path": str(path)})


def _finish(stage, out, done, errors, options, clock, files, names, corrections=None,
            previous: Path | None = None, store_child=None, validator=None) -> BuildResult:
    started, t0 = clock
    built = [o for o in done if o.id not in set(files["reused"])]
    timings: dict[str, float] = {s: sum(o.timings.get(s, 0.0) for o in built) for s in STAGES}
    tick = time.perf_counter
    t = tick()
    shards = [stage / "shards" / f"{o.id}.nq" for o in done]
    # one IRI per real person or body across the documents, researchers' corrections applied
    resolution = resolve(shards, corrections=corrections,
                         summaries=None if previous is None else Path(previous) / SUMMARIES)
    resolution.write_report(stage / "resolution.json")
    write_summaries(resolution.corpus, stage / SUMMARIES)
    # sorted, on disk; what did not change since ``previous`` is not rewritten again
    merged = merge_resolved(shards, resolution, stage / GRAPH_NQ, names, previous)
    del resolution  # what it knows of every entity is not needed any more
    metadata_nq = _metadata(done, options, started).encode("utf-8")
    # child processes, beside graph.trig and graph.ttl written here: the store (loaded, or
    # updated from ``previous``'s; started first, it takes longest) with the figures of
    # stats.json read from it and the index of a large graph; SHACL (only what changed since
    # ``previous`` is validated again); the index of a small graph from a copy of it in memory
    # a re-run's index: the previous build's, updated with the store from the quads' difference
    update = previous is not None and (Path(previous) / "search.sqlite").is_file()
    index = "update" if update else merged.quads > MEMORY_INDEX_QUADS
    # SHACL's child writes graph.trig (sorted: the same quads, the same bytes), then validates
    # it, while this process writes the rest
    with _storing(store_child, stage, merged, metadata_nq, previous, index) as storing, \
            _validation(validator, stage, merged, options, previous) as validation:
        if validation is None:
            write(merged, "trig", stage / "graph.trig", previous, pieces=True)
        serialize(read_quads(nquads=metadata_nq), "trig", stage / "metadata.trig", names)
        timings["merge"] = tick() - t
        with _indexing(stage, merged, metadata_nq, index is False) as indexing:
            t = tick()
            write(merged, "ttl", stage / "graph.ttl", previous, pieces=True)
            timings["index"] = tick() - t
            t = tick()
            stored = storing.result()
            timings["store"], timings["store_wait"] = stored.pop("seconds"), tick() - t
            timings["index"] += stored.pop("index", 0.0)
            search = stored.pop("search", "written")
            if indexing is not None:  # the child's own time, and the time the build waited for it
                t = tick()
                timings["index"] += _wait_for(indexing, "the search index")
                timings["index_wait"] = tick() - t
            t = tick()
            conforms, violations, how = None, 0, {}
            if validation:  # its own time, and the time the build waited for it after the others
                conforms, violations, timings["validate"], how = _wait(validation)
                timings["validate_wait"] = tick() - t
    stats = _stats(stored, done, errors, options, names, timings, tick() - t0)
    stats["validation"] = {"conforms": conforms, "violations": violations, **how}
    stats["build"], stats["files"], stats["search"] = stage.name, files, search
    for doc_id in files["reused"]:
        stats["documents"][doc_id]["reused"] = True
    write_atomic(stage / "stats.json", json.dumps(stats, ensure_ascii=False, indent=2) + "\n")
    return BuildResult(out, done, errors, conforms, violations, stats)


#: the search index of a graph of at most this many quads is written in a child process from a
#: copy of the quads in memory, beside the store: SPARQL over the union of the graphs is ~4x
#: faster there than on disk (400 news items, 75k quads: 0.26 s against 1.1 s); a larger one
#: is written from the store by the child that loads it, memory bounded
MEMORY_INDEX_QUADS = 250_000


@contextlib.contextmanager
def _indexing(stage: Path, merged, metadata: bytes, here: bool = True):
    """The search index of a small graph written in a child process (a future: ``result()`` ->
    seconds), or None when the store's child makes it (``here`` false: a large graph, or a
    re-run's update). Leaving early (an error, Ctrl-C) stops the child."""
    if not here:
        yield None
        return
    with _in_child(index_into, merged.path, metadata, stage / "search.sqlite") as future:
        yield future


@contextlib.contextmanager
def _store_process():
    """The store's child process (kg/store_child.py), started before the documents are built:
    it imports what it needs (~0.3 s) while this process works, then waits for its task
    (``_storing``). A new interpreter, so that its memory (the database's, the counting
    queries') goes with it. Leaving (an error, Ctrl-C, or done) stops it."""
    import subprocess
    import sys
    import tempfile

    package = Path(__file__).resolve().parent.parent  # the child imports this very kg
    code = f"import sys; sys.path.insert(0, {str(package)!r}); from kg.store_child import main; main()"
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        child = _Child(subprocess.Popen([sys.executable, "-c", code, str(os.getpid())],
                                        stdin=subprocess.PIPE, stdout=stdout, stderr=stderr),
                       stdout, stderr)
        try:
            yield child
        finally:
            if child.process.poll() is None:
                child.process.kill()
            child.process.wait()
            child.process.stdin.close()


@contextlib.contextmanager
def _storing(child, stage: Path, merged, metadata: bytes, previous: Path | None, index: bool | str):
    """BUILD/store made by the store's ``child`` (``_store_process``): sends it its task and
    yields it; its ``result()`` is kg.store_child.store_into's dict."""
    task = {"stage": str(stage), "nquads": str(merged.path), "metadata": metadata.decode("utf-8"),
            "previous": str(previous) if previous else None, "index": index}
    child.send(task)
    yield child


class _Child:
    """The store's child process: ``result()`` waits for it and reads what it wrote."""

    def __init__(self, process, stdout, stderr):
        self.process, self.stdout, self.stderr = process, stdout, stderr

    def send(self, task: dict) -> None:
        """The task, one line of JSON (no end of file needed: forked workers hold the pipe)."""
        try:
            self.process.stdin.write(json.dumps(task, ensure_ascii=False).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:  # it ended already: result() says how
            pass

    def result(self) -> dict:
        code = self.process.wait()
        if code != 0:
            self.stderr.seek(0)
            said = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
            raise BuildError(f"making the store stopped: its process ended (exit code {code})"
                             + (f": {said[-1]}" if said else ""),
                             hint="Build again; if it happens again, the machine may be out of memory.")
        self.stdout.seek(0)
        return json.loads(self.stdout.read().decode("utf-8"))


@contextlib.contextmanager
def _in_child(fn, *args):
    """``fn(*args)`` in a child process that dies with this one: yields its future. Leaving
    early (an error, Ctrl-C) stops the child."""
    from pebble import ProcessPool

    from .executor import die_with_parent

    pool = ProcessPool(max_workers=1, initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        yield pool.schedule(fn, args=args)
    except BaseException:
        pool.stop()
        raise
    finally:
        pool.close()
        pool.join()


def index_into(nquads: Path, metadata: bytes, path: Path) -> float:
    """Write the search index of the quads of the file ``nquads`` and of ``metadata`` (N-Quads),
    copied into an in-memory store (the same quads as BUILD/store), to ``path``: seconds."""
    from pyoxigraph import RdfFormat, Store

    from .search import write_index

    t = time.perf_counter()
    copy = Store()
    copy.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
    copy.bulk_load(metadata, format=RdfFormat.N_QUADS)
    write_index(copy, path)
    return time.perf_counter() - t


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
            "ended": _dt.datetime.now(_dt.timezone.utc), "sources": sorted(o.path for o in done)}
    return nquads_of(metadata_graph(info))


def _builds_in_process(options: BuildOptions, files: int) -> bool:
    """kg.executor builds the files in this process, starting no worker process."""
    from kg.executor import in_process

    return options.executor == "local" and in_process(options, files)


@contextlib.contextmanager
def _validation_process(options: BuildOptions, previous: Path | None, early: bool = True):
    """The validation's child process (a pool of one, ``_Pool``), or None when
    ``options.validate`` is off. ``early``: forked now, before the documents are built (and
    before this process opens a store or loads a model), it imports the SHACL engine and reads
    the previous build's validation cache (kg.validate_incremental.read_ahead) while this
    process builds and merges; else forked when it is given the validation (``_validation``).
    Its memory (the whole graph, parsed) goes with it. Leaving early (an error, Ctrl-C) stops
    it."""
    if not options.validate:
        yield None
        return
    pool = _Pool()
    try:
        if early:
            pool.schedule(_read_ahead, args=(previous, options.shapes, options.engine))
        yield pool
    except BaseException:
        pool.stop()
        raise
    finally:
        pool.close()


class _Pool:
    """A pebble ProcessPool of one worker that dies with this process, made at its first task."""

    def __init__(self):
        self.pool = None

    def schedule(self, fn, args=()):
        if self.pool is None:
            from pebble import ProcessPool

            from .executor import die_with_parent

            self.pool = ProcessPool(max_workers=1, initializer=die_with_parent, initargs=(os.getpid(),))
        return self.pool.schedule(fn, args=args)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.stop()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


def _read_ahead(previous: Path | None, shapes, engine: str) -> None:
    from .validate_incremental import read_ahead

    read_ahead(None if previous is None else Path(previous) / "validation", shapes, engine)


@contextlib.contextmanager
def _validation(pool, stage: Path, merged, options: BuildOptions, previous: Path | None = None):
    """graph.trig written from ``merged`` (kg.stream.Merged) and its SHACL validation in the
    validation's child process (``pool``, _validation_process), so that they run on the second
    core beside the rest of the build; yields a future (``result()`` -> (conforms, violations,
    seconds, how)), or None when ``options.validate`` is off (graph.trig is then the caller's
    to write). Leaving early (an error, Ctrl-C) stops the child."""
    if pool is None:
        yield None
        return
    try:
        yield pool.schedule(_trig_and_validate, args=(stage, merged, options.shapes, options.engine, previous))
    except BaseException:
        pool.stop()
        raise


def _trig_and_validate(stage: Path, merged, shapes, engine: str, previous: Path | None):
    """graph.trig written from ``merged`` (kg.stream.Merged), then validate_into it."""
    write(merged, "trig", stage / "graph.trig", previous, pieces=True)
    return validate_into(stage, stage / "graph.trig", shapes, engine, previous, merged)


def _wait_for(future, what: str):
    """The result of a child process's task; its end (killed, crashed) is a build error."""
    from pebble import ProcessExpired

    try:
        return future.result()
    except ProcessExpired as err:
        raise BuildError(f"writing {what} stopped: its process ended ({err}, exit code {err.exitcode})",
                         hint="Build again; if it happens again, the machine may be out of memory.") from None


def _wait(validation) -> tuple[bool, int, float, dict]:
    from pebble import ProcessExpired

    try:
        return validation.result()
    except ProcessExpired as err:  # killed (out of memory?) or crashed
        raise BuildError(f"SHACL validation stopped: its process ended ({err}, exit code {err.exitcode})",
                         hint="Build with --no-validate, then run `kg validate BUILD/graph.trig` "
                              "on a machine with more memory.") from None


def validate_into(stage: Path, data: Path, shapes=None, engine: str = "auto",
                  previous: Path | None = None, merged=None) -> tuple[bool, int, float, dict]:
    """Validate ``data``, write ``stage``/report.ttl and report.txt and the cache a re-run
    starts from (``stage``/validation, kg/validate_incremental.py): only the focus nodes whose
    data changed since the ``previous`` generation are validated again, the report is the one
    a full validation gives. ``merged`` (kg.stream.Merged): the sorted quads ``data`` was
    written from, whose lines the incremental way reads. Returns (conforms, violations,
    seconds, how it was validated)."""
    from .validate_incremental import validate_build

    t = time.perf_counter()
    cache = None if previous is None else Path(previous) / "validation"
    report, how = validate_build(data, stage / "validation", cache, shapes, engine, run=validate_graph,
                                 merged=merged)
    write_atomic(stage / "report.ttl", report.graph.serialize(format="turtle"))
    write_atomic(stage / "report.txt", report.text("both"))
    return bool(report.conforms), report.count("Violation"), time.perf_counter() - t, how


def _stats(stored, done, errors, options, names, timings, seconds) -> dict:
    """stats.json, with ``stored``: what kg.store_child.store_into read from the store."""
    from . import __version__

    def short(iri: str) -> str:
        for p, ns in names.items():
            if iri.startswith(ns) and ns:
                return f"{p}:{iri[len(ns):]}"
        return iri

    doc_of = {g: o.id for o in done for g in o.graphs if g != str(SHARED_GRAPH)}
    per_doc: dict[str, dict[str, int]] = {o.id: {} for o in done}
    classes: dict[str, int] = {}
    counts = stored["counts"]
    for g, c, n in counts["per_graph"]:
        if g in doc_of:
            per_doc[doc_of[g]][short(c)] = n
    for (c, n) in counts["classes"]:
        classes[short(c)] = n
    triples = counts["triples"]
    chars = sum(o.chars for o in done)
    provenance = next((o.provenance for o in done if o.provenance), {})
    return {
        "kg_version": __version__, "python": platform.python_version(),
        "backend": {"name": provenance.get("backend", options.nlp),
                    **{k: v for k, v in provenance.items() if k != "backend"}},
        "workers": options.workers,
        "seconds": seconds, "chars": chars, "chars_per_second": chars / seconds if seconds else 0.0,
        "documents_per_second": len(done) / seconds if seconds else 0.0,
        "triples": triples, "quads": sum(o.quads for o in done), "store": stored["store"],
        "classes": dict(sorted(classes.items())), "timings": timings,
        "documents": {o.id: {"path": o.path, "chars": o.chars, "articles": o.articles,
                             "sentences": o.sentences, "quads": o.quads, "graphs": o.graphs,
                             "classes": dict(sorted(per_doc[o.id].items())),
                             "timings": o.timings} for o in done},
        "errors": [{"path": e.path, "message": e.error} for e in errors],
    }
