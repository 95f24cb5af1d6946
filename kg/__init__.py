"""kg: a knowledge-graph builder for Chinese smart-city governance texts.

The public API (``dir(kg)``): plain functions, each importing its stage on first use, so
``import kg`` is fast and loads no NLP model, no onnxruntime, no torch, no rdflib and no
pyoxigraph::

    import kg
    result = kg.build_graph(["seeds/"], "build/")        # -> kg.build.BuildResult
    report = kg.validate_graph("build/")                 # -> kg.validate.Report
    rows = kg.query("build/", "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    posts = kg.query("build/", "posts")                 # a canned query, as `kg query`
    frame = posts.to_pandas()                           # needs pandas: pip install 'kg[notebook]'
    kg.export("build/", "ttl", "graph.ttl")
    for row in kg.annotate_file("article.txt"): print(row["text"], row["mentions"])

The names of the functions are not the names of modules: ``kg.build`` is the module
``kg/build.py`` (``kg.build.BuildOptions``), ``kg.validate`` the module ``kg/validate.py``.

Deprecated in 0.1.0, removed in 0.2: calling the modules, ``kg.build(...)`` and
``kg.validate(...)``, which were the names of ``build_graph`` and ``validate_graph``. The call
still works and warns (``DeprecationWarning``) naming the new function.
"""
import types as _types

__version__ = "0.1.0"
__all__ = ["build_graph", "validate_graph", "query", "export", "annotate_file", "compare_backends"]

#: module once called as a function (deprecated) -> the function to call instead
_RENAMED = {"build": "build_graph", "validate": "validate_graph"}


def build_graph(sources, out, options=None):
    """Build ``out`` (graph.trig, graph.ttl, shards/, report, stats.json, store/) from
    ``sources`` (files or folders) as ``kg build`` does; ``options`` is a
    ``kg.build.BuildOptions`` (default: its defaults). Returns a ``kg.build.BuildResult``."""
    from .build import BuildOptions, build as run

    return run(sources, out, options or BuildOptions())


def validate_graph(paths, shapes=None, *, engine: str = "pyshacl"):
    """SHACL-validate build folders (their graph.trig) or any RDF files or folders, as
    ``kg validate`` does, against ``shapes`` (default: the project's shapes/). Returns a
    ``kg.validate.Report`` (``.conforms``, ``.render(fmt, lang)``, ``.exit_code``)."""
    from pathlib import Path

    from .validate import validate as run

    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    data = [Path(p) / "graph.trig" if Path(p).is_dir() and (Path(p) / "graph.trig").is_file() else Path(p)
            for p in paths]
    return run(data[0] if len(data) == 1 else data, shapes, engine=engine)


def query(build_or_store, sparql: str):
    """Run SPARQL over a build folder's store: a ``kg.store.QueryResult(vars, rows)`` of plain
    Python values (``.to_pandas()`` makes a DataFrame).

    ``sparql`` is the query text, or, as with ``kg query``, the name of a canned query
    (``kg.query("build/", "posts")``; ``kg query --list`` lists them) or the path of a .rq file.
    """
    from .store import query as run

    return run(build_or_store, _query_text(sparql))


def _query_text(sparql) -> str:
    """The query ``sparql`` names when it is one word naming a canned query or a .rq path;
    else ``sparql`` itself (so one stray word is still reported as malformed SPARQL)."""
    from pathlib import Path

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


def __dir__():
    return sorted([*__all__, "__version__"])


# --- the deprecation period of kg.build(...) and kg.validate(...); delete this part in 0.2 ---

def __getattr__(name):  # kg.build(...) with no import of kg.build before it
    if name in _RENAMED:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallableModule(_types.ModuleType):
    """kg/build.py or kg/validate.py, callable for the deprecation period: the call warns and
    runs the function that replaced it (``kg.build(...)`` runs ``kg.build_graph(...)``)."""

    def __call__(self, *args, **kwargs):
        new = _RENAMED[self.__name__.rpartition(".")[2]]
        import warnings

        warnings.warn(f"calling {self.__name__}(...) is deprecated and stops working in kg 0.2: "
                      f"use kg.{new}(...) ({self.__name__} is the module)", DeprecationWarning, stacklevel=2)
        return globals()[new](*args, **kwargs)


class _Package(_types.ModuleType):
    """``kg`` itself: when the import system binds kg/build.py or kg/validate.py as an attribute,
    the module becomes a ``_CallableModule`` (the only change; it is still that module)."""

    def __setattr__(self, name, value):
        if name in _RENAMED and type(value) is _types.ModuleType:
            value.__class__ = _CallableModule
        super().__setattr__(name, value)


__import__("sys").modules[__name__].__class__ = _Package
