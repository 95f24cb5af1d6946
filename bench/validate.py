"""SHACL validation of a real build with each engine: time, peak RSS, and the same report?

    python bench/validate.py [GRAPH] [--engines pyshacl,turbo,turbo-store] [--profile] [--items 400]

GRAPH is a build's graph.trig (or a build folder); without it, the first ITEMS files of
../shared/corpus/xwlb-2023 are built (``kg build --no-validate``) in a temporary folder.
Each engine runs in a child process of its own (its time from the file, parsing included, as
``kg build`` pays it, and its peak RSS):

- ``pyshacl``: kg.validate with pySHACL (rdflib data graph);
- ``turbo``: kg.validate with pyshacl-turbo, the data handed to it natively (kg/validate_turbo.py);
- ``turbo-store``: pyshacl-turbo's own API on a pyoxigraph Store, the way that was measured
  slower before (and whose report has false sh:in violations).

The reports are compared result by result (severity, focus, path, shape, constraint, value,
messages, focus label) as multisets against the first engine's. ``--profile`` adds pySHACL's
time per node shape (wall time of each top-level shape). Writes bench/results/validate.json.
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "xwlb-2023"


def _profiled():
    """Time each top-level pySHACL shape (the node shapes and the shapes they are reached from)."""
    import pyshacl.shape as shape

    spent, depth, original = collections.Counter(), [0], shape.Shape.validate

    def timed(self, *args, **kwargs):
        depth[0] += 1
        t = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                spent[str(self.node)] += time.perf_counter() - t
    shape.Shape.validate = timed
    return spent


def _turbo_store(graph: Path) -> list[dict]:
    import pyoxigraph as ox
    import pyshacl_turbo
    from rdflib import Graph

    from kg.ns import RDF, SH
    from kg.validate import _result, ontology_graph, shapes_graph

    store = ox.Store()
    store.bulk_load(path=str(graph), format=ox.RdfFormat.TRIG)
    sg = shapes_graph()
    _, rg, _ = pyshacl_turbo.validate(store, shacl_graph=sg, ont_graph=ontology_graph(), allow_warnings=True)
    return [dataclasses.asdict(_result(rg, sg, lambda f: None, n)) for n in rg.subjects(RDF.type, SH.ValidationResult)]


def child(engine: str, graph: Path, out: Path, profile: bool) -> None:
    from kg.validate import validate

    spent = _profiled() if profile and engine == "pyshacl" else None
    t = time.perf_counter()
    if engine == "turbo-store":
        results = _turbo_store(graph)
    else:
        results = [dataclasses.asdict(r) for r in validate(graph, engine=engine).results]
    seconds = time.perf_counter() - t
    info = {"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "results": results}
    if spent is not None:
        info["seconds_per_shape"] = {k: round(v, 2) for k, v in spent.most_common()}
    out.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


def _rows(results: list[dict], label: bool = True) -> collections.Counter:
    keep = (lambda r: r) if label else (lambda r: {k: v for k, v in r.items() if k != "focus_label"})
    return collections.Counter(json.dumps(keep(r), ensure_ascii=False, sort_keys=True) for r in results)


def _graph(args, tmp: Path) -> tuple[Path, dict]:
    if args.graph:
        g = args.graph / "graph.trig" if args.graph.is_dir() else args.graph
        return g, {"graph": str(g)}
    src, out = tmp / "src", tmp / "build"
    src.mkdir()
    for f in sorted(CORPUS.glob("*.md"))[: args.items]:
        (src / f.name).write_bytes(f.read_bytes())
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "--no-validate",
                    "--quiet"], check=True)
    return out / "graph.trig", {"items": args.items, "build_seconds_without_validation": time.perf_counter() - t}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("graph", nargs="?", type=Path, help="a graph.trig or a build folder [build ITEMS files]")
    ap.add_argument("--items", type=int, default=400)
    ap.add_argument("--engines", default="pyshacl,turbo,turbo-store")
    ap.add_argument("--profile", action="store_true", help="pySHACL's time per node shape")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child[0], Path(args.child[1]), Path(args.child[2]), args.profile)
    with tempfile.TemporaryDirectory(prefix="kg-bench-validate-") as tmp:
        graph, source = _graph(args, Path(tmp))
        triples = sum(1 for _ in open(graph, encoding="utf-8"))  # lines: about one per triple
        engines = {}
        for engine in args.engines.split(","):
            out = Path(tmp) / f"{engine}.json"
            subprocess.run([sys.executable, __file__, "--child", engine, str(graph), str(out),
                            *(["--profile"] if args.profile else [])], check=True)
            engines[engine] = json.loads(out.read_text(encoding="utf-8"))
    first, reference = next(iter(engines.items()))
    rows = {name: r.pop("results") for name, r in engines.items()}
    for name, r in engines.items():
        r["results"] = len(rows[name])
        r["counts"] = dict(collections.Counter(x["severity"] for x in rows[name]))
        r[f"same_report_as_{first}"] = _rows(rows[name]) == _rows(rows[first])
        r[f"same_results_as_{first}_without_focus_labels"] = _rows(rows[name], False) == _rows(rows[first], False)
        r[f"speedup_over_{first}"] = reference["seconds"] / r["seconds"]
    report = {"data": {**source, "graph_lines": triples}, "engines": engines,
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "load_average_at_end": os.getloadavg()}}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "validate.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                                                    encoding="utf-8")
    for name, r in engines.items():
        print(f"{name}: {r['seconds']:.1f} s, peak {r['peak_rss_mb']:.0f} MB, {r['counts']}, "
              f"same report as {first}: {r[f'same_report_as_{first}']}, x{r[f'speedup_over_{first}']:.2f}")
    for shape, s in list((reference.get("seconds_per_shape") or {}).items())[:12]:
        print(f"  {s:7.1f} s  {shape}")


if __name__ == "__main__":
    main()
