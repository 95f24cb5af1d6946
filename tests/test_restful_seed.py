"""The seed article built through the hanlp-restful backend, against a local server on
127.0.0.1 that answers from ``tests/fixtures/restful/seed_answers.json``.

Those answers are SYNTHESIZED in HanLP's RESTful shape (LAC's tokens with POS mapped to
CTB, LAC's names as MSRA NER, hand-written SRL frames for the signing sentences), not
recorded from a HanLP server: see ``tests/fixtures/restful/make_seed_answers.py``.
What these tests show is that HanLP-shaped answers carrying correct SRL frames flow through
the RESTful backend into extraction, and that such a build scores at least as well on
agreements as the default (LAC) build. They say nothing about the accuracy of real HanLP.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("hanlp_restful", reason="needs the restful extra: pip install 'kg[restful]'")

import kg  # noqa: E402
import kg.annotate  # noqa: E402
import kg.extract  # noqa: E402
from kg.annotate import annotate, get_backend  # noqa: E402
from kg.build import BuildOptions  # noqa: E402
from kg.read import read_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "restful"
SEED = ROOT / "seeds" / "000_e2ea4a6810521310.txt"
SHARED = ROOT.parent / "shared" / "eval"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


server_mod = _load("restful_server_seed", FIXTURES / "server.py")
maker = _load("make_seed_answers", FIXTURES / "make_seed_answers.py")

#: The agreements of the seed, as party sets (surface names, before linking).
SIGNED = {
    frozenset({"市大数据应用发展管理局", "市城市管理局", "江北区政府", "清华大学安全科学院"}),
    frozenset({"重庆邮电大学", "重庆三未信安信息科技有限公司"}),
    frozenset({"中国移动通信集团重庆有限公司", "重庆软江图灵人工智能科技有限公司"}),
    frozenset({"重庆智能工程职业学院", "北京火山引擎科技有限公司"}),
    frozenset({"中国时空信息集团有限公司", "市发展改革委", "市大数据发展局"}),
    frozenset({"耕宇牧星(北京)空间科技有限公司", "市发展改革委"}),
}
CTB = set(maker.LAC_TO_CTB.values()) | set(maker._PARTICLE.values()) | {"MSP"}
MSRA = {"PERSON", "ORGANIZATION", "LOCATION", "DATE", "TIME"}


@pytest.fixture(scope="module")
def answers() -> dict:
    return server_mod.load_responses(server_mod.SEED_ANSWERS)


@pytest.fixture(scope="module")
def server(answers):
    with server_mod.fake_hanlp(answers) as srv:
        yield srv


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    return [s.text for s in read_file(SEED).sentences]


def _restful_doc(server):
    doc = read_file(SEED)
    annotate(doc, get_backend("hanlp-restful", url=server.url, auth="", backoff=0))
    return doc


# ------------------------------------------------------------------ the fixture itself


def test_seed_answers_cover_every_sentence_in_hanlps_shape(answers, seed_texts):
    assert set(seed_texts) == set(answers)
    for text, a in answers.items():
        assert set(a) == {"tok/fine", "pos/ctb", "ner/msra", "srl"}
        toks = a["tok/fine"]
        assert "".join(toks) == "".join(text.split())  # every character, no whitespace tokens
        assert len(a["pos/ctb"]) == len(toks) and set(a["pos/ctb"]) <= CTB
        for surface, label, b, e in a["ner/msra"]:
            assert label in MSRA and 0 <= b < e <= len(toks) and "".join(toks[b:e]) == surface
        for pas in a["srl"]:
            assert [x[1] for x in pas].count("PRED") == 1
            assert [x[2] for x in pas] == sorted(x[2] for x in pas)  # in sentence order
            for surface, _label, b, e in pas:
                assert 0 <= b < e <= len(toks) and "".join(toks[b:e]) == surface


def test_seed_answers_are_what_the_script_makes(answers, seed_texts):
    """seed_answers.json is up to date with make_seed_answers.py and the LAC backend."""
    texts = list(dict.fromkeys(seed_texts))
    made = {t: maker.answer(t, an) for t, an in zip(texts, get_backend("lac").analyze(texts))}
    assert made == answers


def test_signing_sentences_carry_frames(answers):
    frames = [(pas, text) for text, a in answers.items() for pas in a["srl"]]
    assert len(frames) == 6
    for pas, _ in frames:
        roles = {label: surface for surface, label, _, _ in pas}
        assert roles["PRED"] in ("签署", "签订") and set(roles) == {"ARG0", "PRED", "ARG1"}


# ------------------------------------------------------------------ frames reach extraction


def test_frames_reach_the_sentences_in_document_offsets(server):
    doc = _restful_doc(server)
    assert doc.provenance["backend"] == "hanlp-restful"
    signing = [s for s in doc.sentences if "签署" in s.text or "签订" in s.text]
    assert len(signing) == 4 and all(s.srl for s in signing)  # one of them signs three
    frames = [f for s in doc.sentences for f in s.srl]
    assert [doc.text[slice(*f["predicate"])] for f in frames] == ["签署", "签订", "签订", "签订", "签署", "签署"]
    assert doc.text[slice(*frames[1]["ARG1"])] == "“重庆市高校重点实验室”合作协议"
    assert server.misses == []


def test_frames_alone_give_the_agreements_when_the_rules_find_none(server, monkeypatch):
    """With the rule-based agreement parser switched off, the restful build's frames still
    give every agreement of the seed (and the LAC build, which has no frames, gives none)."""
    monkeypatch.setattr(kg.extract, "find_agreements", lambda view, pair: [])
    doc = kg.extract.extract(_restful_doc(server))
    assert {frozenset(a.parties) for a in doc.facts.agreements} == SIGNED
    assert len(doc.facts.agreements) == 6
    titled = {a.title for a in doc.facts.agreements if a.title}
    assert titled == {"“重庆市高校重点实验室”合作协议", "“人工智能与数字教育创新生态”合作协议"}
    assert all(a.date and a.event for a in doc.facts.agreements)

    lac = read_file(SEED)
    annotate(lac, get_backend("lac"))
    assert kg.extract.extract(lac).facts.agreements == []


def test_frames_and_rules_give_one_fact_per_agreement(server):
    doc = kg.extract.extract(_restful_doc(server))
    assert sorted(map(frozenset, (a.parties for a in doc.facts.agreements)), key=sorted) == \
        sorted(SIGNED, key=sorted)


# ------------------------------------------------------------------ the seed, scored


def _score(graph: Path) -> dict:
    out = subprocess.run([sys.executable, str(SHARED / "score.py"), "--gold", str(SHARED / "seed.gold.json"),
                          "--graph", str(graph), "--queries", str(ROOT / "queries"), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["report"]


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "score.py").exists(), reason="../shared/eval is not beside the checkout")
def test_restful_seed_build_scores_at_least_lac_on_agreements(server, tmp_path):
    lac = kg.build_graph([str(SEED)], tmp_path / "lac", BuildOptions(workers=1, progress=False))
    options = {"url": server.url, "auth": "", "backoff": 0}  # kg build --nlp-option url=… auth=
    rest = kg.build_graph([str(SEED)], tmp_path / "restful",
                    BuildOptions(nlp="hanlp-restful", nlp_options=options, workers=1, progress=False))
    for result in (lac, rest):
        assert not result.errors and result.conforms
    assert rest.stats["backend"]["name"] == "hanlp-restful"
    assert server.url in rest.stats["backend"]["version"]
    assert server.requests and server.misses == []

    a, b = _score(tmp_path / "lac" / "graph.trig"), _score(tmp_path / "restful" / "graph.trig")
    for cat in ("agreements", "agreement-parties"):
        assert b[cat]["f1"] >= a[cat]["f1"], (cat, a[cat], b[cat])
    assert b["agreement-attributes"] == a["agreement-attributes"]
    cats = [k for k, v in a.items() if isinstance(v, dict) and "f1" in v]
    print("\ncategory               lac F1  restful F1")
    for k in cats:
        print(f"{k:22} {a[k]['f1']:6.3f}  {b[k]['f1']:6.3f}")
    print(f"{'macro-F1':22} {a['macro-f1']:6.3f}  {b['macro-f1']:6.3f}")
