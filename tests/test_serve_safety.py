"""Safety of the read-only endpoint: refusals before evaluation, time limit, size cap."""
from __future__ import annotations

import socket
import threading
import time

import pytest

pytest.importorskip("starlette")
pyoxigraph = pytest.importorskip("pyoxigraph")
from starlette.testclient import TestClient  # noqa: E402

from kg.serve import ServeOptions, create_app  # noqa: E402
from kg.serve.safety import Refused, check_query  # noqa: E402

from test_serve import EX, NQUADS, make_store  # noqa: E402


@pytest.fixture()
def listener():
    """A TCP listener on 127.0.0.1 that records every connection it receives."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.1)
    hits: list = []
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                conn, addr = sock.accept()
            except (socket.timeout, OSError):
                continue
            hits.append(addr)
            conn.close()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/", hits
    stop.set()
    t.join()
    sock.close()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    build = make_store(tmp_path_factory.mktemp("build"))
    with TestClient(create_app(build, ServeOptions(workers=2, timeout=10))) as c:
        yield c


REFUSED = [
    "SELECT * WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{u}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ service <{u}> {{ ?s ?p ?o }} }} }} }}",
    "ASK {{ FILTER EXISTS {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "SELECT * FROM <{u}data.ttl> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{u}data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "PREFIX r: <{u}> SELECT * FROM r:data WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM <file:///etc/passwd> WHERE {{ ?s ?p ?o }}",
    "LOAD <{u}data.ttl>",
    "LOAD <{u}data.ttl> INTO GRAPH <{u}g>",
    "INSERT DATA {{ <{u}a> <{u}b> <{u}c> }}",
    "DELETE WHERE {{ ?s ?p ?o }}",
    "CLEAR ALL",
    "DROP GRAPH <{u}g>",
]


@pytest.mark.parametrize("template", REFUSED)
def test_serve_safety_refuses_before_evaluation(client, listener, template):
    url, hits = listener
    query = template.format(u=url)
    for send in (lambda: client.get("/sparql", params={"query": query}),
                 lambda: client.post("/sparql", data={"query": query}),
                 lambda: client.post("/sparql", data={"update": query})):
        r = send()
        assert 400 <= r.status_code < 500, (r.status_code, r.text)
        assert r.text.strip()
    time.sleep(0.2)
    assert hits == []


def test_serve_safety_refuses_remote_protocol_graphs(client, listener):
    url, hits = listener
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": url + "g"})
    assert r.status_code == 403 and "never fetches" in r.text
    r = client.get("/sparql", params={"query": "ASK {}", "named-graph-uri": "file:///etc/passwd"})
    assert r.status_code == 403
    assert hits == []


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p \"SERVICE <http://x/> LOAD\" }",
    "PREFIX load: <http://example.org/> SELECT * WHERE { ?s load:service ?o }  # SERVICE <http://x/>",
    f"SELECT * FROM <{EX}doc1> WHERE {{ ?s ?p ?o }}",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o != 'INSERT DATA') }",
])
def test_serve_safety_allows_lookalikes(client, query):
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text


def test_serve_safety_check_query_unit():
    with pytest.raises(Refused, match="SERVICE"):
        check_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", lambda g: True)
    with pytest.raises(Refused, match="no such graph"):
        check_query("SELECT * FROM <http://x/> { ?s ?p ?o }", lambda g: False)


def _big_build(tmp_path, n=1500):
    lines = "".join(f"<{EX}s{i}> <{EX}p{i % 7}> \"{i}\" <{EX}g{i % 3}> .\n" for i in range(n))
    return make_store(tmp_path, NQUADS + lines)


CROSS_SORT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f DESC(?i)"
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) (MAX(STR(?i)) AS ?m) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize("query", [CROSS_SORT, CROSS_COUNT])
def test_serve_safety_time_limit_stops_query_others_still_answer(tmp_path, query):
    limit = 2.0
    with TestClient(create_app(_big_build(tmp_path), ServeOptions(workers=2, timeout=limit))) as c:
        result = {}

        def heavy():
            t0 = time.monotonic()
            r = c.get("/sparql", params={"query": query})
            result.update(status=r.status_code, text=r.text, seconds=time.monotonic() - t0)

        t = threading.Thread(target=heavy)
        t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        quick = c.get("/sparql", params={"query": f"ASK {{ <{EX}yuan> ?p ?o }}"})
        assert quick.status_code == 200 and quick.json()["boolean"] is True
        assert time.monotonic() - t0 < 1.0
        t.join(30)
        assert result["status"] == 503, result
        assert "stopped" in result["text"]
        assert result["seconds"] < limit + 2
        # the killed worker is replaced: the server keeps answering
        time.sleep(1.0)
        for _ in range(4):
            assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
