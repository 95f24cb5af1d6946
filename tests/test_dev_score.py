"""Rules generalize: the dev articles of ../shared/eval/dev (kept outside the project) build,
validate and score above the floor, all together and each alone. The floor follows what
`make quality` (bench/quality.py) measures and is raised as extraction improves. Skipped when
../shared/eval is not beside the checkout."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.build import BuildOptions

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev"

FLOOR = 0.92  # macro-F1 of all dev articles built together (0.927 measured, 2026-12-04)
ARTICLE_FLOOR = 0.74  # the lowest dev article built alone (0.752 measured, 2026-12-04)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not DEV.is_dir(), reason="../shared/eval/dev is not beside the checkout")]


def test_dev_articles_build_validate_and_score(tmp_path):
    result = kg.build_graph(sorted(DEV.glob("*.md")), tmp_path, BuildOptions(workers=1, progress=False))
    assert not result.errors and result.conforms
    out = subprocess.run([sys.executable, str(DEV.parent / "score.py"), "--gold", *map(str, sorted(DEV.glob("*.gold.json"))),
                          "--graph", str(tmp_path / "graph.trig"), "--queries", str(ROOT / "queries"), "--json"],
                         capture_output=True, text=True, check=True)
    # 0.920 measured on the 14 dev articles together (bench/results/quality.json; 0.535 before issue 9)
    assert json.loads(out.stdout)["report"]["macro-f1"] >= FLOOR


def _score(golds, graph) -> float:
    out = subprocess.run([sys.executable, str(DEV.parent / "score.py"), "--gold", *map(str, golds), "--graph", str(graph),
                          "--queries", str(ROOT / "queries"), "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["report"]["macro-f1"]


def test_dev_articles_each_alone_score_above_the_article_floor(tmp_path):
    scores = {}
    for md in sorted(DEV.glob("*.md")):
        out = tmp_path / md.stem
        kg.build_graph([md], out, BuildOptions(workers=1, progress=False, validate=False))
        scores[md.stem] = _score([md.with_suffix(".gold.json")], out / "graph.trig")
    low = {k: v for k, v in scores.items() if v < ARTICLE_FLOOR}
    assert not low, f"dev articles below {ARTICLE_FLOOR}: {low}"
