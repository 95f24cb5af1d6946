"""An incremental re-run against the full build it follows, on real news items.

    python bench/incremental.py [--items 400] [--changed 4] [--removed 2] [--workers 2] [--no-validate]

Copies the first ITEMS files of ../shared/corpus/xwlb-2023 to a temporary folder, builds them
(`kg build --workers N`, the reference), changes CHANGED files (a sentence appended to each)
and removes REMOVED, re-runs the build into the same folder, then builds the final sources
clean into another folder and checks that graph.trig (and report.txt, the SHACL report the
re-run made incrementally) are byte-identical and that the search index the re-run updated
holds the rows of the clean build's, in the same order (row ids aside). Reports both wall
times, their ratio, the stage timings of the re-run and what it reused, rebuilt and removed.
Writes bench/results/incremental.json (incremental-no-validate.json with --no-validate). Each
build runs as `python -m kg build` in a child process, as a user would run it, on a copy of the
code (kg/, shapes/, ontology/, queries/) made at the start: an edit in the working tree during
the run would change the version key and make every shard outdated.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "xwlb-2023"
ADDED = "\n会议强调，要持续推进数字政府建设，提升城市治理现代化水平。\n"


CODE = ("kg", "shapes", "ontology", "queries")


def snapshot(code: Path) -> dict:
    """Copy the project's code to ``code``; the environment that makes ``python -m kg`` run it."""
    shutil.rmtree(code, ignore_errors=True)
    for name in CODE:
        shutil.copytree(HERE.parent / name, code / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return {**os.environ, "PYTHONPATH": str(code)}


def kg_build(src: Path, out: Path, workers: int, validate: bool = True, env=None) -> tuple[float, dict]:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "--workers",
                    str(workers), "--quiet", *([] if validate else ["--no-validate"])], check=False,
                   env=env, cwd=src.parent)
    seconds = time.perf_counter() - t
    return seconds, json.loads((out / "stats.json").read_text(encoding="utf-8"))


def index_content(path: Path) -> list:
    """The rows of a search index (kg/search.py) in id order, without the ids."""
    import sqlite3

    with sqlite3.connect(path) as db:
        return [db.execute(sql).fetchall() for sql in (
            "SELECT iri, name, names, types, mentions, folded FROM entity ORDER BY id",
            "SELECT n.name, e.iri FROM entity_name n JOIN entity e ON e.id = n.entity ORDER BY 1, 2",
            'SELECT s.evidence, s.text, s.start, s."end", s.about, s.folded, a.iri, a.document, '
            "a.title, a.date FROM sentence s JOIN article a ON a.id = s.article ORDER BY s.id",
            "SELECT key, value FROM meta ORDER BY key")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=400)
    ap.add_argument("--changed", type=int, default=4)
    ap.add_argument("--removed", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-validate", action="store_true", help="build without SHACL validation")
    ap.add_argument("--tmp", type=Path, default=None, help="work folder [a new temporary one]")
    args = ap.parse_args()
    work = args.tmp or Path(tempfile.mkdtemp(prefix="kg-incremental-"))
    src, out, clean = work / "src", work / "build", work / "clean"
    for p in (src, out, clean):
        shutil.rmtree(p, ignore_errors=True)
    src.mkdir(parents=True)
    env = snapshot(work / "code")
    files = sorted(CORPUS.glob("*.md"))[: args.items]
    for f in files:
        shutil.copy(f, src / f.name)
    full, full_stats = kg_build(src, out, args.workers, not args.no_validate, env)
    step = max(1, len(files) // (args.changed + args.removed + 1))
    picked = [src / f.name for f in files[step // 2::step]][: args.changed + args.removed]
    for f in picked[: args.changed]:
        with f.open("a", encoding="utf-8") as h:
            h.write(ADDED)
    for f in picked[args.changed:]:
        f.unlink()
    rerun, rerun_stats = kg_build(src, out, args.workers, not args.no_validate, env)
    clean_s, _ = kg_build(src, clean, args.workers, not args.no_validate, env)
    same = (out / "graph.trig").read_bytes() == (clean / "graph.trig").read_bytes()
    same_nq = (out / "current/graph.nq").read_bytes() == (clean / "current/graph.nq").read_bytes()
    same_report = None if args.no_validate else (
        (out / "report.txt").read_bytes() == (clean / "report.txt").read_bytes())
    result = {
        "items": len(files), "validate": not args.no_validate, "chars": full_stats["chars"], "workers": args.workers,
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "full_build_seconds": round(full, 2), "rerun_seconds": round(rerun, 2),
        "rerun_over_full": round(rerun / full, 3), "clean_build_of_final_seconds": round(clean_s, 2),
        "graph_trig_identical_to_clean_build": same,
        "graph_nq_identical_to_clean_build": same_nq,
        "report_txt_identical_to_clean_build": same_report,
        "search_index_rows_equal_to_clean_build": index_content(out / "search.sqlite")
        == index_content(clean / "search.sqlite"),
        "rerun_search_index": rerun_stats.get("search"),  # updated from the full build's, or written
        "rerun_validation": rerun_stats["validation"],
        "rerun_store": rerun_stats.get("store"),  # updated from the full build's, or loaded anew
        "load_average_at_end": os.getloadavg(),
        "rerun_files": {k: len(v) for k, v in rerun_stats["files"].items()},
        "rerun_timings": {k: round(v, 2) for k, v in rerun_stats["timings"].items()},
        "full_timings": {k: round(v, 2) for k, v in full_stats["timings"].items()},
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    name = "incremental-no-validate.json" if args.no_validate else "incremental.json"
    (HERE / "results" / name).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
