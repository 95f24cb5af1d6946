"""queries/: each .rq parses, declares the contract variables, and answers on a small document."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import rdflib
from conftest import make_small_document  # tests/ is on sys.path under pytest's prepend mode
from rdflib.plugins.sparql import prepareQuery

from kg.map import document_dataset

QUERIES = Path(__file__).resolve().parent.parent / "queries"
ALL = sorted(QUERIES.glob("*.rq"))

#: CONTRACT.md: file -> variables that must be there, spelled exactly
CONTRACT = {
    "persons": "person name",
    "posts": "person personName title org orgName",
    "organizations": "org name type",
    "places": "place name",
    "initiatives": "initiative name",
    "initiative-components": "initiative initiativeName component componentName",
    "agreements": "agreement type title party partyName date event eventName",
    "events": "event name date place placeName",
    "event-roles": "event eventName agent agentName role",
    "indicators": "indicator label value unit subject subjectName",
    "articles": "article title reporterName mediaName date",
    "evidence": "subject text doc",
}
K = "https://w3id.org/citykg/ontology#"
EVENT = "数字重庆建设推进会"
SENT_HU = "市长胡衡华主持会议，王炯出席。"
SENT_YUAN = "市委书记袁家军出席会议并讲话。"
SENT_SIGN = "会上，重庆邮电大学与三未信安签署“重庆市高校重点实验室”合作协议。"
SENT_SIX = "全市建成“六大应用系统”，包括数字党建、数字政务。"
#: query -> (variables compared, expected rows as tuples of plain strings; IRIs shown by last segment
#: for ?type and ?role, entity IRIs replaced by their names)
EXPECTED = {
    "persons": ("name", {("卢志民",), ("王炯",), ("胡衡华",), ("袁家军",)}),
    "posts": ("personName title orgName", {("袁家军", "书记", "中共重庆市委"), ("胡衡华", "市长", None)}),
    "organizations": ("name type", {("中共重庆市委", "PartyBody"), ("重庆邮电大学", "University"),
                                    ("重庆三未信安信息科技有限公司", "Company"), ("重庆日报", "Media")}),
    "places": ("name", {("重庆",)}),
    # named parts with no kind of their own are listed by initiative-components, not here
    "initiatives": ("name", {("六大应用系统",)}),
    "initiative-components": ("initiativeName componentName", {("六大应用系统", "数字党建"), ("六大应用系统", "数字政务")}),
    "agreements": ("type title partyName date eventName", {
        ("合作协议", "“重庆市高校重点实验室”合作协议", p, "2025-10-29", EVENT)
        for p in ("重庆邮电大学", "重庆三未信安信息科技有限公司")}),
    "events": ("name date placeName", {(EVENT, "2025-10-29", "重庆")}),
    "event-roles": ("eventName agentName role", {(EVENT, "袁家军", "attendee"), (EVENT, "袁家军", "speaker"),
                                                 (EVENT, "胡衡华", "chair"), (EVENT, "王炯", "attendee")}),
    "indicators": ("label value unit", {("一级指标", "17.0", "个"), (None, "5000000.0", "元")}),
    "articles": ("title reporterName mediaName date", {("数字重庆建设推进会召开", "卢志民", "重庆日报", "2025-10-29")}),
    "people-by-organization": ("orgName personName title", {("中共重庆市委", "袁家军", "书记")}),
    # the article's date (2025-10-29) dates both posts it states
    "posts-at-date": ("personName title orgName date", {("袁家军", "书记", "中共重庆市委", "2025-10-29"),
                                                        ("胡衡华", "市长", None, "2025-10-29")}),
    "agreements-by-event": ("eventName agreements parties", {(EVENT, "1", "2")}),
    "initiatives-with-count-mismatch": ("name statedCount components", {("六大应用系统", "6", "2")}),
    "targets": ("targetYear label value unit", {("2027", "一级指标", "17.0", "个")}),
}


def _text(value, column=""):
    """A cell as a plain string; numbers compared by value (Oxigraph writes 17 for 17.0)."""
    if value is None:
        return None
    s = str(value)
    if column == "value":
        return str(float(s))
    return s.rsplit("#", 1)[-1] if s.startswith(K) else s


@pytest.fixture(scope="module")
def union_dataset():
    """The small document written as TriG and read back the way score.py reads a build."""
    ds = rdflib.Dataset(default_union=True)
    ds.parse(data=document_dataset(make_small_document()).serialize(format="trig"), format="trig")
    return ds


def _rows(ds, name):
    res = ds.query((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))
    return [{str(v): r[v] for v in res.vars} for r in res]


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_queries_parse_and_explain_themselves(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Research question:"), "open with '# Research question: …'"
    assert "研究问题" in text.split("SELECT")[0], "give the question in zh too"
    prepareQuery(text)


def test_queries_contract_files_exist():
    assert {p.stem for p in ALL} >= set(CONTRACT)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_queries_contract_variables(name):
    q = prepareQuery((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))
    got = {str(v) for v in q.algebra["PV"]}
    assert set(CONTRACT[name].split()) <= got


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_queries_rows_on_small_document(union_dataset, name):
    columns, expected = EXPECTED[name]
    rows = _rows(union_dataset, name)
    got = {tuple(_text(r[c], c) for c in columns.split()) for r in rows}
    assert got == expected
    assert len(rows) == len(expected), "one row per value"


def test_queries_names_are_plain_strings(union_dataset):
    for row in _rows(union_dataset, "persons") + _rows(union_dataset, "organizations"):
        assert row["name"].language is None


def test_queries_evidence_has_sentences_and_offsets(union_dataset):
    rows = _rows(union_dataset, "evidence")
    texts = {str(r["text"]) for r in rows}
    assert {SENT_HU, SENT_YUAN, SENT_SIGN, SENT_SIX} <= texts
    for r in rows:
        assert int(r["end"]) - int(r["start"]) == len(str(r["text"]))


def test_queries_evidence_for_entity(union_dataset):
    rows = _rows(union_dataset, "evidence-for-entity")
    wang = [r for r in rows if str(r["name"]) == "王炯"]
    assert [str(r["text"]) for r in wang] == [SENT_HU] and wang[0]["article"] is not None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_queries_run_on_oxigraph_union(name):
    pyoxigraph = pytest.importorskip("pyoxigraph")
    store = pyoxigraph.Store()
    data = document_dataset(make_small_document()).serialize(format="nquads").encode("utf-8")
    store.load(data, format=pyoxigraph.RdfFormat.N_QUADS)
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    res = store.query(text, use_default_graph_as_union=True)
    columns, expected = EXPECTED[name]
    vars_ = [v.value for v in res.variables]
    got = set()
    for sol in res:
        row = dict(zip(vars_, sol))
        got.add(tuple(_text(row[c].value, c) if row.get(c) is not None else None for c in columns.split()))
    assert got == expected


#: names sharing their first five characters or more, prefixes of each other, ASCII beside CJK:
#: the sorted queries order by a five-character key first, so only the whole name may decide ties
SORT_NAMES = ["重庆市渝中区解放碑", "重庆市渝中区", "重庆市渝北区", "重庆", "重庆市渝中区朝天门",
              "ABCDEFG", "ABCDE", "ABCDEF1", "ZA", "AZ", "第十一次全体会议", "第十次全体会议"]
SORTED_BY_NAME = {"persons": "schema:Person", "places": "schema:Place", "initiatives": "kg:Initiative",
                  "organizations": "org:Organization", "events": "schema:Event"}


def _sort_graph() -> str:
    """Turtle: one node of each class per name; event roles pairing every event with two agents;
    an indicator labelled with each name."""
    prefixes = ("@prefix kg: <https://w3id.org/citykg/ontology#> . @prefix schema: <https://schema.org/> . "
                "@prefix org: <http://www.w3.org/ns/org#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
                "@prefix ex: <http://example.org/> .\n")
    lines = [f'ex:{q}{i} a {cls} ; rdfs:label "{n}"@zh .' for q, cls in SORTED_BY_NAME.items()
             for i, n in enumerate(SORT_NAMES)]
    for i in range(len(SORT_NAMES)):
        for k, (agent, role) in enumerate([((i * 3) % len(SORT_NAMES), "chair"), ((i * 7 + 1) % len(SORT_NAMES), "attendee")]):
            lines.append(f"ex:role{i}_{k} a kg:EventRole ; kg:event ex:events{i} ; kg:agent ex:persons{agent} ; kg:role kg:{role} .")
        lines.append(f'ex:indicator{i} a kg:Indicator ; rdfs:label "{SORT_NAMES[i]}"@zh ; schema:value {i % 3} ; schema:unitText "个" .')
    return prefixes + "\n".join(lines)


def _sort_rows(engine: str, name: str) -> list[dict]:
    """The rows of a canned query, in order, on the sort graph, as plain strings."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    if engine == "rdflib":
        g = rdflib.Graph()
        g.parse(data=_sort_graph(), format="turtle")
        res = g.query(text)
        return [{str(v): (None if r[v] is None else str(r[v])) for v in res.vars} for r in res]
    pyoxigraph = pytest.importorskip("pyoxigraph")
    store = pyoxigraph.Store()
    store.load(_sort_graph().encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE)
    res = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: (None if t is None else t.value) for n, t in zip(names, sol)} for sol in res]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name", sorted(SORTED_BY_NAME))
