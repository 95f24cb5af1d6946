"""Gazetteers (kg.gazetteer) and their use in linking: divisions with levels and parents,
the free-text matcher, and the bodies of an article's home county and city."""
from __future__ import annotations

import pytest

from kg import gazetteer as gz
from kg.annotate import annotate, get_backend
from kg.extract import extract
from kg.link import link
from kg.read import read_text


def test_gazetteer_files_name_their_source_and_refresh():
    for f in sorted(gz.GAZETTEER.glob("*.tsv")):
        head = f.read_text(encoding="utf-8").splitlines()[:2]
        assert "scripts/gazetteers.py" in head[0] and "make gazetteers" in head[1], f.name
    assert sum(f.stat().st_size for f in gz.GAZETTEER.glob("*")) < 4_000_000


def test_gazetteers_regenerate_to_the_shipped_files(tmp_path):
    """`make gazetteers` is reproducible: the script, run on the installed source packages,
    writes exactly the shipped files (skipped where the gazetteers extra is not installed;
    orgs.tsv also follows kg/data/rules/org_suffixes.txt, so a changed suffix list shows here)."""
    import importlib.util
    import subprocess
    import sys

    if not all(importlib.util.find_spec(p) for p in ("jionlp", "jieba", "companynameparser")):
        pytest.skip("pip install -e '.[gazetteers]'")
    script = gz.GAZETTEER.parents[2] / "scripts" / "gazetteers.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    for f in sorted(gz.GAZETTEER.glob("*.tsv")):
        assert (tmp_path / f.name).read_text(encoding="utf-8") == f.read_text(encoding="utf-8"), f.name


def test_divisions_have_levels_parents_and_short_forms():
    p = gz.places()
    assert p["浙江"].name == "浙江省" and p["浙江"].level == "province" and p["浙江"].parent is None
    assert p["温州"].name == "温州市" and p["温州"].level == "prefecture" and p["温州"].parent == "浙江省"
    assert p["鹿城区"].level == "county" and p["鹿城区"].parent == "温州市" and p["鹿城"].name == "鹿城区"
    assert p["天津"].municipality and not p["温州"].municipality
    # a county of a municipality hangs on the municipality itself
    assert p["徐汇区"].parent == "上海市"
    assert {c.parent for c in gz.candidates("鼓楼区")} >= {"南京市", "福州市"}
    assert p["葡萄牙"].level == "country" and p["里斯本"].parent == p["葡萄牙"].name


def test_place_of_reads_a_division_named_after_its_parent():
    assert gz.place_of("浙江省温州市").name == "温州市"
    assert gz.place_of("温州鹿城").name == "鹿城区"
    pick = gz.place_of("福州鼓楼区")
    assert pick.name == "鼓楼区" and pick.parent == "福州市"
    assert gz.place_of("温州大学") is None
    assert gz.inside(pick, gz.division("福州市")) and not gz.inside(pick, gz.division("南京市"))


def test_orgs_and_brands_have_categories():
    o = gz.orgs()
    assert "University" in o["清华大学"] and "Media" in o["新华社"] and "GovernmentBody" in o["外交部"]
    assert {"华为", "腾讯"} <= gz.brands() and "发展" not in gz.brands()


def spans(text):
    return [(text[s:e], k) for s, e, k in gz.find(text)]


def test_find_longest_non_overlapping_matches():
    got = spans("福建省福州市鼓楼区与清华大学、新华社合作")
    assert got == [("福建省", "PLACE"), ("福州市", "PLACE"), ("鼓楼区", "PLACE"),
                   ("清华大学", "ORG"), ("新华社", "ORG")]


def test_find_skips_common_words_and_cut_names():
    assert spans("和平发展是开发区的共同心愿") == []  # county short forms that are common words
    assert spans("温州大学生参加志愿活动") == [("温州", "PLACE")]  # 温州大学|生: 大学生
    assert spans("国内部分城市") == []  # 国内部|分: 部分


@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def run(text, lac):
    doc = link(extract(annotate(read_text(text, "case.txt"), lac)))
    return {e.name for (k, _), e in doc.entities.items() if k == "organization"}, doc


def test_link_county_bodies_take_the_home_county(lac):
    orgs, doc = run("温州市鹿城区召开基层治理现代化推进会。区委书记赵文斌主持会议，"
                    "区政府负责人介绍了鹿城区网格化管理经验。", lac)
    assert {"中共鹿城区委", "鹿城区人民政府"} <= orgs
    assert ("赵文斌", "中共鹿城区委") in {(p.person, p.org) for p in doc.facts.posts}


def test_link_county_of_the_right_city(lac):
    """鼓楼区 is a district of 南京, 福州, 开封 and 徐州: the one of the article's city."""
    orgs, _ = run("福州市鼓楼区举行数字经济项目签约活动，区政府与多家企业签约。福州市有关部门出席。", lac)
    assert "鼓楼区人民政府" in orgs
    assert gz.place_of("福州鼓楼区").code.startswith("3501")


def test_link_city_government_and_its_province(lac):
    orgs, _ = run("温州市政府与华为签署合作协议。市政府副市长陈明出席，省政府有关部门负责人参加。", lac)
    assert {"温州市人民政府", "浙江省人民政府"} <= orgs
    assert "市政府" not in orgs and "省政府" not in orgs


def test_link_places_take_their_short_form(lac):
    _, doc = run("浙江省温州市今年接待游客增长。温州的鹿城区也举办了活动。", lac)
    places = {e.name for (k, _), e in doc.entities.items() if k == "place"}
    assert "温州" in places and "浙江省温州市" not in places and "温州市" not in places


def test_link_a_venue_names_its_country_and_an_overrun_name_is_cut():
    """葡萄牙里斯本港 is a venue that also names 葡萄牙; 江西众诚 (a tagger running past 江西
    into the next word) names 江西 only; 温州大学城 stays one venue."""
    from kg.document import Article, Document, EntityFact, Facts, Span

    doc = Document(path="x.txt", id="x.txt", text="x" * 100, articles=[Article(0, 100)])
    doc.facts = Facts(entities=[EntityFact("place", n, Span(0, 10))
                                for n in ("葡萄牙里斯本港", "江西众诚", "温州大学城")])
    places = {e.name for (k, _), e in link(doc).entities.items() if k == "place"}
    assert places == {"葡萄牙里斯本港", "葡萄牙", "江西", "温州大学城", "温州"}
