"""The full-text index (kg/search.py): what it holds, how it finds and ranks, paging, hostile
query text; /search in process (kg/serve/search.py); `kg index`, `kg search`, `kg query` paging."""
from __future__ import annotations

import json
import sqlite3

import pytest

pyoxigraph = pytest.importorskip("pyoxigraph")

from click.testing import CliRunner  # noqa: E402

from kg.cli import main  # noqa: E402
from kg.errors import BuildError, QueryError  # noqa: E402
from kg.search import grams, index_path, search, write_index  # noqa: E402

ID = "https://w3id.org/citykg/id/"
G = "<https://w3id.org/citykg/graph/doc/a.txt>"
S = "<https://w3id.org/citykg/graph/shared>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PREF = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
KG = "https://w3id.org/citykg/ontology#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"

SENTENCES = {  # evidence id -> (text, start, supported nodes)
    "e1": ("市委书记袁家军出席会议并讲话。", 10, ["person/yuan", "post/p1"]),
    "e2": ("重庆邮电大学与三未信安签署合作协议。", 40, ["org/cqupt", "org/swxa", "agreement/a1"]),
    "e3": ("袁家军家军强调，推进AI+空天产业发展。", 80, ["person/yuanjiajun2"]),
    "e4": ("重庆市与北京市签订战略合作协议。", 120, ["place/cq"]),
}


def _quads() -> str:
    lines = []

    def add(s, p, o, g=S):
        lines.append(f"{s} {p} {o} {g} .")

    def entity(key, cls, *names, alias=None, evidence=()):
        iri = f"<{ID}{key}>"
        add(iri, RDF_TYPE, f"<{cls}>")
        for i, (text, lang) in enumerate(names):
            add(iri, PREF if i == 0 else LABEL, f'"{text}"@{lang}')
        if alias:
            add(iri, ALT, f'"{alias}"@zh')
        for ev in evidence:
            add(iri, DERIVED, f"<{ID}evidence/{ev}>", G)

    entity("person/yuan", "https://schema.org/Person", ("袁家军", "zh"), ("Yuan Jiajun", "en"), evidence=["e1"])
    entity("person/yuanjiajun2", "https://schema.org/Person", ("袁家军家军", "zh"), evidence=["e3", "e1", "e4"])
    entity("org/swxa", "http://www.w3.org/ns/org#Organization", ("重庆三未信安信息科技有限公司", "zh"),
           alias="三未信安", evidence=["e2"])
    entity("org/cqupt", "http://www.w3.org/ns/org#Organization", ("重庆邮电大学", "zh"), evidence=["e2"])
    entity("place/cq", "https://schema.org/Place", ("重庆", "zh"), ("Chongqing", "en"), evidence=["e4"])
    entity("place/bj", "https://schema.org/Place", ("北京", "zh"))
    entity("role/r1", f"{KG}EventRole", ("袁家军：出席（会议）", "zh"), evidence=["e1"])
    entity("indicator/i1", f"{KG}Indicator", ("重庆邮电大学指标", "zh"), evidence=["e2"])
    art = f"<{ID}article/a>"
    add(art, RDF_TYPE, "<https://schema.org/NewsArticle>", G)
    add(art, f"<{DCT}title>", '"数字重庆建设推进会召开"@zh', G)
    add(art, f"<{DCT}date>", '"2025-10-29"^^<http://www.w3.org/2001/XMLSchema#date>', G)
    for ev, (text, start, about) in SENTENCES.items():
        node = f"<{ID}evidence/{ev}>"
        add(node, RDF_TYPE, f"<{KG}Evidence>", G)
        add(node, f"<{OA}exact>", json.dumps(text, ensure_ascii=False), G)
        add(node, f"<{OA}start>", f'"{start}"^^<http://www.w3.org/2001/XMLSchema#integer>', G)
        add(node, f"<{OA}end>", f'"{start + len(text)}"^^<http://www.w3.org/2001/XMLSchema#integer>', G)
        add(node, f"<{DCT}source>", f"<{ID}document/a>", G)
        add(node, f"<{KG}inArticle>", art, G)
        for key in about:
            add(f"<{ID}{key}>", DERIVED, node, G)
    return "\n".join(lines) + "\n"


