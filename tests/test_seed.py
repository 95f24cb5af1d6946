"""The seed article end to end: golden graph (isomorphism), contract queries with expected
rows, and the evaluation score when ../shared/eval is beside the checkout.

Refresh the golden graph after an intended change of extraction or mapping with
``KG_UPDATE_GOLDEN=1 pytest tests/test_seed.py`` and review its diff.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, to_isomorphic

import kg
from kg.build import BuildOptions

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "golden" / "seed.nq"
SHARED = ROOT.parent / "shared" / "eval"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    result = kg.build_graph([SEED], out, BuildOptions(workers=1, progress=False))
    assert not result.errors
    return out


def rows(build, name):
    text = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    res = kg.query(build, text)
    return [dict(zip(res.vars, r)) for r in res.rows]


def _document_graph(path: Path) -> Graph:
    ds = Dataset()
    ds.parse(path, format="nquads")
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def test_seed_graph_matches_golden(seed_build):
    [shard] = sorted((seed_build / "shards").glob("*.nq"))
    if os.environ.get("KG_UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text("".join(sorted(shard.read_text(encoding="utf-8").splitlines(True))), encoding="utf-8")
        if not os.environ.get("KG_UPDATE_GOLDEN"):
            pytest.fail(f"{GOLDEN} was missing and has been written: review and commit it")
    got, want = to_isomorphic(_document_graph(shard)), to_isomorphic(_document_graph(GOLDEN))
    if got != want:
        _, only_got, only_want = graph_diff(got, want)
        diff = [f"+ {t}" for t in sorted(only_got)[:20]] + [f"- {t}" for t in sorted(only_want)[:20]]
        pytest.fail("seed graph differs from tests/golden/seed.nq (KG_UPDATE_GOLDEN=1 refreshes it):\n"
                    + "\n".join(diff))


def test_seed_validates(seed_build):
    assert kg.validate_graph(seed_build).conforms


def test_seed_articles(seed_build):
    got = {(r["title"], r["reporterName"], r["mediaName"]) for r in rows(seed_build, "articles")}
    assert len(got) == 5
    assert ("4院士为重庆空天信息产业高质量发展支招", "陈军", "上游财经-重庆晨报") in got


def test_seed_posts(seed_build):
    got = {(r["personName"], r["title"], r["orgName"]) for r in rows(seed_build, "posts")}
    assert ("袁家军", "书记", "中共重庆市委") in got
    assert ("胡衡华", "市长", None) in got
    assert ("汪玉凯", "教授", "中央党校(国家行政学院)") in got


def test_seed_agreements(seed_build):
    by = {}
    for r in rows(seed_build, "agreements"):
        by.setdefault(r["agreement"], set()).add(r["partyName"])
    assert len(by) == 6
    assert {"重庆邮电大学", "重庆三未信安信息科技有限公司"} in by.values()
    assert max(len(p) for p in by.values()) == 4


def test_seed_events_and_roles(seed_build):
    events = {r["name"]: r for r in rows(seed_build, "events")}
    forum = events["2025世界城市日智慧城市论坛"]
    assert str(forum["date"]) == "2025-10-29" and forum["placeName"] == "重庆悦来国际会议中心"
    roles = {(r["eventName"], r["agentName"], r["role"].rsplit("#", 1)[-1]) for r in rows(seed_build, "event-roles")}
    assert ("数字重庆建设推进会", "胡衡华", "chair") in roles
    assert ("2025重庆市空天信息产业专家咨询活动", "于登云", "speaker") in roles


def test_seed_components_and_numbers(seed_build):
    parts = {r["componentName"] for r in rows(seed_build, "initiative-components") if r["initiativeName"] == "六大应用系统"}
    assert parts == {"数字党建", "数字政务", "数字经济", "数字社会", "数字文化", "数字法治"}
    numbers = {(float(r["value"]), r["unit"]) for r in rows(seed_build, "indicators")}
    assert (5_000_000.0, "元") in numbers and (378.0, "所") in numbers


def test_seed_evidence_names_the_subject(seed_build):
    persons = {r["person"]: r["name"] for r in rows(seed_build, "persons")}
    texts = {}
    for r in rows(seed_build, "evidence"):
        texts.setdefault(r["subject"], []).append(r["text"])
    assert persons and all(any(name in t for t in texts.get(p, [])) for p, name in persons.items())


@pytest.mark.skipif(not (SHARED / "score.py").exists(), reason="../shared/eval is not beside the checkout")
def test_seed_score(seed_build):
    out = subprocess.run([sys.executable, str(SHARED / "score.py"), "--gold", str(SHARED / "seed.gold.json"),
                          "--graph", str(seed_build / "graph.trig"), "--queries", str(ROOT / "queries"), "--json"],
                         capture_output=True, text=True, check=True)
    report = json.loads(out.stdout)["report"]
    assert report["macro-f1"] >= 0.85
    assert min(v["f1"] for v in report.values() if isinstance(v, dict) and "f1" in v) >= 0.6
