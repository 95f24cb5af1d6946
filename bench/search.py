"""Full-text search on a build: index build time and size, /search latency in process and
through a real `kg serve`, against a SPARQL substring search over the store as reference.

    python bench/search.py BUILD [--index PATH] [--queries 50] [--repeat 5] [--port 7893]
                           [--no-serve] [--out bench/results/search.json] [--label "xwlb-2023"]

1. Index: `kg index BUILD -o PATH` in a fresh process (wall and CPU seconds, peak RSS, file size).
2. Queries (--queries, seeded): person, body and initiative names read from the build's store,
   words of the domain (签署, 一网通办, 数字经济 …), one- and two-character terms, two-word
   queries, and substrings cut from random evidence sentences of the index.
3. In process: kg.search.search(PATH, q) (opens the file read-only each call, as /search does):
   the first call of each query ("cold": new query, page cache as the machine left it), then the
   median of --repeat calls ("warm"). Reference in the same run: the same queries as SPARQL
   CONTAINS over names and evidence sentences (what a search without an index does), on the
   first --reference queries, each stopped after --reference-timeout seconds.
4. Served: `kg serve` on BUILD (PATH must be BUILD/search.sqlite, or BUILD a folder holding it),
   GET /search?q=…&format=json over one keep-alive connection: first request (cold) and the
   median of --repeat (warm).
p50, p95 and max over the queries; the 1-minute load average is recorded (the machine is shared).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

WORDS = ["签署", "一网通办", "一网统管", "数字经济", "城市大脑", "智慧城市", "数字政府", "人工智能",
         "乡村振兴", "合作协议", "会议", "发展", "京", "中", "协议", "高质量发展", "新质生产力",
         "数字中国", "营商环境", "碳达峰"]


def index(build: Path, path: Path) -> dict:
    """`kg index` in a new process: wall, CPU (user + system) seconds, peak RSS, size."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "index", str(build), "-o", str(path)],
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    message = proc.stderr.read().decode().strip()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"kg index failed: {message}")
    return {"seconds": round(time.perf_counter() - t0, 2),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "size_mb": round(path.stat().st_size / 2**20, 1), "message": message}


def queries(build: Path, path: Path, n: int, seed: int = 7) -> list[str]:
    """About ``n`` query texts taken from the build: names, domain words, sentence pieces."""
    import sqlite3

    import kg

    rnd = random.Random(seed)
    persons = [r[1] for r in kg.query(build, "persons").rows if r[1]]
    db = sqlite3.connect(path)
    bodies = [r[0] for r in db.execute(
        "SELECT name FROM entity WHERE types LIKE '%Organization%' OR types LIKE '%Initiative%' "
        "ORDER BY mentions DESC LIMIT 200")]
    texts = [r[0] for r in db.execute("SELECT text FROM sentence ORDER BY id")]
    pieces = []
    for text in rnd.sample(texts, min(len(texts), n)):
        size = rnd.choice([2, 3, 4, 6])
        start = rnd.randrange(max(1, len(text) - size))
        pieces.append(text[start:start + size].strip() or text[:2])
    picked = (rnd.sample(persons, min(12, len(persons))) + rnd.sample(bodies, min(8, len(bodies)))
              + WORDS[:12] + [f"{a} {b}" for a, b in zip(rnd.sample(persons, 3), ["会见", "主持", "签署"])])
    return list(dict.fromkeys(picked + pieces))[:n]


def stats(values: list[float]) -> dict:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1), "max_ms": round(ms[-1], 1)}


def in_process(path: Path, texts: list[str], repeat: int) -> dict:
    from kg.search import search

    cold, warm, totals = [], [], []
    for text in texts:
        t0 = time.perf_counter()
        result = search(path, text)
        cold.append(time.perf_counter() - t0)
        totals.append(result["total"])
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            search(path, text)
            runs.append(time.perf_counter() - t0)
        warm.append(statistics.median(runs))
    return {"cold": stats(cold), "warm": stats(warm), "totals": dict(zip(texts, totals)),
            "per_query_warm_ms": {t: round(w * 1000, 1) for t, w in zip(texts, warm)}}


