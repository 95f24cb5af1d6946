"""The web page: canned queries, entity pages (content-negotiated), evidence, Graphviz SVG."""
from __future__ import annotations

import shutil

import pytest

pytest.importorskip("starlette")
pyoxigraph = pytest.importorskip("pyoxigraph")
from starlette.testclient import TestClient  # noqa: E402

from kg.serve import ServeOptions, create_app  # noqa: E402
from test_serve import make_store  # noqa: E402

EX = "http://example.org/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
G = f"<{EX}doc/a1>"
EVIDENCE_NQ = f"""
<{EX}yuan> <{RDFS}label> "袁家军"@zh {G} .
<{EX}yuan> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Person> {G} .
<{EX}post1> <http://www.w3.org/ns/org#heldBy> <{EX}yuan> {G} .
<{EX}post1> <{RDFS}label> "重庆市委书记"@zh {G} .
<{EX}post1> <{PROV}wasDerivedFrom> <{EX}ev1> {G} .
<{EX}ev1> <{OA}hasTarget> <{EX}ev1t> {G} .
<{EX}ev1t> <{OA}hasSource> <{EX}article/a1> {G} .
<{EX}ev1t> <{OA}hasSelector> <{EX}ev1s> {G} .
<{EX}ev1s> <{OA}exact> "市委书记袁家军出席会议并讲话" {G} .
<{EX}article/a1> <http://purl.org/dc/terms/title> "数字重庆建设大会召开" {G} .
"""
CANNED = """# Research question: 谁担任什么职务？ Who holds which post?
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


@pytest.mark.parametrize("lang,needle", [("zh", "智慧城市治理知识图谱"), ("en", "Smart-city governance")])
def test_serve_pages_index_in_both_languages(client, lang, needle):
    r = client.get("/", params={"lang": lang})
    assert r.status_code == 200 and needle in r.text
    assert "{{" not in r.text


def test_serve_pages_language_from_accept_language(client):
    assert "Run query" in client.get("/", headers={"accept-language": "en-GB,en"}).text
    assert "运行查询" in client.get("/", headers={"accept-language": "zh-CN"}).text


def test_serve_pages_canned_queries_with_question(client):
    [q] = client.get("/api/queries").json()
    assert q["name"] == "posts" and q["question"].startswith("谁担任")
    assert "heldBy" in q["query"]


def test_serve_pages_static(client):
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/..%2Fapp.py").status_code == 404


def test_serve_pages_entity_html_has_labels_types_facts_evidence(client):
    r = client.get("/entity", params={"iri": f"{EX}post1", "lang": "en"}, headers={"accept": "text/html"})
    assert r.status_code == 200
    text = r.text
    assert "重庆市委书记" in text                       # label
    assert "市委书记袁家军出席会议并讲话" in text          # evidence sentence
    assert "数字重庆建设大会召开" in text                  # its source article
    assert "/entity?iri=http%3A%2F%2Fexample.org%2Fyuan" in text  # fact links to the person
    assert "Evidence sentences" in text
    person = client.get("/entity", params={"iri": f"{EX}yuan", "lang": "zh"}).text
    assert "Person" in person and "证据句子" in person
    assert "市委书记袁家军出席会议并讲话" in person       # evidence of the facts pointing here


@pytest.mark.parametrize("accept,fmt,media,needle", [
    ("text/turtle", None, "text/turtle", "袁家军"),
    ("application/ld+json", None, "application/ld+json", '"@id"'),
    ("text/html", "turtle", "text/turtle", "袁家军"),
])
def test_serve_pages_entity_content_negotiation(client, accept, fmt, media, needle):
    params = {"iri": f"{EX}yuan", **({"format": fmt} if fmt else {})}
    r = client.get("/entity", params=params, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert needle in r.text


def test_serve_pages_entity_rejects_bad_iri(client):
    assert client.get("/entity", params={"iri": "x> } DROP ALL"}).status_code == 400


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz (Debian package graphviz) not installed")
def test_serve_pages_neighbourhood_svg(client):
    r = client.get("/entity/graph.svg", params={"iri": f"{EX}yuan"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert "<svg" in r.text and "重庆市委书记" in r.text
