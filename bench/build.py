"""Build throughput and memory on real news, beside LAC alone on the same texts, in one run.

    python bench/build.py [--corpus DIR] [--limit N] [--workers 2] [--no-validate] [--no-growth]
                          [--nlp lac] [--work DIR]

Takes the first LIMIT files (all by default) of the corpus folder (default
../shared/corpus/xwlb-2023: 4,494 items of 2023, 3.25 M chars) and builds ¼, ½ and all of them
(``--no-growth``: all only), each as ``kg build`` in a child process of its own, so that its
peak RSS is its own: the main process (``RUSAGE_SELF``) and the largest of its children (the
document workers and the validation process, ``RUSAGE_CHILDREN``). Then the NLP backend alone
analyzes every sentence of the same files in this process (the model loaded before the clock
starts). Reports chars/s, documents/s, both peaks, the stage timings (summed over workers for
the document stages; merge and graph.ttl in the main process, the store, the search index and
validation in child processes beside it, with the time the main process waited for each) and
the ratios: build over backend chars/s (target >= 0.6 with 2
workers), main-process peak at the whole over at a quarter (target <= 1.5).
Writes bench/results/build.json (build-no-validate.json with --no-validate; or --output).
The environment reaches the builds: ``KG_NER=0`` measures them without the CRF recognizer.

(The generated corpus of earlier versions, shuffled copies of the seed and dev articles, is
gone: real text is what entity counts, linking and resolution have to face.)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "xwlb-2023"


def child_build(src: Path, out: Path, workers: int, validate: bool, nlp: str) -> None:
    """In the child: build, then print the stats and this process' peaks as one JSON line."""
    import kg
    from kg.build import BuildOptions

    options = BuildOptions(nlp=nlp, workers=workers, validate=validate, progress=False)
    t = time.perf_counter()
    result = kg.build_graph([src], out, options)
    wall = time.perf_counter() - t
    kb = 1024  # ru_maxrss is in kilobytes on Linux
    s = result.stats
    print(json.dumps({"seconds": wall, "chars": s["chars"], "documents": len(result.documents),
                      "errors": len(result.errors), "triples": s["triples"], "timings": s["timings"],
                      "validation": s["validation"],
                      "peak_rss_mb": {"main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kb,
                                      "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kb}}))


def run_build(files: list[Path], work: Path, args) -> dict:
    src, out = work / f"src-{len(files)}", work / f"build-{len(files)}"
    for p in (src, out):
        shutil.rmtree(p, ignore_errors=True)
    src.mkdir(parents=True)
    for f in files:
        os.link(f, src / f.name) if f.stat().st_dev == src.stat().st_dev else shutil.copy(f, src / f.name)
    cmd = [sys.executable, __file__, "--child", str(src), str(out), "--workers", str(args.workers),
           "--nlp", args.nlp, *(["--no-validate"] if args.no_validate else [])]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"build of {len(files)} files failed:\n{done.stderr[-3000:]}")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    r["chars_per_second"] = r["chars"] / r["seconds"]
    r["documents_per_second"] = r["documents"] / r["seconds"]
    r["timings"] = {k: round(v, 2) for k, v in r["timings"].items()}
    print(f"  {len(files)} files: {r['seconds']:.0f} s, {r['chars_per_second']:.0f} chars/s, peak RSS "
          f"main {r['peak_rss_mb']['main']:.0f} MB, children {r['peak_rss_mb']['children']:.0f} MB",
          file=sys.stderr, flush=True)
    return r


def backend_alone(files: list[Path], nlp: str) -> dict:
    """The backend alone: every sentence of the files, in batches of 256, in this process."""
    from kg.annotate import get_backend
    from kg.read import read_file

    sentences = [s.text for p in files for s in read_file(p).sentences]
    backend = get_backend(nlp)
    backend.analyze(sentences[:8])  # warm-up: the model is loaded before the clock starts
    t = time.perf_counter()
    for i in range(0, len(sentences), 256):
        backend.analyze(sentences[i:i + 256])
    seconds = time.perf_counter() - t
    chars = sum(map(len, sentences))
    return {"name": nlp, "sentences": len(sentences), "chars": chars, "seconds": seconds,
            "chars_per_second": chars / seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="folder of source files [%(default)s]")
    ap.add_argument("--limit", type=int, default=None, help="the first N files only [all]")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--nlp", default="lac")
    ap.add_argument("--no-validate", action="store_true")
    ap.add_argument("--no-growth", action="store_true", help="build the whole slice only, not ¼ and ½ first")
    ap.add_argument("--work", type=Path, default=None, help="work folder [a new temporary one, removed]")
    ap.add_argument("--output", type=Path, default=None,
                    help="results file [bench/results/build.json, build-no-validate.json]")
    ap.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child_build(*args.child, args.workers, not args.no_validate, args.nlp)
    files = sorted(p for p in args.corpus.iterdir() if p.suffix in (".md", ".txt", ".html"))[: args.limit]
    if not files:
        sys.exit(f"no .md, .txt or .html files in {args.corpus}")
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-build-"))
    sizes = [len(files)] if args.no_growth else sorted({max(1, len(files) // 4), max(1, len(files) // 2), len(files)})
    try:
        growth = {str(n): run_build(files[:n], work, args) for n in sizes}
        backend = backend_alone(files, args.nlp)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    whole, quarter = growth[str(len(files))], growth[str(sizes[0])]
    report = {
        "corpus": {"folder": str(args.corpus), "files": len(files), "chars": whole["chars"]},
        "build": whole, "growth": growth, "backend": backend,
        # the same text on both sides: the backend's time for the sentences over the build's for
        # the files that hold them (the files' own count, with titles and markup, would flatter it)
        "ratio_build_over_backend": backend["seconds"] / whole["seconds"],
        "ratio_build_over_backend_file_chars": whole["chars_per_second"] / backend["chars_per_second"],
        "ratio_main_peak_whole_over_quarter": (whole["peak_rss_mb"]["main"] / quarter["peak_rss_mb"]["main"]
                                               if len(sizes) > 1 else None),  # --no-growth: one size
        "targets": {"build_over_backend": ">= 0.6", "main_peak_whole_over_quarter": "<= 1.5"},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average_at_end": os.getloadavg()},
    }
    name = "build-no-validate.json" if args.no_validate else "build.json"
    output = args.output or HERE / "results" / name
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_table(report)


def print_table(r: dict) -> None:
    b, n = r["build"], r["backend"]
    rows = [("files", f"{r['corpus']['files']} ({r['corpus']['chars']} chars)"),
            ("build seconds", f"{b['seconds']:.1f}"), ("build chars/s", f"{b['chars_per_second']:.0f}"),
            ("build documents/s", f"{b['documents_per_second']:.2f}"),
            (f"backend {n['name']} alone chars/s (1 process)", f"{n['chars_per_second']:.0f}"),
            ("build / backend", f"{r['ratio_build_over_backend']:.2f} (target >= 0.6)")]
    for size, g in r["growth"].items():
        rows.append((f"peak RSS MB at {size} files (main / largest child)",
                     f"{g['peak_rss_mb']['main']:.0f} / {g['peak_rss_mb']['children']:.0f}"))
    if r["ratio_main_peak_whole_over_quarter"] is not None:
        rows.append(("main peak whole / quarter", f"{r['ratio_main_peak_whole_over_quarter']:.2f} (target <= 1.5)"))
    rows += [(f"  time in {k} (s)", f"{v:.1f}") for k, v in b["timings"].items()]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:{width}}  {v}")


if __name__ == "__main__":
    main()
