"""The local and the Dask executor on the same slice of a real corpus, in the same run.

    python bench/executors.py [--corpus ../shared/corpus/xwlb-2023] [--limit 200] [--workers 2]
                              [--repeat 1] [--validate]

Copies the first ``--limit`` files of the corpus into a temporary folder, then builds them with
``--executor local`` and ``--executor dask`` (a LocalCluster of ``--workers`` processes, one
thread each), alternating which goes first on each repeat. Reports the seconds of each whole
build (the cluster's start-up included), chars/s, the stage times summed over the workers, the
dask/local ratio, the start-up of a bare LocalCluster alone, and whether the shards of both builds are byte-identical (so the same
quads). Writes bench/results/executors.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from kg.build import BuildOptions, build  # noqa: E402


def shards_digest(out: Path) -> tuple[str, int]:
    """sha256 over the shards' names and bytes, and their count."""
    digest, n = hashlib.sha256(), 0
    for shard in sorted((out / "shards").glob("*.nq")):
        digest.update(shard.name.encode() + b"\0" + shard.read_bytes())
        n += 1
    return digest.hexdigest(), n


def one_build(src: Path, out: Path, executor: str, args) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    options = BuildOptions(workers=args.workers, executor=executor, progress=False,
                           validate=args.validate, rebuild=True)
    t = time.perf_counter()
    result = build([src], out, options)
    seconds = time.perf_counter() - t
    digest, shards = shards_digest(out)
    chars = result.stats["chars"]
    return {"executor": executor, "seconds": round(seconds, 2), "chars": chars,
            "chars_per_second": round(chars / seconds), "documents": len(result.documents),
            "failed": len(result.errors), "shards": shards, "shards_sha256": digest,
            "stage_seconds": {k: round(v, 2) for k, v in result.stats["timings"].items()}}


def cluster_start(workers: int) -> float:
    from distributed import Client, LocalCluster

    t = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None,
                      silence_logs=50) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "xwlb-2023")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--validate", action="store_true", help="run SHACL too (the same for both)")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.iterdir() if p.suffix in (".md", ".txt", ".html"))[:args.limit]
    if not files:
        sys.exit(f"no source files in {args.corpus}")
    runs = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-executors-") as tmp:
        src = Path(tmp, "src")
        src.mkdir()
        for f in files:
            shutil.copyfile(f, src / f.name)
        for i in range(args.repeat):
            for executor in (("local", "dask") if i % 2 == 0 else ("dask", "local")):
                runs.append(one_build(src, Path(tmp, f"out-{executor}"), executor, args))
                print(json.dumps(runs[-1]), file=sys.stderr)
    best = {e: min(r["seconds"] for r in runs if r["executor"] == e) for e in ("local", "dask")}
    result = {
        "corpus": f"{args.corpus.name} (first {len(files)} files)", "workers": args.workers,
        "validate": args.validate, "python": platform.python_version(), "runs": runs,
        "best_seconds": best, "dask_over_local": round(best["dask"] / best["local"], 3),
        "local_cluster_start_seconds": round(cluster_start(args.workers), 2),
        "same_shards": len({r["shards_sha256"] for r in runs}) == 1,
    }
    out = HERE / "results" / "executors.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
