"""Safety of the read-only endpoint: refusals decided on a parse of the query, workers that
cannot reach the network, body, nesting and pattern limits, time limit, size cap."""
from __future__ import annotations

import itertools
import socket
import sys
import threading
import time

import pytest

pytest.importorskip("starlette")
pyoxigraph = pytest.importorskip("pyoxigraph")
from starlette.testclient import TestClient  # noqa: E402

from kg.serve import ServeOptions, create_app  # noqa: E402
from kg.serve import safety  # noqa: E402
from kg.serve.app import Endpoint  # noqa: E402
from kg.serve.safety import Remembered, check_text  # noqa: E402
from kg.serve.pool import WorkerPool  # noqa: E402
from kg.serve.worker import Source  # noqa: E402

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
    "SELECT * FROM<file:///etc/passwd> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED<file:///etc/passwd> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "SELECT ?leak WHERE {{ ?s ?p ?o .SERVICE <{u}x> {{ ?leak ?b ?c }} }}",
    "PREFIX ex: <http://e/> SELECT ?leak WHERE {{ VALUES ?v {{ ex:a\\# }} SERVICE <{u}x> {{ ?leak ?b ?c }} }}",
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


def test_serve_safety_check_text_unit():
    assert check_text("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")[0::2] == ("refused", 403)
    assert check_text("SELECT * WHERE { ?s ?p }")[0::2] == ("refused", 400)
    assert check_text("CLEAR ALL")[0::2] == ("refused", 403)
    q = (r"BASE <http://b/> PREFIX r: <http://x/> PREFIX : <rel/> "
         r"SELECT * FROM r:da\.ta FROM NAMED <g> FROM :h WHERE { ?s ?p ?o }")
    assert check_text(q) == ("ok", ("http://x/da.ta", "http://b/g", "http://b/rel/h"))
    assert check_text("SELECT * FROM<file:///etc/passwd> { ?s ?p ?o }") == ("ok", ("file:///etc/passwd",))
    with pytest.raises(safety.Refused, match="no such graph"):
        safety.check_graphs(("http://x/",), lambda g: False, "FROM")


# A generated family of disguises for SERVICE: after `.`, `}` or `;` without a space, in any
# case, spelled with \u escapes, behind comments and strings holding `#`, `"`, `<`, `}`, after
# names with escaped characters, inside FILTER NOT EXISTS and subqueries. Each must be refused
# (400 or 403) and the listener must see nothing. "{u}" is the listener's URL.
KEYWORDS = ["SERVICE", "service", "SeRvIcE", r"\u0053ERVICE", r"SERVIC\u0045", r"\U00000053ervice",
            "SERVICE SILENT", "service\tsilent"]
BEFORE = ["?s ?p ?o .", "{ ?s ?p ?o }", "OPTIONAL { ?s ?p ?o }", "?s ?p ?o ;", "FILTER(true)",
          "BIND(1 AS ?one)", "?s ?p ?o . # } comment \" <\n", r'?s ?p "#}\\\"" .',
          "?s ?p '''a ' # }''' .", r"?s ex:a\# ?o .", r"?s ex:a\.b ?o .", r"VALUES ?v { ex:a\# }",
          "?s <{u}#x> ?o .", "# SERVICE\n"]
AROUND = ["SELECT ?leak WHERE { %s%s <{u}x> { ?leak ?q ?r } }",
          "ASK { FILTER NOT EXISTS { %s%s <{u}x> { ?leak ?q ?r } } }",
          "SELECT * { { SELECT ?leak { %s%s <{u}x> { ?leak ?q ?r } } } }",
          "SELECT * { %s%s ex:x { ?leak ?q ?r } }"]


def _disguises() -> list[str]:
    """Every keyword in the first shape; every prefix and shape with three spellings."""
    cases = [(k, BEFORE[0], AROUND[0]) for k in KEYWORDS]
    cases += list(itertools.product(KEYWORDS[1:4], BEFORE, AROUND))
    return ["PREFIX ex: <{u}> " + around % (before, kw) for kw, before, around in cases]


DISGUISES = _disguises()


