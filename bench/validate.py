"""SHACL validation time per 100k triples, beside the build time of the same graph.

    python bench/validate.py [--triples 100000] [--workers N] [--engines pyshacl,turbo] [--repeat 1]

Builds a generated corpus (bench/build.py's: the seed and dev articles repeated with their
paragraphs shuffled, in a temporary folder, never committed) without validation, growing it
until the graph holds at least ``--triples`` triples, then validates ``graph.trig`` with each
engine: the project's shapes and ontology, as ``kg build`` does. Validation is timed from the
file (parsing included, what a build pays) and, apart, on the already parsed graph.
An engine that is not installed is reported as skipped. Writes bench/results/validate.json.
Target: validation <= 25% of the build time.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build import make_corpus  # noqa: E402  (bench/build.py: the same generated corpus)

PER = 100_000


def build_graph(tmp: Path, triples: int, workers: int | None) -> tuple[Path, dict]:
    """Build corpora of growing size until the graph holds ``triples``; the last build's figures."""
    import kg
    from kg.build import BuildOptions

    mb = triples / 65_000  # about 65k triples per MB of these articles
    for attempt in range(4):
        corpus, out = tmp / f"corpus{attempt}", tmp / f"out{attempt}"
        corpus.mkdir()
        paths = make_corpus(corpus, mb)
        options = BuildOptions(validate=False, progress=False)
        if workers:
            options.workers = workers
        t = time.perf_counter()
        result = kg.build([corpus], out, options)
        seconds = time.perf_counter() - t
        got = result.stats["triples"]
        info = {"documents": len(paths), "chars": result.stats["chars"], "triples": got,
                "seconds": seconds, "workers": options.workers, "errors": len(result.errors)}
        if got >= triples:
            return out / "graph.trig", info
        mb *= 1.1 * triples / max(got, 1)
    raise SystemExit(f"could not reach {triples} triples (last build: {got})")


def time_engine(graph_file: Path, engine: str, repeat: int) -> dict:
    from kg.errors import ValidationError
    from kg.validate import load_data, validate

    try:
        validate(graph_file.parent / "warm-up.ttl", engine=engine)  # imports, shapes, caches
    except ValidationError as err:
        if "needs" in str(err):
            return {"skipped": str(err)}
    best_file = best_graph = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        report = validate(graph_file, engine=engine)
        best_file = min(best_file, time.perf_counter() - t)
        data = load_data(graph_file)
        t = time.perf_counter()
        validate(data, engine=engine)
        best_graph = min(best_graph, time.perf_counter() - t)
    return {"seconds_from_file": best_file, "seconds_parsed_graph": best_graph,
            "conforms": report.conforms, "violations": report.count("Violation"),
            "warnings": report.count("Warning")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=PER, help="least size of the generated graph")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--engines", default="pyshacl,turbo")
    ap.add_argument("--repeat", type=int, default=1, help="runs per engine; the best is kept")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="kg-bench-validate-") as tmp:
        graph_file, build = build_graph(Path(tmp), args.triples, args.workers)
        (graph_file.parent / "warm-up.ttl").write_text(
            "<urn:x> a <https://schema.org/Person> .\n", encoding="utf-8")
        engines = {e: time_engine(graph_file, e, args.repeat) for e in args.engines.split(",")}
    scale = PER / build["triples"]
    build["seconds_per_100k_triples"] = build["seconds"] * scale
    for r in engines.values():
        if "skipped" not in r:
            r["seconds_per_100k_triples"] = r["seconds_from_file"] * scale
            r["share_of_build"] = r["seconds_from_file"] / build["seconds"]
    report = {"build": build, "validation": engines, "target_share_of_build": 0.25,
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "validate.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_table(report)


def print_table(r: dict) -> None:
    b = r["build"]
    print(f"graph: {b['triples']} triples from {b['documents']} documents ({b['chars']} chars)")
    print(f"build without validation: {b['seconds']:.1f} s ({b['workers']} workers), "
          f"{b['seconds_per_100k_triples']:.1f} s per 100k triples")
    for name, v in r["validation"].items():
        if "skipped" in v:
            print(f"{name}: skipped ({v['skipped']})")
            continue
        print(f"{name}: {v['seconds_from_file']:.1f} s from graph.trig ({v['seconds_parsed_graph']:.1f} s on the "
              f"parsed graph), {v['seconds_per_100k_triples']:.1f} s per 100k triples, "
              f"{100 * v['share_of_build']:.0f}% of the build (target <= 25%); "
              f"{v['violations']} violations, {v['warnings']} warnings")


if __name__ == "__main__":
    main()
