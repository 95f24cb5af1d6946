"""The cross-document resolution (kg.resolve) on a finished build's shards: figures and time.

    python bench/resolve.py SHARDS_DIR [--out bench/results/resolve.json]
                            [--report /tmp/resolution.json] [--corrections FILE] [--limit N]

Two child processes, each timed and measured (peak RSS from ``wait4``): the reference reads
the shards' distinct quads as the build's merge does today (kg.store.read_quads); the other
resolves them (kg.resolve.resolve, then kg.resolve.resolved_quads). Their ratio is the cost
of the step. The resolving child also measures the persons before and after: IRIs, names
borne by several IRIs, the 20 most-mentioned persons (documents, evidence sentences) with
their IRIs and the names left that contain theirs or that they contain (for a reader to
judge), the rules' decisions by rule, and the homonym candidates (one name, posts in bodies
of several provinces) with how they were decided.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def shards_of(folder: str, limit: int | None) -> list[Path]:
    paths = sorted(Path(folder).glob("*.nq"))
    return paths[:limit] if limit else paths


def child(args) -> dict:
    """Run in the child: one phase, figures as JSON on stdout."""
    paths = shards_of(args.shards, args.limit)
    t0 = time.perf_counter()
    if args.phase == "reference":
        from kg.store import read_quads

        quads = read_quads(*paths)
        return {"seconds": time.perf_counter() - t0, "quads": len(quads)}
    from kg.resolve import resolve, resolved_quads

    import resource

    res = resolve(paths, corrections=args.corrections)
    t1 = time.perf_counter()
    rss_decided = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    quads = resolved_quads(paths, res)
    t2 = time.perf_counter()
    if args.report:
        res.write_report(args.report)
    return {"seconds": t2 - t0, "decide_seconds": t1 - t0, "rewrite_seconds": t2 - t1,
            "peak_rss_mb_after_decide": rss_decided,
            "quads": len(quads), **figures(res)}


def _mentions(res, iri: str) -> tuple[int, int]:
    k = res.corpus.entities[iri]
    return len(k.docs), sum(len(s.sentences) for s in k.docs.values())


def figures(res) -> dict:
    from kg.resolve_report import counts

    persons = {i: k for i, k in res.corpus.entities.items() if k.kind == "person"}
    docs_after, sents_after = defaultdict(set), Counter()
    for iri, k in persons.items():
        for doc, seen in k.docs.items():
            for t in res.target(iri, doc):
                docs_after[t].add(doc)
                sents_after[t] += len(seen.sentences)
    before_top = sorted(persons, key=lambda i: (-_mentions(res, i)[0], i))[:20]
    after_top = sorted(docs_after, key=lambda t: (-len(docs_after[t]), t))[:20]
    labels_after = {res.label(t) for t in docs_after}
    top = []
    for t in after_top:
        name = res.label(t)
        merged = sorted({res.corpus.entities[i].label for (i, d), ts in res.targets.items() if t in ts})
        near = sorted(n for n in labels_after - {name} if len(n) >= 2 and (name in n or n in name))
        top.append({"name": name, "iri": t, "documents": len(docs_after[t]), "sentences": sents_after[t],
                    "iris_with_this_name": sum(1 for x in docs_after if res.label(x) == name),
                    "merged_from": merged, "names_left_containing_or_inside": near})
    rules = Counter((d["kind"], d["rule"]) for d in res.report()["decisions"])
    from kg.resolve_rules import region

    posts = [p for k in persons.values() for s in k.docs.values() for p in s.posts]
    provincial = {i for i, k in persons.items() if any(region(n) for s in k.docs.values() for _, _, n in s.posts)}
    return {"persons": counts(res, "person"), "organizations": counts(res, "organization"),
            "names_per_person_iri_before": Counter(len(k.labels) for k in persons.values()),
            "top20_before": [{"name": persons[i].label, "documents": _mentions(res, i)[0],
                              "sentences": _mentions(res, i)[1]} for i in before_top],
            "top20_after": top,
            "posts": {"person_document_posts": len(posts), "naming_no_body": sum(1 for p in posts if not p[1]),
                      "persons_with_a_post_in_a_provincial_body": len(provincial)},
            "decisions_by_rule": {f"{k}/{r}": n for (k, r), n in sorted(rules.items())},
            "homonym_candidates": res.splits}


def measure(args, phase: str) -> dict:
    cmd = [sys.executable, __file__, args.shards, "--phase", phase]
    for opt in ("limit", "corrections", "report"):
        if getattr(args, opt):
            cmd += [f"--{opt}", str(getattr(args, opt))]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"{phase} failed (status {status})")
    result = json.loads(out)
    result.update(wall_seconds=time.perf_counter() - t0, peak_rss_mb=usage.ru_maxrss / 1024,
                  cpu_seconds=usage.ru_utime + usage.ru_stime)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shards", help="a build's shards/ folder")
    ap.add_argument("--out", default=str(HERE / "results" / "resolve.json"))
    ap.add_argument("--report", help="also write the resolution report (resolution.json) here")
    ap.add_argument("--corrections", help="a corrections.yaml to apply")
    ap.add_argument("--limit", type=int, help="only the first N shards (sorted by name)")
    ap.add_argument("--phase", choices=["reference", "resolve"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        json.dump(child(args), sys.stdout, ensure_ascii=False, default=dict)
        return
    ref, res = measure(args, "reference"), measure(args, "resolve")
    result = {"shards": len(shards_of(args.shards, args.limit)), "machine": platform.machine(),
              "python": platform.python_version(), "cpus": os.cpu_count(),
              "reference_read_quads": ref, "resolve": res,
              "ratio_seconds": res["seconds"] / ref["seconds"],
              "ratio_peak_rss": res["peak_rss_mb"] / ref["peak_rss_mb"]}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"resolve {res['seconds']:.1f} s ({result['ratio_seconds']:.2f}x read_quads {ref['seconds']:.1f} s), "
          f"peak RSS {res['peak_rss_mb']:.0f} MB ({result['ratio_peak_rss']:.2f}x); persons "
          f"{res['persons']['before']} -> {res['persons']['after']}; written to {args.out}")


if __name__ == "__main__":
    main()
