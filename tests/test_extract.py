"""Extraction rules on small hand-written articles (not the seed): each case states one
kind of fact the rules must find, in wording the seed does not use."""
from __future__ import annotations

import pytest

from kg.annotate import annotate, get_backend
from kg.extract import extract
from kg.link import link
from kg.read import read_text


@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def run(text: str, lac, meta=None):
    doc = read_text(text, "case.txt", meta=meta)
    return link(extract(annotate(doc, lac)))


def names(doc, kind):
    return {e.name for (k, _), e in doc.entities.items() if k == kind}


def test_extract_posts_titles_before_one_name(lac):
    doc = run("省委副书记、省长王建国主持会议。浙江大学副校长李明出席。", lac)
    posts = {(p.person, p.title, p.org) for p in doc.facts.posts}
    assert ("王建国", "省长", None) in posts
    assert any(p[0] == "王建国" and p[1] == "副书记" and p[2] and p[2].endswith("省委") for p in posts)
    assert ("李明", "副校长", "浙江大学") in posts


def test_extract_posts_two_bodies_for_one_person(lac):
    doc = run("中国科学院院士、复旦大学教授张伟作主旨演讲。", lac)
    posts = {(p.person, p.title, p.org) for p in doc.facts.posts}
    assert ("张伟", "院士", "中国科学院") in posts
    assert ("张伟", "教授", "复旦大学") in posts


def test_extract_organizations_with_categories_and_parent(lac):
    doc = run("武汉大学信息管理学院与华为技术有限公司签署战略合作协议。", lac)
    orgs = {e.name: e for (k, _), e in doc.entities.items() if k == "organization"}
    assert "华为技术有限公司" in orgs and "Company" in orgs["华为技术有限公司"].categories
    child = orgs["武汉大学信息管理学院"]
    assert "University" in child.categories
    assert child.part_of == orgs["武汉大学"].key


def test_extract_agreement_parties_type_title(lac):
    text = "5月12日，2024数字城市峰会在成都举行。会上，四川大学、成都市大数据中心与腾讯云计算有限公司签订“城市治理联合实验室”合作协议。"
    doc = run(text, lac, meta={"date": "2024-05-13"})
    [a] = doc.facts.agreements
    assert a.type == "合作协议"
    assert a.title == "“城市治理联合实验室”合作协议"
    assert set(a.parties) >= {"四川大学", "腾讯云计算有限公司"}
    assert a.date == "2024-05-12"
    assert a.event == "2024数字城市峰会"


def test_extract_event_date_place_and_roles(lac):
    text = "3月8日，全市数字政府建设工作会议在市政府会议中心召开。市长李强主持会议，副市长赵敏出席并讲话。"
    doc = run(text, lac, meta={"date": "2023-03-09"})
    events = {e.name: e for (k, _), e in doc.entities.items() if k == "event"}
    [name] = [n for n in events if n.endswith("工作会议")]
    assert events[name].date == "2023-03-08"
    roles = {(r.agent, r.role) for r in doc.facts.roles}
    assert ("李强", "chair") in roles
    assert ("赵敏", "attendee") in roles and ("赵敏", "speaker") in roles


def test_extract_event_without_year_stays_yearless(lac):
    doc = run("6月1日，智慧交通推进会召开。", lac)
    [e] = [e for (k, _), e in doc.entities.items() if k == "event"]
    assert e.date == "--06-01"


def test_extract_counted_initiative_with_parts(lac):
    doc = run("要统筹推进智慧交通、智慧医疗、智慧教育、智慧养老四大应用平台建设。", lac)
    inits = {e.name: e for (k, _), e in doc.entities.items() if k == "initiative"}
    plat = inits["四大应用平台"]
    assert plat.count == 4
    parts = [doc.entities[("initiative", c)].name for c in plat.components]
    assert parts == ["智慧交通", "智慧医疗", "智慧教育", "智慧养老"]


def test_extract_quoted_initiative_with_head(lac):
    doc = run("深入实施“一圈两群”协同发展机制，加快建设“渝快办”政务服务平台。", lac)
    found = names(doc, "initiative")
    assert "“一圈两群”协同发展机制" in found
    assert any("渝快办" in n for n in found)


@pytest.mark.parametrize("text,value,unit,approx", [
    ("全省已建成5G基站8.5万个。", 85000, "个", None),
    ("吸引了300余家企业参展。", 300, "家", "more-than"),
    ("项目总投资超20亿元。", 2_000_000_000, "元", "more-than"),
    ("覆盖全国千余个县。", 1000, "个", "more-than"),
])
def test_extract_numbers(lac, text, value, unit, approx):
    doc = run(text, lac)
    got = [(i.value, i.unit, i.approx) for i in doc.facts.indicators]
    assert (value, unit, approx) in got


