"""`kg push` against a real `oxigraph serve` started on 127.0.0.1."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pyoxigraph = pytest.importorskip("pyoxigraph")

from kg.push import PushOptions, batches, push  # noqa: E402

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
EX = "http://example.org/"
NQUADS = f"""
<{EX}cq> <http://www.w3.org/2000/01/rdf-schema#label> "数字重庆"@zh <{EX}doc1> .
<{EX}cq> <{EX}parts> "6"^^<http://www.w3.org/2001/XMLSchema#integer> <{EX}doc1> .
<{EX}yuan> <{EX}holds> <{EX}post1> <{EX}doc2> .
<{EX}post1> <{EX}evidence> _:ev <{EX}doc2> .
_:ev <{EX}exact> "市委书记袁家军" <{EX}doc2> .
""" + "".join(f"<{EX}n{i}> <{EX}v> \"{i}\" <{EX}doc3> .\n" for i in range(1200))

CONTRACT = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    f"SELECT ?x WHERE {{ GRAPH ?g {{ <{EX}post1> <{EX}evidence> ?e . ?e <{EX}exact> ?x }} }}",
    f"SELECT ?l WHERE {{ GRAPH ?g {{ <{EX}cq> ?p ?l }} }} ORDER BY ?l",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def oxigraph_server(tmp_path):
    if not Path(OXIGRAPH).exists():
        pytest.skip("the oxigraph server (PyPI package oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "remote"),
                             "--bind", f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


def local_store():
    store = pyoxigraph.Store()
    store.bulk_load(NQUADS.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def remote_rows(base: str, query: str):
    url = base + "/query?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    doc = json.load(urllib.request.urlopen(req, timeout=10))
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def _local(store, query):
    res = store.query(query)
    names = [v.value for v in res.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in res]


@pytest.mark.parametrize("mode", ["gsp", "update"])
def test_push_matches_local_and_is_idempotent(oxigraph_server, mode):
    store = local_store()
    opts = (PushOptions(endpoint=oxigraph_server + "/store") if mode == "gsp"
            else PushOptions(update_endpoint=oxigraph_server + "/update", batch_triples=100))
    for _ in range(2):  # a second push replaces, never duplicates
        report = push(store, opts)
        assert report.triples == 1205
        assert [g.graph for g in report.graphs] == [f"{EX}doc1", f"{EX}doc2", f"{EX}doc3"]
    if mode == "update":
        assert report.graphs[2].requests == 1 + 12
    for q in CONTRACT:
        assert remote_rows(oxigraph_server, q) == _local(store, q), q


def test_push_retries_transient_then_reports(tmp_path):
    from kg.push import PushError

    port = free_port()  # nothing listens there: connection refused each time
    opts = PushOptions(endpoint=f"http://127.0.0.1:{port}/store", retries=2, backoff=0.01)
    t0 = time.monotonic()
    with pytest.raises(PushError, match="PUT"):
        push(local_store(), opts)
    assert time.monotonic() - t0 < 5


def test_push_batches_keep_blank_nodes_together():
    store = local_store()
    triples = [q.triple for q in store]
    parts = batches(triples, 100)
    assert all(len(b) <= 100 for b in parts[:-1])
    assert sum(map(len, parts)) == len(triples)
    assert all("_:" in str(t) for t in parts[-1])