REFERENCE = """PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?text WHERE {{ {{ ?s rdfs:label|skos:prefLabel ?text }}
  UNION {{ ?s oa:exact ?text }} FILTER(CONTAINS(LCASE(STR(?text)), {needle})) }} LIMIT 40"""


def reference(build: Path, texts: list[str], timeout: float) -> dict:
    """The same texts as SPARQL CONTAINS over names and sentences, in one process per text
    (stopped after ``timeout``)."""
    times, stopped = [], 0
    for text in texts:
        needle = json.dumps(text.split()[0].lower(), ensure_ascii=False)
        code = ("import sys, time, kg; t = time.perf_counter(); "
                f"kg.query(sys.argv[1], sys.argv[2]); print(time.perf_counter() - t)")
        try:
            out = subprocess.run([sys.executable, "-c", code, str(build), REFERENCE.format(needle=needle)],
                                 capture_output=True, text=True, timeout=timeout, check=True)
            times.append(float(out.stdout.strip().splitlines()[-1]))
        except subprocess.TimeoutExpired:
            times.append(timeout)
            stopped += 1
    return {"queries": len(texts), "stopped": stopped, **stats(times)}


def served(build: Path, texts: list[str], repeat: int, port: int) -> dict:
    import httpx

    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(build), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        t0 = time.perf_counter()
        while not _listening(port):
            if server.poll() is not None or time.perf_counter() - t0 > 120:
                raise SystemExit("kg serve did not start")
            time.sleep(0.2)
        started = time.perf_counter() - t0
        cold, warm = [], []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for text in texts:
                cold.append(_get(client, text))
                warm.append(statistics.median(_get(client, text) for _ in range(repeat)))
        return {"start_seconds": round(started, 2), "first_request_ms": round(cold[0] * 1000, 1),
                "cold": stats(cold), "warm": stats(warm)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(client, text: str) -> float:
    t0 = time.perf_counter()
    r = client.get("/search", params={"q": text, "format": "json"})
    r.raise_for_status()
    return time.perf_counter() - t0


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", type=Path)
    ap.add_argument("--index", type=Path, help="index file to write and read [BUILD/search.sqlite]")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--reference", type=int, default=10, help="queries also run as SPARQL CONTAINS")
    ap.add_argument("--reference-timeout", type=float, default=60.0)
    ap.add_argument("--port", type=int, default=7893)
    ap.add_argument("--no-serve", action="store_true")
    ap.add_argument("--label", default="")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "search.json")
    args = ap.parse_args()
    path = args.index or args.build / "search.sqlite"
    report = {"build": str(args.build), "label": args.label, "index_file": str(path),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_1min": round(os.getloadavg()[0], 2)},
              "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    report["index"] = index(args.build, path)
    texts = queries(args.build, path, args.queries)
    report["queries"] = texts
    report["in_process"] = in_process(path, texts, args.repeat)
    report["reference_sparql_contains"] = reference(args.build, texts[:args.reference], args.reference_timeout)
    if not args.no_serve and path.resolve() == (args.build / "search.sqlite").resolve():
        report["served"] = served(args.build, texts, args.repeat, args.port)
    warm, ref = report["in_process"]["warm"]["p50_ms"], report["reference_sparql_contains"]["p50_ms"]
    report["summary"] = {"index_seconds": report["index"]["seconds"], "index_mb": report["index"]["size_mb"],
                         "in_process_warm_p50_ms": warm, "reference_p50_ms": ref,
                         "reference_over_index_p50": round(ref / warm, 1) if warm else None,
                         "served_warm_p50_ms": report.get("served", {}).get("warm", {}).get("p50_ms"),
                         "served_cold_p50_ms": report.get("served", {}).get("cold", {}).get("p50_ms"),
                         "load_1min_end": round(os.getloadavg()[0], 2)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["summary"], ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
