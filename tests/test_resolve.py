"""Cross-document resolution: small shards written by kg.map from hand-made documents."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import span_of  # tests/ is on sys.path under pytest's prepend mode

from kg.document import Article, Document, Entity, Facts, PostFact, RoleFact, key_of
from kg.map import document_dataset, mint
from kg.resolve import resolve, resolved_quads

pyoxigraph = pytest.importorskip("pyoxigraph")


def make_doc(doc_id: str, date: str, text: str, persons=(), orgs=(), posts=(), roles=()) -> Document:
    """A one-article document; each entity's evidence is the sentence holding its name."""
    day = dt.date.fromisoformat(date)
    ents = [Entity("person", key_of(n), n, evidence=[span_of(text, n)]) for n in persons]
    ents += [Entity("organization", key_of(n), n, evidence=[span_of(text, n)]) for n in orgs]
    facts = Facts(posts=[PostFact(p, t, o, span_of(text, p)) for p, t, o in posts],
                  roles=[RoleFact(e, a, "person", r, span_of(text, a)) for e, a, r in roles])
    return Document(path=doc_id, id=doc_id, text=text, date=day, meta={"date": date},
                    articles=[Article(0, len(text), date=day)], facts=facts,
                    entities={(e.kind, e.key): e for e in ents})


def write_shards(folder: Path, docs) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for d in docs:
        path = folder / f"{d.id}.nq"
        path.write_text(document_dataset(d).serialize(format="nquads"), encoding="utf-8")
        paths.append(path)
    return paths


def store_of(paths, res):
    store = pyoxigraph.Store()
    store.bulk_extend(resolved_quads(paths, res))
    return store


def select(store, sparql: str) -> list[tuple]:
    head = ("PREFIX schema: <https://schema.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX kg: <https://w3id.org/citykg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> ")
    return sorted(tuple(getattr(t, "value", None) for t in row)
                  for row in store.query(head + sparql, use_default_graph_as_union=True))


PERSONS = "SELECT ?p ?l WHERE { ?p a schema:Person ; rdfs:label ?l }"
POSTS = "SELECT ?post ?who ?t WHERE { ?post org:heldBy ?p ; kg:postTitle/skos:prefLabel ?t . ?p rdfs:label ?who }"


def person(name: str) -> str:
    return str(mint("person", key_of(name)))


# ------------------------------------------------------------------ merges


@pytest.fixture
def variants(tmp_path):
    """甄宏远 alone; cut short (甄宏) in a sentence that names him in full; glued to 说 in a
    document that names him alone too; 卡兰扎 and the full name 维克多·卡兰扎."""
    docs = [
        make_doc("a.txt", "2023-03-01", "省长甄宏远出席会议。", persons=["甄宏远"], posts=[("甄宏远", "省长", None)]),
        make_doc("b.txt", "2023-03-02", "省长甄宏远在会上讲话。", persons=["甄宏"], posts=[("甄宏", "省长", None)]),
        make_doc("c.txt", "2023-03-03", "甄宏远出席活动。甄宏远说，要抓落实。", persons=["甄宏远说", "甄宏远"],
                 roles=[("推进会", "甄宏远说", "speaker")]),
        make_doc("d.txt", "2023-03-04", "维克多·卡兰扎访华。", persons=["维克多·卡兰扎"]),
        make_doc("e.txt", "2023-03-05", "卡兰扎表示欢迎。", persons=["卡兰扎"]),
    ]
    return write_shards(tmp_path / "shards", docs)


def test_resolve_merges_cut_glued_and_short_names(variants):
    res = resolve(variants)
    store = store_of(variants, res)
    names = {label for _, label in select(store, PERSONS)}
    assert names == {"甄宏远", "维克多·卡兰扎"}
    assert {p for p, _ in select(store, PERSONS)} == {person("甄宏远"), person("维克多·卡兰扎")}
    rules = {(d["from"], d["rule"]) for d in res.report()["decisions"]}
    assert rules == {("甄宏", "cut"), ("甄宏远说", "glue"), ("卡兰扎", "short-form")}


