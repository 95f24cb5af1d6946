"""The learned entity recognizer (kg/annotate/ner.py) and its merge with LAC's and the
lexicon's mentions, on sentences of our own (not from the seed or the dev articles)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg.annotate import annotate, get_backend, to_jsonl
from kg.annotate.ner import (MODEL, dictionary_spans, features, merge_entities, plausible_name, spans_of_tags,
                             tagger, tags_of_spans)
from kg.extract import extract
from kg.link import link
from kg.read import read_text

ENTITY = {"PERSON", "ORG", "POST", "PLACE"}


@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def doc_of(text: str, lac, **kw):
    return annotate(read_text(text, "case.txt"), lac, **kw)


def mentions(doc, labels=ENTITY):
    return {(m.text, m.label) for s in doc.sentences for m in s.mentions if m.label in labels}


def test_ner_model_ships_small_and_loads():
    assert MODEL.is_file() and MODEL.stat().st_size <= 30_000_000
    assert tagger() is tagger()  # loaded once per process


def test_ner_import_kg_does_not_import_pycrfsuite():
    code = "import sys, kg, kg.annotate, kg.annotate.ner; print('pycrfsuite' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ner_bio_round_trip():
    spans = [(0, 3, "company"), (5, 8, "name")]
    tags = tags_of_spans(9, spans)
    assert tags[:4] == ["B-company", "I-company", "I-company", "O"]
    assert spans_of_tags(tags) == spans


def test_ner_features_one_list_per_character(lac):
    text = "新华社记者王小明报道"
    feats = features(text, lac.analyze([text])[0].tokens, dictionary_spans(text))
    assert len(feats) == len(text)
    assert "c0=王" in feats[5] and any(f.startswith("p=") for f in feats[5])
    assert "x=BPOST" in feats[3]  # 记者: a post title of the lexicon


@pytest.mark.parametrize("name,expected", [
    ("周海燕", True), ("郑一鸣", True),
    ("周先生", False), ("郑老师", False),  # a surname and a common noun
    ("斯卡拉", False), ("周海燕说", False), ("周z燕", False),  # no surname, four characters, a letter
])
def test_ner_plausible_name(name, expected):
    assert plausible_name(name) is expected


def test_ner_merge_keeps_only_plausible_unrecognized_persons():
    text = "周海燕和周先生见了卡拉斯"
    local = [(0, 3, "PERSON", "lac", ""), (4, 7, "PERSON", "lac", ""), (9, 12, "PERSON", "lac", "")]
    out = {text[s:e] for s, e, *_ in merge_entities(local, [], text)}
    assert out == {"周海燕"}
    assert len(merge_entities(local, [])) == 3  # without the text: the length rule alone


def test_ner_features_gazetteer_and_brand(lac):
    text = "腾讯在成都市设立研发中心"
    feats = features(text, lac.analyze([text])[0].tokens, dictionary_spans(text))
    assert "g=BGPLACE" in feats[3] and "g=EGPLACE" in feats[5]  # 成都市: a division
    assert "br=B" in feats[0]  # 腾讯: a company brand


@pytest.mark.parametrize("text,expected", [
    ("腾讯公司副总裁刘炽平昨天在深圳宣布了新的合作计划。",
     {("腾讯公司", "ORG", "Company"), ("副总裁", "POST", ""), ("刘炽平", "PERSON", "")}),
    ("市人力资源和社会保障局局长周建华介绍了就业情况。",
     {("市人力资源和社会保障局", "ORG", "GovernmentBody"), ("局长", "POST", ""), ("周建华", "PERSON", "")}),
])
def test_ner_tags_entities_with_categories(lac, text, expected):
    ents = tagger().tag(text, lac.analyze([text])[0].tokens)
    assert {(text[e.start:e.end], e.label, e.category) for e in ents} >= expected


def test_ner_merge_recognized_span_replaces_overlapping_ones():
    local = [(0, 2, "PERSON", "lac", ""), (3, 5, "POST", "lexicon", ""), (6, 8, "PLACE", "lac", ""),
             (9, 11, "ORG", "lac", ""), (12, 14, "PERSON", "lac", ""), (15, 17, "TIME", "lac", ""),
             (18, 21, "PERSON", "lac", "")]
    recognized = [(0, 3, "PERSON", "ner", ""), (3, 6, "POST", "ner", ""), (6, 9, "PLACE", "ner", "")]
    out = {(s, e, lab) for s, e, lab, *_ in merge_entities(local, recognized)}
    assert (0, 3, "PERSON") in out and (0, 2, "PERSON") not in out  # the recognizer's person span
    assert (3, 6, "POST") in out and (3, 5, "POST") not in out  # 研究部主任 over 主任
    assert (6, 8, "PLACE") in out and (6, 9, "PLACE") not in out  # places: LAC's span stays
    assert (9, 11, "ORG") in out  # a body only LAC names stays
    assert (12, 14, "PERSON") not in out  # a two-character person only LAC names goes
    assert (18, 21, "PERSON") in out  # a full name only LAC names stays
    assert (15, 17, "TIME") in out  # labels the recognizer does not decide pass


def test_ner_merge_drops_a_span_run_across_names():
    local = [(0, 3, "PERSON", "lac", ""), (4, 9, "ORG", "lac", ""), (10, 13, "PLACE", "lac", ""),
             (13, 16, "PLACE", "lac", "")]
    recognized = [(0, 9, "ORG", "ner", ""), (10, 16, "PLACE", "ner", "")]
    out = {(s, e, lab) for s, e, lab, *_ in merge_entities(local, recognized)}
    assert (0, 9, "ORG") not in out and {(0, 3, "PERSON"), (4, 9, "ORG")} <= out  # 唐某某为某某部


def test_ner_merge_one_label_per_span_in_annotate(lac):
    doc = doc_of("阿里云智能集团总裁张建锋与浙江省经济和信息化厅厅长徐旭在杭州签署协议。", lac)
    ms = sorted((m.start, m.end, m.label) for s in doc.sentences for m in s.mentions if m.label in ENTITY)
    for (s1, e1, l1), (s2, e2, l2) in zip(ms, ms[1:]):
        assert e1 <= s2, f"overlapping {l1} and {l2} at {s1}-{e1}/{s2}-{e2}"
    assert ("张建锋", "PERSON") in mentions(doc)


def test_ner_companies_not_taken_for_persons(lac):
    text = "小米集团创始人雷军宣布，小米集团将在武汉建设新的研发中心。"
    on, off = doc_of(text, lac), doc_of(text, lac, ner=False)
    assert ("小米集团", "ORG") in mentions(on)
    assert ("雷军", "PERSON") in mentions(on) and ("雷军", "PERSON") in mentions(off)


def test_ner_off_by_environment(lac, monkeypatch):
    monkeypatch.setenv("KG_NER", "0")
    doc = doc_of("腾讯公司副总裁刘炽平在深圳宣布。", lac)
    assert all(m.source != "ner" for s in doc.sentences for m in s.mentions)
    assert "ner" not in doc.provenance


def test_ner_annotate_lines_rows_carry_recognized_mentions(lac, tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("腾讯公司副总裁刘炽平在深圳宣布。\n市人力资源和社会保障局局长周建华介绍情况。\n", encoding="utf-8")
    rows = [json.loads(line) for line in to_jsonl(path, lines=True)]
    assert len(rows) == 2
    got = {(m["text"], m["label"]) for r in rows for m in r["mentions"]}
    assert {("副总裁", "POST"), ("市人力资源和社会保障局", "ORG"), ("局长", "POST"), ("周建华", "PERSON")} <= got


def test_ner_category_reaches_the_organization(lac):
    doc = link(extract(doc_of("比亚迪与宁德时代昨天在深圳签署战略合作协议。", lac)))
    orgs = {e.name: e.categories for (k, _), e in doc.entities.items() if k == "organization"}
    assert "Company" in orgs.get("宁德时代", set())


# ------------------------------------------------------------------ names.py over merged mentions
def view_of(text: str, lac):
    from kg.extract.view import SentView

    [sent] = list(doc_of(text, lac).sentences)
    return SentView.of(sent)


@pytest.mark.parametrize("text,name,expected", [
    ("2025全球数字经济峰会在北京开幕。", "全球数字经济峰会", True),  # named like an event
    ("双方签署了长三角数据共享合作协议。", "长三角数据共享合作协议", True),  # like an agreement
    ("会议提出“建设文化强国、教育强国”的目标。", "文化强国", True),  # inside a quoted list
    ("小米集团与宁德时代签署协议。", "宁德时代", False),
    ("浙江大学与杭州市政府签署协议。", "浙江大学", False),  # a body's suffix
])
def test_names_org_mentions_that_name_no_body(lac, text, name, expected):
    from kg.extract.name_checks import not_a_body

    view = view_of(text, lac)
    s = text.index(name)
    assert not_a_body(view, s, s + len(name), name) is expected


def test_names_two_character_person_cut_before_a_title(lac):
    doc = link(extract(doc_of("李复全院士出席会议并讲话。", lac)))
    persons = {e.name for (k, _), e in doc.entities.items() if k == "person"}
    assert "李复全" in persons and "李复" not in persons


def test_names_photo_credit_names_a_person(lac):
    doc = link(extract(doc_of("市民在新建的公园里散步。（立新 摄）", lac)))
    assert "立新" in {e.name for (k, _), e in doc.entities.items() if k == "person"}
