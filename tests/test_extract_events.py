"""Events, their dates and places, and roles in them, on hand-written articles (not the seed,
not the dev articles): each case states one mechanism in wording of its own."""
from __future__ import annotations

import datetime as dt

import pytest

from kg import dates
from kg.annotate import annotate, get_backend
from kg.extract import extract
from kg.link import link
from kg.read import read_text


@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def run(text: str, lac, date: str | None = None):
    doc = read_text(text, "case.txt", meta={"date": date} if date else None)
    return link(extract(annotate(doc, lac)))


def events(doc) -> dict:
    return {e.name: e for (k, _), e in doc.entities.items() if k == "event"}


def roles(doc) -> set[tuple[str, str, str]]:
    return {(r.event, r.agent, r.role) for r in doc.facts.roles}


def place(doc, event) -> str | None:
    return doc.entities[("place", event.place)].name if event.place else None


def test_event_named_as_object_keeps_all_its_modifiers(lac):
    doc = run("3日上午，陈刚在福州主持召开推动闽东北协同发展领导小组第二次会议。", lac, "2024-04-03")
    evs = events(doc)
    assert "推动闽东北协同发展领导小组第二次会议" in evs
    e = evs["推动闽东北协同发展领导小组第二次会议"]
    assert e.date == "2024-04-03" and place(doc, e) == "福州"
    assert ("推动闽东北协同发展领导小组第二次会议", "陈刚", "chair") in roles(doc)


def test_signing_ceremony_named_with_its_parties_gives_signatories(lac):
    doc = run("林武出席山西省与中国华能集团战略合作协议签约仪式并致辞。", lac)
    name = "山西省与中国华能集团战略合作协议签约仪式"
    assert name in events(doc)
    got = roles(doc)
    assert (name, "林武", "attendee") in got and (name, "林武", "speaker") in got
    signed = {a for e, a, r in got if r == "signatory" and e == name}
    assert {"中国华能集团"} <= signed and any(a.startswith("山西") for a in signed)


def test_signing_ceremony_named_only_by_its_kind_belongs_to_the_main_event(lac):
    text = ("5月8日，2024长江经济带数字产业峰会在武汉开幕。"
            "会上，湖北联投集团与武汉大学举行了战略合作签约仪式。")
    doc = run(text, lac, "2024-05-09")
    assert not [n for n in events(doc) if "签约仪式" in n]
    signed = {(e, a) for e, a, r in roles(doc) if r == "signatory"}
    assert {("2024长江经济带数字产业峰会", "湖北联投集团"), ("2024长江经济带数字产业峰会", "武汉大学")} <= signed


def test_party_congress_by_ordinal_and_lists_of_events(lac):
    doc = run("要深入学习贯彻党的二十大和中央农村工作会议精神。", lac)
    evs = events(doc)
    assert "中央农村工作会议" in evs
    assert any(n in ("党的二十大", "二十大") for n in evs)
    assert not [n for n in evs if "和" in n]


def test_year_before_a_space_and_new_held_verbs(lac):
    doc = run("9月2日，2023 东盟数字治理论坛在南宁国际会展中心拉开帷幕。", lac, "2023-09-03")
    [e] = events(doc).values()
    assert e.name == "2023 东盟数字治理论坛"
    assert e.date == "2023-09-02" and place(doc, e) == "南宁国际会展中心"


def test_day_without_month_takes_the_article_month(lac):
    doc = run("全省数据要素市场建设推进会12日下午在杭州召开。省长王浩出席会议并讲话。", lac, "2024-06-13")
    [e] = events(doc).values()
    assert e.date == "2024-06-12" and place(doc, e) == "杭州"
    assert {("全省数据要素市场建设推进会", "王浩", "attendee"), ("全省数据要素市场建设推进会", "王浩", "speaker")} <= roles(doc)


def test_generic_meeting_gives_date_and_place_to_the_main_event(lac):
    text = "市委常委会召开会议，审议城市更新行动方案。会议于14日在市行政中心举行，市委书记周明主持会议。"
    doc = run(text, lac, "2024-08-15")
    [e] = events(doc).values()
    assert e.date == "2024-08-14" and place(doc, e) == "市行政中心"
    assert (e.name, "周明", "chair") in roles(doc)