@pytest.mark.parametrize("template", DISGUISES)
def test_serve_safety_disguised_service_never_connects(client, listener, template):
    url, hits = listener
    query = template.replace("{u}", url)
    answer = check_text(query)
    assert answer[0] == "refused", answer
    r = client.post("/sparql", data={"query": query})
    assert r.status_code in (400, 403), (r.status_code, r.text)
    time.sleep(0.05)
    assert hits == []


LEAKS = ["SELECT ?leak WHERE { ?s ?p ?o .SERVICE <{u}x> { ?leak ?b ?c } }",
         "SELECT * WHERE { SERVICE <{u}x> { ?s ?p ?o } }",
         "SELECT * { { SELECT ?s { SERVICE <{u}x> { ?s ?p ?o } } } }"]


def test_serve_safety_listener_sees_an_unguarded_service_call(listener):
    """The premise of these tests: pyoxigraph outside a worker does connect for SERVICE."""
    url, hits = listener
    with pytest.raises(OSError):
        list(pyoxigraph.Store().query(LEAKS[1].replace("{u}", url)))
    time.sleep(0.2)
    assert len(hits) == 1


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="layer 2 is Linux-only")


@linux_only
def test_serve_safety_worker_cannot_connect(listener):
    url, hits = listener
    port = int(url.rsplit(":", 1)[1].strip("/"))
    pool = WorkerPool(Source(nquads=NQUADS.encode()), size=1)
    try:
        assert pool.guard == (True, "seccomp")
        assert "not permitted" in pool.call("probe", {"address": ["127.0.0.1", port]}, 10)[1]
        for q in LEAKS:  # no parse check at all here: the text goes straight to the engine
            answer = pool.call("query", {"query": q.replace("{u}", url), "max_rows": 10}, 10)
            assert answer[0] == "error" and "not permitted" in answer[2], answer
    finally:
        pool.close()
    time.sleep(0.2)
    assert hits == []


@linux_only
def test_serve_safety_service_blocked_with_parse_layer_off(client, listener, monkeypatch):
    async def no_check(self, op, text):
        return ()

    monkeypatch.setattr(Endpoint, "check", no_check)
    url, hits = listener
    for q in LEAKS + DISGUISES[::7]:
        r = client.post("/sparql", data={"query": q.replace("{u}", url)})
        if r.status_code == 200:  # SERVICE SILENT: a failed call gives one empty solution
            assert "http" not in r.text, r.text
        else:
            assert r.status_code in (400, 500), (r.status_code, r.text)
    time.sleep(0.2)
    assert hits == []


def test_serve_safety_remembers_decisions_by_hash_only(client):
    ep = client.app.state.endpoint
    big = "SELECT * WHERE { ?s ?p ?o } " + "# padding\n" * 20_000  # 200 KB
    for i in range(5):
        assert client.post("/sparql", data={"query": big + f"#{i}"}).status_code == 200
    assert all(len(k) == 20 and len(repr(v)) < 300 for k, v in ep.remembered._items.items())
    small = Remembered(size=3)
    for i in range(10):
        small.put(small.key(str(i)), ("ok", ()))
    assert len(small._items) == 3


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
    "SELECT * WHERE { FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }",
    "SELECT * WHERE { " + " . ".join(f"?s{i} ?p ?o" for i in range(1100)) + " }",
    "SELECT * WHERE { " + " ".join(f"{{ ?s{i} ?p ?o }} UNION" for i in range(1100)) + " {} }",
], ids=["braces", "parens", "flat", "union"])
def test_serve_safety_nesting_and_pattern_limits_are_400(client, query):
    t0 = time.monotonic()
    r = client.post("/sparql", data={"query": query})
    assert r.status_code == 400 and ("deeply" in r.text or "patterns" in r.text), r.text
    assert time.monotonic() - t0 < 10


def test_serve_safety_body_limit_413_at_once(tmp_path):
    build = make_store(tmp_path)
    with TestClient(create_app(build, ServeOptions(workers=1, max_query_bytes=1000))) as c:
        r = c.post("/sparql", content=b"x" * 1001, headers={"content-type": "application/sparql-query"})
        assert r.status_code == 413 and "1001 bytes" in r.text

        def chunks():  # no Content-Length: stopped while reading
            for _ in range(100):
                yield b"#" * 100

        r = c.post("/sparql", content=chunks(), headers={"content-type": "application/sparql-query"})
        assert r.status_code == 413
        assert c.get("/sparql", params={"query": "ASK {}" + " " * 1000}).status_code == 414
        assert c.post("/sparql", data={"query": "ASK {}"}).status_code == 200


