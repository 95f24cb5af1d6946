"""Build throughput on a generated corpus of at least 1 MB, beside the NLP backend's own.

    python bench/build.py [--mb 1.0] [--workers N] [--no-validate]

The corpus is made at run time in a temporary folder (never committed) from the paragraphs of
the seed article and the dev articles in ../shared: each generated file holds a few of the
original articles with their paragraphs shuffled, under a varied file name. Reports build
chars/s, documents/s and peak RSS (this process and its worker processes), and the backend's
chars/s when it analyzes the same sentences in one process. Writes bench/results/build.json
(build-no-validate.json with --no-validate).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
WORDS = ("shuzi", "zhili", "chengshi", "zhengwu", "jiceng", "luntan", "huiyi", "xieyi", "pingtai")


def source_articles() -> list[list[str]]:
    """The paragraphs of each source article (front matter dropped)."""
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "eval" / "dev").glob("*.md"))
    if not files:
        sys.exit(f"no source articles under {SHARED}/seeds or {SHARED}/eval/dev")
    articles = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        articles.append(paragraphs)
    return articles


def make_corpus(folder: Path, megabytes: float, seed: int = 7) -> list[Path]:
    """Files of 2-4 shuffled source articles each until the corpus holds ``megabytes`` of UTF-8."""
    rng = random.Random(seed)
    articles = source_articles()
    paths, size = [], 0
    while size < megabytes * 1_000_000:
        parts = []
        for paragraphs in rng.sample(articles, k=min(len(articles), rng.randint(2, 4))):
            title, *body = paragraphs
            parts.append("\n\n".join([title, *rng.sample(body, k=len(body))]))
        text = "\n\n".join(parts) + "\n"
        name = f"{len(paths):04d}_{rng.choice(WORDS)}_{rng.choice(WORDS)}.txt"
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
        size += len(text.encode("utf-8"))
    return paths


def backend_throughput(paths: list[Path], nlp: str) -> dict:
    """The backend alone: analyze every sentence of the corpus in one process."""
    from kg.annotate import get_backend
    from kg.read import read_file

    sentences = [s.text for p in paths for s in read_file(p).sentences]
    backend = get_backend(nlp)
    backend.analyze(sentences[:8])  # warm-up: the model is loaded before the clock starts
    t = time.perf_counter()
    for i in range(0, len(sentences), 256):
        backend.analyze(sentences[i:i + 256])
    seconds = time.perf_counter() - t
    chars = sum(map(len, sentences))
    return {"sentences": len(sentences), "chars": chars, "seconds": seconds,
            "chars_per_second": chars / seconds}


def peak_rss_mb() -> dict:
    kb = 1024  # ru_maxrss is in kilobytes on Linux
    return {"self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kb,
            "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=1.0, help="corpus size in MB of UTF-8 text")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--nlp", default="lac")
    ap.add_argument("--no-validate", action="store_true")
    args = ap.parse_args()

    import kg
    from kg.build import BuildOptions

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        paths = make_corpus(corpus, args.mb)
        size = sum(p.stat().st_size for p in paths)
        options = BuildOptions(nlp=args.nlp, validate=not args.no_validate, progress=sys.stderr.isatty())
        if args.workers:
            options.workers = args.workers
        t = time.perf_counter()
        result = kg.build([corpus], Path(tmp) / "out", options)
        wall = time.perf_counter() - t
        rss = peak_rss_mb()  # before the backend is loaded here: the build's own peak
        backend = backend_throughput(paths, args.nlp)
    stats = result.stats
    chars = stats["chars"]
    report = {
        "corpus": {"documents": len(paths), "chars": chars, "bytes": size},
        "build": {"seconds": wall, "chars_per_second": chars / wall, "documents_per_second": len(paths) / wall,
                  "workers": options.workers, "validate": options.validate, "triples": stats["triples"],
                  "errors": len(result.errors), "timings": stats["timings"], "peak_rss_mb": rss},
        "backend": {"name": args.nlp, **backend},
        "ratio": (chars / wall) / backend["chars_per_second"],
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    (HERE / "results").mkdir(exist_ok=True)
    name = "build.json" if options.validate else "build-no-validate.json"
    (HERE / "results" / name).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_table(report)


def print_table(r: dict) -> None:
    b, n = r["build"], r["backend"]
    c = r["corpus"]
    rows = [("documents", f"{c['documents']}"), ("chars (UTF-8 bytes)", f"{c['chars']} ({c['bytes']})"),
            ("build seconds", f"{b['seconds']:.1f} ({b['workers']} workers, validate={b['validate']})"),
            ("build chars/s", f"{b['chars_per_second']:.0f}"), ("build documents/s", f"{b['documents_per_second']:.2f}"),
            ("peak RSS MB (main / largest worker)", f"{b['peak_rss_mb']['self']:.0f} / {b['peak_rss_mb']['children']:.0f}"),
            (f"backend {n['name']} chars/s (1 process)", f"{n['chars_per_second']:.0f}"),
            ("build / backend", f"{r['ratio']:.2f}")]
    rows += [(f"  time in {k} (s, summed over workers)", f"{v:.1f}") for k, v in b["timings"].items()]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:{width}}  {v}")


if __name__ == "__main__":
    main()