def test_span_of_days_gives_way_to_the_day_stated(lac):
    text = ("8月5日至7日，刘宁在南阳调研并主持召开南水北调工作推进会。"
            "6日下午，刘宁在南阳主持召开南水北调工作推进会，研究部署下一步工作。")
    doc = run(text, lac, "2024-08-08")
    assert events(doc)["南水北调工作推进会"].date == "2024-08-06"


def test_relative_day_and_dateline_city(lac):
    doc = run("新华社兰州电 全省乡村振兴现场推进会今天召开。", lac, "2024-07-20")
    [e] = events(doc).values()
    assert e.date == "2024-07-20"
    assert place(doc, e) == "兰州"


def test_opening_ceremony_is_its_event_and_description_is_no_name(lac):
    text = "作为国内数字政务领域的重要会议，2024数字政府峰会开幕式上，省长李军致辞。"
    doc = run(text, lac)
    assert set(events(doc)) == {"2024数字政府峰会"}
    assert ("2024数字政府峰会", "李军", "speaker") in roles(doc)


def test_unnamed_activity_is_no_event(lac):
    doc = run("景区推出一系列民俗活动，吸引游客。古城还举办“丝路花雨”文化活动。", lac)
    assert set(events(doc)) == {"“丝路花雨”文化活动"}


def test_bodies_speak_for_their_people_and_chained_verbs_keep_their_subject(lac):
    text = ("6月3日，2024海洋经济论坛在青岛举行。来自中国海洋大学、青岛港集团的嘉宾展开深度探讨。"
            "浙江大学、厦门大学等高校的专家作主旨分享。")
    doc = run(text, lac, "2024-06-04")
    got = {(a, r) for e, a, r in roles(doc) if e == "2024海洋经济论坛"}
    assert {("中国海洋大学", "speaker"), ("青岛港集团", "speaker"),
            ("浙江大学", "speaker"), ("厦门大学", "speaker")} <= got


def test_speakers_listed_after_the_verb(lac):
    text = "7月9日，2024智慧交通大会在成都开幕。在开幕式上发表演讲的嘉宾包括：百度副总裁王刚、华为董事刘洋等。"
    doc = run(text, lac, "2024-07-10")
    got = roles(doc)
    assert ("2024智慧交通大会", "王刚", "speaker") in got and ("2024智慧交通大会", "刘洋", "speaker") in got


@pytest.mark.parametrize("text,ref,past_only,expected", [
    ("2日下午，会议召开", dt.date(2018, 7, 4), True, "2018-07-02"),
    ("28日在京召开", dt.date(2024, 3, 2), True, "2024-02-28"),   # a day still to come: last month
    ("3日，调研结束", dt.date(2024, 5, 1), False, "2024-05-03"),  # after a stated date: same month
    ("每月15日开放", dt.date(2024, 5, 20), True, None),
    ("3日内完成", dt.date(2024, 5, 20), True, None),
])
def test_resolve_day(text, ref, past_only, expected):
    assert dates.resolve_day(text, ref, past_only=past_only) == expected


def test_relative_days_and_spans():
    ref = dt.date(2024, 3, 1)
    assert dates.relative_day("昨天", ref) == "2024-02-29" and dates.relative_day("日前", ref) == "2024-03-01"
    assert dates.is_range("7月1日至3日") and dates.is_range("6月16日-17日") and not dates.is_range("7月1日召开")


def test_event_opening_its_clause_keeps_a_verb_in_its_name(lac):
    doc = run("全国统计工作会议18日在京召开。国家统计局局长陈浩主持会议。", lac, "2024-01-19")
    [e] = events(doc).values()
    assert e.name == "全国统计工作会议" and e.date == "2024-01-18" and place(doc, e) == "北京"
    assert ("全国统计工作会议", "陈浩", "chair") in roles(doc)


def test_attended_event_takes_the_sentence_date_and_place(lac):
    doc = run("9月5日，王涛在厦门出席2024金砖国家新工业革命论坛开幕式并发表主旨演讲。", lac, "2024-09-06")
    e = events(doc)["2024金砖国家新工业革命论坛"]  # the opening ceremony is the forum
    assert e.date == "2024-09-05" and place(doc, e) == "厦门"
    assert {("2024金砖国家新工业革命论坛", "王涛", "attendee"), ("2024金砖国家新工业革命论坛", "王涛", "speaker")} <= roles(doc)


