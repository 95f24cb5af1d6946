"""The canned queries at the shape of a year of news: many documents repeating the same people,
posts, bodies and events (tests/golden has one small article; this builds ~400 by hand).

On xwlb-2023 a post of 李强 is stated in hundreds of items. When each document's graph held
its own copy of the post, the union default graph gave one solution per copy, joins multiplied
them (posts.rq ran out of memory) and COUNT counted mentions. Here: every canned query answers
one row per thing, COUNT over the union counts things, no triple is in two graphs, evidence is
still per document, and a document can be retracted (kg/map.py, docs/ARCHITECTURE.md).
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from kg.document import (AgreementFact, Article, Document, Entity, Facts, IndicatorFact, PostFact,
                         RoleFact, Sentence, Span, key_of)
from kg.map import RETRACT_UNSUPPORTED, document_dataset, graph_iri
from kg.store import query

pyoxigraph = pytest.importorskip("pyoxigraph")

QUERIES = Path(__file__).resolve().parent.parent / "queries"
N_DOCS = 400
PERSONS = ["李强", "丁薛祥", "王沪宁", "蔡奇", "赵乐际", "韩正", "李希", "王毅", "何立峰", "陈敏尔",
           "袁家军", "胡衡华", "尹力", "殷勇", "龚正", "陈吉宁", "黄坤明", "王伟中", "信长星",
           "许昆林"]
ORGS = {"国务院": "GovernmentBody", "中共中央": "PartyBody", "全国人大常委会": "Committee",
        "外交部": "GovernmentBody", "中共重庆市委": "PartyBody", "北京市人民政府": "GovernmentBody",
        "国家发展和改革委员会": "GovernmentBody", "清华大学": "University"}
TITLES = ["总理", "书记", "委员长", "部长", "副总理", "市长", "主任", "校长"]
#: (person, title, org or None); post 0 is stated in every document, like 李强's
POSTS = [(PERSONS[i % len(PERSONS)], TITLES[(i * 3) % len(TITLES)],
          None if i % 7 == 6 else list(ORGS)[(i * 5) % len(ORGS)]) for i in range(40)]
PLACES = ["北京", "重庆", "上海", "杭州", "深圳", "天津"]
#: event 0 is reported by a quarter of the documents (全国两会), the others by a few each
EVENTS = [f"第{i}次全体会议" if i else "全国人民代表大会" for i in range(60)]
MEDIA = ["新华社", "央视新闻"]


def _doc_events(i: int) -> list[int]:
    return sorted({i % len(EVENTS)} | ({0} if i % 4 == 0 else set()))


def _doc_posts(i: int) -> list[int]:
    return sorted({0} | {(i * 7 + k) % len(POSTS) for k in range(4)})


def _roles(i: int) -> list[tuple[int, int, str]]:
    """(event, post whose holder takes part, role) of document i."""
    posts = _doc_posts(i)
    return [(e, posts[(e + k) % len(posts)], ("chair", "speaker", "attendee")[k]) for e in _doc_events(i)
            for k in range(3)]


class _Text:
    """A document's text, one sentence at a time, with the span of each."""

    def __init__(self):
        self.parts, self.sentences, self.n = [], [], 0

    def say(self, text: str) -> Span:
        span = Span(self.n, self.n + len(text))
        self.parts.append(text)
        self.sentences.append(Sentence(span.start, span.end, text))
        self.n = span.end
        return span


