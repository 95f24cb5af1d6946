"""The SPARQL 1.1 Protocol endpoint, in process, over a tiny store built here."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("starlette")
pyoxigraph = pytest.importorskip("pyoxigraph")
from starlette.testclient import TestClient  # noqa: E402

from kg.serve import ServeOptions, create_app  # noqa: E402

EX = "http://example.org/"
NQUADS = f"""
<{EX}cq> <http://www.w3.org/2000/01/rdf-schema#label> "数字重庆"@zh <{EX}doc1> .
<{EX}cq> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Initiative> <{EX}doc1> .
<{EX}yuan> <http://www.w3.org/2000/01/rdf-schema#label> "袁家军"@zh <{EX}doc1> .
<{EX}yuan> <{EX}holds> <{EX}post1> <{EX}doc2> .
<{EX}post1> <{EX}count> "6"^^<http://www.w3.org/2001/XMLSchema#integer> <{EX}doc2> .
"""


def make_store(tmp_path, nquads: str = NQUADS):
    path = tmp_path / "store"
    store = pyoxigraph.Store(str(path))
    store.bulk_load(nquads.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    del store
    return tmp_path


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    build = make_store(tmp_path_factory.mktemp("build"))
    with TestClient(create_app(build, ServeOptions(workers=2, timeout=10))) as c:
        yield c


SELECT = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s"


def test_serve_get_select_json_uses_union_of_named_graphs(client):
    r = client.get("/sparql", params={"query": SELECT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    rows = r.json()["results"]["bindings"]
    assert [b["label"]["value"] for b in rows] == ["数字重庆", "袁家军"]
    assert rows[0]["label"]["xml:lang"] == "zh"


def test_serve_post_form_and_direct(client):
    r1 = client.post("/sparql", data={"query": SELECT})
    r2 = client.post("/sparql", content=SELECT.encode(),
                     headers={"content-type": "application/sparql-query"})
    assert r1.status_code == r2.status_code == 200
    assert r1.json() == r2.json()


@pytest.mark.parametrize("accept,fmt,media,needle", [
    ("application/sparql-results+xml", None, "application/sparql-results+xml", "<literal xml:lang"),
    ("text/csv", None, "text/csv", "s,label"),
    ("text/tab-separated-values", None, "text/tab-separated-values", "?s\t?label"),
    ("text/html", "csv", "text/csv", "数字重庆"),
    (None, "json", "application/sparql-results+json", '"bindings"'),
])
def test_serve_select_formats(client, accept, fmt, media, needle):
    params = {"query": SELECT, **({"format": fmt} if fmt else {})}
    r = client.get("/sparql", params=params, headers={"accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert needle in r.text


@pytest.mark.parametrize("accept,media,needle", [
    ("text/turtle", "text/turtle", "数字重庆"),
    ("application/n-triples", "application/n-triples", f"<{EX}cq>"),
    ("application/n-quads", "application/n-quads", f"<{EX}cq>"),
    ("application/trig", "application/trig", "数字重庆"),
    ("application/ld+json", "application/ld+json", '"@id"'),
    ("application/rdf+xml", "application/rdf+xml", "rdf:RDF"),
])
def test_serve_construct_formats(client, accept, media, needle):
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    r = client.get("/sparql", params={"query": q}, headers={"accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert needle in r.text


def test_serve_describe_and_ask(client):
    r = client.get("/sparql", params={"query": f"DESCRIBE <{EX}cq>"}, headers={"accept": "text/turtle"})
    assert r.status_code == 200 and "数字重庆" in r.text
    r = client.get("/sparql", params={"query": f"ASK {{ <{EX}yuan> <{EX}holds> ?p }}"})
    assert r.json()["boolean"] is True


def test_serve_named_graph_stays_named(client):
    q = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}yuan> <{EX}holds> ?p }} }}"
    r = client.get("/sparql", params={"query": q})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [f"{EX}doc2"]
    q2 = f"SELECT (COUNT(*) AS ?n) FROM <{EX}doc2> WHERE {{ ?s ?p ?o }}"
    r2 = client.get("/sparql", params={"query": q2})
    assert r2.json()["results"]["bindings"][0]["n"]["value"] == "2"


def test_serve_malformed_query_is_400_with_position(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "1:" in r.text and "error" in r.text


def test_serve_cors(client):
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "http://other.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = client.options("/sparql", headers={"origin": "http://x.example",
                                              "access-control-request-method": "POST"})
    assert pre.status_code == 200


def test_serve_service_description(client):
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    assert "sparql-service-description#Service" in r.text or "sd:Service" in r.text
    assert f"{EX}doc1" in r.text


def test_serve_void(client):
    r = client.get("/.well-known/void", headers={"accept": "application/n-triples"})
    assert r.status_code == 200
    assert '<http://rdfs.org/ns/void#triples> "5"' in r.text
    assert f"<{EX}doc2>" in r.text


def test_serve_not_acceptable(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"accept": "image/png"})
    assert r.status_code == 406


@pytest.mark.parametrize("method,kwargs,status", [
    ("put", {"params": {"query": "ASK {}"}}, 405),
    ("get", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("post", {"content": b"ASK {}", "headers": {"content-type": "text/plain"}}, 415),
    ("post", {"content": b"ASK {}"}, 400),
    ("post", {"content": b"ASK {}", "headers": {"content-type": "application/sparql-query; charset=UTF-16"}}, 415),
])
def test_serve_bad_requests(client, method, kwargs, status):
    assert getattr(client, method)("/sparql", **kwargs).status_code == status


def test_serve_row_cap_truncates_and_flags(tmp_path):
    build = make_store(tmp_path)
    with TestClient(create_app(build, ServeOptions(workers=1, max_rows=2))) as c:
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert r.status_code == 200
        assert len(r.json()["results"]["bindings"]) == 2
        assert r.headers["x-kg-truncated"].startswith("true")
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 2"})
        assert "x-kg-truncated" not in r.headers


def test_serve_accepts_in_memory_store():
    store = pyoxigraph.Store()
    store.bulk_load(NQUADS.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    with TestClient(create_app(store, ServeOptions(workers=1))) as c:
        r = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
        assert json.loads(r.text)["results"]["bindings"][0]["n"]["value"] == "5"


@pytest.mark.parametrize("fmt,count", [
    ("json", lambda r: len(r.json()["results"]["bindings"])),
    ("xml", lambda r: r.text.count("<result>")),
    ("csv", lambda r: len(r.text.strip().split("\r\n")) - 1),
    ("tsv", lambda r: len(r.text.strip().split("\n")) - 1),
])
def test_serve_row_cap_in_every_results_format(tmp_path, fmt, count):
    """pyoxigraph writes the results; past the cap the answer is cut to exactly max-rows rows."""
    build = make_store(tmp_path)
    with TestClient(create_app(build, ServeOptions(workers=1, max_rows=3))) as c:
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } ORDER BY ?s ?p ?o", "format": fmt})
        assert r.status_code == 200 and count(r) == 3
        assert r.headers["x-kg-truncated"] == "true; max-rows=3"
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 3", "format": fmt})
        assert count(r) == 3 and "x-kg-truncated" not in r.headers


def test_serve_results_with_braces_and_newlines_in_literals(tmp_path):
    nq = NQUADS + f'<{EX}x> <{EX}note> "a {{ b }}\\n<result>\\r\\nc,\\"d\\"" <{EX}doc3> .\n'
    with TestClient(create_app(make_store(tmp_path, nq), ServeOptions(workers=1, max_rows=6))) as c:
        q = f"SELECT ?o WHERE {{ <{EX}x> ?p ?o }}"
        for fmt in ("json", "xml", "csv", "tsv"):
            r = c.get("/sparql", params={"query": q, "format": fmt})
            assert r.status_code == 200 and "x-kg-truncated" not in r.headers, fmt
        assert r.text.count("\n") == 2
        r = c.get("/sparql", params={"query": q, "format": "json"})
        assert r.json()["results"]["bindings"][0]["o"]["value"] == 'a { b }\n<result>\r\nc,"d"'


def test_serve_safety_checks_are_remembered_but_graphs_checked_each_time(client):
    q = f"SELECT * FROM <{EX}doc9> WHERE {{ ?s ?p ?o }}"
    for _ in range(2):  # the refusal holds on the second, remembered, check too
        assert client.get("/sparql", params={"query": q}).status_code == 403
    for _ in range(2):
        r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"})
        assert r.status_code == 403 and "SERVICE" in r.text


def test_serve_csv_cut_keeps_quoted_line_breaks():
    from kg.serve.worker import _cut_csv

    body = b's,o\r\nhttp://a,"x\r\ny"\r\nhttp://b,z\r\nhttp://c,w\r\n'
    headers: dict = {}
    assert _cut_csv(body, 1, headers) == b's,o\r\nhttp://a,"x\r\ny"\r\n'
    assert headers["X-KG-Truncated"] == "true; max-rows=1"
    headers = {}
    assert _cut_csv(body, 3, headers) == body and not headers


def _kg_build(src, out) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "kg", "build", str(src), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _graph_count(client) -> tuple[int, str, str]:
    r = client.get("/sparql", params={"query": GRAPHS})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"]), r.headers["x-kg-build"], r.headers["x-kg-cache"]


def test_serve_reopens_a_rebuilt_folder(tmp_path, monkeypatch, caplog):
    """Serve a build, rebuild into the folder with one more source: the next request is
    answered from the new build (new workers, empty answer cache, X-KG-Build changes), the
    old workers close once the requests pinned to them are done, and the server logs it."""
    from kg.errors import BuildError
    from kg.serve import endpoint as endpoint_module

    src, build = tmp_path / "src", tmp_path / "build"
    src.mkdir()
    (src / "a.txt").write_text("重庆市委书记袁家军出席会议并讲话。\n", encoding="utf-8")
    _kg_build(src, build)
    with TestClient(create_app(build, ServeOptions(workers=1, timeout=20))) as c:
        ep = c.app.state.endpoint
        n1, build1, _ = _graph_count(c)
        assert _graph_count(c)[2] == "hit"
        in_flight = ep.pin()  # as a request still running on the old build
        (src / "b.txt").write_text("市长胡衡华主持会议，王炯出席。\n", encoding="utf-8")
        _kg_build(src, build)
        with caplog.at_level("WARNING", logger="kg.serve"):
            n2, build2, how = _graph_count(c)
        assert n2 > n1 and build2 != build1 and how == "miss"
        assert f"reopened {build} (build {build2})" in caplog.text
        assert in_flight.retired and in_flight.pool.alive > 0
        ep.unpin(in_flight)
        assert in_flight.pool.alive == 0
        # A build that cannot be opened: the server says so and keeps serving the one it has.
        monkeypatch.setattr(endpoint_module, "build_id", lambda _dir: "broken-build")
        monkeypatch.setattr(endpoint_module, "source_of", lambda _dir: (_ for _ in ()).throw(
            BuildError("no store")))
        with caplog.at_level("WARNING", logger="kg.serve"):
            assert _graph_count(c)[:2] == (n2, build2)
        assert "could not reopen" in caplog.text and "still serving build " + build2 in caplog.text


def _send_then_die(conn, body: bytes, cut: int | None) -> None:  # runs in a child process
    from kg.serve import worker

    if cut is None:
        worker._send(conn, ("ok", "application/x-test", body, {"X-Test": "1"}))
    else:  # announce the whole body, write part of it, die
        import os

        conn.send(("ok-raw", "application/x-test", {}, len(body)))
        os.write(conn.fileno(), body[:cut])
    conn.close()


@pytest.mark.parametrize("cut", [None, 1000])
def test_serve_worker_body_crosses_the_pipe_whole_or_is_eof(cut):
    """A body many times the pipe's buffer arrives byte for byte; a worker that dies in the
    middle of one is an EOF (the pool restarts it), never a short answer."""
    import multiprocessing

    from kg.serve import worker

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    body = bytes(range(256)) * 20_000 + "终".encode()  # 5 MB, odd length
    proc = ctx.Process(target=_send_then_die, args=(child, body, cut))
    proc.start()
    child.close()
    try:
        if cut is None:
            assert worker._recv(parent) == ("ok", "application/x-test", body, {"X-Test": "1"})
        else:
            with pytest.raises(EOFError):
                worker._recv(parent)
    finally:
        proc.join(10)
