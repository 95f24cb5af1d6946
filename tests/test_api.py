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