def test_quoted_panel_several_sessions_and_online_exhibitions(lac):
    doc = run("主办方筹备了“湾区青年圆桌”，回顾了十四届历次全会成果，并重启线下展览。", lac)
    assert set(events(doc)) == {"“湾区青年圆桌”"}


def test_manner_between_place_and_verb_and_venue_line(lac):
    doc = run("第四届数字乡村论坛日前在合肥以线上线下相结合方式落下帷幕。", lac, "2024-11-02")
    [e] = events(doc).values()
    assert e.date == "2024-11-02" and place(doc, e) == "合肥"
    doc = run("第二届智慧水利论坛将于下月举行。会议地点：武汉洪山宾馆", lac, "2024-11-02")
    [e] = events(doc).values()
    assert place(doc, e) == "武汉洪山宾馆" and e.date is None  # "下月": no day to take


def test_signing_without_a_main_event_is_named_after_its_hosts(lac):
    doc = run("10月9日，合肥市人民政府与科大讯飞股份有限公司举行深化合作签约仪式。", lac, "2024-10-10")
    [name] = events(doc)
    assert name.startswith("合肥市人民政府与科大讯飞股份有限公司") and name.endswith("签约仪式")
    signed = {a for e, a, r in roles(doc) if r == "signatory"}
    assert signed == {"合肥市人民政府", "科大讯飞股份有限公司"}


def test_reported_speech_and_pronouns_start_a_new_subject(lac):
    text = "6月1日，全省科普工作会议在长沙召开。赵军在讲话中说，你们要积极参加科普论坛活动。"
    doc = run(text, lac, "2024-06-02")
    assert not [r for r in doc.facts.roles if r.agent == "赵军" and r.role == "attendee"]


@pytest.mark.parametrize("clause", ["发表重要讲话", "作工作报告", "发表了热情洋溢的致辞", "作题为“数字治理”的报告"])
def test_speeches_with_their_modifiers(lac, clause):
    doc = run(f"5月6日，全市城市更新工作会议在昆明召开。市长王建国{clause}。", lac, "2024-05-07")
    assert ("全市城市更新工作会议", "王建国", "speaker") in roles(doc)


def test_at_the_event_city_hosts_and_main_venue(lac):
    doc = run("宁波今天举办第三届海洋经济大会。主会场设在宁波国际会议中心。", lac, "2024-05-05")
    [e] = events(doc).values()
    assert e.date == "2024-05-05" and place(doc, e) == "宁波"
    doc = run("3月2日，在2024中国数字城市论坛上，王平作主题报告。主会场设在成都世纪城国际会议中心。", lac, "2024-03-03")
    [e] = events(doc).values()
    assert e.date == "2024-03-02" and place(doc, e) == "成都世纪城国际会议中心"
    assert ("2024中国数字城市论坛", "王平", "speaker") in roles(doc)


def test_abbreviation_in_brackets_nested_places_and_eve(lac):
    text = "在东盟峰会召开前夕，2024中国—东盟数字经济论坛（CADEF）于9月3日在广西南宁开幕。"
    doc = run(text, lac, "2024-09-04")
    evs = events(doc)
    e = evs["2024中国—东盟数字经济论坛"]
    assert "CADEF" in e.aliases and e.date == "2024-09-03" and place(doc, e) == "南宁"
    assert evs["东盟峰会"].date is None  # "召开前夕": not yet held


def test_hosts_of_talks_are_bodies_listed_not_the_venue(lac):
    doc = run("5月9日，市政府在市民中心与京东集团举行工作会谈。", lac)
    assert not [n for n in events(doc) if "市民中心" in n]


def test_organizer_between_name_and_venue_and_joint_events(lac):
    text = "第二届丝路互鉴对话会暨首届敦煌文化论坛由甘肃省文化和旅游厅主办，3日在敦煌开幕。"
    doc = run(text, lac, "2024-07-04")
    [e] = events(doc).values()
    assert e.name.endswith("对话会暨首届敦煌文化论坛")
    assert e.date == "2024-07-03" and place(doc, e) == "敦煌"


def test_generic_heads_are_no_names(lac):
    doc = run("要确保大会顺利召开，落实好论坛成果，筹备好论坛会议。", lac)
    assert not events(doc)