def test_queries_sorted_by_whole_name(engine, name):
    rows = _sort_rows(engine, name)
    assert [r["name"] for r in rows] == sorted(SORT_NAMES)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_queries_event_roles_sorted_by_event_role_then_agent(engine):
    rows = _sort_rows(engine, "event-roles")
    got = [(r["eventName"], r["role"], r["agentName"]) for r in rows]
    assert len(got) == 2 * len(SORT_NAMES) and got == sorted(got)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_queries_indicators_sorted_by_label_then_value(engine):
    rows = _sort_rows(engine, "indicators")
    assert [r["label"] for r in rows] == sorted(SORT_NAMES)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_queries_initiatives_leave_out_parts_without_a_kind_of_their_own(engine, monkeypatch):
    """A named part is an initiative when a sentence names it as one (it has a kind); a part
    with no kind is listed by initiative-components only; a whole with no kind is listed."""
    graph = ('@prefix kg: <https://w3id.org/citykg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
             '<http://example.org/w> a kg:Initiative ; rdfs:label "三大平台"@zh ; kg:hasComponent <http://example.org/a>, <http://example.org/b> .\n'
             '<http://example.org/a> a kg:Initiative ; rdfs:label "甲平台"@zh ; kg:initiativeKind kg:Platform .\n'
             '<http://example.org/b> a kg:Initiative ; rdfs:label "乙平台"@zh .\n')
    monkeypatch.setattr(sys.modules[__name__], "_sort_graph", lambda: graph)
    assert [r["name"] for r in _sort_rows(engine, "initiatives")] == sorted(["三大平台", "甲平台"])