def make_news(i: int) -> Document:
    """News item i: its posts, events with roles, an agreement now and then, two numbers."""
    t, entities, facts = _Text(), {}, Facts()

    def entity(kind, name, span, **kw):
        e = entities.setdefault((kind, key_of(name)), Entity(kind=kind, key=key_of(name), name=name, **kw))
        e.evidence.append(span)

    title = t.say(f"新闻第{i}条")
    for p in _doc_posts(i):
        person, post_title, org = POSTS[p]
        span = t.say(f"{org or ''}{post_title}{person}出席会议。")
        entity("person", person, span)
        if org:
            entity("organization", org, span, categories={ORGS[org]})
        facts.posts.append(PostFact(person, post_title, org, span))
    for e in _doc_events(i):
        place = PLACES[e % len(PLACES)]
        span = t.say(f"{EVENTS[e]}在{place}举行。")
        entity("place", place, span)
        entity("event", EVENTS[e], span, categories={"Meeting"}, date=f"2023-03-{e % 28 + 1:02d}",
               place=key_of(place))
    for e, p, role in _roles(i):
        span = t.say(f"{POSTS[p][0]}{role}{EVENTS[e]}。")
        facts.roles.append(RoleFact(EVENTS[e], POSTS[p][0], "person", role, span))
    if i % 20 == 0:
        a, b = list(ORGS)[i % 3], list(ORGS)[7]
        span = t.say(f"{a}与{b}签署合作协议。")
        facts.agreements.append(AgreementFact("合作协议", [a, b], span, date="2023-03-05", event=EVENTS[0]))
    span = t.say(f"新建{i}所学校，投资超{i + 1}亿元。")
    facts.indicators += [IndicatorFact(float(i), "所", "学校", span, surface=f"{i}所"),
                         IndicatorFact((i + 1) * 1e8, "元", "投资", span, surface=f"超{i + 1}亿元",
                                       approx="more-than", target_year=2025 if i % 50 == 0 else None)]
    byline = t.say(f"记者{i % 5}号")
    text = "".join(t.parts)
    article = Article(0, len(text), title=text[:title.end], media=MEDIA[i % 2], reporter=f"记者{i % 5}号",
                      date=dt.date(2023, 1, 1) + dt.timedelta(days=i % 365), title_span=title,
                      byline_span=byline, sentences=t.sentences)
    return Document(path=f"news/{i:04d}.md", id=f"{i:04d}.md", text=text, date=article.date,
                    meta={"title": article.title}, articles=[article], facts=facts, entities=entities)


def _nquads(docs) -> bytes:
    return "".join(document_dataset(d).serialize(format="nquads") for d in docs).encode("utf-8")


def _store(data: bytes):
    store = pyoxigraph.Store()
    store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def news():
    return [make_news(i) for i in range(N_DOCS)]


@pytest.fixture(scope="module")
def store(news):
    return _store(_nquads(news))


def _canned(store, name: str):
    res = query(store, (QUERIES / f"{name}.rq").read_text(encoding="utf-8"))
    return [dict(zip(res.vars, row)) for row in res.rows]