def test_resolve_keeps_real_names_as_aliases_not_the_taggers_cuts(variants):
    store = store_of(variants, resolve(variants))
    alts = set(select(store, "SELECT ?p ?a WHERE { ?p skos:altLabel ?a }"))
    assert alts == {(person("维克多·卡兰扎"), "卡兰扎")}


def test_resolve_one_post_for_the_same_person_title_and_body(variants):
    """甄宏's post (省长) becomes 甄宏远's: one post node, held by one person, evidence of both."""
    store = store_of(variants, resolve(variants))
    posts = select(store, POSTS)
    assert [(who, t) for _, who, t in posts] == [("甄宏远", "省长")]
    evidence = select(store, "SELECT ?e WHERE { ?post a org:Post ; prov:wasDerivedFrom ?e }")
    assert len(evidence) == 2
    holds = select(store, "SELECT ?p ?post WHERE { ?p org:holds ?post }")
    assert holds == [(person("甄宏远"), posts[0][0])]


def test_resolve_rewrites_role_labels_with_the_targets_name(variants):
    store = store_of(variants, resolve(variants))
    labels = select(store, "SELECT ?l WHERE { ?r a kg:EventRole ; rdfs:label ?l }")
    assert labels == [("甄宏远：发言（推进会）",)]


def test_resolve_glued_pair_names_both(tmp_path):
    docs = [make_doc(f"{n}{i}.txt", "2023-01-0%d" % (i + 1), f"{n}出席会议。", persons=[n])
            for n in ("戚永年", "柏思源") for i in range(3)]
    docs.append(make_doc("z.txt", "2023-01-09", "戚永年柏思源出席。", persons=["戚永年柏思源"],
                         roles=[("大会", "戚永年柏思源", "attendee")]))
    paths = write_shards(tmp_path / "shards", docs)
    store = store_of(paths, resolve(paths))
    assert {label for _, label in select(store, PERSONS)} == {"戚永年", "柏思源"}
    agents = select(store, "SELECT ?l WHERE { ?r kg:agent/rdfs:label ?l }")
    assert agents == [("戚永年",), ("柏思源",)]


# ------------------------------------------------------------------ splits


def _namesakes(tmp_path, dates: tuple[str, str, str]):
    docs = [make_doc("f1.txt", dates[0], "中共福建省委书记韦立群主持会议。", persons=["韦立群"],
                     orgs=["中共福建省委"], posts=[("韦立群", "书记", "中共福建省委")]),
            make_doc("f2.txt", dates[1], "中共福建省委书记韦立群在福州调研。", persons=["韦立群"],
                     orgs=["中共福建省委"], posts=[("韦立群", "书记", "中共福建省委")]),
            make_doc("g1.txt", dates[2], "兰州市人民政府市长韦立群出席。", persons=["韦立群"],
                     orgs=["兰州市人民政府"], posts=[("韦立群", "市长", "兰州市人民政府")])]
    return write_shards(tmp_path / "shards", docs)


def test_resolve_splits_namesakes_with_posts_in_two_provinces_at_the_same_time(tmp_path):
    paths = _namesakes(tmp_path, ("2023-03-01", "2023-06-01", "2023-04-01"))
    res = resolve(paths)
    store = store_of(paths, res)
    holders = {t: p for p, who, t in
               select(store, "SELECT ?who ?l ?t WHERE { ?post org:heldBy ?who ; kg:postTitle/skos:prefLabel ?t . "
                             "?who rdfs:label ?l }")}
    assert holders["书记"] == person("韦立群") and holders["市长"] not in (None, person("韦立群"))
    counts = res.report()["persons"]
    assert counts["after"] == 2 and counts["shared_names"] == {"韦立群": sorted(holders.values())}
    assert res.report()["homonym_candidates"][0]["split"] is True


