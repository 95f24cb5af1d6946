"""Benchmark `kg serve` beside `oxigraph serve-read-only` and Virtuoso on the same quads.

    .venv/bin/python bench/serve.py --build BUILD [--virtuoso] [--requests 4]     # a real build
    .venv/bin/python bench/serve.py [--triples 1000000] [--requests 30] [--before DIR]  # generated

With --build, the store of a real build (e.g. `kg build ../shared/corpus/xwlb-2023 --out
/tmp/xwlb`) is served as it is; with --virtuoso, Debian's virtuoso-t is started on a fresh
database in --work and bulk-loaded (ld_dir + rdf_loader_run) with the same quads, dumped from
that store as N-Quads. Without --build, a graph shaped like a real build is generated: `kg build
seeds/` is run once and the article graphs of its graph.trig are copied (per-article nodes
renamed, shared entities drawn from a pool, labels numbered, dates moved) until there are at
least --triples quads.

Each server is started on 127.0.0.1 in turn. First each query is asked once, alone, on the
freshly started server (first_answer_ms: cold, what a researcher waits for the first time; for
kg serve its answer cache is empty then). Then 8 client threads send a bounded number of
requests (each thread from its own loopback address, 127.0.0.10 and up, as eight researchers
would be): the twelve contract queries of queries/*.rq as shipped and three heavier ones.
Reports p50/p99 latency per query class and requests/s. kg serve runs twice: with --cache-mb 0
(every request evaluated, as oxigraph and Virtuoso do) and with its answer cache (its default:
the timed requests repeat queries already answered, so they are cache hits, reported as such).
With --before DIR, kg serve from an older source tree runs too, in the same run. Virtuoso's
default graph is the union of all its graphs (its few system triples included); both other
servers use the union of the named graphs. All traffic stays on loopback.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
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
KGID = "https://w3id.org/citykg/id/"
DOC_GRAPH = "https://w3id.org/citykg/graph/doc/"
# Entities a real corpus names again and again in many articles; everything else a build mints
# per article (facts, posts, roles, events, evidence, articles, documents, indicators).
SHARED = {"person", "organization", "place", "initiative", "post-title", "agreement-type"}
LABELS = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://www.w3.org/2004/02/skos/core#altLabel"}
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
# The twelve contract queries (queries/*.rq, as shipped) and three heavier ones from queries/.
CONTRACT_NAMES = ["persons", "posts", "organizations", "places", "initiatives", "initiative-components",
                  "agreements", "events", "event-roles", "indicators", "articles", "evidence"]
HEAVY_NAMES = ["people-by-organization", "agreements-by-event", "evidence-for-entity"]
CONTRACT = {n: (ROOT / "queries" / f"{n}.rq").read_text(encoding="utf-8") for n in CONTRACT_NAMES}
HEAVY = {n: (ROOT / "queries" / f"{n}.rq").read_text(encoding="utf-8") for n in HEAVY_NAMES}


def template(work: Path):
    """The quads of a real build of seeds/ (`kg build seeds/`), built once into ``work``."""
    import pyoxigraph

    out = work / "template"
    if not (out / "graph.trig").is_file():
        subprocess.run([sys.executable, "-m", "kg", "build", str(ROOT / "seeds"), "--out", str(out)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    store = pyoxigraph.Store()
    store.bulk_load(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    return list(store)


def generate(path: Path, work: Path, triples: int, seed: int = 7) -> tuple[int, int]:
    """Write N-Quads: the real build's document graphs copied until ``triples`` quads.

    Each copy is one more article graph. Per-article nodes get IRIs of their own; shared
    entities (persons, organizations, places, initiatives, titles) are drawn from a pool as large as
    the number of copies (so an entity recurs in a few articles, as a real corpus's do; each
    recurrence repeats its labels in that article's graph, as a build does), with their labels
    numbered to stay distinct; dates move
    over 2018-2024. Returns (quads, document graphs).
    """
    from pyoxigraph import BlankNode, Literal, NamedNode

    rnd = random.Random(seed)
    quads = template(work)
    doc = [q for q in quads if q.graph_name.value.startswith(DOC_GRAPH)]
    other = [q for q in quads if not q.graph_name.value.startswith(DOC_GRAPH)]
    copies = max(1, -(-(triples - len(other)) // max(1, len(doc))))
    pool = copies  # a pool as large as the copies: an entity recurs in a few articles, by chance
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for q in other:
            out.write(f"{q} .\n")
            n += 1
        for c in range(copies):
            variant: dict[str, int] = {}
            year = 2018 + c % 7

            def iri(value: str) -> str:
                if value.startswith(KGID):
                    kind = value[len(KGID):].split("/", 1)[0]
                    if kind in SHARED:
                        v = variant.setdefault(value, rnd.randrange(pool))
                        return f"<{value}-v{v}>"
                    return f"<{value}-d{c}>"
                return f"<{value}>"

            def term(t, subject: str = "", predicate: str = "") -> str:
                if isinstance(t, NamedNode):
                    return iri(t.value)
                if isinstance(t, BlankNode):
                    return f"_:c{c}x{t.value}"
                if isinstance(t, Literal) and predicate in LABELS and subject in variant and variant[subject]:
                    return str(Literal(f"{t.value}{variant[subject]}", language=t.language)
                               if t.language else Literal(f"{t.value}{variant[subject]}", datatype=t.datatype))
                if isinstance(t, Literal) and t.datatype.value == XSD_DATE and len(t.value) >= 4:
                    return str(Literal(f"{year}{t.value[4:]}", datatype=t.datatype))
                return str(t)

            graph = f"<{DOC_GRAPH}{c:06d}.txt>"
            for q in doc:
                s = term(q.subject)
                out.write(f"{s} {term(q.predicate)} {term(q.object, q.subject.value, q.predicate.value)} {graph} .\n")
                n += 1
    return n, copies


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
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
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
DirsAllowed = ., {d}, {load}
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryExecutionTime = 3600
MaxQueryCostEstimationTime = 0
"""


def virtuoso(work: Path, store_dir: Path):
    """Start virtuoso-t on a fresh database in ``work`` and bulk-load the store's quads.
    Returns (process, http port, seconds to load)."""
    import pyoxigraph

    d, load_dir = work / "virtuoso", work / "virtuoso-load"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    load_dir.mkdir(parents=True, exist_ok=True)
    nq = load_dir / "graph.nq"  # dumped anew each run: a file left from another build would
    # load other quads than the servers compared are given (a few seconds)
    nq.unlink(missing_ok=True)
    pyoxigraph.Store.read_only(str(store_dir)).dump(str(nq), format=pyoxigraph.RdfFormat.N_QUADS)
    http_port, sql_port = free_port(), free_port()
    (d / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=d, load=load_dir, sql_port=sql_port,
                                                        http_port=http_port))
    proc = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(http_port, "/sparql")
    t0 = time.perf_counter()
    sql = (f"ld_dir('{load_dir}', 'graph.nq', 'urn:kg:bench:default'); rdf_loader_run(); checkpoint;")
    subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={sql}"], check=True,
                   stdout=subprocess.DEVNULL)
    return proc, http_port, time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, path: str) -> None:
    for _ in range(3000):  # up to about 5 min: a loaded machine starts servers slowly
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
        # each client from an address of its own (127.0.0.10, .11 …): kg serve shares its
        # workers fairly per client address, and eight researchers are eight addresses
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600,
                                          source_address=(f"127.0.0.{10 + i}", 0))
        for k in range(per_client):
            name = names[(i * 7 + k) % len(names)]
            accept = "application/sparql-results+json"
            t0 = time.perf_counter()
            conn.request("GET", path + "?query=" + urllib.parse.quote(texts[name]), headers={"Accept": accept})
            resp = conn.getresponse()
            resp.read()
            lat[name].append(time.perf_counter() - t0)
            if resp.status != 200:
                errors.append(f"{name}: {resp.status}")

    sizes, first, rows = {}, {}, {}
    for name in names:  # warm-up: each query once, alone; its time and the size of its answer are reported
        client_conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        t0 = time.perf_counter()
        client_conn.request("GET", path + "?query=" + urllib.parse.quote(texts[name]),
                            headers={"Accept": "application/sparql-results+json"})
        resp = client_conn.getresponse()
        body = resp.read()
        sizes[name] = len(body)
        try:  # answers of the servers are compared by their row counts
            rows[name] = len(json.loads(body)["results"]["bindings"])
        except (ValueError, KeyError):
            rows[name] = None
        first[name] = round(1000 * (time.perf_counter() - t0), 2)
        if resp.status != 200:
            errors.append(f"{name} (first): {resp.status}")
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
    return {"requests": clients * per_client, "seconds": round(wall, 4),
            "requests_per_s": float(f"{clients * per_client / wall:.3g}"), "errors": errors[:10],
            "contract_p50_ms": pct(contract, 0.5), "contract_p99_ms": pct(contract, 0.99),
            "heavy_p50_ms": pct(heavy, 0.5), "heavy_p99_ms": pct(heavy, 0.99),
            "per_query_p50_ms": {n: round(1000 * statistics.median(v), 2) for n, v in lat.items() if v},
            "first_answer_ms": first, "first_answer_total_s": round(sum(first.values()) / 1000, 2),
            "answer_bytes": sizes, "answer_rows": rows}