def test_serve_safety_crafted_and_huge_requests_do_not_stall_others(client):
    crafted = 'SELECT * WHERE { ?s ?p "' + '\\"' * 31_000 + " }"  # 63 KB
    huge = b"ASK {} #" + b"x" * (50 * 2**20)
    results: dict = {}

    def send(name, **kw):
        t0 = time.monotonic()
        r = client.post("/sparql", **kw)
        results[name] = (r.status_code, time.monotonic() - t0)

    threads = [threading.Thread(target=send, args=("crafted",), kwargs={"data": {"query": crafted}}),
               threading.Thread(target=send, args=("huge",), kwargs={
                   "content": huge, "headers": {"content-type": "application/sparql-query"}})]
    for t in threads:
        t.start()
    for _ in range(5):
        t0 = time.monotonic()
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        assert time.monotonic() - t0 < 1.0
    for t in threads:
        t.join(30)
    assert results["crafted"][0] == 400 and results["crafted"][1] < 5, results
    assert results["huge"][0] == 413 and results["huge"][1] < 5, results


def _big_build(tmp_path, n=1500):
    lines = "".join(f"<{EX}s{i}> <{EX}p{i % 7}> \"{i}\" <{EX}g{i % 3}> .\n" for i in range(n))
    return make_store(tmp_path, NQUADS + lines)


CROSS_SORT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f DESC(?i)"
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) (MAX(STR(?i)) AS ?m) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize("query", [CROSS_SORT, CROSS_COUNT])
def test_serve_safety_time_limit_stops_query_others_still_answer(tmp_path, query):
    limit = 2.0
    # One TestClient is one client: let it use both workers (fair sharing has its own tests).
    opts = ServeOptions(workers=2, timeout=limit, client_share=2)
    with TestClient(create_app(_big_build(tmp_path), opts)) as c:
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


def test_serve_safety_warns_when_workers_can_reach_the_network(tmp_path, monkeypatch, caplog):
    from kg.serve import endpoint as app_module  # where the pools are made

    class Unguarded(WorkerPool):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self.guard = (False, "not available on testos")

    monkeypatch.setattr(app_module, "WorkerPool", Unguarded)
    with caplog.at_level("WARNING", logger="kg.serve"):
        create_app(make_store(tmp_path), ServeOptions(workers=1)).state.endpoint.close()
    assert "can open network connections (not available on testos)" in caplog.text


@pytest.mark.parametrize("option,says", [("--max-query-bytes", "413"), ("--header-timeout", "408"),
                                          ("--timeout", "503")])
def test_serve_safety_cli_has_limits(option, says):
    from click.testing import CliRunner

    from kg.serve.cli import serve

    out = CliRunner().invoke(serve, ["--help"]).output
    line = next(x for x in out.splitlines() if x.strip().startswith(option + " "))
    assert says in line + out[out.index(line) + len(line):][:200]


def test_serve_safety_canned_queries_are_checked_at_startup(tmp_path):
    """The page's canned queries are parsed in the checkers once the server starts: their
    decisions are remembered before any request, and a refused one is not remembered as ok."""
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "ok.rq").write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    (folder / "bad.rq").write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }\n",
                                   encoding="utf-8")
    (tmp_path / "build").mkdir()
    build = make_store(tmp_path / "build")
    with TestClient(create_app(build, ServeOptions(workers=1, timeout=10, queries_dir=folder))) as c:
        ep = c.app.state.endpoint
        ok = ep.remembered.key("check\0" + (folder / "ok.rq").read_text(encoding="utf-8"))
        bad = ep.remembered.key("check\0" + (folder / "bad.rq").read_text(encoding="utf-8"))
        deadline = time.monotonic() + 20
        while (ep.remembered.get(ok) is None or ep.remembered.get(bad) is None) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ep.remembered.get(ok) == ("ok", ())
        assert ep.remembered.get(bad)[0] == "refused"
        assert c.post("/sparql", data={"query": (folder / "bad.rq").read_text(encoding="utf-8")}).status_code == 403