def test_resolve_keeps_one_person_who_moved(tmp_path):
    """福建 until May, 甘肃 from June: a move, not two persons."""
    paths = _namesakes(tmp_path, ("2023-03-01", "2023-05-01", "2023-06-01"))
    res = resolve(paths)
    assert res.report()["persons"]["after"] == 1
    assert res.report()["homonym_candidates"][0]["split"] is False


def test_resolve_unresolved_local_body_is_the_documents_own(tmp_path):
    docs = [make_doc(f"{i}.txt", "2023-02-01", "省委召开会议。", orgs=["省委"]) for i in "xy"]
    paths = write_shards(tmp_path / "shards", docs)
    store = store_of(paths, resolve(paths))
    orgs = select(store, "SELECT ?o WHERE { ?o a org:Organization ; rdfs:label \"省委\"@zh }")
    assert len(orgs) == 2


# ------------------------------------------------------------------ determinism, streaming


def _digest(paths, order) -> str:
    res = resolve([paths[i] for i in order])
    lines = sorted(str(q) for q in resolved_quads([paths[i] for i in order], res))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.mark.parametrize("order", [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3]])
def test_resolve_same_quads_whatever_the_order_of_shards(variants, order):
    assert _digest(variants, order) == _digest(variants, list(range(5)))