def _store(path=None):
    store = pyoxigraph.Store(str(path)) if path else pyoxigraph.Store()
    store.bulk_load(_quads().encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """A build folder: store/, stats.json, search.sqlite."""
    root = tmp_path_factory.mktemp("searchbuild")
    store = _store(root / "store")
    store.flush()
    write_index(store, index_path(root))
    del store
    (root / "stats.json").write_text("{}", encoding="utf-8")
    return root


def _names(result) -> list[str]:
    return [e["name"] for e in result["entities"]]


def test_search_index_holds_named_entities_but_not_derived_facts(build):
    db = sqlite3.connect(index_path(build))
    iris = {row[0].removeprefix(ID) for row in db.execute("SELECT iri FROM entity")}
    assert {"person/yuan", "org/swxa", "place/bj", "article/a"} <= iris
    assert not {i for i in iris if i.startswith(("role/", "indicator/", "evidence/"))}
    assert db.execute("SELECT count(*) FROM sentence").fetchone()[0] == len(SENTENCES)
    assert not list(build.glob(".search.sqlite.tmp-*"))


@pytest.mark.parametrize("text,first,others", [
    ("袁家军", "袁家军", ["袁家军家军"]),          # the exact name first, though the other has more mentions
    ("三未信安", "重庆三未信安信息科技有限公司", []),  # an alias finds the entity
    ("chongqing", "重庆", []),                       # an English name, case-folded
    ("北京", "北京", []),                            # two characters
    ("京", "北京", []),                              # one character
    ("邮电 重庆", "重庆邮电大学", []),               # every word must be found
])
def test_search_entities_by_name(build, text, first, others):
    result = search(build, text)
    assert _names(result)[0] == first
    assert set(others) <= set(_names(result))
    assert result["total"]["entities"] == len(result["entities"])


def test_search_entities_exact_first_then_by_mentions(build):
    names = _names(search(build, "袁家"))  # no exact name: the most mentioned first
    assert names[:2] == ["袁家军家军", "袁家军"]


@pytest.mark.parametrize("text,evidence", [
    ("签署", {"e2"}),
    ("合作协议", {"e2", "e4"}),
    ("签订 北京", {"e4"}),
    ("ＡＩ", {"e3"}),                  # full-width Latin matches the ASCII text
    ("+空", {"e3"}),                   # punctuation inside a short term is checked in the text
    ("ai+空天产业", {"e3"}),
])
def test_search_sentences_by_words(build, text, evidence):
    result = search(build, text, kind="sentences")
    assert {s["evidence"].rsplit("/", 1)[-1] for s in result["sentences"]} == evidence
    assert result["entities"] == [] and result["total"]["sentences"] == len(evidence)


def test_search_sentence_fields(build):
    (row,) = search(build, "签署", kind="sentences")["sentences"]
    text, start, about = SENTENCES["e2"]
    assert row == {"text": text, "document": f"{ID}document/a", "article": f"{ID}article/a",
                   "title": "数字重庆建设推进会召开", "date": "2025-10-29", "start": start,
                   "end": start + len(text), "evidence": f"{ID}evidence/e2",
                   "about": sorted(ID + k for k in [*about, "indicator/i1"])}  # facts too


@pytest.mark.parametrize("text", ['"', '" OR "', "NEAR(a b)", "a AND b", "*", "^袁", "names:袁家军",
                                  "'; DROP TABLE entity; --", "(", "袁家军\"", "\x00", "  ", "，。", "%_"])
def test_search_query_text_is_never_syntax(build, text):
    result = search(build, text)
    assert set(result["total"]) == {"entities", "sentences"}
    assert sqlite3.connect(index_path(build)).execute("SELECT count(*) FROM entity").fetchone()[0] > 0


@pytest.mark.parametrize("kind,text", [("entities", "重"), ("sentences", "重"), ("sentences", "合作 协议")])
def test_search_pages_cover_all_rows_once(build, kind, text):
    whole = search(build, text, kind=kind, limit=100)[kind]
    pages = [search(build, text, kind=kind, limit=1, offset=o)[kind] for o in range(len(whole) + 1)]
    assert len(whole) >= 2 and [r for p in pages for r in p] == whole
    assert search(build, text, kind=kind, limit=0)[kind] == []


@pytest.mark.parametrize("call,error", [
    (lambda b: search(b, "x", kind="people"), QueryError),
    (lambda b: search(b, "x", limit=-1), QueryError),
    (lambda b: search(b.parent / "nowhere", "x"), BuildError),
])
def test_search_errors(build, call, error):
    with pytest.raises(error) as err:
        call(build)
    assert err.value.hint


def test_search_missing_index_hint_names_kg_index(tmp_path):
    with pytest.raises(BuildError) as err:
        search(tmp_path, "x")
    assert "kg index" in err.value.hint


def test_search_write_index_replaces_the_old_file(tmp_path):
    path = tmp_path / "search.sqlite"
    path.write_bytes(b"not a database")
    write_index(_store(), path)
    assert search(path, "重庆")["total"]["entities"] >= 2


def test_search_write_index_through_a_link_keeps_the_link(tmp_path):
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "search.sqlite").write_bytes(b"old")
    link = tmp_path / "search.sqlite"
    link.symlink_to(tmp_path / "gen" / "search.sqlite")
    write_index(_store(), link)
    assert link.is_symlink() and search(tmp_path / "gen", "北京")["total"]["entities"] == 1


