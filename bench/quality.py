"""Extraction quality on the dev articles: the measuring stick of issue 9.

    python bench/quality.py [--dev ../shared/eval/dev] [--check forum_3,meet_4,...] [--json OUT]
    make quality

Builds all dev articles together and each one alone (no SHACL: quality only), scores every
build with ``../shared/eval/score.py`` through the contract queries, and prints:

- per-category P/R/F1 of the build of all dev articles together, and its macro-F1;
- the macro-F1 of the TUNE part (articles rules may be tuned on) and of the CHECK part
  (articles nobody reads while writing a rule: ``--check`` names their prefixes), each built
  together, and the CHECK part's per-category F1;
- per-article macro-F1 (each built alone), the seed's, and the lowest;
- the entity recognizer's figures on its held-out part of CLUENER train
  (``bench/results/ner.json``, written by ``make model``).

Writes ``bench/results/quality.json``. Needs ``../shared/eval`` beside the checkout.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
#: the dev articles kept apart from tuning: their texts and golds are not read while writing rules
CHECK = "forum_3,meet_4,plan_3,plat_3,sign_3"


def build(sources: list[Path], out: Path) -> None:
    import kg
    from kg.build import BuildOptions

    result = kg.build_graph(sources, out, BuildOptions(workers=1, progress=False, validate=False))
    if result.errors:
        sys.exit(f"quality: build failed: {result.errors[0]}")


def score(golds: list[Path], graph: Path) -> dict:
    out = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), "--gold", *map(str, golds),
                          "--graph", str(graph), "--queries", str(ROOT / "queries"), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["report"]


def measure(articles: list[Path], tmp: Path, name: str) -> dict:
    build(articles, tmp / name)
    return score([a.with_suffix(".gold.json") for a in articles], tmp / name / "graph.trig")


def table(report: dict) -> str:
    lines = [f"{'category':24} {'P':>6} {'R':>6} {'F1':>6} {'pred':>6} {'gold':>6}"]
    for k, v in report.items():
        if isinstance(v, dict) and "f1" in v:
            lines.append(f"{k:24} {v['p']:6.3f} {v['r']:6.3f} {v['f1']:6.3f} {v['pred']!s:>6} {v['gold']!s:>6}")
    return "\n".join(lines)


def ner_figures() -> dict:
    path = ROOT / "bench" / "results" / "ner.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _ner_rows(figures: dict, path: str = ""):
    """(where, {label: {"f1": ...}}) for every table of per-label figures in ner.json."""
    for k, v in figures.items():
        if isinstance(v, dict) and v and all(isinstance(x, dict) and "f1" in x for x in v.values()):
            yield (f"{path}{k}", v)
        elif isinstance(v, dict):
            yield from _ner_rows(v, f"{path}{k}.")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", type=Path, default=SHARED / "eval" / "dev", help="folder of *.md + *.gold.json")
    ap.add_argument("--check", default=CHECK, help="comma-separated prefixes of the CHECK articles")
    ap.add_argument("--json", type=Path, default=HERE / "results" / "quality.json", help="where to write the figures")
    args = ap.parse_args(argv)
    articles = sorted(args.dev.glob("*.md"))
    if not articles:
        sys.exit(f"quality: no dev articles (*.md) in {args.dev}")
    check = tuple(p for p in args.check.split(",") if p)
    check_set = [a for a in articles if a.name.startswith(check)]
    tune_set = [a for a in articles if a not in check_set]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-quality-") as tmp:
        tmp = Path(tmp)
        together = measure(articles, tmp, "all")
        reports = {"tune": measure(tune_set, tmp, "tune") if tune_set else None,
                   "check": measure(check_set, tmp, "check") if check_set else None}
        parts = {k: r and r["macro-f1"] for k, r in reports.items()}
        alone = {a.stem: measure([a], tmp, a.stem)["macro-f1"] for a in articles}
        build(sorted((ROOT / "seeds").glob("*.txt")), tmp / "seed")
        seed = score([SHARED / "eval" / "seed.gold.json"], tmp / "seed" / "graph.trig")["macro-f1"]
    figures = {"dev_articles": len(articles), "macro_f1_all": together["macro-f1"], "categories": together,
               "macro_f1_tune": parts["tune"], "macro_f1_check": parts["check"],
               "categories_check": reports["check"],
               "check_prefixes": list(check), "per_article": alone, "seed": seed,
               "lowest_article": min(alone.items(), key=lambda kv: kv[1]), "ner_heldout": ner_figures(),
               "seconds": round(time.perf_counter() - t0, 1)}
    print(table(together))
    print(f"macro-F1, all {len(articles)} dev articles together: {together['macro-f1']:.3f}")
    print(f"macro-F1, TUNE ({len(tune_set)} articles): {parts['tune']}  CHECK ({len(check_set)}: "
          f"{', '.join(check)}): {parts['check']}")
    if reports["check"]:
        print("CHECK per category (F1): " + ", ".join(
            f"{k} {v['f1']:.2f}" for k, v in reports["check"].items() if isinstance(v, dict) and "f1" in v))
    for stem, f1 in alone.items():
        print(f"  {f1:.3f}  {'check' if stem.startswith(check) else 'tune '}  {stem}")
    print(f"seed: {seed:.3f}; lowest dev article: {figures['lowest_article'][0]} {figures['lowest_article'][1]:.3f}")
    for name, labels in _ner_rows(figures["ner_heldout"]):
        print(f"entity recognizer, held-out CLUENER train, {name}: " + ", ".join(
            f"{k} {v['f1']:.3f}" for k, v in labels.items()))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
