"""Linking: canonical names, aliases merged, keys deterministic."""
from __future__ import annotations

from kg.document import Article, Document, EntityFact, Facts, PostFact, Span, key_of
from kg.link import link


def doc_with(*facts: EntityFact, posts=()) -> Document:
    d = Document(path="x.txt", id="x.txt", text="x" * 100, articles=[Article(0, 100)])
    d.facts = Facts(entities=list(facts), posts=list(posts))
    return d


def ent(kind, name, **kw):
    return EntityFact(kind, name, Span(0, 10), **kw)


def test_link_short_forms_take_the_home_city():
    d = link(doc_with(ent("place", "杭州"), ent("place", "浙江"), ent("place", "浙江"),
                      ent("organization", "省委"), ent("organization", "省政府"),
                      ent("organization", "省大数据局")))
    orgs = {e.name for (k, _), e in d.entities.items() if k == "organization"}
    assert {"中共浙江省委", "浙江省人民政府", "浙江省大数据局"} <= orgs


def test_link_municipality_bodies():
    d = link(doc_with(ent("place", "上海"), ent("organization", "市委"), ent("organization", "市发改委")))
    orgs = {e.name for (k, _), e in d.entities.items() if k == "organization"}
    assert {"中共上海市委", "上海市发展和改革委员会"} <= orgs


def test_link_prefecture_city_beats_a_municipality_in_brackets():
    """深圳 is no province-level place, yet the article is about it: 市委 is 中共深圳市委, not
    the 北京 of "腾讯云计算（北京）有限责任公司"; the province is kept for 省 short forms."""
    d = link(doc_with(ent("place", "深圳市"), ent("organization", "深圳市政务服务数据管理局"),
                      ent("event", "深圳市数字政府改革建设推进会"), ent("place", "广东"),
                      ent("organization", "腾讯云计算（北京）有限责任公司"), ent("organization", "北京大学"),
                      ent("organization", "市委"), ent("organization", "省政府")))
    orgs = {e.name for (k, _), e in d.entities.items() if k == "organization"}
    assert {"中共深圳市委", "广东省人民政府"} <= orgs and "中共北京市委" not in orgs


def test_link_merges_aliases_and_keeps_them():
    d = link(doc_with(ent("organization", "国家数据局（NDA）"), ent("organization", "NDA"),
                      ent("place", "沪"), ent("place", "上海市")))
    [org] = [e for (k, _), e in d.entities.items() if k == "organization"]
    assert org.name == "国家数据局" and "NDA" in org.aliases
    [place] = [e for (k, _), e in d.entities.items() if k == "place"]
    assert place.name == "上海" and {"沪", "上海市"} <= place.aliases


def test_link_rewrites_facts_and_is_deterministic():
    facts = (ent("person", "王五"), ent("organization", "住建部"))
    posts = [PostFact("王五", "部长", "住建部", Span(0, 10))]
    a, b = link(doc_with(*facts, posts=posts)), link(doc_with(*facts, posts=[PostFact("王五", "部长", "住建部", Span(0, 10))]))
    assert a.facts.posts[0].org == "住房和城乡建设部"
    assert sorted(a.entities) == sorted(b.entities)
    assert ("organization", key_of("住房和城乡建设部")) in a.entities


def test_link_yearless_event_joins_the_dated_one():
    d = link(doc_with(ent("event", "2024智慧城市博览会", date="2024-05-01"), ent("event", "智慧城市博览会")))
    [e] = [e for (k, _), e in d.entities.items() if k == "event"]
    assert e.name == "2024智慧城市博览会" and "智慧城市博览会" in e.aliases


def test_link_initiative_tail_is_an_alias():
    d = link(doc_with(ent("initiative", "“一网统管”城市运行体系"), ent("initiative", "城市运行体系")))
    inits = [e for (k, _), e in d.entities.items() if k == "initiative"]
    assert len(inits) == 1 and "城市运行体系" in inits[0].aliases


def test_link_home_city_from_body_names_when_no_place_is_tagged():
    d = link(doc_with(ent("organization", "成都市城市运行管理中心"), ent("organization", "成都市人民政府"),
                      ent("initiative", "超大城市治理体系"), ent("initiative", "超大城市现代化治理示范区"),
                      ent("organization", "市委")))
    orgs = {e.name for (k, _), e in d.entities.items() if k == "organization"}
    assert "中共成都市委" in orgs and "市委" not in orgs


def test_link_tail_merge_keeps_surfaces_that_differ_only_in_quotes():
    """A quoted and an unquoted form of a short initiative name share a key; when the short
    name merges into the one fuller name ending with it, both surfaces still find the group
    (it raised KeyError on a real news item)."""
    d = link(doc_with(ent("initiative", "“绿色丝路伙伴”"), ent("initiative", "绿色丝路伙伴"),
                      ent("initiative", "《携手共建绿色丝路伙伴》")))
    inits = {e.name for (k, _), e in d.entities.items() if k == "initiative"}
    assert inits == {"《携手共建绿色丝路伙伴》"}


def test_link_party_committee_named_in_full_is_not_prefixed_twice():
    d = link(doc_with(ent("organization", "中共海南省委"), ent("organization", "海口市委")))
    orgs = {e.name for (k, _), e in d.entities.items() if k == "organization"}
    assert orgs == {"中共海南省委", "中共海口市委"}


def test_link_branch_with_a_place_in_brackets_takes_its_body_s_categories():
    """星河之光（苏州）, a branch the brackets tell apart, is of the kind of 星河之光 (an academy
    here), named in the same document; a bracket that holds no place is no branch."""
    d = link(doc_with(ent("organization", "星河之光", categories={"Academy"}),
                      ent("organization", "星河之光（苏州）"), ent("organization", "星河之光（筹）")))
    cats = {e.name: e.categories for (k, _), e in d.entities.items() if k == "organization"}
    assert cats["星河之光（苏州）"] == {"Academy"}
    assert cats.get("星河之光（筹）", set()) != {"Academy"}