def _count(store, where: str) -> int:
    prefixes = ("PREFIX org: <http://www.w3.org/ns/org#> PREFIX kg: <https://w3id.org/citykg/ontology#> "
                "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX schema: <https://schema.org/> ")
    return query(store, prefixes + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows[0][0]


def test_query_scale_graph_holds_thousands_of_facts(store):
    assert _count(store, "?f a kg:Fact ; prov:wasDerivedFrom ?ev") > 3000  # facts stated, with repeats
    assert _count(store, "?f a kg:Fact") > 1000  # distinct facts
    assert _count(store, "?s ?p ?o") > 30000


def test_query_scale_union_is_a_set(store):
    """No triple is in two graphs: the union default graph has no repeated solutions."""
    assert _count(store, "?s ?p ?o") == _count(store, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }")


def test_query_scale_count_over_the_union_counts_posts(store):
    assert _count(store, "?post a org:Post ; org:heldBy ?person") == len(set(POSTS))
    assert _count(store, "?person a schema:Person") == len(PERSONS) + 5  # and the five reporters


def test_query_scale_posts_one_row_per_post(store):
    rows = _canned(store, "posts")
    got = [(r["personName"], r["title"], r["orgName"]) for r in rows]
    assert sorted(got, key=str) == sorted(set(POSTS), key=str)


def test_query_scale_event_roles_one_row_per_role(store):
    want = {(EVENTS[e], POSTS[p][0], role) for i in range(N_DOCS) for e, p, role in _roles(i)}
    rows = _canned(store, "event-roles")
    assert sorted((r["eventName"], r["agentName"], r["role"].rsplit("#", 1)[-1]) for r in rows) == sorted(want)


@pytest.mark.parametrize("name,rows", [("persons", len(PERSONS) + 5), ("events", len(EVENTS)),
                                       ("articles", N_DOCS), ("places", len(PLACES)),
                                       ("organizations", len(ORGS) + len(MEDIA)),
                                       ("indicators", 2 * N_DOCS), ("targets", N_DOCS // 50),
                                       ("agreements", 3 * 2), ("agreements-by-event", 1)])
def test_query_scale_one_row_per_thing(store, name, rows):
    assert len(_canned(store, name)) == rows


def test_query_scale_evidence_stays_per_document(store, news):
    """Post 0 is stated by every document: one evidence row each, in that document's graph."""
    post = _canned(store, "posts")
    first = next(r["post"] for r in post if (r["personName"], r["title"], r["orgName"]) == POSTS[0])
    res = query(store, f"SELECT ?g ?doc WHERE {{ GRAPH ?g {{ <{first}> <http://www.w3.org/ns/prov#wasDerivedFrom> ?ev }}"
                       f" ?ev <http://purl.org/dc/terms/source> ?doc }}")
    assert len(res.rows) == N_DOCS
    assert {g for g, _ in res.rows} == {str(graph_iri(d.id)) for d in news}
    evidence = [r for r in _canned(store, "evidence") if r["subject"] == first]
    assert len(evidence) == N_DOCS


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_query_scale_every_canned_query_answers_quickly(store, path):
    """A bound far above what they take (~0.1 s here): a join that multiplies by the documents
    that repeat a statement takes minutes on this graph."""
    t = time.perf_counter()
    query(store, path.read_text(encoding="utf-8"))
    assert time.perf_counter() - t < 10


def test_query_scale_retract_in_place(news):
    """DROP GRAPH of a document, then RETRACT_UNSUPPORTED: what only it said about nodes only it
    supported is gone; everything the others support stays."""
    last = make_news(N_DOCS)  # repeats the others, and names one post no other document names
    last.facts.posts.append(PostFact("独有人", "局长", None, last.articles[0].title_span))
    last.entities[("person", key_of("独有人"))] = Entity("person", key_of("独有人"), "独有人",
                                                        evidence=[last.articles[0].title_span])
    store = _store(_nquads(news[:50] + [last]))
    before = _count(store, "?p a org:Post")
    store.update(f"DROP GRAPH <{graph_iri(last.id)}>")
    store.update(RETRACT_UNSUPPORTED)
    assert _count(store, "?p a org:Post") == before - 1
    assert not query(store, 'ASK { ?s ?p "独有人"@zh }').rows[0][0]
    assert _count(store, "?post a org:Post ; org:heldBy ?person") == before - 1
    assert len(_canned(store, "articles")) == 50
    # nothing supported by the remaining documents was removed
    assert _canned(store, "persons") == _canned(_store(_nquads(news[:50])), "persons")


def test_query_scale_retract_exactly_by_reloading_the_other_shards(news, tmp_path):
    """Each shard holds its document's graph and its part of the shared graph: the store loaded
    from the remaining shards is exactly the graph of the remaining documents."""
    from kg.store import load_store, open_store

    (tmp_path / "shards").mkdir()
    for d in news[:31]:
        (tmp_path / "shards" / f"{d.id}.nq").write_bytes(_nquads([d]))
    load_store(tmp_path)
    (tmp_path / "shards" / f"{news[30].id}.nq").unlink()
    load_store(tmp_path)
    reloaded = open_store(tmp_path)
    assert sorted(map(str, reloaded)) == sorted(map(str, _store(_nquads(news[:30]))))
    unsupported = ("VALUES ?c { kg:Fact schema:Person schema:Event } ?n a ?c "
                   "FILTER NOT EXISTS { ?n prov:wasDerivedFrom ?ev }")
    assert _count(reloaded, unsupported) == 0
