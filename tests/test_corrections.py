"""Researchers' corrections: the file's format and errors, and each kind applied by kg.resolve."""
from __future__ import annotations

import datetime as dt

import pytest
from test_resolve import PERSONS, POSTS, make_doc, person, select, store_of, write_shards

from kg.corrections import CorrectionsError, find, load
from kg.resolve import resolve

pyoxigraph = pytest.importorskip("pyoxigraph")

GOOD = """\
# corrections of the team
- same: [甄宏远, 柏思源]
  author: 研究者甲
  date: 2026-01-05
  note: one person under two names
- distinct:
    - 甄宏
    - {name: 甄宏远, document: b.txt}
  author: 研究者乙
  date: "2026-01-06"
- drop: https://w3id.org/citykg/id/post/0123456789abcdef
  document: a.txt
  author: 研究者甲
  date: 2026-01-07
"""


def write(tmp_path, text: str, name: str = "corrections.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_corrections_load_entries_with_their_lines(tmp_path):
    same, distinct, drop = load(write(tmp_path, GOOD))
    assert (same.action, [r.name for r in same.refs], same.author, same.date, same.line) == \
        ("same", ["甄宏远", "柏思源"], "研究者甲", dt.date(2026, 1, 5), 2)
    assert [(r.name, r.document) for r in distinct.refs] == [("甄宏", None), ("甄宏远", "b.txt")]
    assert distinct.date == dt.date(2026, 1, 6) and distinct.line == 6
    assert drop.refs[0].iri.endswith("0123456789abcdef") and drop.refs[0].document == "a.txt"


@pytest.mark.parametrize("text,where,problem", [
    ("- same: [甲某]\n  author: x\n  date: 2026-01-01\n", "line 1 (entry 1)", "at least two"),
    ("- same: [甲某, 乙某]\n  date: 2026-01-01\n", "line 1 (entry 1)", "author"),
    ("- same: [甲某, 乙某]\n  author: x\n  date: 2026-01-01\n- same: [甲某, 乙某]\n  author: x\n  date: soon\n",
     "line 4 (entry 2)", "not a date"),
    ("- drop: 甲某\n  author: x\n  date: 2026-01-01\n", "line 1 (entry 1)", "IRIs"),
    ("- same: [甲某, 乙某]\n  distinct: [甲某, 乙某]\n  author: x\n  date: 2026-01-01\n", "line 1", "exactly one"),
    ("- same: [甲某, 乙某]\n  author: x\n  date: 2026-01-01\n  kind: place\n", "line 1", "kind"),
    ("- same: [甲某, 乙某]\n  author: x\n  date: 2026-01-01\n  whom: y\n", "line 1", "unknown key"),
    ("same: [甲某, 乙某]\n", "line 1", "list of entries"),
    ("- same: [甲某, 乙某\n  author: x\n", "line 2", "not YAML"),
])
def test_corrections_bad_entry_names_file_line_and_problem(tmp_path, text, where, problem):
    path = write(tmp_path, text)
    with pytest.raises(CorrectionsError) as err:
        load(path)
    assert str(path) in str(err.value) and where in str(err.value) and problem in str(err.value)
    assert err.value.hint


def test_corrections_found_among_the_sources(tmp_path):
    (tmp_path / "news" / "2023").mkdir(parents=True)
    assert find([tmp_path]) is None
    path = write(tmp_path / "news", GOOD)
    assert find([tmp_path / "news" / "2023", tmp_path]) == path.resolve()
    assert find([path]) == path.resolve()
    write(tmp_path / "news" / "2023", GOOD, "corrections.yml")
    with pytest.raises(CorrectionsError, match="more than one"):
        find([tmp_path])


# ------------------------------------------------------------------ applied


@pytest.fixture
def shards(tmp_path):
    docs = [
        make_doc("a.txt", "2023-03-01", "省长甄宏远出席会议。", persons=["甄宏远"], posts=[("甄宏远", "省长", None)]),
        make_doc("b.txt", "2023-03-02", "省长甄宏远在会上讲话。", persons=["甄宏"], posts=[("甄宏", "省长", None)]),
        make_doc("c.txt", "2023-03-03", "柏思源出席活动。", persons=["柏思源"]),
    ]
    return write_shards(tmp_path / "shards", docs)


def corrections(tmp_path, body: str):
    return load(write(tmp_path, body + "  author: 研究者甲\n  date: 2026-01-05\n"))


def test_corrections_same_merges_and_keeps_the_first_name(tmp_path, shards):
    res = resolve(shards, corrections(tmp_path, "- same: [甄宏远, 柏思源]\n"))
    store = store_of(shards, res)
    assert {p for p, _ in select(store, PERSONS)} == {person("甄宏远")}
    assert select(store, "SELECT ?a WHERE { ?p skos:altLabel ?a }") == [("柏思源",)]


def test_corrections_distinct_keeps_apart_what_a_rule_merges(tmp_path, shards):
    assert len(select(store_of(shards, resolve(shards)), PERSONS)) == 2  # 甄宏 is cut: merged
    res = resolve(shards, corrections(tmp_path, "- distinct: [甄宏, 甄宏远]\n"))
    assert {label for _, label in select(store_of(shards, res), PERSONS)} == {"甄宏", "甄宏远", "柏思源"}


def test_corrections_distinct_in_a_document_splits_a_name(tmp_path):
    docs = [make_doc(f"{i}.txt", "2023-03-0%d" % n, "韦立群出席活动。", persons=["韦立群"])
            for n, i in enumerate("xyz", 1)]
    paths = write_shards(tmp_path / "shards", docs)
    res = resolve(paths, corrections(tmp_path, "- distinct: [韦立群, {name: 韦立群, document: z.txt}]\n"))
    store = store_of(paths, res)
    iris = {p for p, _ in select(store, PERSONS)}
    assert len(iris) == 2 and person("韦立群") in iris
    other = (iris - {person("韦立群")}).pop()
    docs_of_other = select(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{other}> prov:wasDerivedFrom ?e }} }}")
    assert docs_of_other == [("https://w3id.org/citykg/graph/doc/z.txt",)]


def test_corrections_drop_removes_a_fact_and_records_who_and_when(tmp_path, shards):
    post = select(store_of(shards, resolve(shards)), POSTS)[0][0]
    res = resolve(shards, corrections(tmp_path, f"- drop: {post}\n"))
    store = store_of(shards, res)
    assert select(store, POSTS) == [] and select(store, "SELECT ?p WHERE { ?p org:holds ?x }") == []
    graph = select(store, "SELECT ?who ?when ?what WHERE { GRAPH <https://w3id.org/citykg/graph/corrections> "
                          "{ ?c a kg:DropCorrection ; <http://purl.org/dc/terms/creator> ?who ; "
                          "<http://purl.org/dc/terms/date> ?when ; kg:concerns ?what } }")
    assert graph == [("研究者甲", "2026-01-05", post)]


def test_corrections_drop_an_entity_drops_its_posts(tmp_path, shards):
    res = resolve(shards, corrections(tmp_path, f"- drop: {person('甄宏远')}\n"))
    store = store_of(shards, res)
    assert {label for _, label in select(store, PERSONS)} == {"柏思源"}
    assert select(store, "SELECT ?post WHERE { ?post a org:Post }") == []


def test_corrections_about_names_not_in_the_build_are_reported_not_applied(tmp_path, shards):
    res = resolve(shards, corrections(tmp_path, "- same: [甄宏远, 无此人]\n"))
    (entry,) = res.report()["corrections"]
    assert entry["status"].startswith("not in this build") and "无此人" in entry["status"]
    assert res.extra_quads() == []
