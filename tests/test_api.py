"""The public Python API (kg/__init__.py) as a notebook uses it."""
from __future__ import annotations

import json
import sys
import types

import pytest

import kg
from kg.errors import QueryError

pyoxigraph = pytest.importorskip("pyoxigraph")

NQUADS = """
<http://example.org/zs> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/Person> <http://example.org/doc1> .
<http://example.org/zs> <http://www.w3.org/2000/01/rdf-schema#label> "张三"@zh <http://example.org/doc1> .
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    store = pyoxigraph.Store(str(root / "store"))
    store.bulk_load(NQUADS.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    del store
    return root


def test_query_accepts_a_canned_name_as_the_cli_does(build):
    from kg.store import read_query

    by_name = kg.query(build, "posts")
    assert by_name.vars == kg.query(build, read_query("posts")).vars
    assert "post" in by_name.vars and "person" in by_name.vars


def test_query_accepts_a_rq_path_and_plain_text(build, tmp_path):
    rq = tmp_path / "names.rq"
    rq.write_text("SELECT ?n WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?n }", encoding="utf-8")
    assert kg.query(build, str(rq)).rows == [("张三",)]
    assert kg.query(build, "ASK{}").rows == [(True,)]
    assert kg.query(build, "SELECT ?s WHERE { ?s a <https://schema.org/Person> }").vars == ["s"]


def test_query_unknown_word_is_malformed_sparql_with_a_hint(build):
    with pytest.raises(QueryError, match="malformed SPARQL") as err:
        kg.query(build, "no-such-query")
    assert "kg query --list" in err.value.hint


def test_query_missing_rq_file(build, tmp_path):
    with pytest.raises(QueryError, match="no such query file"):
        kg.query(build, str(tmp_path / "missing.rq"))


def test_query_malformed_sparql_still_says_so(build):
    with pytest.raises(QueryError, match="malformed SPARQL"):
        kg.query(build, "SELECT ?s WHERE { ?s ")


def test_annotate_file_yields_dicts(tmp_path, monkeypatch):
    row = {"doc": "x.txt", "start": 0, "end": 2, "text": "张三", "mentions": [{"start": 0, "end": 2, "text": "张三", "label": "PERSON"}]}
    seen = []

    def to_jsonl(path, nlp="lac", lines=False):
        seen.append((str(path), nlp, lines))
        yield json.dumps(row, ensure_ascii=False) + "\n"

    monkeypatch.setitem(sys.modules, "kg.annotate", types.SimpleNamespace(to_jsonl=to_jsonl))
    rows = list(kg.annotate_file(tmp_path / "x.txt", lines=True))
    assert rows == [row] and isinstance(rows[0], dict)
    assert seen == [(str(tmp_path / "x.txt"), "lac", True)]


def test_cli_annotate_prints_the_same_line_as_before(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kg.cli import main

    line = json.dumps({"doc": "x.txt", "start": 0, "end": 2, "text": "张三", "mentions": []}, ensure_ascii=False)
    monkeypatch.setitem(sys.modules, "kg.annotate",
                        types.SimpleNamespace(to_jsonl=lambda path, nlp="lac", lines=False: iter([line + "\n"])))
    (tmp_path / "x.txt").write_text("张三", encoding="utf-8")
    result = CliRunner().invoke(main, ["annotate", str(tmp_path / "x.txt")])
    assert result.exit_code == 0 and result.stdout == line + "\n"


# ------------------------------------------------------------------ the API's names


def test_dir_kg_shows_only_the_public_api():
    assert dir(kg) == sorted([*kg.__all__, "__version__"])
    assert {"build_graph", "validate_graph", "query", "export", "annotate_file"} <= set(kg.__all__)
    for name in kg.__all__:
        func = getattr(kg, name)
        assert isinstance(func, types.FunctionType) and func.__doc__ and func.__module__ == "kg"


def test_api_functions_load_nothing_heavy():
    import subprocess

    code = ("import sys, json, kg; [getattr(kg, n) for n in kg.__all__]; dir(kg); "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('rdflib', 'pyoxigraph', 'onnxruntime', 'numpy', 'pandas', 'torch') or m in ('kg.build', 'kg.validate'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


@pytest.mark.parametrize("name", ["build", "validate"])
@pytest.mark.parametrize("first", ["from kg import {name} as got", "import kg; got = kg.{name}",
                                   "import kg.{name}, kg; got = kg.{name}"])
def test_kg_build_and_kg_validate_are_the_modules(name, first):
    import subprocess

    code = (first.format(name=name) + f"; import sys, types; m = sys.modules['kg.{name}']; "
            f"print(got is m, isinstance(m, types.ModuleType), m.__file__.endswith('{name}.py'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True"]


@pytest.mark.parametrize(("old", "new"), [("build", "build_graph"), ("validate", "validate_graph")])
def test_calling_the_old_names_warns_and_runs_the_new_function(old, new, monkeypatch):
    seen = []
    monkeypatch.setattr(kg, new, lambda *args, **kwargs: seen.append((args, kwargs)) or "result")
    with pytest.warns(DeprecationWarning, match=rf"kg\.{old}\(\.\.\.\) is deprecated.*use kg\.{new}\(") as record:
        assert getattr(kg, old)(["a"], "b", engine="x") == "result"
    assert seen == [((["a"], "b"), {"engine": "x"})]
    assert record[0].filename == __file__  # points at the caller's line


def test_build_graph_passes_default_options(monkeypatch, tmp_path):
    import kg.build

    seen = {}
    monkeypatch.setattr(kg.build, "build", lambda sources, out, options: seen.update(s=sources, o=out, opt=options))
    kg.build_graph(["src/"], tmp_path)
    assert seen["s"] == ["src/"] and seen["o"] == tmp_path and seen["opt"] == kg.build.BuildOptions()


def test_validate_graph_reads_a_build_folders_graph(monkeypatch, tmp_path):
    import kg.validate

    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "graph.trig").write_text("", encoding="utf-8")
    (tmp_path / "g.ttl").write_text("", encoding="utf-8")
    seen = []
    monkeypatch.setattr(kg.validate, "validate", lambda data, shapes, engine: seen.append((data, shapes, engine)))
    kg.validate_graph(tmp_path / "b")
    kg.validate_graph([str(tmp_path / "b"), tmp_path / "g.ttl"], "shapes/", engine="turbo")
    assert seen == [(tmp_path / "b" / "graph.trig", None, "pyshacl"),
                    ([tmp_path / "b" / "graph.trig", tmp_path / "g.ttl"], "shapes/", "turbo")]


# ------------------------------------------------------------------ QueryResult.to_pandas


@pytest.mark.parametrize(("values", "dtype"), [
    ((1, 2, 3), "int64"),
    ((1, None, 3), "Int64"),
    ((1.5, 2, None), "float64"),
    ((True, False), "bool"),
    ((True, None), "boolean"),
    ((2**70, 1), "object"),          # beyond int64: kept as Python ints
    (("a", 1), "object"),            # a literal whose datatype did not convert, beside numbers
])
def test_to_pandas_types_each_column(values, dtype):
    pd = pytest.importorskip("pandas")
    from kg.store import QueryResult

    frame = QueryResult(["x"], [(v,) for v in values]).to_pandas()
    assert str(frame["x"].dtype) == dtype
    assert [None if pd.isna(v) else v for v in frame["x"].tolist()] == list(values)
    assert frame["x"].isna().sum() == values.count(None)


def test_to_pandas_of_a_query_keeps_vars_and_strings(build):
    pd = pytest.importorskip("pandas")

    text = ("SELECT ?s ?name ?n ?missing WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?name "
            "BIND(STRLEN(?name) AS ?n) OPTIONAL { ?s <http://example.org/none> ?missing } }")
    frame = kg.query(build, text).to_pandas()
    assert list(frame.columns) == ["s", "name", "n", "missing"] and len(frame) == 1
    assert frame.loc[0, "s"] == "http://example.org/zs" and frame.loc[0, "name"] == "张三"
    assert frame["n"].dtype == "int64" and frame.loc[0, "n"] == 2
    assert pd.isna(frame.loc[0, "missing"])


def test_to_pandas_of_no_rows_has_the_columns():
    pytest.importorskip("pandas")
    from kg.store import QueryResult

    frame = QueryResult(["a", "b"], []).to_pandas()
    assert list(frame.columns) == ["a", "b"] and len(frame) == 0


def test_to_pandas_without_pandas_names_the_extra(monkeypatch):
    from kg.errors import KGError
    from kg.store import QueryResult

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    with pytest.raises(KGError, match="needs pandas") as err:
        QueryResult(["a"], [(1,)]).to_pandas()
    assert "kg[notebook]" in err.value.hint