def test_witnesses_of_a_signing_attend_the_event(lac):
    text = "6月5日，2024数字经济峰会在南京开幕。峰会上，江苏省副省长王建国、南京市市长陈之常见证签约。"
    doc = run(text, lac, "2024-06-06")
    assert {("2024数字经济峰会", "王建国", "attendee"), ("2024数字经济峰会", "陈之常", "attendee")} <= roles(doc)


def test_signing_article_without_a_named_event(lac):
    text = "4月12日，贵阳市人民政府与华为技术有限公司在贵阳签署战略合作协议。省委书记徐麟出席签约仪式。"
    doc = run(text, lac, "2024-04-13")
    [(name, e)] = events(doc).items()
    assert name == "贵阳市人民政府与华为技术有限公司签约仪式" and e.date == "2024-04-12"
    got = roles(doc)
    assert (name, "徐麟", "attendee") in got
    assert {(name, "贵阳市人民政府", "signatory"), (name, "华为技术有限公司", "signatory")} <= got


def test_persons_signing_for_both_sides(lac):
    text = "5月9日，市政府与京东集团在宿迁举行工作会谈。副市长王建国与京东集团副总裁李明代表双方签约。"
    doc = run(text, lac)
    signed = {a for e, a, r in roles(doc) if r == "signatory"}
    assert {"王建国", "李明"} <= signed


def test_at_the_event_site_dates_it(lac):
    doc = run("5月26日，2024中国智慧物流博览会现场，张华作主旨演讲。", lac, "2024-05-27")
    e = events(doc)["2024中国智慧物流博览会"]
    assert e.date == "2024-05-26"
    assert ("2024中国智慧物流博览会", "张华", "speaker") in roles(doc)


def test_a_sentence_goes_on_about_the_event_held_just_before(lac):
    text = ("9月1日，2024东北亚能源峰会在大连开幕。9月2日，峰会氢能分论坛在大连星海会展中心举行。"
            "大连理工大学、中国石化大连石油化工研究院等机构的专家将作主旨分享。")
    doc = run(text, lac, "2024-09-02")
    got = {(e, a) for e, a, r in roles(doc) if r == "speaker"}
    assert ("峰会氢能分论坛", "大连理工大学") in got


def test_a_dated_signing_before_another_event_is_the_main_event(lac):
    text = ("6月3日，浙江大学与阿里巴巴集团在杭州签署战略合作协议，同时还举行了智能制造人才培养的产教融合研讨会。"
            "浙江大学副校长周明、阿里巴巴集团副总裁吴涛代表双方进行签约，杭州市副市长孙强等出席仪式并见证签约。")
    doc = run(text, lac, "2024-06-05")
    name = "浙江大学与阿里巴巴集团签约仪式"
    e = events(doc)[name]
    assert e.date == "2024-06-03" and place(doc, e) == "杭州"
    got = roles(doc)
    assert {(name, "周明", "signatory"), (name, "吴涛", "signatory"), (name, "孙强", "attendee")} <= got
    assert not any(a in ("周明", "吴涛") and r == "attendee" for _, a, r in got)
    meeting = next(n for n in events(doc) if n.endswith("研讨会"))
    assert events(doc)[meeting].date == "2024-06-03"  # "举行了A的B座谈会" is held


def test_a_signing_after_the_held_event_stays_part_of_it(lac):
    text = ("6月3日，2024长三角数字经济论坛在杭州开幕。"
            "论坛期间，浙江大学与阿里巴巴集团签署战略合作协议，杭州市副市长孙强等出席仪式并见证签约。")
    doc = run(text, lac, "2024-06-05")
    assert not [n for n in events(doc) if n.endswith("签约仪式")]


def test_participants_of_a_talk_speak_at_it(lac):
    text = ("本届大会最受关注的是“城市圆桌”（张伟、刘洋）。"
            "2022年，清华大学教授王立群与北京大学教授陈思远之间进行的“数字治理会谈”吸引了众多观众。")
    doc = run(text, lac)
    got = {(e, a) for e, a, r in roles(doc) if r == "speaker"}
    assert {("“城市圆桌”", "张伟"), ("“城市圆桌”", "刘洋")} <= got
    assert any(a == "王立群" and "会谈" in e for e, a in got) and any(a == "陈思远" and "会谈" in e for e, a in got)


