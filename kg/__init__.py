"""kg: a knowledge-graph builder for Chinese smart-city governance texts.

The public API; every function imports its stage on first use, so ``import kg`` is fast and
loads no NLP model, no onnxruntime, no torch and no pyoxigraph::

    import kg
    result = kg.build(["seeds/"], "build/")            # -> kg.build.BuildResult
    report = kg.validate("build/")                      # -> kg.validate.Report
    rows = kg.query("build/", "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    posts = kg.query("build/", "posts")                # a canned query, as `kg query`
    kg.export("build/", "ttl", "graph.ttl")
    for row in kg.annotate_file("article.txt"): print(row["text"], row["mentions"])

``kg.build`` and ``kg.validate`` are both the functions below and the doors to
their modules (``kg.build.BuildOptions`` is ``kg/build.py``'s): see ``_Api``.
"""
from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

__version__ = "0.1.0"
__all__ = ["build", "validate", "query", "export", "annotate_file", "compare_backends", "__version__"]


def _build(sources, out, options=None):
    """Build ``out`` (graph.trig, graph.ttl, shards/, report, stats.json, store/) from ``sources``."""
    from .build import BuildOptions, build as run

    return run(sources, out, options or BuildOptions())


def _validate(paths, shapes=None, *, engine: str = "pyshacl"):
    """SHACL-validate build folders (their graph.trig) or any RDF files or folders."""
    from .validate import validate as run

    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    data = [Path(p) / "graph.trig" if Path(p).is_dir() and (Path(p) / "graph.trig").is_file() else Path(p)
            for p in paths]
    return run(data[0] if len(data) == 1 else data, shapes, engine=engine)


def query(build_or_store, sparql: str):
    """Run SPARQL over a build folder's store: ``QueryResult(vars, rows)`` of plain Python values.

    ``sparql`` is the query text, or, as with ``kg query``, the name of a canned query
    (``kg.query("build/", "posts")``; ``kg query --list`` lists them) or the path of a .rq file.
    """
    from .store import query as run

    return run(build_or_store, _query_text(sparql))


def _query_text(sparql) -> str:
    """The query ``sparql`` names when it is one word naming a canned query or a .rq path;
    else ``sparql`` itself (so one stray word is still reported as malformed SPARQL)."""
    from .store import list_queries, read_query

    text = str(sparql).strip()
    if not text or any(c.isspace() or c in "{}" for c in text):
        return str(sparql)
    if text.endswith(".rq") or Path(text).is_file() or text in dict(list_queries()):
        return read_query(text)
    return str(sparql)


def export(build_dir, fmt: str = "ttl", output=None):
    """Serialize a build as ttl, nt, trig, nq or jsonld to ``output`` (a path); bytes when None."""
    from .store import export as run

    return run(build_dir, fmt, output)


def annotate_file(path, nlp: str = "lac", lines: bool = False):
    """Rows (dicts, one per sentence, CONTRACT.md's format) of the mentions found in ``path``;
    ``json.dumps(row, ensure_ascii=False)`` gives the line `kg annotate` prints."""
    import json

    from .annotate import to_jsonl

    for line in to_jsonl(path, nlp=nlp, lines=lines):
        yield json.loads(line) if isinstance(line, str) else line


def compare_backends(path, nlp_a: str, nlp_b: str, lines: bool = False):
    """Where backend ``nlp_b`` disagrees with ``nlp_a`` on the mentions of ``path``:
    (rows as dicts, one-line summary)."""
    from .annotate import annotate, get_backend
    from .annotate.compare import compare, summary
    from .read import read_file

    a = annotate(read_file(path, lines=lines), get_backend(nlp_a), ner=False)  # the backends alone
    b = annotate(read_file(path, lines=lines), get_backend(nlp_b), ner=False)
    found = compare(a, b)
    return [d.to_row() for d in found], summary(found)


class _Api:
    """A public function that shares its name with a module of the package.

    Importing ``kg.build`` (the module) would otherwise replace ``kg.build`` (the function);
    this object is callable like the function and forwards attribute access to the module,
    so ``kg.build(...)``, ``kg.build.BuildOptions`` and ``from kg import build`` all work.
    """

    def __init__(self, func, module: str):
        vars(self).update(__wrapped__=func, __doc__=func.__doc__, __name__=func.__name__.strip("_"),
                          __qualname__=func.__name__.strip("_"), _module=module)

    def __repr__(self) -> str:
        return f"<function kg.{self.__name__} (module {self._module})>"

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(importlib.import_module(self._module), name)

    def __setattr__(self, name, value):  # monkeypatch("kg.build.x") patches the module
        setattr(importlib.import_module(self._module), name, value)

    def __delattr__(self, name):
        delattr(importlib.import_module(self._module), name)


class _Package(types.ModuleType):
    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and isinstance(self.__dict__.get(name), _Api):
            return  # the import system binding kg/<name>.py: keep the callable door
        super().__setattr__(name, value)


build = _Api(_build, "kg.build")
validate = _Api(_validate, "kg.validate")
sys.modules[__name__].__class__ = _Package