@pytest.mark.parametrize("text,expected", [
    ("签署", ["签", "署", "签署"]), ("ai+空", ["a", "i", "空", "ai"]), ("，。", []), ("京京", ["京", "京京"]),
])
def test_search_grams(text, expected):
    assert grams(text) == expected


# ------------------------------------------------------------------ /search


@pytest.fixture(scope="module")
def client(build):
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from kg.serve import ServeOptions, create_app

    with TestClient(create_app(build, ServeOptions(workers=1, timeout=10))) as c:
        yield c


@pytest.mark.parametrize("params,headers", [({"q": "袁家军", "format": "json"}, {}),
                                            ({"q": "袁家军"}, {"Accept": "application/json"})])
def test_search_route_json(client, params, headers):
    r = client.get("/search", params=params, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["query"] == "袁家军" and body["entities"][0]["iri"] == f"{ID}person/yuan"
    assert body["total"] == {"entities": 2, "sentences": 2}


def test_search_route_html_links_and_paging(client):
    r = client.get("/search", params={"q": "重", "kind": "entities", "limit": 2, "offset": 2},
                   headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/entity?iri=https%3A%2F%2Fw3id.org%2Fcitykg%2Fid%2F" in r.text
    assert 'rel="prev"' in r.text and "offset=0" in r.text
    assert "3–4 /" in r.text


@pytest.mark.parametrize("params", [{"q": "x", "limit": "many"}, {"q": "x", "limit": "100000"},
                                    {"q": "x", "kind": "people"}, {"q": "x", "offset": "-1"},
                                    {"q": "袁" * 501}])
def test_search_route_bad_parameters(client, params):
    r = client.get("/search", params={**params, "format": "json"})
    assert r.status_code == 400 and r.json()["hint"]


def test_search_route_without_index_is_404(tmp_path):
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from kg.serve import ServeOptions, create_app

    _store(tmp_path / "store").flush()
    with TestClient(create_app(tmp_path, ServeOptions(workers=1, timeout=10))) as c:
        r = c.get("/search", params={"q": "x", "format": "json"})
        assert r.status_code == 404 and "kg index" in r.json()["hint"]
        r = c.get("/search", params={"q": "x"})
        assert r.status_code == 404 and "kg index" in r.text


# ------------------------------------------------------------------ CLI


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_search_cli_index_then_search(tmp_path):
    _store(tmp_path / "store").flush()
    made = _run("index", tmp_path)
    assert made.exit_code == 0 and "7 entities, 4 sentences" in made.stderr  # no role, no indicator
    found = _run("search", tmp_path, "签署", "--format", "json")
    assert found.exit_code == 0 and json.loads(found.stdout)["sentences"][0]["evidence"].endswith("/e2")
    table = _run("search", tmp_path, "袁家军", "--kind", "entities", "--limit", "1")
    assert table.exit_code == 0 and "袁家军" in table.stdout and "entities: 1–1 of 2" in table.stderr


def test_search_cli_without_index(tmp_path):
    r = _run("search", tmp_path, "x")
    assert r.exit_code == 2 and "kg index" in r.stderr


@pytest.mark.parametrize("args,rows,note", [
    (["--limit", "2"], 2, "rows 1–2 of 4; next: --offset 2"),
    (["--limit", "2", "--offset", "3"], 1, "rows 4–4 of 4"),
    (["--offset", "9"], 0, "no rows past 9 of 4"),
    ([], 4, ""),
])
def test_search_cli_query_pages(tmp_path, args, rows, note):
    _store(tmp_path / "store").flush()
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?e WHERE { ?e a <https://w3id.org/citykg/ontology#Evidence> } ORDER BY ?e")
    r = _run("query", tmp_path, query, "--format", "csv", *args)
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == rows + 1
    assert r.stderr.strip() == note


# ------------------------------------------------------------------ a re-run's update


def index_content(path) -> dict:
    """What an index holds, but its row ids: the rows in id order (the order of results
    without bm25), names and sentences with what their ids point to, the counts."""
    with sqlite3.connect(path) as db:
        q = lambda sql: db.execute(sql).fetchall()  # noqa: E731
        return {
            "entities": q("SELECT iri, name, names, types, mentions, folded FROM entity ORDER BY id"),
            "names": sorted(q("SELECT n.name, e.iri FROM entity_name n JOIN entity e ON e.id = n.entity")),
            "sentences": q('SELECT s.evidence, s.text, s.start, s."end", s.about, s.weight, s.folded, '
                           "a.iri, a.document, a.title, a.date FROM sentence s "
                           "JOIN article a ON a.id = s.article ORDER BY s.id"),
            "articles": sorted(q("SELECT iri, document, title, date FROM article")),
            "meta": sorted(q("SELECT key, value FROM meta")),
        }


QUERIES = ["袁家军", "重庆", "合作协议", "京", "签署", "三未信安", "数字", "新区", "家军 会议", "Yuan"]


def _changed_store():
    """The test graph with one sentence gone, one new (its article's title changed) and an
    entity with one mention more: what a re-run of two changed files gives."""
    from kg.store import Diff

    store = _store()
    removed = [line + "\n" for line in _quads().splitlines() if "evidence/e3>" in line]
    ev = f"<{ID}evidence/e5>"
    added = [f"{s} {p} {o} {G} .\n" for s, p, o in (
        (ev, RDF_TYPE, f"<{KG}Evidence>"), (ev, f"<{OA}exact>", '"两江新区与重庆邮电大学签署协议。"'),
        (ev, f"<{OA}start>", '"200"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (ev, f"<{DCT}source>", f"<{ID}document/a>"), (ev, f"<{KG}inArticle>", f"<{ID}article/a>"),
        (f"<{ID}org/cqupt>", DERIVED, ev), (f"<{ID}place/lj>", PREF, '"两江新区"@zh'),
        (f"<{ID}place/lj>", DERIVED, ev), (f"<{ID}article/a>", f"<{DCT}title>", '"数字重庆推进会"@zh'))]
    removed.append(f'<{ID}article/a> <{DCT}title> "数字重庆建设推进会召开"@zh {G} .\n')
    for line in removed:
        store.remove(next(iter(pyoxigraph.parse(line.encode(), format=pyoxigraph.RdfFormat.N_QUADS))))
    store.extend(pyoxigraph.parse("".join(added).encode(), format=pyoxigraph.RdfFormat.N_QUADS))
    return store, Diff(added, removed, len(store), set())


def test_search_update_index_equals_a_new_index(tmp_path):
    from kg.search_update import update_index
    from kg.store_child import changed_nodes

    write_index(_store(), tmp_path / "old.sqlite")
    store, diff = _changed_store()
    subjects, evidence = changed_nodes(diff, [], tmp_path / "no-metadata.trig")
    assert update_index(store, tmp_path / "old.sqlite", tmp_path / "new.sqlite", subjects, evidence)
    write_index(store, tmp_path / "clean.sqlite")
    new, clean = index_content(tmp_path / "new.sqlite"), index_content(tmp_path / "clean.sqlite")
    assert new == clean
    assert "两江新区与重庆邮电大学签署协议。" in {s[1] for s in new["sentences"]}
    assert not any("e3" in s[0] for s in new["sentences"])
    for text in QUERIES:
        assert search(tmp_path / "new.sqlite", text) == search(tmp_path / "clean.sqlite", text), text


def test_search_update_index_without_room_between_ids_writes_nothing(tmp_path, monkeypatch):
    import kg.search
    from kg.search_update import update_index
    from kg.store_child import changed_nodes

    monkeypatch.setattr(kg.search, "GAP", 1)  # ids 1, 2, 3…: no id between two rows
    write_index(_store(), tmp_path / "old.sqlite")
    store, diff = _changed_store()
    subjects, evidence = changed_nodes(diff, [], tmp_path / "no-metadata.trig")
    assert not update_index(store, tmp_path / "old.sqlite", tmp_path / "new.sqlite", subjects, evidence)
    assert not (tmp_path / "new.sqlite").exists()
