"""Every canned query of queries/ answered cold on a build, each in a fresh `kg query` process.

    python bench/query.py BUILD [--repeat 3] [--timeout 60] [--max-rss-mb 4096]
                          [--out bench/results/query.json] [--only posts,events] [--label "xwlb-2023 1k"]

Cold means a new process per query: Python starts, the store opens, the query runs and its
answer is written as CSV to /dev/null (`kg query BUILD NAME --format csv`), as a researcher
would run it. Reports wall seconds, CPU seconds (user + system: what a busy machine's waiting
does not inflate), peak RSS of that process (``ru_maxrss`` from ``wait4``), rows and exit
status per query -- with ``--repeat N``, the median of N cold runs -- then p50 and max over the
queries. A query still running
after ``--timeout`` seconds, or above ``--max-rss-mb``, is stopped and reported as such (the
machine is shared: a runaway join must not take it down). Writes the figures as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def rss_mb(pid: int) -> float:
    """Resident set size of a running process, MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_one(build: Path, name: str, timeout: float, max_rss_mb: float) -> dict:
    """One cold `kg query` process: seconds, peak RSS (MB), rows, how it ended."""
    cmd = [sys.executable, "-m", "kg", "query", str(build), name, "--format", "csv"]
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, start_new_session=True)
        stopped = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.perf_counter() - t0
            if elapsed > timeout:
                stopped = f"timeout after {timeout:.0f} s"
            elif rss_mb(proc.pid) > max_rss_mb:
                stopped = f"stopped above {max_rss_mb:.0f} MB"
            if stopped:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - t0
        out.seek(0)
        rows = max(sum(1 for _ in out) - 1, 0)  # CSV header line
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
    return {"query": name, "seconds": round(seconds, 3), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "rows": None if stopped else rows, "exit": code, "stopped": stopped,
            "error": err[-1] if code and not stopped and err else None}


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time, with every run's seconds kept and the highest RSS."""
    if len(runs) == 1:
        return runs[0]
    ordered = sorted(runs, key=lambda r: r["seconds"])
    best = dict(ordered[len(ordered) // 2])
    best["runs_seconds"] = [r["seconds"] for r in runs]
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return best


def summary(results: list[dict]) -> dict:
    secs = [r["seconds"] for r in results]
    cpu = [r["cpu_seconds"] for r in results]
    rss = [r["peak_rss_mb"] for r in results]
    return {"queries": len(results), "p50_seconds": round(statistics.median(secs), 3),
            "max_seconds": round(max(secs), 3), "p50_cpu_seconds": round(statistics.median(cpu), 3),
            "max_cpu_seconds": round(max(cpu), 3), "max_peak_rss_mb": max(rss),
            "stopped": [r["query"] for r in results if r["stopped"]],
            "failed": [r["query"] for r in results if r["exit"] and not r["stopped"]]}


def quads_of(build: Path) -> dict:
    stats = build / "stats.json"
    if not stats.is_file():
        return {}
    s = json.loads(stats.read_text(encoding="utf-8"))
    return {"documents": len(s.get("documents", {})), "triples": s.get("triples"), "shard_quads": s.get("quads")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build", type=Path)
    ap.add_argument("--repeat", type=int, default=1, help="cold runs per query (the median is reported)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a query is stopped")
    ap.add_argument("--max-rss-mb", type=float, default=4096.0, help="RSS above which a query is stopped")
    ap.add_argument("--only", default="", help="comma-separated query names (default: all of queries/)")
    ap.add_argument("--label", default="", help="what the build is (kept in the JSON)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "query.json")
    args = ap.parse_args(argv)
    names = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    if args.only:
        names = [n for n in names if n in set(args.only.split(","))]
    results = []
    for name in names:
        runs = [run_one(args.build, name, args.timeout, args.max_rss_mb)]
        while len(runs) < args.repeat and not runs[-1]["stopped"]:
            runs.append(run_one(args.build, name, args.timeout, args.max_rss_mb))
        r = median_run(runs)
        results.append(r)
        note = r["stopped"] or r["error"] or f"{r['rows']} rows"
        print(f"{name:34s} {r['seconds']:8.2f} s {r['cpu_seconds']:8.2f} cpu-s {r['peak_rss_mb']:8.1f} MB  {note}",
              file=sys.stderr)
    report = {"build": str(args.build), "label": args.label, **quads_of(args.build),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_1min": round(os.getloadavg()[0], 2)},
              "limits": {"timeout_seconds": args.timeout, "max_rss_mb": args.max_rss_mb},
              "repeat": args.repeat, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "summary": summary(results), "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    s = report["summary"]
    print(f"p50 {s['p50_seconds']} s, max {s['max_seconds']} s (CPU p50 {s['p50_cpu_seconds']} s, max "
          f"{s['max_cpu_seconds']} s), peak RSS {s['max_peak_rss_mb']} MB; "
          f"stopped: {', '.join(s['stopped']) or 'none'}; written to {args.out}", file=sys.stderr)
    return 1 if s["stopped"] or s["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