def test_resolve_same_quads_whatever_the_hash_seed(variants):
    code = ("import sys, hashlib; sys.path.insert(0, 'tests'); from test_resolve import _digest; "
            "from pathlib import Path; p = sorted(Path(sys.argv[1]).glob('*.nq')); print(_digest(p, range(len(p))))")
    root = Path(__file__).resolve().parent.parent
    out = {subprocess.run([sys.executable, "-c", code, str(variants[0].parent)], cwd=root, check=True,
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
           for seed in ("1", "2")}
    assert len(out) == 1 and len(next(iter(out)).strip()) == 64


def test_resolve_streams_each_shard(variants):
    res = resolve(variants)
    stream = res.quads(variants[1])
    assert iter(stream) is stream  # an iterator, not a list
    assert all(q.subject.value != person("甄宏") for q in stream)


def test_resolve_report_says_why(variants, tmp_path):
    res = resolve(variants)
    path = res.write_report(tmp_path / "resolution.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    cut = next(d for d in report["decisions"] if d["rule"] == "cut")
    assert cut["to"] == ["甄宏远"] and cut["documents"] == "all" and "甄宏远" in cut["reason"]
    assert report["persons"]["before"] == 5 and report["persons"]["after"] == 2


def test_resolve_resolved_graph_conforms_to_the_shapes(variants, tmp_path):
    from kg.validate import validate

    trig = tmp_path / "graph.nq"
    trig.write_bytes(pyoxigraph.serialize(resolved_quads(variants, resolve(variants)),
                                          format=pyoxigraph.RdfFormat.N_QUADS))
    report = validate(trig)
    assert report.conforms, report.text("en")



def test_resolve_bodies_by_bracketed_second_name_and_by_abbreviation(tmp_path):
    docs = [make_doc("o1.txt", "2023-02-01", "临江市数据研究院召开会议。", orgs=["临江市数据研究院"]),
            make_doc("o2.txt", "2023-02-02", "临江市数据研究院（临江数字中心）发布报告。",
                     orgs=["临江市数据研究院（临江数字中心）"]),
            make_doc("o3.txt", "2023-02-03", "华辰信息技术研究院（华信院）揭牌。", orgs=["华辰信息技术研究院"]),
            make_doc("o4.txt", "2023-02-04", "华信院发布白皮书。", orgs=["华信院"]),
            make_doc("o5.txt", "2023-02-05", "远东联盟（西部）成立。", orgs=["远东联盟（西部）"]),
            make_doc("o6.txt", "2023-02-06", "西部出席。", orgs=["西部"])]
    docs[2].entities[("organization", key_of("华辰信息技术研究院"))].aliases = {"华信院"}  # as kg.link makes it
    docs[4].entities[("organization", key_of("远东联盟（西部）"))].aliases = {"远东联盟", "西部"}
    paths = write_shards(tmp_path / "shards", docs)
    moved = {(d["from"], tuple(d["to"])) for d in resolve(paths).report()["decisions"]}
    assert moved == {("临江市数据研究院（临江数字中心）", ("临江市数据研究院",)),
                     ("华信院", ("华辰信息技术研究院",))}


def test_branches_told_apart_by_a_place_in_brackets_are_not_merged_across_documents(tmp_path):
    docs = [make_doc("b1.txt", "2023-03-01", "星海之家召开会议。", orgs=["星海之家"]),
            make_doc("b2.txt", "2023-03-02", "星海之家（苏州）承办论坛。", orgs=["星海之家（苏州）"]),
            make_doc("b3.txt", "2023-03-03", "星海之家（临江数字中心）发布报告。", orgs=["星海之家（临江数字中心）"])]
    paths = write_shards(tmp_path / "shards", docs)
    moved = {(d["from"], tuple(d["to"])) for d in resolve(paths).report()["decisions"]}
    assert moved == {("星海之家（临江数字中心）", ("星海之家",))}  # a second name merges; a place does not


# ------------------------------------------------------------------ summaries kept for a re-run


def _decided(res) -> tuple:
    return (res.report(), sorted(res.targets.items()), sorted(res.facts.items()),
            list(res.corpus.entities), res.corpus.facts, res.corpus.dates)


def test_resolve_from_kept_summaries_equals_reading_the_shards(variants, tmp_path, monkeypatch):
    from kg import corpus as corpus_module
    from kg.corpus import write_summaries

    fresh = resolve(variants)
    write_summaries(fresh.corpus, tmp_path / "corpus.json")
    read = []
    real = corpus_module._summary
    monkeypatch.setattr(corpus_module, "_summary", lambda data, path: read.append(path.name) or real(data, path))
    kept = resolve(variants, summaries=tmp_path / "corpus.json")
    assert read == []  # no shard parsed again
    assert _decided(kept) == _decided(fresh)
    assert sorted(map(str, resolved_quads(variants, kept))) == sorted(map(str, resolved_quads(variants, fresh)))


def test_resolve_summary_of_a_changed_shard_is_not_used(variants, tmp_path, monkeypatch):
    from kg import corpus as corpus_module
    from kg.corpus import write_summaries

    write_summaries(resolve(variants).corpus, tmp_path / "corpus.json")
    # e.txt now names 维克多·卡兰扎's namesake 卡兰扎 no more, but 甄宏 (a cut of 甄宏远)
    changed = write_shards(variants[0].parent, [make_doc("e.txt", "2023-03-05", "甄宏表示欢迎。", persons=["甄宏"])])
    read = []
    real = corpus_module._summary
    monkeypatch.setattr(corpus_module, "_summary", lambda data, path: read.append(path.name) or real(data, path))
    kept = resolve(variants, summaries=tmp_path / "corpus.json")
    assert read == ["e.txt.nq"] and changed[0] in variants
    monkeypatch.setattr(corpus_module, "_summary", real)
    assert _decided(kept) == _decided(resolve(variants))
    assert person("卡兰扎") not in kept.corpus.entities


def test_resolve_summaries_of_other_code_are_not_used(variants, tmp_path, monkeypatch):
    from kg import corpus as corpus_module
    from kg.corpus import read_summaries, write_summaries

    write_summaries(resolve(variants).corpus, tmp_path / "corpus.json")
    assert len(read_summaries(tmp_path / "corpus.json")) == len(variants)
    monkeypatch.setattr(corpus_module, "_summaries_key", lambda: "another version of kg/corpus.py")
    assert read_summaries(tmp_path / "corpus.json") == {}
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert read_summaries(tmp_path / "bad.json") == {} and read_summaries(tmp_path / "none.json") == {}