def _csv_store(path: Path) -> Path:
    """A store holding what CSV must quote or write by its lexical form (the CLI opens a store
    folder as it opens a build)."""
    from pyoxigraph import Literal, NamedNode, Quad, Store

    x = "http://example.org/"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    values = [Literal('他说："好，很好"\r\n下一行'), Literal("a,b", language="zh"), Literal("3", datatype=NamedNode(f"{xsd}integer")),
              Literal("2.0", datatype=NamedNode(f"{xsd}decimal")), Literal("true", datatype=NamedNode(f"{xsd}boolean"))]
    store = Store(str(path))
    for i, v in enumerate(values):
        store.add(Quad(NamedNode(f"{x}s{i}"), NamedNode(f"{x}p"), v, NamedNode(f"{x}g{i % 2}")))
    store.flush()
    del store
    return path


def test_queries_cli_csv_is_the_sparql_csv_of_the_whole_answer(tmp_path):
    """``kg query --format csv`` writes a whole SELECT answer by pyoxigraph's SPARQL 1.1 CSV
    serializer (evidence-for-entity: 95 k rows in 2.2 s instead of 3.6 s): values in their lexical
    form (2.0 as 2, true), the same as kg serve's CSV; rows end in \\n, a value keeps its \\r\\n."""
    import csv
    import io

    from click.testing import CliRunner

    from kg.cli import main

    store = _csv_store(tmp_path / "store")
    rq = tmp_path / "all.rq"
    rq.write_text("SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s")
    out = CliRunner().invoke(main, ["query", str(store), str(rq), "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert out.stdout_bytes.count(b"\r\n") == 1 and out.stdout_bytes.count(b"\n") == 7
    rows = list(csv.reader(io.StringIO(out.stdout_bytes.decode(), newline="")))
    assert [r[1] for r in rows] == ["o", '他说："好，很好"\r\n下一行', "a,b", "3", "2", "true"]
    # a page of the answer is still cut from the rows (and says which rows on stderr)
    page = CliRunner().invoke(main, ["query", str(store), str(rq), "--format", "csv", "--limit", "2"])
    assert page.exit_code == 0 and len(list(csv.reader(io.StringIO(page.stdout)))) == 3