def test_a_clause_that_only_names_an_event_does_not_bind_the_next(lac):
    text = ("7月5日，2024全球数字城市大会在深圳开幕。"
            "组委会筹备了“智慧交通圆桌”，还邀请到华为副总裁李刚、腾讯副总裁赵敏共话未来城市。")
    doc = run(text, lac, "2024-07-06")
    got = {(e, a) for e, a, r in roles(doc) if r == "speaker"}
    assert ("2024全球数字城市大会", "李刚") in got and ("2024全球数字城市大会", "赵敏") in got


def test_an_event_only_cited_later_in_the_clause_is_not_attended(lac):
    text = "3月4日，省委副书记刘建华出席结业式时讲话强调要全面落实党的二十大精神。"
    doc = run(text, lac, "2024-03-05")
    assert not [a for e, a, r in roles(doc) if e == "党的二十大"]


def test_those_who_go_on_stage_attend_but_not_a_step_up(lac):
    text = ("5月8日，2024智慧医疗大会在成都开幕。市长张伟、教授王丽上台共同启动平台。"
            "全市医疗水平上台阶，院长刘强表示满意。")
    doc = run(text, lac, "2024-05-09")
    got = {a for e, a, r in roles(doc) if r == "attendee"}
    assert {"张伟", "王丽"} <= got and "刘强" not in got


def test_bodies_listed_as_where_speakers_come_from_are_whole_items(lac):
    text = ("6月2日，2024海洋经济峰会在厦门开幕。来自厦门海川律师事务所、蓝海之星、"
            "中远海运集团有限公司、华为技术有限公司的嘉宾展开探讨。")
    doc = run(text, lac, "2024-06-03")
    got = {a for e, a, r in roles(doc) if r == "speaker"}
    assert {"厦门海川律师事务所", "蓝海之星", "中远海运集团有限公司"} <= got


def test_an_event_held_in_a_clause_that_goes_on_is_held_where_the_first_says(lac):
    text = "4月9日，浙江大学与阿里巴巴集团在杭州签署战略合作协议，同时举行了人工智能教育合作研讨会。"
    doc = run(text, lac, "2024-04-10")
    e = next(v for n, v in events(doc).items() if n.endswith("研讨会"))
    assert place(doc, e) == "杭州"
    doc = run("4月9日，浙江大学与阿里巴巴集团在杭州签署战略合作协议。同时举行了人工智能教育合作研讨会。", lac, "2024-04-10")
    e = next(v for n, v in events(doc).items() if n.endswith("研讨会"))
    assert place(doc, e) is None  # another sentence: no clause goes on from it


def test_attending_this_summit_means_the_summit_last_held(lac):
    text = ("5月6日，2024丝路商务合作论坛在西安开幕。"
            "当地时间6日，东盟地区经济峰会在曼谷召开。本届峰会聚焦区域合作。"
            "泰国总理阿努廷将出席此次峰会。")
    doc = run(text, lac, "2024-05-07")
    assert ("东盟地区经济峰会", "阿努廷", "attendee") in roles(doc)


def test_who_presents_at_a_press_conference_speaks(lac):
    doc = run("近日，国家数据局在北京举办新闻发布会，局长刘烈宏介绍有关情况，并答记者问。", lac, "2024-06-10")
    assert any(agent == "刘烈宏" and role == "speaker" for _, agent, role in roles(doc))


def test_a_joint_event_whose_second_half_holds_a_verb_is_one_event(lac):
    """"A推进大会暨重大项目集中签约活动今天举行": one event across 暨, dated by 今天, although a verb
    (签约) stands inside its second half."""
    doc = run("安徽省数据要素市场建设推进大会暨重大项目集中签约活动今天举行。", lac, "2024-03-08")
    e = events(doc)["安徽省数据要素市场建设推进大会暨重大项目集中签约活动"]
    assert e.date == "2024-03-08"


def test_the_same_day_is_the_day_just_stated(lac):
    """"当天" after "12日…" is the 12th, not the day of the article's first event."""
    doc = run("6月10日，第三届智慧交通峰会在广州开幕。12日上午，省政府常务会议在广州召开。"
              "当天，市政府与某某科技公司战略合作签约仪式在广州举行。", lac, "2024-06-12")
    e = next(v for n, v in events(doc).items() if n.endswith("签约仪式"))
    assert e.date == "2024-06-12"