@pytest.mark.parametrize("text", ["2024年3月8日召开了第三次会议。", "实施三年行动计划，建设六大平台。"])
def test_extract_numbers_skip_dates_ordinals_and_counted_names(lac, text):
    doc = run(text, lac)
    assert doc.facts.indicators == []


def test_extract_every_fact_has_evidence_inside_the_text(lac):
    doc = run("市委书记刘洋在全市数字化改革大会上讲话。会议由市长孙丽主持。", lac)
    spans = [p.evidence for p in doc.facts.posts] + [r.evidence for r in doc.facts.roles]
    assert spans
    for s in spans:
        assert 0 <= s.start < s.end <= len(doc.text)


def _frame(doc, predicate: str, **args: str) -> dict:
    """An SRL frame in document offsets, as the HanLP backends give them."""
    def span(s):
        i = doc.text.index(s)
        return (i, i + len(s))
    return {"predicate": span(predicate), **{k: span(v) for k, v in args.items()}}


def _with_frames(text, lac, frames):
    doc = annotate(read_text(text, "case.txt"), lac)
    sent = next(doc.sentences)
    sent.srl = [_frame(doc, *f[:1], **f[1]) for f in frames]
    return link(extract(doc))


def test_extract_srl_frame_gives_an_agreement_the_rules_miss(lac):
    text = "今天签署合作协议的双方是南京大学和中兴通讯股份有限公司。"
    assert run(text, lac).facts.agreements == []
    doc = _with_frames(text, lac, [("签署", {"ARG0": "南京大学和中兴通讯股份有限公司", "ARG1": "合作协议"})])
    [a] = doc.facts.agreements
    assert set(a.parties) == {"南京大学", "中兴通讯股份有限公司"} and a.type == "合作协议"


def test_extract_srl_and_rules_state_one_fact_once(lac):
    text = "西北大学与陕西移动通信有限公司签署战略合作协议。市长周明主持。"
    frames = [("签署", {"ARG0": "西北大学与陕西移动通信有限公司", "ARG1": "战略合作协议"})]
    doc = _with_frames(text, lac, frames)
    assert len(doc.facts.agreements) == 1


def test_extract_plan_in_book_title_marks(lac):
    doc = run("市政府印发《苏州市智慧交通发展规划（2024—2026年）》。", lac)
    assert "《苏州市智慧交通发展规划（2024—2026年）》" in names(doc, "initiative")


def test_extract_targets_at_least_and_same_day_agreement(lac):
    text = "5月6日，市大数据局发布年度目标：新建政务应用30个以上。同日，东南大学与江苏云计算有限公司签署合作协议。"
    doc = run(text, lac, meta={"date": "2024-05-07"})
    assert (30.0, "个", "at-least") in [(i.value, i.unit, i.approx) for i in doc.facts.indicators]
    [a] = doc.facts.agreements
    assert a.date == "2024-05-06"


def test_extract_both_sides_sign_a_titled_agreement(lac):
    text = "5月9日，市政府与京东集团在宿迁举行工作会谈。双方签署了《宿迁市人民政府 京东集团战略合作协议》。"
    doc = run(text, lac)
    [a] = doc.facts.agreements
    assert a.type == "战略合作协议" and a.title.startswith("《宿迁市人民政府")
    assert len(a.parties) == 2 and "京东集团" in a.parties
    events = {e.name: e for (k, _), e in doc.entities.items() if k == "event"}
    assert any(n.endswith("工作会谈") and e.date == "--05-09" for n, e in events.items())


def test_extract_target_years_do_not_date_events(lac):
    doc = run("6月2日，智慧水务推进会召开。力争到2027年建成智慧水务平台。", lac)
    [e] = [e for (k, _), e in doc.entities.items() if k == "event"]
    assert e.date == "--06-02"


def test_extract_names_listed_before_a_shared_title(lac):
    doc = run("参会嘉宾有王明、李强、赵敏等人工智能领域的知名教授。", lac)
    posts = {(p.person, p.title) for p in doc.facts.posts}
    assert {("王明", "教授"), ("李强", "教授"), ("赵敏", "教授")} <= {(a, b[-2:]) for a, b in posts}


def test_extract_and_inside_a_body_name(lac):
    doc = run("由浙江大学数据科学与工程国家重点实验室主办，浙江大学与阿里巴巴集团签署合作协议。", lac)
    orgs = names(doc, "organization")
    assert "浙江大学数据科学与工程国家重点实验室" in orgs
    [a] = doc.facts.agreements
    assert set(a.parties) == {"浙江大学", "阿里巴巴集团"}


