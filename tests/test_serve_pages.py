"""The web pages: start page, canned questions, entity pages with names (never hashes), posts in
date order, tables of connected people, bodies, events and agreements, the network's data,
evidence pages, dates without a year, 404 for an unknown entity, /api/names and /api/find."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("starlette")
pyoxigraph = pytest.importorskip("pyoxigraph")
from bs4 import BeautifulSoup  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from kg.serve import ServeOptions, create_app  # noqa: E402
from kg.serve.i18n import literal_text, short  # noqa: E402
from test_serve import make_store  # noqa: E402

EX = "http://example.org/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
KG = "https://w3id.org/citykg/ontology#"
SDO = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _nq(rows) -> str:
    """N-Quads from (subject, predicate, object) with prefixed names; objects may be literals."""
    spaces = {"ex:": EX, "rdfs:": RDFS, "skos:": SKOS, "oa:": OA, "prov:": PROV, "org:": ORG,
              "kg:": KG, "schema:": SDO, "dcterms:": DCT}

    def term(x):
        if x == "a":
            return f"<{RDF_TYPE}>"
        for p, ns in spaces.items():
            if x.startswith(p):
                return f"<{ns}{x[len(p):]}>"
        return x  # a literal, written as N-Triples
    return "".join(f"{term(s)} {term(p)} {term(o)} <{EX}graph/doc1> .\n" for s, p, o in rows)


def _zh(text):
    return f'"{text}"@zh'


FACTS = [
    ("ex:zhang", "a", "schema:Person"), ("ex:zhang", "rdfs:label", _zh("张明")),
    ("ex:zhang", "skos:altLabel", _zh("张市长")),
    ("ex:zhang", "org:holds", "ex:post1"), ("ex:zhang", "org:holds", "ex:post2"),
    ("ex:zhang", "prov:wasDerivedFrom", "ex:ev1"), ("ex:zhang", "prov:wasDerivedFrom", "ex:ev2"),
    ("ex:zhang", "prov:wasDerivedFrom", "ex:ev3"),
    ("ex:post1", "a", "org:Post"), ("ex:post1", "a", "kg:Fact"), ("ex:post1", "rdfs:label", _zh("江州市委书记")),
    ("ex:post1", "org:heldBy", "ex:zhang"), ("ex:post1", "org:postIn", "ex:cmte"),
    ("ex:post1", "prov:wasDerivedFrom", "ex:ev2"),
    ("ex:post2", "a", "org:Post"), ("ex:post2", "a", "kg:Fact"), ("ex:post2", "rdfs:label", _zh("江州市长")),
    ("ex:post2", "org:heldBy", "ex:zhang"), ("ex:post2", "prov:wasDerivedFrom", "ex:ev1"),
    ("ex:cmte", "a", "org:Organization"), ("ex:cmte", "a", "kg:GovernmentBody"),
    ("ex:cmte", "rdfs:label", _zh("中共江州市委")),
    ("ex:univ", "a", "org:Organization"), ("ex:univ", "rdfs:label", _zh("江州大学")),
    ("ex:univ", "skos:prefLabel", '"Jiangzhou University"@en'),
    ("ex:meet", "a", "schema:Event"), ("ex:meet", "rdfs:label", _zh("江州数字化建设推进会")),
    ("ex:meet", "dcterms:date", f'"--10-29"^^<{XSD}gMonthDay>'), ("ex:meet", "schema:location", "ex:hall"),
    ("ex:hall", "a", "schema:Place"), ("ex:hall", "rdfs:label", _zh("江州大礼堂")),
    ("ex:role1", "a", "kg:EventRole"), ("ex:role1", "a", "kg:Fact"),
    ("ex:role1", "rdfs:label", _zh("张明：主持（江州数字化建设推进会）")), ("ex:role1", "kg:agent", "ex:zhang"),
    ("ex:role1", "kg:event", "ex:meet"), ("ex:role1", "kg:role", "kg:chair"),
    ("ex:role1", "prov:wasDerivedFrom", "ex:ev3"),
    ("ex:agr", "a", "kg:Agreement"), ("ex:agr", "a", "kg:Fact"), ("ex:agr", "rdfs:label", _zh("战略合作协议")),
    ("ex:agr", "kg:party", "ex:cmte"), ("ex:agr", "kg:party", "ex:univ"), ("ex:agr", "kg:signedAt", "ex:meet"),
    ("ex:agr", "prov:wasDerivedFrom", "ex:ev3"),
    # the build's evidence shape: the evidence node is the selector
    ("ex:ev2", "a", "kg:Evidence"), ("ex:ev2", "oa:exact", '"中共江州市委书记张明出席会议。"'),
    ("ex:ev2", "oa:start", '"40"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("ex:ev2", "oa:end", '"55"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("ex:ev2", "kg:inArticle", "ex:art2"), ("ex:ev2", "dcterms:source", "ex:doc1"),
    ("ex:ev3", "a", "kg:Evidence"), ("ex:ev3", "kg:inArticle", "ex:art3"),
    ("ex:ev3", "oa:exact", '"10月29日，江州数字化建设推进会召开，张明主持会议，中共江州市委与江州大学签署战略合作协议。"'),
    # Web Annotation's nested shape, as other tools write it
    ("ex:ev1", "oa:hasTarget", "ex:ev1t"), ("ex:ev1t", "oa:hasSource", "ex:art1"),
    ("ex:ev1t", "oa:hasSelector", "ex:ev1s"), ("ex:ev1s", "oa:exact", '"江州市长张明在会上讲话。"'),
    ("ex:art1", "a", "schema:NewsArticle"), ("ex:art1", "dcterms:title", _zh("江州召开新春工作会")),
    ("ex:art1", "dcterms:date", f'"2023-01-10"^^<{XSD}date>'),
    ("ex:art2", "a", "schema:NewsArticle"), ("ex:art2", "dcterms:title", _zh("江州市委召开全会")),
    ("ex:art2", "dcterms:date", f'"2023-05-02"^^<{XSD}date>'),
    ("ex:art3", "a", "schema:NewsArticle"), ("ex:art3", "dcterms:title", _zh("江州推进数字化建设")),
    ("ex:art3", "dcterms:date", f'"2023-10-29"^^<{XSD}date>'),
]
EVIDENCE_NQ = _nq(FACTS)
CANNED = """# Research question: Who holds which post?
# 研究问题：谁担任什么职务？
SELECT ?person ?post WHERE { ?post <http://www.w3.org/ns/org#heldBy> ?person }
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    (root / "queries").mkdir()
    (root / "queries" / "posts.rq").write_text(CANNED, encoding="utf-8")
    make_store(root, EVIDENCE_NQ)
    return root


@pytest.fixture(scope="module")
def client(build):
    opts = ServeOptions(workers=2, timeout=10, queries_dir=build / "queries")
    with TestClient(create_app(build, opts)) as c:
        yield c


def page(client, iri, lang="zh", path="/entity", **params):
    r = client.get(path, params={"iri": iri, "lang": lang, **params}, headers={"accept": "text/html"})
    return r, BeautifulSoup(r.text, "html.parser")


def entity_links(soup):
    """(IRI, link text) of every link to an entity page."""
    out = []
    for a in soup.select("a[href^='/entity?']"):
        iri = parse_qs(urlparse(a["href"]).query).get("iri", [""])[0]
        if "format" not in a["href"]:
            out.append((iri, a.get_text(strip=True)))
    return out


@pytest.mark.parametrize("lang,needle", [("zh", "智慧城市治理知识图谱"), ("en", "Smart-city governance")])
def test_serve_pages_index_in_both_languages(client, lang, needle):
    r = client.get("/", params={"lang": lang})
    assert r.status_code == 200 and needle in r.text
    assert "{{" not in r.text and 'id="questions"' in r.text and 'id="q"' in r.text


def test_serve_pages_language_from_accept_language(client):
    assert "Run query" in client.get("/", headers={"accept-language": "en-GB,en"}).text
    assert "运行查询" in client.get("/", headers={"accept-language": "zh-CN"}).text


@pytest.mark.parametrize("lang,first", [("zh", "谁担任什么职务？"), ("en", "Who holds which post?")])
def test_serve_pages_canned_question_in_the_page_language(client, lang, first):
    [q] = client.get("/api/queries", params={"lang": lang}).json()
    assert q["name"] == "posts" and q["question"] == first
    assert q["questions"] == {"zh": "谁担任什么职务？", "en": "Who holds which post?"}
    assert "heldBy" in q["query"]


@pytest.mark.parametrize("path,status", [
    ("/static/app.js", 200), ("/static/entity.js", 200), ("/static/vendor/vis-network.min.js", 200),
    ("/static/..%2Fpages.py", 404), ("/static/vendor/..%2F..%2Fpages.py", 404), ("/static/nope.js", 404),
])
def test_serve_pages_static_files_and_nothing_outside(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    if status == 200:
        assert r.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_serve_pages_unknown_entity_is_404(client, accept):
    r = client.get("/entity", params={"iri": f"{EX}nobody", "lang": "zh"}, headers={"accept": accept})
    assert r.status_code == 404
    if accept == "text/html":
        assert "未找到该实体" in r.text and f"{EX}nobody" in r.text


def test_serve_pages_entity_rejects_bad_iri(client):
    assert client.get("/entity", params={"iri": "x> } DROP ALL"}).status_code == 400
    assert client.get("/evidence", params={"iri": "no scheme"}).status_code == 400


@pytest.mark.parametrize("iri", ["zhang", "post1", "meet", "agr", "cmte"])
def test_serve_pages_entity_links_show_names_not_hashes(client, iri):
    r, soup = page(client, EX + iri)
    assert r.status_code == 200
    links = entity_links(soup)
    assert links
    for target, text in links:
        assert text and text != short(target), f"link to {target} shows {text!r}"


def test_serve_pages_person_tables(client):
    _, soup = page(client, EX + "zhang")
    posts = [[td.get_text(strip=True) for td in tr.select("td")] for tr in soup.select("#posts tbody tr")]
    assert [p[0] for p in posts] == ["江州市长", "江州市委书记"]  # first stated 2023-01-10, then 2023-05-02
    assert posts[1][1] == "中共江州市委" and posts[1][2] == "2023-05-02" and posts[1][4] == "1 句"
    events = [[td.get_text(strip=True) for td in tr.select("td")] for tr in soup.select("#events tbody tr")]
    assert events == [["江州数字化建设推进会", "主持", "2023-10-29", "1 句"]]
    assert soup.select_one("#events a.ev-link")["href"].startswith("/evidence?iri=http%3A%2F%2Fexample.org%2Frole1")


def test_serve_pages_body_tables(client):
    _, soup = page(client, EX + "cmte", "en")
    people = [tr.select("td")[1].get_text(strip=True) for tr in soup.select("#posts tbody tr")]
    assert people == ["张明"]
    agreements = [td.get_text(strip=True) for td in soup.select("#agreements tbody tr td")]
    assert agreements[:2] == ["战略合作协议", "party"]
    bodies = [tr.select("td")[0].get_text(strip=True) for tr in soup.select("#bodies tbody tr")]
    assert bodies == ["Jiangzhou University"]  # the other party, named in English on the English page


@pytest.mark.parametrize("lang,type_name,prop,date", [
    ("zh", "活动", "地点", "10月29日"), ("en", "event", "location", "Oct 29")])
def test_serve_pages_labels_and_dates_in_page_language(client, lang, type_name, prop, date):
    r, soup = page(client, EX + "meet", lang)
    assert type_name in soup.select_one("p.types").get_text()
    statements = {tr.select("td")[0].get_text(strip=True): tr.select("td")[1].get_text(strip=True)
                  for tr in soup.select("#statements table")[0].select("tbody tr")}
    assert statements[prop] == "江州大礼堂" and date in statements.values()
    assert "--10-29" not in r.text


@pytest.mark.parametrize("value,datatype,lang,text", [
    ("--10-29", "gMonthDay", "zh", "10月29日"), ("--10-29", "gMonthDay", "en", "Oct 29"),
    ("--03", "gMonth", "zh", "3月"), ("---07", "gDay", "zh", "7日"), ("2025-10", "gYearMonth", "en", "Oct 2025"),
    ("2025-10-29", "date", "zh", "2025-10-29"), ("--13-01", "gMonthDay", "en", "--13-01"),
])
def test_serve_pages_literal_text(value, datatype, lang, text):
    assert literal_text(value, XSD + datatype, lang) == text


def test_serve_pages_network_data_collapses_evidence(client):
    _, soup = page(client, EX + "zhang")
    data = json.loads(soup.select_one("#network-data").string)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels[EX + "zhang"] == "张明" and labels[EX + "meet"] == "江州数字化建设推进会"
    assert not any("ev" in short(i) for i in labels)  # evidence nodes are never drawn
    role = next(e for e in data["edges"] if e["to"] == EX + "meet")
    assert role["label"] == "主持 · 1 句" and "/evidence?iri=http%3A%2F%2Fexample.org%2Frole1" in role["url"]
    assert all(n["url"].startswith("/entity?iri=") for n in data["nodes"])


def test_serve_pages_agreement_is_a_node_between_its_parties(client):
    _, soup = page(client, EX + "univ")
    data = json.loads(soup.select_one("#network-data").string)
    ends = {(e["from"], e["to"]) for e in data["edges"]}
    assert (EX + "agr", EX + "cmte") in ends and (EX + "agr", EX + "meet") in ends


def test_serve_pages_evidence_page_highlights_and_dates(client):
    r, soup = page(client, EX + "post1", path="/evidence")
    assert r.status_code == 200
    item = soup.select_one("li.evidence")
    assert [m.get_text() for m in item.select("mark")] == ["中共江州市委", "张明"]
    assert item.select_one("a.article").get_text() == "江州市委召开全会"
    assert item.select_one(".date").get_text() == "2023-05-02"


def test_serve_pages_evidence_in_nested_web_annotation_shape(client):
    _, soup = page(client, EX + "post2", "en", path="/evidence")
    item = soup.select_one("li.evidence")
    assert "江州市长张明在会上讲话。" in item.get_text()
    assert item.select_one("a.article").get_text() == "江州召开新春工作会"
    assert item.select_one(".date").get_text() == "2023-01-10"


@pytest.mark.parametrize("offset,first,prev,next_", [(0, "江州推进数字化建设", False, True),
                                                     (1, "江州市委召开全会", True, True),
                                                     (2, "江州召开新春工作会", True, False)])
def test_serve_pages_evidence_paging_newest_first(client, offset, first, prev, next_):
    _, soup = page(client, EX + "zhang", path="/evidence", limit=1, offset=offset)
    assert soup.select_one("li.evidence a.article").get_text() == first
    assert bool(soup.select_one("#prev")) is prev and bool(soup.select_one("#next")) is next_
    assert "/ 3" in soup.select_one("p.pager").get_text()


def test_serve_pages_entity_evidence_section_links_to_sentences(client):
    _, soup = page(client, EX + "zhang")
    texts = [li.select_one("q").get_text() for li in soup.select("#evidence li.evidence")]
    assert len(texts) == 3 and texts[0].startswith("10月29日")  # newest article first
    assert all(li.select_one("mark").get_text() == "张明" for li in soup.select("#evidence li.evidence"))


def test_serve_pages_names_api(client):
    r = client.post("/api/names", params={"lang": "zh"},
                    json={"iris": [EX + "zhang", ORG + "heldBy", KG + "chair", "not an iri", EX + "univ"]})
    assert r.status_code == 200
    assert r.json()["names"] == {EX + "zhang": "张明", ORG + "heldBy": "任职者", KG + "chair": "主持",
                                 EX + "univ": "江州大学"}
    assert client.post("/api/names", json={"iris": "x"}).status_code == 400
    assert client.post("/api/names", content=b"{").status_code == 400


@pytest.mark.parametrize("q,entity,sentences", [("张市长", EX + "zhang", 0), ("签署", None, 1),
                                                ("江州大学", EX + "univ", 1)])
def test_serve_pages_find_fallback(client, q, entity, sentences):
    doc = client.get("/api/find", params={"q": q}).json()
    assert [e["iri"] for e in doc["entities"]][:1] == ([entity] if entity else [])
    assert all(e["name"] in ("张明", "江州大学") for e in doc["entities"])  # the label, not the alias
    assert len(doc["sentences"]) == sentences
    for s in doc["sentences"]:
        assert q in s["text"] and s["evidence"].startswith(EX)


@pytest.mark.parametrize("accept,fmt,media,needle", [
    ("text/turtle", None, "text/turtle", "张明"),
    ("application/ld+json", None, "application/ld+json", '"@id"'),
    ("text/html", "turtle", "text/turtle", "张明"),
])
def test_serve_pages_entity_content_negotiation(client, accept, fmt, media, needle):
    params = {"iri": f"{EX}zhang", **({"format": fmt} if fmt else {})}
    r = client.get("/entity", params=params, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert needle in r.text
