"""`kg push --update-endpoint` against a real Virtuoso (Debian's virtuoso-opensource) on 127.0.0.1.

The test writes its own virtuoso.ini into a temporary folder (fresh database, free ports on
127.0.0.1), starts ``virtuoso-t`` in the foreground, pushes a small real build (`kg build
seeds/`) by batched INSERT DATA with digest auth to /sparql-auth as dba/dba, and checks that the
remote answers contract queries (queries/*.rq) with the same set of rows as the local store.
Skipped when ``virtuoso-t`` is not installed.
"""
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
pytest.importorskip("SPARQLWrapper")

from kg.push import PushOptions, open_build, push  # noqa: E402

VIRTUOSO = shutil.which("virtuoso-t")
ROOT = Path(__file__).resolve().parents[1]
COMPARED = ["persons", "organizations", "places", "posts", "evidence"]

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 4
MaxKeepAlives = 4
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    if not VIRTUOSO:
        pytest.skip("virtuoso-t not installed (Debian: virtuoso-opensource-7-bin)")
    d = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    (d / "virtuoso.ini").write_text(INI.format(d=d, sql_port=sql_port, http_port=http_port))
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        for _ in range(600):  # a fresh database takes a few seconds to create
            if proc.poll() is not None:
                log = (d / "virtuoso.log").read_text(errors="replace")[-2000:] if (d / "virtuoso.log").exists() else ""
                pytest.fail(f"virtuoso-t exited with {proc.returncode}: {log}")
            try:
                urllib.request.urlopen(base + "/sparql?query=" + urllib.parse.quote("ASK {}"), timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("virtuoso-t did not answer on /sparql within 120 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    subprocess.run([sys.executable, "-m", "kg", "build", str(ROOT / "seeds"), "--out", str(out)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


def _value(b: dict) -> str:
    return b["value"]


def remote_rows(base: str, query: str, graphs: list[str]) -> set:
    # The build's graphs as the dataset: Virtuoso's own system graphs stay out of the answer.
    params = [("query", query)] + [("default-graph-uri", g) for g in graphs]
    req = urllib.request.Request(base + "/sparql", data=urllib.parse.urlencode(params).encode(),
                                 headers={"Accept": "application/sparql-results+json",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    doc = json.load(urllib.request.urlopen(req, timeout=60))
    return {tuple(sorted((k, _value(v)) for k, v in b.items())) for b in doc["results"]["bindings"]}


def local_rows(store, query: str) -> set:
    res = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return {tuple(sorted((n, s[n].value) for n in names if s[n] is not None)) for s in res}


def test_push_to_virtuoso_answers_contract_queries_like_local(virtuoso, build):
    opts = PushOptions(update_endpoint=virtuoso + "/sparql-auth", user="dba", password="dba",
                       auth="digest", batch_triples=200)
    for _ in range(2):  # a second push replaces each graph, never duplicates
        report = push(build, opts)
    store = open_build(build)
    assert report.triples == len(store)
    graphs = [g.graph for g in report.graphs]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote_rows(virtuoso, count, graphs) == {(("n", str(len(store))),)}
    for name in COMPARED:
        query = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
        local = local_rows(store, query)
        assert local, name
        assert remote_rows(virtuoso, query, graphs) == local, name