def test_extract_one_agreement_per_pair_with_fen_bie(lac):
    doc = run("会上，宁波市人民政府分别与华为技术有限公司、腾讯科技有限公司签署战略合作协议。", lac)
    pairs = {frozenset(a.parties) for a in doc.facts.agreements}
    assert pairs == {frozenset({"宁波市人民政府", "华为技术有限公司"}), frozenset({"宁波市人民政府", "腾讯科技有限公司"})}
    doc = run("会上，宁波市人民政府与华为技术有限公司、腾讯科技有限公司分别签署战略合作协议。", lac)
    assert {frozenset(a.parties) for a in doc.facts.agreements} == pairs


def test_extract_event_short_name_venue_and_branches(lac):
    text = ("6月3日，2024数字城市峰会（简称“数城会”）在福州海峡国际会展中心举办。"
            "中国电信福建分公司与福州大学签署合作协议。")
    doc = run(text, lac)
    [e] = [e for (k, _), e in doc.entities.items() if k == "event"]
    assert "数城会" in e.aliases and e.place and e.date == "2024-06-03"  # the year the name states
    assert "福州海峡国际会展中心" not in names(doc, "initiative")
    orgs = {e.name: e for (k, _), e in doc.entities.items() if k == "organization"}
    assert orgs["中国电信福建分公司"].part_of == orgs["中国电信"].key


def test_extract_founding_event_and_posts_of_the_founded_body(lac):
    text = ("5月20日，由浙江大学等单位发起的“长三角智慧城市联盟”正式成立，复旦大学教授陈立担任理事长。"
            "联盟由陈立担任理事长，首届理事包括王海、刘晨、周敏等专家学者。"
            "首届智慧城市研讨会当天举行，陈立表示，联盟将通过组织高端论坛、专题研讨会等形式的活动服务城市治理。")
    doc = run(text, lac, meta={"date": "2024-05-21"})
    events = {e.name: e for (k, _), e in doc.entities.items() if k == "event"}
    assert events["长三角智慧城市联盟成立"].date == "2024-05-20"
    assert events["首届智慧城市研讨会"].date == "2024-05-20"  # 当天: the founding's day
    assert not {n for n in events if n.endswith(("高端论坛", "专题研讨会"))}  # kinds of activity
    posts = {(p.person, p.title, p.org) for p in doc.facts.posts}
    assert ("陈立", "理事长", "长三角智慧城市联盟") in posts and ("陈立", "教授", "复旦大学") in posts
    assert {("王海", "理事", "长三角智慧城市联盟"), ("刘晨", "理事", "长三角智慧城市联盟"),
            ("周敏", "理事", "长三角智慧城市联盟")} <= posts
    assert ("陈立", "speaker") in {(r.agent, r.role) for r in doc.facts.roles}


def test_extract_founding_in_the_past_is_no_event_and_meeting_is_no_topic(lac):
    doc = run("该研究院成立于2015年。会议由市长李强主持，委员包括王海、刘晨。", lac)
    assert not [e for (k, _), e in doc.entities.items() if k == "event" and e.name.endswith("成立")]
    assert not [p for p in doc.facts.posts if p.person == "王海" and p.org]


def test_extract_known_initiatives_from_the_lexicon_and_pilot_as_verb(lac):
    doc = run("该市主动融入“一带一路”和西部大开发，试点“AI+一网统管”，推进乡村振兴。", lac)
    found = names(doc, "initiative")
    assert {"“一带一路”", "西部大开发", "“AI+一网统管”", "乡村振兴"} <= found
    assert "一网统管" not in found and not [n for n in found if n.endswith("试点")]


def test_extract_parts_counted_after_their_enumeration_go_to_the_initiative(lac):
    doc = run("今年城市治理指数（2024）新增交通指数、安全指数、环境指数3个新指数，覆盖更多城市。", lac)
    inits = {e.name: e for (k, _), e in doc.entities.items() if k == "initiative"}
    owner = inits["城市治理指数（2024）"]
    assert [doc.entities[("initiative", c)].name for c in owner.components] == ["交通指数", "安全指数", "环境指数"]


def test_extract_quoted_campaign_with_its_noun_phrase(lac):
    doc = run("要打好城市治理现代化“攻坚战”，加快建设“智慧名城”。", lac)
    found = names(doc, "initiative")
    assert "城市治理现代化“攻坚战”" in found and "“智慧名城”" in found


