"""Indicators: numbers with the measure words of jionlp's list, bare scale words, units that
begin with a scale character, spans and repetitions in Chinese numerals, and what is not a
number (names, network generations, vague multiples). Sentences are the tests' own."""
from __future__ import annotations

import importlib.util

import pytest

from kg.annotate import annotate, find_numbers as number_spans, get_backend
from kg.extract import extract
from kg.read import read_text
from kg.vocab import vocab


@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def numbers(text: str, lac) -> set[tuple[float, str]]:
    doc = extract(annotate(read_text(text, "case.txt"), lac))
    return {(f.value, f.unit) for f in doc.facts.indicators}


def test_measure_words_from_the_package_list(lac):
    got = numbers("园区已有86栋厂房和1.5万架服务器机架投入使用，种植果树4200株。", lac)
    assert {(86, "栋"), (15000, "架"), (4200, "株")} <= got


def test_dates_and_ordinals_stay_out_of_the_units():
    units = set(vocab().units)
    assert {"栋", "架", "摄氏度", "人次", "个百分点"} <= units
    assert not {"年", "届", "号", "期", "点"} & units


def test_a_bare_scale_word_is_a_count(lac):
    got = numbers("该市常住人口约1300万，户籍人口860多万。", lac)
    assert {(13_000_000, ""), (8_600_000, "")} <= got


def test_a_unit_that_begins_with_a_scale_keeps_the_scale_as_written(lac):
    got = numbers("全年发电量达到420亿千瓦时，新建道路3千米。", lac)
    assert (420, "亿千瓦时") in got
    assert (3, "千米") in got


def test_a_network_generation_is_not_a_number(lac):
    got = numbers("全县建成5G基站1200座，主干网络升级到400G。", lac)
    assert (1200, "座") in got and (400, "G") in got
    assert not any(u == "G" and v < 10 for v, u in got)


def test_spans_and_repetitions_in_chinese_numerals(lac):
    got = numbers("展会为期四天，市长先后三次到展馆调研。", lac)
    assert {(4, "天"), (3, "次")} <= got
    assert not numbers("会议研究推进三次分配制度改革。", lac)


def test_names_and_vague_multiples_are_not_numbers(lac):
    assert not numbers("百度公司负责人介绍，数十万群众参与了千家万户工程。", lac)


def test_points_passengers_spaced_and_grouped_digits(lac):
    got = numbers("增速提高1.2个百分点，接待游客52万人次，共培育 320 家企业，销售汽车5,800辆。", lac)
    assert {(1.2, "个百分点"), (520_000, "人次"), (320, "家"), (5800, "辆")} <= got
    assert (800, "辆") not in got


def test_number_mentions_follow_the_same_rules():
    text = "百度创始人说，5G基站达到3千个，传输速率400G。"
    assert [text[s:e] for s, e in number_spans(text)] == ["3千个", "400G"]


@pytest.mark.skipif(importlib.util.find_spec("jionlp") is None, reason="jionlp not installed")
def test_the_generator_keeps_units_and_drops_dates():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import units

    kept = {w for w, _, _ in units.quantifiers(0.5)}
    assert {"栋", "架", "人次", "千瓦时"} <= kept
    assert not {"年", "届", "号", "个个", "天天"} & kept


def test_a_point_in_time_is_not_a_span(lac):
    got = numbers("今年前5个月，该省新增企业2.3万家；工程将在90天内完工，开工30天后通车。", lac)
    assert (23_000, "家") in got
    assert not any(u in {"个月", "天"} for _, u in got)
    assert (45, "分钟") in numbers("两地通行时间缩短至45分钟。", lac)
