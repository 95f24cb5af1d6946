"""Re-measure the figures the README's tour quotes by running the tour's commands on the seed.

    .venv/bin/python scripts/readme_figures.py [--seeds seeds/] [--repeat 3] [--json FILE]

Runs, as a user does, in a temporary folder: ``kg build SEEDS --out BUILD`` (``--repeat`` times,
each into a new folder), ``kg validate BUILD``, ``kg query BUILD NAME --format csv`` for every
canned query, and the two example tables of the tour. Prints the triples, characters, build
seconds and chars/s of ``stats.json`` (the median run's; the summary line ``kg build`` printed),
the SHACL seconds (``timings.validate``), the wall seconds of the ``kg build`` process, the
verdict and exit status of ``kg validate``, and the rows of every canned query. The figures
are measured, never assumed: copy them into the README's tour with the date.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg"]


def kg(*args, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``kg ARGS`` in a new process: (the finished process, its wall seconds)."""
    start = time.perf_counter()
    done = subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})})
    return done, time.perf_counter() - start


def build_once(seeds: Path, out: Path) -> dict:
    """One ``kg build``: the figures of its stats.json, its summary line, its wall seconds."""
    done, wall = kg("build", seeds, "--out", out)
    if done.returncode not in (0, 1):
        sys.exit(f"kg build failed ({done.returncode}):\n{done.stderr}")
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    return {"triples": stats["triples"], "chars": stats["chars"], "seconds": round(stats["seconds"], 2),
            "chars_per_second": round(stats["chars_per_second"]),
            "shacl_seconds": round(stats["timings"].get("validate", 0.0), 2), "wall_seconds": round(wall, 2),
            "exit": done.returncode, "summary": done.stderr.strip().splitlines()[-2:]}


def query_rows(build: Path) -> dict[str, int]:
    """Rows of every canned query (``kg query --list``), as ``kg query NAME --format csv`` gives them."""
    listed, _ = kg("query", "--list")
    rows = {}
    for line in listed.stdout.splitlines():
        name = line.split()[0]
        done, _ = kg("query", build, name, "--format", "csv")
        if done.returncode:
            sys.exit(f"kg query {name} failed:\n{done.stderr}")
        rows[name] = len(list(csv.reader(io.StringIO(done.stdout)))) - 1
    return rows


def measure(seeds: Path, repeat: int, tmp: Path) -> dict:
    load = [round(x, 1) for x in os.getloadavg()]
    runs = [build_once(seeds, tmp / f"build-{i}") for i in range(repeat)]
    median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    build = tmp / "build-0"
    validated, _ = kg("validate", build)
    table, _ = kg("query", build, "persons", "--format", "table", env={"COLUMNS": "100"})
    roles, _ = kg("query", build, "event-roles", "--format", "csv")
    return {
        "date": datetime.date.today().isoformat(), "seeds": str(seeds), "repeat": repeat,
        "cpus": os.cpu_count(), "load_before": load,
        "build": median, "build_seconds_all": [r["seconds"] for r in runs],
        "shacl_seconds_all": [r["shacl_seconds"] for r in runs],
        "wall_seconds_median": statistics.median(r["wall_seconds"] for r in runs),
        "validate": {"exit": validated.returncode, "output": validated.stdout.strip().splitlines()},
        "query_rows": query_rows(build),
        "examples": {"persons --format table": table.stdout.splitlines()[:4],
                     "event-roles --format csv": roles.stdout.splitlines()[:2]},
    }


def report(m: dict) -> str:
    b = m["build"]
    lines = [f"README tour figures, {m['date']}, seeds {m['seeds']}, median of {m['repeat']} build(s)"
             f" ({m['cpus']} CPUs, load {m['load_before'][0]} before; timings vary with the load)",
             f"  triples {b['triples']:,}   chars {b['chars']:,}   build {b['seconds']} s"
             f" ({b['chars_per_second']:,} chars/s)   SHACL {b['shacl_seconds']} s"
             f"   kg build process {m['wall_seconds_median']:.2f} s wall",
             f"  all builds: {m['build_seconds_all']} s, SHACL {m['shacl_seconds_all']} s",
             "  kg build prints:", *(f"    {s}" for s in b["summary"]),
             f"  kg validate (exit {m['validate']['exit']}):", *(f"    {s}" for s in m["validate"]["output"]),
             "  rows per canned query:"]
    width = max(map(len, m["query_rows"]), default=0)
    lines += [f"    {name:{width}}  {rows}" for name, rows in m["query_rows"].items()]
    for command, shown in m["examples"].items():
        lines += [f"  $ kg query build/ {command}", *(f"    {s}" for s in shown)]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="the tour's sources [seeds/]")
    ap.add_argument("--repeat", type=int, default=3, help="builds to take the median of [3]")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="readme-figures-") as tmp:
        m = measure(args.seeds.resolve(), max(1, args.repeat), Path(tmp))
    print(report(m))
    if args.json:
        args.json.write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