def test_extract_places_regions_venues_and_broken_company_names(lac):
    text = ("5月8日，数字城市发展大会在杭州举行。大会服务长三角城市群和中国各地，"
            "欢迎莅临杭州国际博览中心2楼报告厅参会。华为、金域铭岛等企业参会。")
    doc = run(text, lac)
    places = names(doc, "place")
    assert {"杭州国际博览中心2楼报告厅", "杭州国际博览中心"} <= places
    assert "中国" not in places and "长三角城市群" in places
    [event] = [e for (k, _), e in doc.entities.items() if k == "event"]
    assert doc.entities[("place", event.place)].name == "杭州国际博览中心2楼报告厅"  # the most precise
    assert "金域铭岛" in names(doc, "organization") and "金域铭岛" not in places


def test_extract_initiative_tails_durations_and_verbal_adjectives(lac):
    doc = run("要建设“城市超脑”双中枢，推进“浙政钉”应用，实施好智慧交通建设五年行动计划，丰富城市数字孪生应用平台。", lac)
    found = names(doc, "initiative")
    assert "“城市超脑”双中枢" in found and "“浙政钉”" in found
    assert "智慧交通建设五年行动计划" in found
    assert not [n for n in found if n.startswith("丰富")]


def test_extract_categories_of_founded_bodies_and_company_centres(lac):
    doc = run("“长三角数字治理联盟”正式成立。中国移动通信集团有限公司大数据中心参会。", lac)
    orgs = {e.name: e for (k, _), e in doc.entities.items() if k == "organization"}
    assert "Committee" in orgs["长三角数字治理联盟"].categories
    assert orgs["中国移动通信集团有限公司大数据中心"].categories == {"Company"}


def test_extract_number_label_keeps_a_quoted_word(lac):
    doc = run("全市“一件事”事项达到120个。", lac)
    assert [(i.label, i.value) for i in doc.facts.indicators] == [("“一件事”事项", 120)]


@pytest.mark.parametrize("text,date,expected", [
    ("到2025年，全市将建成100个以上应用场景，数据共享率达到95%。", "2023-05-01", [2025, 2025]),
    ("力争2026年前覆盖300个社区。", "2024-01-02", [2026]),
    ("到2023年底，全市已建成5G基站8万个。", "2024-03-01", [None]),  # a status report, not a target
    ("到2020年，全省建成500个站点。", "2024-03-01", [None]),          # a year already past
    ("到2025年，建成20个平台；目前已有12个平台上线。", "2023-05-01", [2025, None]),
])
def test_extract_targets_have_their_year(lac, text, date, expected):
    doc = run(text, lac, meta={"date": date})
    assert [i.target_year for i in doc.facts.indicators] == expected


def test_extract_roles_and_agreements_find_their_meeting(lac):
    text = ("3月15日，西安市城市运行管理中心揭牌仪式在高新区举行。市长李明为中心揭牌并讲话。"
            "当天下午，王强主持召开市委常委会会议。会上，西安市人民政府与西北工业大学签署合作协议。")
    doc = run(text, lac, meta={"date": "2024-03-16"})
    roles = {(r.agent, r.role, r.event) for r in doc.facts.roles}
    assert ("王强", "chair", "市委常委会会议") in roles
    assert ("李明", "speaker", "西安市城市运行管理中心揭牌仪式") in roles
    assert [a.event for a in doc.facts.agreements] == ["市委常委会会议"]  # 会上: the latest meeting
    orgs = {e.name: e for (k, _), e in doc.entities.items() if k == "organization"}
    assert orgs["西安市城市运行管理中心"].categories == {"GovernmentBody"}


def test_extract_known_quoted_initiative_takes_no_modifier(lac):
    doc = run("要实现城市运行“一网统管”，打好数字经济发展“攻坚战”。", lac)
    found = names(doc, "initiative")
    assert "“一网统管”" in found and "数字经济发展“攻坚战”" in found


def test_extract_rate_label_is_the_clause_noun_phrase(lac):
    doc = run("力争到2027年底，市级政务服务事项网上可办率达到98%。", lac, meta={"date": "2025-01-01"})
    [i] = doc.facts.indicators
    assert (i.label, i.value, i.unit, i.target_year) == ("市级政务服务事项网上可办率", 98, "%", 2027)


def test_extract_unquoted_agreement_subject_is_its_title(lac):
    doc = run("浙江大学与杭州市数据资源管理局签署城市大脑联合研究合作协议，双方还签署了相关合作协议。", lac)
    titles = sorted((a.title or "") for a in doc.facts.agreements)
    assert "城市大脑联合研究合作协议" in titles and all("相关" not in t for t in titles)


def test_extract_person_name_cut_before_its_third_character(lac):
    doc = run("市委副书记、市长覃伟中出席会议并讲话。", lac)
    assert "覃伟中" in names(doc, "person")
    assert ("覃伟中", "市长") in {(p.person, p.title) for p in doc.facts.posts}