def main() -> int:
    args = _args()
    store_dir = (args.build / "store").resolve() if args.build else _generated_store(args)
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(store_dir))
    quads = len(store)
    docs = sum(1 for g in store.named_graphs() if g.value.startswith(DOC_GRAPH))
    del store
    result = {"data": str(args.build) if args.build else f"generated, --triples {args.triples}",
              "quads": quads, "documents": docs, "clients": args.clients,
              "requests_per_client": args.requests,
              "machine": f"{os.cpu_count()} cores (clients and the server under test share them)",
              "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    servers = _servers(args, store_dir)
    for name, (cmd, path, cwd) in servers.items():
        result[name] = _measure(name, cmd, path, cwd, args, store_dir)
        print(name, json.dumps({k: v for k, v in result[name].items() if k != "per_query_p50_ms"}),
              file=sys.stderr)
    for name in servers:
        if name != "oxigraph" and "seconds" in result.get(name, {}):
            # from the unrounded times: the same request count over each server's wall time
            result[f"{name}_throughput_ratio"] = round(result["oxigraph"]["seconds"] / result[name]["seconds"], 2)
    if "virtuoso" in result:
        v = result["virtuoso"]["first_answer_ms"]
        result["kg_serve_no_cache_first_answer_vs_virtuoso"] = {
            n: round(ms / v[n], 2) for n, ms in result["kg_serve_no_cache"]["first_answer_ms"].items()
            if v.get(n)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, default=None, help="serve this build's store (a real corpus)")
    ap.add_argument("--virtuoso", action="store_true", help="also load the quads into virtuoso-t and ask it")
    ap.add_argument("--triples", type=int, default=1_000_000, help="without --build: at least this many quads")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=30, help="requests per client per server")
    ap.add_argument("--workers", type=int, default=None, help="kg serve --workers (default: its own)")
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="kg serve --timeout: long enough for every query to finish, as oxigraph has no limit")
    ap.add_argument("--cache-mb", type=int, default=None, help="kg serve --cache-mb (default: its own)")
    ap.add_argument("--skip-no-cache", action="store_true",
                    help="do not also run kg serve with --cache-mb 0 (every request evaluated)")
    ap.add_argument("--before", type=Path, default=None,
                    help="also run kg serve from this source tree (e.g. `git archive HEAD kg | tar -x -C DIR`)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-serve"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/serve.json")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    return args


def _generated_store(args) -> Path:
    import pyoxigraph

    nq, store_dir = args.work / f"graph-{args.triples}.nq", args.work / f"build-{args.triples}" / "store"
    if not store_dir.exists():
        t0 = time.perf_counter()
        quads, docs = generate(nq, args.work, args.triples)
        store_dir.parent.mkdir(parents=True, exist_ok=True)
        store = pyoxigraph.Store(str(store_dir))
        store.bulk_load(path=str(nq), format=pyoxigraph.RdfFormat.N_QUADS)
        store.flush()
        del store
        print(f"generated and loaded {quads} quads ({docs} documents) in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
    return store_dir


def _servers(args, store_dir: Path) -> dict:
    """name -> (command, SPARQL path, source tree); kg serve without its cache first."""
    oxi = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    servers = {"oxigraph": ([oxi, "serve-read-only", "--location", str(store_dir), "--union-default-graph"],
                            "/query", None)}
    if args.virtuoso:
        servers["virtuoso"] = (None, "/sparql", None)
    # No row cap (oxigraph has none): every server sends the whole answer.
    workers = f", workers={args.workers!r}" if args.workers else ""
    run = (f"from kg.serve import run; run({str(store_dir.parent)!r}, '127.0.0.1', {{port}}, "
           f"timeout={args.timeout!r}, max_rows=10**12{workers}")
    if not args.skip_no_cache:
        servers["kg_serve_no_cache"] = ([sys.executable, "-c", run + ", cache_mb=0)"], "/sparql", ROOT)
    cache = "" if args.cache_mb is None else f", cache_mb={args.cache_mb}"
    servers["kg_serve"] = ([sys.executable, "-c", run + cache + ")"], "/sparql", ROOT)
    if args.before:  # an older tree may not know cache_mb
        servers["kg_serve_before"] = ([sys.executable, "-c", run + ")"], "/sparql", args.before)
    return servers


def _measure(name, cmd, path, cwd, args, store_dir: Path) -> dict:
    """Start one server, measure it (bench.load), stop it."""
    loaded = None
    if name == "virtuoso":
        proc, port, loaded = virtuoso(args.work, store_dir)
    else:
        port = free_port()
        cmd = [*cmd, "--bind", f"127.0.0.1:{port}"] if name == "oxigraph" else \
            [c.replace("{port}", str(port)) for c in cmd]
        env = dict(os.environ, PYTHONPATH=str(cwd)) if cwd else None
        proc = subprocess.Popen(cmd, cwd=cwd or ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_up(port, path)
        out = load(port, path, args.clients, args.requests)
        out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        if loaded is not None:
            out["bulk_load_s"] = round(loaded, 1)
        if name == "kg_serve":
            out["note"] = "timed requests are answer-cache hits (the first answers filled the cache)"
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())
