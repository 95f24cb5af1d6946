"""Benchmark `kg serve` beside `oxigraph serve-read-only` on the same generated store.

    .venv/bin/python bench/serve.py [--docs 9200] [--requests 60] [--out bench/results/serve.json]

Generates a graph shaped like ours (one named graph per article; posts, agreements, events,
numbers as fact nodes; each fact with prov:wasDerivedFrom evidence carrying oa:exact text),
bulk-loads it into a pyoxigraph store, starts both servers on 127.0.0.1, and has 8 client
threads send a bounded number of requests (12 contract-style queries, 3 heavier ones) to each.
Reports p50/p99 latency per query class and requests/s. All traffic stays on loopback.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
K = "https://kg.example.org/"
P = f"""PREFIX kg: <{K}ns#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX schema: <http://schema.org/>
PREFIX dct: <http://purl.org/dc/terms/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def generate(path: Path, docs: int, seed: int = 7) -> int:
    """Write N-Quads; return the number of quads."""
    rnd = random.Random(seed)
    n = 0
    persons, orgs, inits = 3000, 1200, 400
    with path.open("w", encoding="utf-8") as out:
        def q(s, p, o, g):
            nonlocal n
            out.write(f"{s} {p} {o} {g} .\n")
            n += 1
        for d in range(docs):
            g, art = f"<{K}graph/doc{d}>", f"<{K}article/{d}>"
            date = f"20{rnd.randint(18, 24)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            q(art, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://schema.org/NewsArticle>", g)
            q(art, "<http://purl.org/dc/terms/title>", f'"数字重庆新闻 {d}"@zh', g)
            q(art, "<http://purl.org/dc/terms/date>", f'"{date}"^^<http://www.w3.org/2001/XMLSchema#date>', g)
            for f in range(10):
                fact, kind = f"<{K}fact/{d}-{f}>", f % 4
                p1, o1, o2, i1 = (rnd.randrange(persons), rnd.randrange(orgs), rnd.randrange(orgs),
                                  rnd.randrange(inits))
                for ent, label in ((f"<{K}person/{p1}>", f"人名{p1}"), (f"<{K}org/{o1}>", f"机构{o1}")):
                    q(ent, "<http://www.w3.org/2000/01/rdf-schema#label>", f'"{label}"@zh', g)
                if kind == 0:
                    q(fact, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/ns/org#Post>", g)
                    q(fact, "<http://www.w3.org/ns/org#heldBy>", f"<{K}person/{p1}>", g)
                    q(fact, "<http://www.w3.org/ns/org#postIn>", f"<{K}org/{o1}>", g)
                    q(fact, "<http://www.w3.org/2000/01/rdf-schema#label>", f'"书记{f}"@zh', g)
                elif kind == 1:
                    q(fact, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{K}ns#Agreement>", g)
                    q(fact, f"<{K}ns#party>", f"<{K}org/{o1}>", g)
                    q(fact, f"<{K}ns#party>", f"<{K}org/{o2}>", g)
                    q(fact, "<http://purl.org/dc/terms/date>", f'"{date}"^^<http://www.w3.org/2001/XMLSchema#date>', g)
                elif kind == 2:
                    q(fact, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://schema.org/Event>", g)
                    q(fact, f"<{K}ns#chairedBy>", f"<{K}person/{p1}>", g)
                    q(fact, "<http://schema.org/startDate>", f'"{date}"^^<http://www.w3.org/2001/XMLSchema#date>', g)
                else:
                    q(fact, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://schema.org/QuantitativeValue>", g)
                    q(fact, "<http://schema.org/value>", f'"{rnd.randint(1, 500)}"^^<http://www.w3.org/2001/XMLSchema#integer>', g)
                    q(fact, f"<{K}ns#counts>", f"<{K}initiative/{i1}>", g)
                ev, tgt, sel = f"<{K}ev/{d}-{f}>", f"<{K}ev/{d}-{f}/t>", f"<{K}ev/{d}-{f}/s>"
                q(fact, "<http://www.w3.org/ns/prov#wasDerivedFrom>", ev, g)
                q(ev, "<http://www.w3.org/ns/oa#hasTarget>", tgt, g)
                q(tgt, "<http://www.w3.org/ns/oa#hasSource>", art, g)
                q(tgt, "<http://www.w3.org/ns/oa#hasSelector>", sel, g)
                q(sel, "<http://www.w3.org/ns/oa#exact>", f'"人名{p1}在机构{o1}出席会议并讲话（{d}-{f}）"', g)
    return n


CONTRACT = {
    "posts": P + "SELECT ?person ?title ?org WHERE { ?post org:heldBy ?person ; rdfs:label ?title ; org:postIn ?org } LIMIT 100",
    "person_posts": P + f"SELECT ?post ?org WHERE {{ ?post org:heldBy <{K}person/17> ; org:postIn ?org }}",
    "org_agreements": P + f"SELECT ?a ?other ?date WHERE {{ ?a kg:party <{K}org/5> , ?other ; dct:date ?date FILTER(?other != <{K}org/5>) }}",
    "agreements_2020": P + "SELECT ?a ?date WHERE { ?a a kg:Agreement ; dct:date ?date FILTER(?date >= \"2020-01-01\"^^xsd:date && ?date < \"2020-02-01\"^^xsd:date) } LIMIT 100",
    "events_chaired": P + f"SELECT ?e ?date WHERE {{ ?e kg:chairedBy <{K}person/42> ; schema:startDate ?date }} ORDER BY ?date",
    "initiative_numbers": P + f"SELECT ?n ?v WHERE {{ ?n kg:counts <{K}initiative/3> ; schema:value ?v }}",
    "fact_evidence": P + f"SELECT ?exact ?title WHERE {{ <{K}fact/100-0> prov:wasDerivedFrom/oa:hasTarget ?t . ?t oa:hasSelector/oa:exact ?exact ; oa:hasSource/dct:title ?title }}",
    "label_lookup": P + "SELECT DISTINCT ?s WHERE { ?s rdfs:label \"人名123\"@zh }",
    "doc_facts": P + f"SELECT ?type (COUNT(?f) AS ?n) WHERE {{ GRAPH <{K}graph/doc5> {{ ?f a ?type }} }} GROUP BY ?type",
    "co_signers": P + f"SELECT DISTINCT ?other WHERE {{ ?a kg:party <{K}org/9> , ?other FILTER(?other != <{K}org/9>) }} LIMIT 50",
    "ask_holds": P + f"ASK {{ ?post org:heldBy <{K}person/17> }}",
    "describe_org": P + f"CONSTRUCT {{ <{K}org/5> ?p ?o }} WHERE {{ <{K}org/5> ?p ?o }}",
}
HEAVY = {
    "posts_per_org": P + "SELECT ?org (COUNT(*) AS ?n) WHERE { ?post org:postIn ?org } GROUP BY ?org ORDER BY DESC(?n) LIMIT 20",
    "agreements_per_year": P + "SELECT ?y (COUNT(*) AS ?n) WHERE { ?a a kg:Agreement ; dct:date ?d BIND(YEAR(?d) AS ?y) } GROUP BY ?y ORDER BY ?y",
    "evidence_per_person": P + "SELECT ?p (COUNT(?exact) AS ?n) WHERE { ?f org:heldBy ?p ; prov:wasDerivedFrom/oa:hasTarget/oa:hasSelector/oa:exact ?exact } GROUP BY ?p ORDER BY DESC(?n) LIMIT 20",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, path: str) -> None:
    for _ in range(600):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path + "?query=" + urllib.parse.quote("ASK {}"))
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


def load(port: int, path: str, clients: int, per_client: int) -> dict:
    names = list(CONTRACT) + list(HEAVY)
    texts = {**CONTRACT, **HEAVY}
    lat: dict[str, list[float]] = {n: [] for n in names}
    errors: list[str] = []

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for k in range(per_client):
            name = names[(i * 7 + k) % len(names)]
            accept = "text/turtle" if name == "describe_org" else "application/sparql-results+json"
            t0 = time.perf_counter()
            conn.request("GET", path + "?query=" + urllib.parse.quote(texts[name]), headers={"Accept": accept})
            resp = conn.getresponse()
            resp.read()
            lat[name].append(time.perf_counter() - t0)
            if resp.status != 200:
                errors.append(f"{name}: {resp.status}")

    for name in names:  # warm-up: each query once
        client_conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        client_conn.request("GET", path + "?query=" + urllib.parse.quote(texts[name]))
        client_conn.getresponse().read()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0

    def pct(values, q):
        values = sorted(values)
        return round(1000 * values[min(len(values) - 1, int(q * len(values)))], 2) if values else None

    contract = [x for n in CONTRACT for x in lat[n]]
    heavy = [x for n in HEAVY for x in lat[n]]
    return {"requests": clients * per_client, "seconds": round(wall, 2),
            "requests_per_s": round(clients * per_client / wall, 1), "errors": errors[:10],
            "contract_p50_ms": pct(contract, 0.5), "contract_p99_ms": pct(contract, 0.99),
            "heavy_p50_ms": pct(heavy, 0.5), "heavy_p99_ms": pct(heavy, 0.99),
            "per_query_p50_ms": {n: round(1000 * statistics.median(v), 2) for n, v in lat.items() if v}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=9200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=60, help="requests per client per server")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-serve"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/serve.json")
    args = ap.parse_args()
    import pyoxigraph

    args.work.mkdir(parents=True, exist_ok=True)
    nq, store_dir = args.work / f"graph-{args.docs}.nq", args.work / f"build-{args.docs}" / "store"
    if not store_dir.exists():
        t0 = time.perf_counter()
        quads = generate(nq, args.docs)
        store_dir.parent.mkdir(parents=True, exist_ok=True)
        store = pyoxigraph.Store(str(store_dir))
        store.bulk_load(path=str(nq), format=pyoxigraph.RdfFormat.N_QUADS)
        store.flush()
        del store
        print(f"generated and loaded {quads} quads in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    quads = sum(1 for _ in nq.open(encoding="utf-8"))
    oxi = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    kg_port, oxi_port = free_port(), free_port()
    kg_proc = subprocess.Popen([sys.executable, "-c", f"from kg.serve import run; run({str(store_dir.parent)!r}, "
                                f"'127.0.0.1', {kg_port}, timeout=60, workers={args.clients})"], cwd=ROOT)
    oxi_proc = subprocess.Popen([oxi, "serve-read-only", "--location", str(store_dir), "--union-default-graph",
                                 "--bind", f"127.0.0.1:{oxi_port}"], stderr=subprocess.DEVNULL)
    try:
        wait_up(kg_port, "/sparql")
        wait_up(oxi_port, "/query")
        result = {"quads": quads, "documents": args.docs, "clients": args.clients,
                  "machine": "2 cores (clients, both servers share them)",
                  "oxigraph": load(oxi_port, "/query", args.clients, args.requests),
                  "kg_serve": load(kg_port, "/sparql", args.clients, args.requests)}
    finally:
        for proc in (kg_proc, oxi_proc):
            proc.terminate()
            proc.wait(20)
    result["throughput_ratio"] = round(result["kg_serve"]["requests_per_s"] / result["oxigraph"]["requests_per_s"], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
