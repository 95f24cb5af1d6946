"""kg/output.py: `kg query --format table` for people (prefixed names, fitted to the terminal),
csv/tsv/json for machines (full IRIs)."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.output import cell, cut, fit, named_iri_columns, shortener, table, to_csv, width_of

pyoxigraph = pytest.importorskip("pyoxigraph")

EX = "http://example.org/id/"
LONG_NAME = "重庆市经济和信息化委员会数字经济发展处" * 3  # 114 columns
NQUADS = "".join(
    f'<{EX}person/{key}> <http://www.w3.org/2000/01/rdf-schema#label> "{name}"@zh <{EX}doc> .\n'
    f'<{EX}person/{key}> <http://example.org/ont#memberOf> <{EX}organization/{key}> <{EX}doc> .\n'
    f'<{EX}organization/{key}> <http://www.w3.org/2000/01/rdf-schema#label> "{org}" <{EX}doc> .\n'
    for key, name, org in [("a1b2c3d4e5f60718", "张三", LONG_NAME), ("0f1e2d3c4b5a6978", "李四", "北京大学")])
QUERY = """SELECT ?person ?name ?org ?orgName WHERE {
  ?person <http://www.w3.org/2000/01/rdf-schema#label> ?name ; <http://example.org/ont#memberOf> ?org .
  ?org <http://www.w3.org/2000/01/rdf-schema#label> ?orgName } ORDER BY ?name"""


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """A build folder as kg query reads it: store/ and the prefixes at the top of graph.trig."""
    root = tmp_path_factory.mktemp("build")
    store = pyoxigraph.Store(str(root / "store"))
    store.bulk_load(NQUADS.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    del store
    (root / "graph.trig").write_text(f"@prefix ex: <{EX}> .\n@prefix ont: <http://example.org/ont#> .\n\n",
                                     encoding="utf-8")
    (root / "members.rq").write_text(QUERY, encoding="utf-8")
    return root


def run(build, fmt, columns=None):
    env = {"COLUMNS": str(columns)} if columns else {}
    result = CliRunner().invoke(main, ["query", str(build), str(build / "members.rq"), "--format", fmt], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_table_fits_the_terminal_with_prefixed_names(build, columns):
    lines = run(build, "table", columns).splitlines()
    assert lines[0].split() == ["person", "name", "org", "orgName"] and lines[-1] == "(2 rows)"
    assert max(width_of(line) for line in lines) <= columns
    body = "\n".join(lines[2:])
    assert EX not in body and body.count("ex:perso") == 2 and body.count("ex:organi") == 2
    assert "张三" in body and "李四" in body and "北京大学" in body  # short names are never cut
    assert LONG_NAME not in body and "…" in body                     # the long one is


def test_table_without_a_width_limit_keeps_every_cell_whole(build, monkeypatch):
    import os
    import shutil

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback: os.terminal_size(fallback))  # no terminal
    out = run(build, "table")
    assert "ex:person/a1b2c3d4e5f60718" in out and "ex:organization/0f1e2d3c4b5a6978" in out
    assert LONG_NAME in out and "…" not in out


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_machine_formats_keep_full_iris_and_whole_cells(build, fmt):
    out = run(build, fmt, columns=40)
    if fmt == "json":
        rows = [list(r.values()) for r in json.loads(out)]
    else:
        rows = list(csv.reader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))[1:]
    assert rows[0] == [f"{EX}person/a1b2c3d4e5f60718", "张三", f"{EX}organization/a1b2c3d4e5f60718", LONG_NAME]


def test_named_iri_columns_are_narrowed_first():
    names = ["person", "name", "org", "orgName", "text"]
    rows = [(f"{EX}person/a1b2c3d4e5f60718", "张三", f"{EX}organization/a1b2c3d4e5f60718", "北京大学", "x" * 30)]
    assert named_iri_columns(names, rows) == [0, 2]
    out = table(names, rows, {"ex": EX}, width=80).splitlines()
    cells = out[2].split()
    assert cells[0].startswith("ex:") and cells[0].endswith("…") and cells[4] == "x" * 30
    assert max(map(width_of, out)) <= 80


@pytest.mark.parametrize(("names", "rows", "expected"), [
    (["person", "name"], [("http://x/p/1", "张三")], [0]),                  # name beside the first
    (["event", "agent", "agentName"], [("http://x/e", "http://x/a", "甲")], [1]),
    (["title", "name"], [("总书记", "张三")], []),                           # not an IRI
    (["person", "note"], [("http://x/p/1", "n")], []),                      # no name given
    (["org", "orgName"], [("http://x/o", None), (None, None)], [0]),
])
def test_named_iri_columns(names, rows, expected):
    assert named_iri_columns(names, rows) == expected


@pytest.mark.parametrize(("widths", "limit", "first", "expected"), [
    ([10, 10], 40, (), [10, 10]),                 # fits: unchanged
    ([30, 30, 4], 50, (), [21, 21, 4]),           # the widest share the cut, the narrow one is kept
    ([30, 30, 4], 50, [0], [12, 30, 4]),          # the named IRI column first
    ([30, 30, 4], 30, [0], [11, 11, 4]),          # then all of them
    ([30, 30, 30], 10, (), [6, 6, 6]),            # never below 6: runs over
])
def test_fit(widths, limit, first, expected):
    assert fit(widths, limit, first) == expected


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("abcdef", 6, "abcdef"),
    ("abcdefg", 6, "abcde…"),
    ("重庆市数字", 10, "重庆市数字"),
    ("重庆市数字化", 10, "重庆市数…"),  # 4 wide characters (8 columns) and … in 10 columns
    ("重庆a", 4, "重…"),
])
def test_cut_counts_cjk_as_two_columns(text, width, expected):
    assert cut(text, width) == expected and width_of(cut(text, width)) <= width


@pytest.mark.parametrize(("text", "expected"), [
    ("https://w3id.org/citykg/id/person/1256", "kgid:person/1256"),
    ("https://w3id.org/citykg/ontology#speaker", "kg:speaker"),
    ("https://w3id.org/other/x", "w3:other/x"),                        # the shorter namespace
    ("https://w3id.org/citykg/id/", "https://w3id.org/citykg/id/"),  # a namespace alone stays
    ("https://w3id.org/citykg/id/a b", "https://w3id.org/citykg/id/a b"),  # text, not an IRI
    ("张三", "张三"),
])
def test_shortener_uses_the_longest_namespace(text, expected):
    short = shortener({"kgid": "https://w3id.org/citykg/id/", "kg": "https://w3id.org/citykg/ontology#",
                       "w3": "https://w3id.org/"})
    assert short(text) == expected


def test_csv_writes_each_value_as_its_cell():
    """Unbound is empty, numbers and booleans as str() gives them, text with commas, quotes and
    newlines quoted: the rows read back as the cells of each value."""
    rows = [("http://x/p/1", None, 3, 2.5, True, '他说："好，很好"\n下一行'), (None, "", 0, -1.0, False, "a,b")]
    out = to_csv(["s", "n", "i", "f", "b", "t"], rows)
    assert list(csv.reader(io.StringIO(out)))[1:] == [[cell(v) for v in row] for row in rows]
    assert out.splitlines()[0] == "s,n,i,f,b,t"
