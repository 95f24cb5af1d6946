"""Replays the W3C SPARQL 1.1 Protocol tests (shared/conformance/sparql11-protocol/manifest.ttl)
against `kg serve` in process. Query tests run on the read-only app; update tests on the
test-only writable mode. Run as a script to print the pass count.

The test dataset: the graphs each test names in ut:graphData, loaded from data1..3.nt, and the
names data0.rdf..data3.rdf declared as (possibly empty) graphs of the dataset, because the
server refuses dataset IRIs that are not graphs of its store (it never fetches).
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import Graph, Namespace, RDF, RDFS
from rdflib.collection import Collection

HERE = Path(__file__).resolve()
MANIFEST = next((p / "shared/conformance/sparql11-protocol/manifest.ttl"
                 for p in [*HERE.parents, Path("/work")]
                 if (p / "shared/conformance/sparql11-protocol/manifest.ttl").is_file()), None)
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
KASEI = "http://kasei.us/2009/09/sparql/data/data{}.rdf"
RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
             "application/n-quads", "application/trig")


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: str | None
    statuses: list[str]
    fmt: str | None
    boolean: bool | None


@dataclass
class Case:
    name: str
    title: str
    graphs: dict = field(default_factory=dict)   # graph IRI -> data file
    requests: list[Request] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.name.startswith("update_") or any(
            "sparql-update" in r.headers.get("content-type", "") or "update=" in (r.body or "")
            for r in self.requests)


def load_cases(manifest: Path = MANIFEST) -> list[Case]:
    g = Graph().parse(manifest, format="turtle")
    entries = Collection(g, g.value(predicate=RDF.type, object=MF.Manifest, any=True) and
                         g.value(next(g.subjects(RDF.type, MF.Manifest)), MF.entries))
    cases = []
    for test in entries:
        case = Case(str(test).rsplit("#", 1)[1], str(g.value(test, MF.name)))
        for gd in g.objects(test, UT.graphData):
            case.graphs[str(g.value(gd, RDFS.label))] = manifest.parent / str(g.value(gd, UT.graph)).rsplit("/", 1)[1]
        action = g.value(test, MF.action)
        for req in Collection(g, g.value(action, HT.requests)):
            headers = {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
                       for h in Collection(g, g.value(req, HT.headers))} if g.value(req, HT.headers) else {}
            body = g.value(req, HT.body)
            resp = g.value(req, HT.resp)
            boolean = g.value(resp, MF.expectedBoolean)
            case.requests.append(Request(
                str(g.value(req, HT.methodName)), str(g.value(req, HT.absolutePath)), headers,
                str(g.value(body, CNT.chars)) if body is not None else None,
                [str(s).rsplit("StatusCode", 1)[1] for s in g.objects(resp, MF.expectedStatus)],
                str(g.value(resp, MF.expectedFormat)) if g.value(resp, MF.expectedFormat) else None,
                None if boolean is None else boolean.toPython()))
        cases.append(case)
    return cases


def make_store(path: Path, case: Case) -> Path:
    store = pyoxigraph.Store(str(path / "store"))
    for i in range(4):
        store.add_graph(pyoxigraph.NamedNode(KASEI.format(i)))
    for name, file in case.graphs.items():
        store.load(path=str(file), format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(name))
    store.flush()
    del store
    return path


def _boolean(resp) -> bool | None:
    ctype = resp.headers.get("content-type", "")
    if "json" in ctype:
        return json.loads(resp.text).get("boolean")
    m = re.search(r"<boolean>\s*(true|false)\s*</boolean>", resp.text)
    return None if m is None else m.group(1) == "true"


def check(req: Request, resp) -> str | None:
    """None if the response meets the expectation, else why not."""
    if f"{resp.status_code // 100}xx" not in req.statuses:
        return f"status {resp.status_code}, expected {req.statuses}: {resp.text[:200]}"
    ctype = resp.headers.get("content-type", "")
    if req.fmt == "boolean" and _boolean(resp) is None:
        return f"no boolean in {ctype}"
    if req.fmt == "tabular" and not ctype.startswith(RESULT_TYPES):
        return f"{ctype} is not a results format"
    if req.fmt == "RDF" and not ctype.startswith(RDF_TYPES):
        return f"{ctype} is not an RDF format"
    if req.boolean is not None and _boolean(resp) != req.boolean:
        return f"boolean {_boolean(resp)}, expected {req.boolean}"
    return None


def run_case(case: Case, tmp: Path) -> str | None:
    from starlette.testclient import TestClient

    from kg.serve import ServeOptions, create_app

    build = make_store(tmp, case)
    opts = ServeOptions(workers=1, timeout=20, writable=case.is_update)
    with TestClient(create_app(build, opts)) as client:
        for i, req in enumerate(case.requests):
            content = req.body.encode("utf-16" if "UTF-16" in req.headers.get("content-type", "") else "utf-8") \
                if req.body is not None else None
            resp = client.request(req.method, req.path, content=content, headers=req.headers)
            why = check(req, resp)
            if why:
                return f"request {i + 1}: {why}"
    return None


def main() -> int:
    import tempfile

    passed = failed = 0
    for case in load_cases():
        with tempfile.TemporaryDirectory() as tmp:
            why = run_case(case, Path(tmp))
        kind = "update" if case.is_update else "query"
        print(f"{'PASS' if why is None else 'FAIL'} [{kind}] {case.name}" + (f": {why}" if why else ""))
        passed, failed = passed + (why is None), failed + (why is not None)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))
    sys.exit(main())
