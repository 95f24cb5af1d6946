"""The hanlp backend: tag mapping (pure Python), and a real tiny HanLP model loaded from a
``$HANLP_HOME`` layout through ``hanlp.load`` (tests marked ``hanlp``, skipped without it)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.annotate.hanlp import align_tokens, convert
from kg.errors import BackendError

HAVE_HANLP = importlib.util.find_spec("hanlp") is not None
FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = json.loads((FIXTURES / "restful" / "responses.json").read_text(encoding="utf-8"))
TINY = "ner/kg_tiny_msra_rnn_20250101_000000"


def test_import_kg_never_imports_torch():
    code = ("import sys, kg, kg.cli, kg.build, kg.annotate, kg.annotate.hanlp, "
            "kg.annotate.restful, kg.annotate.compare\n"
            "heavy = sorted(m for m in ('torch', 'hanlp', 'transformers') if m in sys.modules)\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("tag,label", [
    ("PERSON", "PERSON"), ("ORGANIZATION", "ORG"), ("LOCATION", "PLACE"), ("DATE", "TIME"),  # MSRA
    ("nr", "PERSON"), ("nt", "ORG"), ("ns", "PLACE"),  # PKU
    ("ORG", "ORG"), ("GPE", "PLACE"), ("LOC", "PLACE"), ("TIME", "TIME"),  # OntoNotes
    ("INTEGER", None), ("NORP", None), ("PERCENT", None),
])
def test_hanlp_ner_tags_map_to_labels(tag, label):
    doc = {"tok/fine": ["甲乙", "丙"], "ner/x": [], "ner": [["甲乙", tag, 0, 1]]}
    got = convert("甲乙丙", doc).mentions
    assert got == ([(0, 2, label)] if label else [])


def test_hanlp_token_offsets_become_character_offsets():
    text = "青州市副市长李晓梅出席仪式并讲话。"
    an = convert(text, RECORDED[text])
    assert [text[s:e] for s, e, _ in an.tokens] == RECORDED[text]["tok/fine"]
    assert [(text[s:e], lab) for s, e, lab in an.mentions] == [("青州市", "PLACE"), ("李晓梅", "PERSON")]
    assert text[slice(*an.srl[0]["ARG0"])] == "青州市副市长李晓梅"


def test_hanlp_tokens_align_across_spaces():
    assert align_tokens("AI 城市  大脑", ["AI", "城市", "大脑"]) == [(0, 2), (3, 5), (7, 9)]


# ------------------------------------------------------------------ a real HanLP model


@pytest.fixture(scope="session")
def hanlp_home(tmp_path_factory):
    """A $HANLP_HOME holding a tiny RNNNamedEntityRecognizer trained here, in seconds."""
    spec = importlib.util.spec_from_file_location("make_model", FIXTURES / "hanlp" / "make_model.py")
    make_model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_model)
    home = tmp_path_factory.mktemp("hanlp_home")
    seconds = make_model.train(home / TINY)
    print(f"\ntrained the tiny HanLP NER model in {seconds:.1f} s")
    return home


@pytest.fixture
def model_id(hanlp_home, monkeypatch):
    from hanlp_common.constant import HANLP_URL

    monkeypatch.setenv("HANLP_HOME", str(hanlp_home))
    return HANLP_URL + TINY + ".zip"  # an identifier hanlp.load resolves into $HANLP_HOME


@pytest.mark.hanlp
@pytest.mark.skipif(not HAVE_HANLP, reason="needs the hanlp extra (torch)")
def test_hanlp_loads_a_model_from_hanlp_home(model_id, hanlp_home):
    from kg.annotate.hanlp import HanLPBackend

    b = HanLPBackend(model_id)
    assert b.provenance["model"] == model_id
    assert b.provenance["model_path"] == str(hanlp_home / TINY)
    assert model_id in b.version
    [an] = b.analyze(["5月20日，王建华在青州市调研基层治理工作。"])
    text = "5月20日，王建华在青州市调研基层治理工作。"
    assert {(text[s:e], lab) for s, e, lab in an.mentions} >= {("王建华", "PERSON"), ("青州市", "PLACE")}


@pytest.mark.hanlp
@pytest.mark.skipif(not HAVE_HANLP, reason="needs the hanlp extra (torch)")
def test_hanlp_end_to_end_annotate(model_id):
    from kg.annotate import annotate, get_backend
    from kg.read import read_text

    text = "会上，市应急管理局和云图软件有限公司签订合作备忘录。\n\n赵永明出席会议并讲话。\n"
    doc = annotate(read_text(text, "e2e.txt"), get_backend("hanlp", model=model_id))
    found = {(m.text, m.label) for s in doc.sentences for m in s.mentions if m.source == "hanlp"}
    assert {("市应急管理局", "ORG"), ("云图软件有限公司", "ORG"), ("赵永明", "PERSON")} <= found
    assert all(doc.text[m.start:m.end] == m.text for s in doc.sentences for m in s.mentions)
    assert model_id in doc.provenance["version"]


@pytest.mark.hanlp
@pytest.mark.skipif(not HAVE_HANLP, reason="needs the hanlp extra (torch)")
def test_hanlp_without_model_fails_fast_naming_the_folder(tmp_path):
    code = ("from kg.annotate import get_backend\n"
            "try:\n    get_backend('hanlp')\n"
            "except Exception as e:\n    print(type(e).__name__, e, e.hint)\n")
    env = {**os.environ, "HANLP_HOME": str(tmp_path)}
    env.pop("HANLP_URL", None)
    env.pop("KG_HANLP_MODEL", None)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    elapsed = time.perf_counter() - started
    print(f"\nfailed without a model in {elapsed:.2f} s")
    assert elapsed < 5
    assert out.stdout.startswith("BackendError")
    assert f"HANLP_HOME={tmp_path}" in out.stdout
    assert str(tmp_path / "mtl" / "close_tok_pos_ner_srl_dep_sdp_con_electra_small_20210111_124159") in out.stdout


@pytest.mark.hanlp
@pytest.mark.skipif(not HAVE_HANLP, reason="needs the hanlp extra (torch)")
def test_hanlp_broken_model_folder_is_a_backend_error(tmp_path):
    from kg.annotate.hanlp import HanLPBackend

    (tmp_path / "config.json").write_text('{"classpath": "no.such.Component"}')
    with pytest.raises(BackendError, match="could not load"):
        HanLPBackend(str(tmp_path))


# ------------------------------------------------------------------ kg annotate --compare


def _annotated(backend: str, mentions: list[tuple[str, str]]):
    from kg.document import Mention
    from kg.read import read_text

    doc = read_text("青州市副市长李晓梅出席仪式。王建华讲话。", "c.txt")
    doc.provenance = {"backend": backend}
    for s in doc.sentences:
        for text, label in mentions:
            i = s.text.find(text)
            if i >= 0:
                s.mentions.append(Mention(s.start + i, s.start + i + len(text), text, label, backend))
        s.mentions.append(Mention(s.start, s.start + 1, s.text[0], "ORG", "lexicon"))  # shared
    return doc


def test_compare_reports_label_boundary_and_missing_mentions():
    from kg.annotate.compare import compare, summary

    a = _annotated("lac", [("青州市", "PLACE"), ("李晓梅", "PERSON"), ("王建华", "PERSON")])
    b = _annotated("hanlp", [("青州市副市长", "ORG"), ("李晓梅", "ORG"), ("仪式", "ORG")])
    got = [(d.kind, d.a and d.a.text, d.b and d.b.text) for d in compare(a, b)]
    assert got == [("boundary", "青州市", "青州市副市长"), ("label", "李晓梅", "李晓梅"),
                   ("only-b", None, "仪式"), ("only-a", "王建华", None)]
    assert summary(compare(a, b)) == {"boundary": 1, "label": 1, "only-b": 1, "only-a": 1}
    assert compare(a, a) == []
    assert compare(a, b)[0].to_row()["b"]["label"] == "ORG"
