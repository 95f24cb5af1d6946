"""Names the taggers offer that are no body, and bodies that must survive those checks
(issue 9): hand-written sentences, each for one mechanism."""
from __future__ import annotations

import pytest

from kg.annotate import annotate, get_backend
from kg.extract import extract
from kg.extract.name_checks import news_lead_note, visited_place
from kg.extract.view import is_org_name
from kg.gazetteer import brand_is_word, brands
from kg.link import link
from kg.read import read_text


@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def names(text: str, lac, kind: str) -> set[str]:
    doc = link(extract(annotate(read_text(text, "case.txt"), lac)))
    return {e.name for (k, _), e in doc.entities.items() if k == kind}


def test_the_program_in_a_news_lead_is_no_body(lac):
    text = "人民网消息（新闻联播）：市数据局今天发布公共数据开放清单。"
    assert news_lead_note(text, 6, 10)
    orgs = names(text, lac, "organization")  # the recognizer tags the program ORG
    assert "新闻联播" not in orgs and "市数据局" in orgs
    assert not news_lead_note("市数据局（原信息中心）今天发布清单。", 5, 10)  # not after 消息/讯/电


def test_a_measure_word_after_a_number_is_no_body_suffix():
    assert not is_org_name("四部")
    assert not is_org_name("若干部")
    assert not is_org_name("其中一部")
    assert not is_org_name("行政法规和三部")
    assert is_org_name("招商合作二处")  # a numbered division keeps its name
    assert is_org_name("交通运输部")


def test_a_body_cut_before_an_ordinal_is_dropped(lac):
    orgs = names("中共十八大以来，我省数字政府建设取得明显成效。", lac, "organization")  # LAC: 中共十八/ORG 大
    assert not any(o.endswith("十八") for o in orgs)


def test_a_quality_and_a_kind_of_body_is_no_name(lac):
    orgs = names("要加快建设透明政府和高效政府，宁波市人民政府负责组织实施。", lac, "organization")
    assert "透明政府" not in orgs and "高效政府" not in orgs
    assert "宁波市人民政府" in orgs


def test_where_someone_goes_is_a_place_unless_a_known_body():
    text = "检查组来到外滩源进行夜间巡查，随后前往市应急管理局座谈。"
    s = text.index("外滩源")
    assert visited_place(text, s, s + 3)
    s = text.index("市应急管理局")
    assert not visited_place(text, s, s + 6)  # a body's suffix
    assert not visited_place("外滩源进行巡查", 0, 3)  # no verb of going before it


def test_a_brand_that_is_a_general_word_is_no_evidence_of_a_company():
    word_brands = [b for b in brands() if brand_is_word(b)]
    assert word_brands and len(word_brands) < len(brands())
    assert not brand_is_word("腾讯")  # tagged as a name in the dictionary


def test_a_person_before_a_title_and_a_person_is_the_body(lac):
    # the tagger takes the company for a person: 李宁/PER 首席执行官 钱炜/PER
    text = "大会期间，李宁首席执行官钱炜与李华会面。峰会上，李华与张小泉联合创始人王晓刚对话。"
    doc = link(extract(annotate(read_text(text, "case.txt"), lac)))
    persons = {e.name for (k, _), e in doc.entities.items() if k == "person"}
    orgs = {e.name: e for (k, _), e in doc.entities.items() if k == "organization"}
    assert {"钱炜", "李华", "王晓刚"} <= persons and not persons & {"李宁", "张小泉"}
    assert {"李宁", "张小泉"} <= set(orgs)
    posts = {(p.person, p.title, p.org) for p in doc.facts.posts}
    assert ("钱炜", "首席执行官", "李宁") in posts
    # the conjunction after another person's name is not part of the body: 李华与|张小泉…
    assert ("王晓刚", "联合创始人", "张小泉") in posts
    # a title that may follow a name does not make the name a body
    doc = link(extract(annotate(read_text("会上，李强总理王毅出席。", "case.txt"), lac)))
    assert "李强" not in {e.name for (k, _), e in doc.entities.items() if k == "organization"}


def test_two_bodies_the_tagger_names_around_and_stay_two(lac):
    orgs = names("代表团在长安文化传播中心和渭南市文化旅游局的支持下开展调研。", lac, "organization")
    assert {"长安文化传播中心", "渭南市文化旅游局"} <= orgs
    assert not any("和" in o for o in orgs)
    # 与 inside one name still joins: the part before it is no body of the tagger's
    assert "大数据分析与应用技术国家工程实验室" in names("大数据分析与应用技术国家工程实验室主任李明出席。", lac, "organization")


def test_a_mission_belongs_to_who_sends_it(lac):
    orgs = names("日本驻上海总领事馆与四川省驻北京办事处代表出席。", lac, "organization")
    assert {"日本驻上海总领事馆", "四川省驻北京办事处"} <= orgs
    # a representative to a body is a post, not a mission of the body
    orgs = names("委内瑞拉驻联合国教科文组织代表李文发言。", lac, "organization")
    assert "联合国教科文组织" in orgs and not any("驻" in o for o in orgs)


def test_a_council_is_a_body_although_its_members_hold_a_title(lac):
    # 理事 is a post title; 理事会 is the body
    assert "欧亚经济理事会" in names("欧亚经济理事会通过决议。", lac, "organization")
    assert "亚洲青年理事会" in names("亚洲青年理事会和某市团委举行联合发布会。", lac, "organization")


def test_a_made_place_after_a_place_is_a_place(lac):
    text = "代表团先后来到宁波北仑港区集装箱码头和湖南湘江新区，在黄山风景区考察，又前往西部（成都）科学城。"
    places = names(text, lac, "place")
    assert {"宁波北仑港区集装箱码头", "湖南湘江新区", "黄山风景区", "西部（成都）科学城"} <= places
    # without a place before the head it is a designation, not a place
    text = "要高标准建设国家生态文明试验区，打造三个港区。"
    places = names(text, lac, "place")
    assert not any(p.endswith(("试验区", "港区")) for p in places)


def test_a_place_named_zone_is_no_initiative(lac):
    doc = link(extract(annotate(read_text("会议研究了湛江海东新区和三明沙溪科技城示范区建设。", "case.txt"), lac)))
    inits = {e.name for (k, _), e in doc.entities.items() if k == "initiative"}
    places = {e.name for (k, _), e in doc.entities.items() if k == "place"}
    assert "湛江海东新区" in places and not any("海东新区" in i for i in inits)


def test_a_management_committee_is_a_body(lac):
    assert "滨江高新区管委会" in names("滨江高新区管委会副主任张华介绍情况。", lac, "organization")


def test_a_verb_glued_to_a_name_is_cut_off(lac):
    doc = link(extract(annotate(read_text("市大数据发展管理局局长周强作说明。", "case.txt"), lac)))
    persons = {e.name for (k, _), e in doc.entities.items() if k == "person"}
    assert "周强" in persons and "周强作" not in persons
    assert ("周强", "局长", "市大数据发展管理局") in {(p.person, p.title, p.org) for p in doc.facts.posts}
    # a given name 作 stays when no object of 作 follows
    assert "李作成" in names("李作成出席会议。", lac, "person")


def test_chair_professor_is_a_title(lac):
    doc = link(extract(annotate(read_text("北方理工大学讲席教授王立群作主旨演讲。", "case.txt"), lac)))
    assert ("王立群", "讲席教授", "北方理工大学") in {(p.person, p.title, p.org) for p in doc.facts.posts}


def test_the_names_of_a_list_that_ends_with_their_kind_are_bodies(lac):
    # the tagger takes them for places: 远景湾岛/PLACE, 金域铭岛/PLACE
    orgs = names("会议邀请了腾讯、远景湾岛、金域铭岛等企业。", lac, "organization")
    assert {"腾讯", "远景湾岛", "金域铭岛"} <= orgs
    assert not names("会议邀请了腾讯、远景湾岛、金域铭岛等企业。", lac, "place") & {"远景湾岛", "金域铭岛"}
    # ... and for persons: 李宁/PER, 张小泉/PER
    doc = link(extract(annotate(read_text("李宁、张小泉等50余家企业参展。", "case.txt"), lac)))
    orgs = {e.name: e for (k, _), e in doc.entities.items() if k == "organization"}
    assert {"李宁", "张小泉"} <= set(orgs) and "Company" in orgs["李宁"].categories
    assert not {e.name for (k, _), e in doc.entities.items() if k == "person"} & {"李宁", "张小泉"}
    # a list of kinds is no list of bodies, and the kind word must end the phrase
    assert not names("加强养老、托幼、学校、社会福利等机构的防护。", lac, "organization")
    assert not names("政府、企业等单位参加。", lac, "organization")
    assert {"王明", "李华"} <= names("王明、李华等企业代表发言。", lac, "person")


def test_a_brand_before_a_company_title_is_the_company(lac):
    # the recognizer takes "王老吉首席执行官" for one title
    doc = link(extract(annotate(read_text("会上，王老吉首席执行官张强发言。会上，思岚高级副总裁陈士凯发言。", "case.txt"), lac)))
    posts = {(p.person, p.title, p.org) for p in doc.facts.posts}
    assert {("陈士凯", "高级副总裁", "思岚"), ("张强", "首席执行官", "王老吉")} <= posts
    orgs = {e.name: e for (k, _), e in doc.entities.items() if k == "organization"}
    assert "Company" in orgs["王老吉"].categories
    # not before a title any body gives, nor a common noun
    doc = link(extract(annotate(read_text("会上，公司首席执行官张强发言。", "case.txt"), lac)))
    assert not [e for (k, _), e in doc.entities.items() if k == "organization"]


def test_a_quoted_name_after_its_kind_is_a_body(lac):
    orgs = names("在物流机器人公司“极智嘉科技”的展位前，观众络绎不绝。", lac, "organization")
    assert "极智嘉科技" in orgs and "物流机器人公司" not in orgs  # the kind phrase names no body
    # a quoted slogan or programme stays none
    assert not names("要用好平台“浙里办”，推进“最多跑一次”。", lac, "organization") & {"浙里办", "最多跑一次"}


def test_a_place_only_the_recognizer_names_needs_a_place_in_it(lac):
    # the recognizer tags a device PLACE; no LAC place token, no gazetteer place in it
    assert not names("展会上，汽车配备了激光雷达、毫米波雷达等传感器。", lac, "place")
    assert "莲都区" in names("代表团来到丽水市莲都区调研。", lac, "place")


def test_a_cut_name_before_an_adverb_and_a_role_verb_keeps_its_third_character(lac):
    # 林志/PER 光/n 线上/s 发表/v 致辞/v: the adverb and the light verb stand between
    persons = names("日本驻华大使馆参赞林志光线上发表致辞。", lac, "person")
    assert "林志光" in persons and "林志" not in persons


def test_a_surname_the_tagger_took_for_a_verb_after_a_title_is_part_of_the_name(lac):
    # 校长 谈/v 哲敏/PER: LAC's two-character name alone is too short to keep
    doc = link(extract(annotate(read_text("出席活动的还有南京大学校长谈哲敏。", "case.txt"), lac)))
    assert ("谈哲敏", "校长", "南京大学") in {(p.person, p.title, p.org) for p in doc.facts.posts}
    # without a title before it the verb stays a verb
    assert "谈哲敏" not in names("我们谈哲敏的事。", lac, "person")


def test_a_name_that_starts_with_the_last_character_of_a_title_loses_it(lac):
    persons = names("朝鲜劳动党总书记、国务委员长金正恩出席阅兵式。", lac, "person")
    assert "金正恩" in persons and "长金正恩" not in persons
    assert "江凌" in names("常务副省长江凌出席。", lac, "person")


def test_a_long_object_after_a_glued_verb_cuts_the_verb_off_the_name(lac):
    assert "王平" in names("十三届全国政协副主席王平作提案工作情况报告。", lac, "person")
    assert "李作成" in names("李作成出席会议并讲话。", lac, "person")  # 作 is his; 出席 is the verb


def test_references_to_bodies_of_a_kind_are_no_names(lac):
    orgs = names("贷款中心汇集了多家政府部门的数据。当地政府和各级党委高度重视，党和政府始终关心群众。", lac, "organization")
    assert not orgs & {"多家政府", "多家政府部门", "当地政府", "各级党委", "党和政府"}
    # a body named with 和 inside stays one body
    assert "文化和旅游部" in names("文化和旅游部发布通知。", lac, "organization")


def test_the_games_are_no_body_their_organizing_committee_is(lac):
    orgs = names("2022年，北京冬奥会、冬残奥会成功举办。", lac, "organization")
    assert not orgs & {"北京冬奥会", "冬残奥会"}
    assert "杭州第十九届亚运会组委会" in names("杭州第十九届亚运会组委会发布公告。", lac, "organization")


def test_a_region_the_recognizer_calls_a_body_is_a_place(lac):
    # 苏格兰/LOC tagged ORG by the recognizer; legislatures keep their suffix
    assert "苏格兰" not in names("苏格兰和威尔士的大部分地区铁路服务瘫痪。", lac, "organization")
    assert "洪都拉斯国会" in names("洪都拉斯国会通过决议。", lac, "organization")


def test_a_centre_of_a_body_the_recognizer_names_whole_is_one_body(lac):
    # 领事 inside is a title, 中心 alone no suffix: still the body's unit, not the body and a remainder
    orgs = names("外交部领事保护中心提醒在外中国公民注意安全。", lac, "organization")
    assert "外交部领事保护中心" in orgs and "外交部" not in orgs


def test_each_organizer_of_an_event_is_a_body(lac):
    text = ("本次大会由南京市工业和信息化局、华东软件产业促进会指导，江苏云帆数据有限公司和长江信创研究院主办，"
            "星海之家（苏州）、星海之家（香港）、南湖创新实验室共同承办。")
    orgs = names(text, lac, "organization")
    assert {"星海之家（苏州）", "星海之家（香港）", "南湖创新实验室", "华东软件产业促进会"} <= orgs
    assert "苏州" not in names(text, lac, "place")  # the bracket qualifies the body, names no place here


def test_kinds_people_and_places_that_host_are_no_organizers(lac):
    assert not names("论坛由企业、高校和科研院所共同主办。", lac, "organization")
    assert not names("该中心在西方情报专家指导下策划行动。", lac, "organization")
    assert "欧洲" not in names("比赛将首次由欧洲与非洲联合承办。", lac, "organization")
    assert not names("双方坚定支持多边主义，共同指导下一步合作。", lac, "organization")


def test_the_sites_a_tour_visits_are_places_without_a_place_first(lac):
    text = ("王明在东岭现代农业示范基地，实地察看水稻长势；考察宏达20万吨级集装箱码头运行情况。"
            "他还考察了产业园区。")
    places = names(text, lac, "place")
    assert {"东岭现代农业示范基地", "宏达20万吨级集装箱码头"} <= places
    assert "产业园区" not in places  # no name in it: a kind of site, not the site of the tour


def test_a_piece_a_tagger_cut_out_of_a_site_is_no_place(lac):
    places = names("他前往滨海乐城国际医疗旅游先行区调研，又到青山南繁育制种基地，察看育种情况。", lac, "place")
    assert {"滨海乐城国际医疗旅游先行区", "青山南繁育制种基地"} <= places
    assert not places & {"滨海乐城国际医疗", "青山南"}


def test_the_bodies_guests_come_from_are_bodies_places_and_kinds_are_not(lac):
    text = "来自云帆、星海之家、南湖创新实验室和长江信创研究院的嘉宾出席论坛。"
    assert {"云帆", "星海之家", "南湖创新实验室", "长江信创研究院"} <= names(text, lac, "organization")
    assert "云帆" not in names("云帆出席论坛。", lac, "organization")  # a short name no context confirms
    for text in ("来自北京、上海的专家参加。", "来自世界各地的代表参会。", "来自高校和企业的学者发言。",
                 "来自中央有关部门和地方的同志参加。"):
        assert not names(text, lac, "organization"), text


def test_a_short_body_name_is_confirmed_by_its_spokesperson_or_an_interview(lac):
    assert "云帆" in names("云帆相关负责人介绍了新产品。", lac, "organization")
    assert "36氪" in names("该公司负责人对36氪表示，产品将于明年上市。", lac, "organization")
    assert "云帆" not in names("云帆出席论坛。", lac, "organization")


def test_branches_told_apart_by_a_place_in_brackets_stay_apart(lac):
    text = "星海之家（苏州）、星海之家（香港）共同承办论坛。星海之家发布新计划。"
    orgs = names(text, lac, "organization")
    assert {"星海之家（苏州）", "星海之家（香港）"} <= orgs
    doc = link(extract(annotate(read_text(text, "case.txt"), lac)))
    aliases = set().union(*(e.aliases for (k, _), e in doc.entities.items() if k == "organization"))
    assert not aliases & {"苏州", "香港"}  # a place is no alias of a body


def test_bodies_listed_before_two_kinds_joined_by_and(lac):
    text = "云帆数据有限公司与苏州工业园区孵化器、杭州云谷创新园、横滨创业中心等国际知名科技园区与机构签署合作协议。"
    assert {"苏州工业园区孵化器", "杭州云谷创新园", "横滨创业中心"} <= names(text, lac, "organization")


def test_a_two_character_lac_name_keeps_a_third_character_the_recognizer_missed(lac):
    persons = names("会上，阿根廷驻华大使馆参赞林志光线上发表致辞。", lac, "person")
    assert "林志光" in persons and "林志" not in persons


def test_a_person_the_article_names_elsewhere_is_a_person_in_every_sentence(lac):
    text = "临江市副市长韩立主持会议。韩立还参观了临江建市成就展。"
    doc = link(extract(annotate(read_text(text, "case.txt"), lac)))
    assert ("韩立", "attendee") in {(r.agent, r.role) for r in doc.facts.roles}
    assert "韩立" not in names("韩立还参观了临江建市成就展。", lac, "person")  # alone, LAC's two characters prove nothing


def test_a_unit_of_a_body_is_named_after_it_and_of_its_kind(lac):
    """司, 分会, 专业委员会 end a name only after a body's name (教育部|高等教育司), and the unit
    takes that body's categories: a learned society's committee is no state committee."""
    from kg.extract.view import org_categories

    assert is_org_name("教育部高等教育司") and not is_org_name("上司")
    assert org_categories("教育部高等教育司") == {"GovernmentBody"}
    assert org_categories("中国化学会有机化学分会") == {"Academy"}
    assert org_categories("浙江省护理学会急诊专业委员会") == {"Academy"}
    text = "中国化学会有机化学分会理事长赵立新、教育部高等教育司副司长孙国强出席会议。"
    assert {"中国化学会有机化学分会", "教育部高等教育司"} <= names(text, lac, "organization")


def test_a_region_named_by_its_direction_is_a_place(lac):
    """西部地区, 中西部地区: regions of the country; the bare direction (西部) stays no place."""
    places = names("算力需求从东部地区引向中西部地区，西部要发挥能源优势。", lac, "place")
    assert {"东部地区", "中西部地区"} <= places and "西部" not in places


def test_two_countries_said_of_together_are_no_place(lac):
    """中越两党, 美墨边境: a relation of two countries by their short forms, no place; the same
    two characters before other words (中欧班列) are not taken for a pair."""
    from kg.extract.name_checks import country_pair

    assert country_pair("中塔关系", 0, 2) and country_pair("美墨边境", 0, 2)
    assert not country_pair("中欧班列", 0, 2) and not country_pair("中华文明", 0, 2)
    places = names("双方宣布中越两党两国关系新定位。大批民众聚集在美墨边境。", lac, "place")
    assert not {"中越", "美墨"} & places


def test_a_name_runs_across_no_break_between_two_titles(lac):
    """《某某规则》《某某政协…》: a body found by its suffix starts after the last break between
    titles; an issuer named before 关于 is cut there."""
    text = "会议审议通过了《中国人民政治协商会议全国委员会大会发言工作规则》《全国政协委员读书活动工作办法》。"
    orgs = names(text, lac, "organization")
    assert not any("》" in o or "《" in o for o in orgs)


def test_a_kind_of_facility_in_common_words_is_no_body(lac):
    """互联网数据中心, 大会组委会, 我国|数据中心: a kind of facility, a reference, what the country
    has; a body whose suffix names bodies only (某某研究中心, 某某协会) stays although its words
    are common ones, and so does a centre with a proper name in it."""
    text = ("我国数据中心机架规模持续增长，第三方互联网数据中心和备份存储类数据中心加快建设。"
            "大会组委会表示，公众健康研究中心与中国联通呼和浩特云数据中心将共同参与。")
    orgs = names(text, lac, "organization")
    assert not {"互联网数据中心", "第三方互联网数据中心", "备份存储类数据中心", "大会组委会", "国数据中心", "数据中心"} & orgs
    assert {"公众健康研究中心", "中国联通呼和浩特云数据中心"} <= orgs


def test_a_natural_region_named_after_a_place_is_one_place(lac):
    """华北平原, 四川盆地, 长江流域: the region is the place named; the province or the river it
    starts with is no separate mention."""
    places = names("华北平原地势平坦，长江流域和四川盆地降雨偏多。", lac, "place")
    assert {"华北平原", "长江流域", "四川盆地"} <= places and not {"华北", "四川"} & places


def test_a_list_of_companies_keeps_every_name(lac):
    """"云从科技、依图科技、第四范式、小马智行等企业": a name the tagger half names (依图/ORG 科技) and one
    it does not name at all, among names, are companies too; a list of kinds stays none."""
    orgs = names("大会吸引了云从科技、依图科技、第四范式、小马智行等企业参展。政府、企业、高校等单位参加。", lac, "organization")
    assert {"云从科技", "依图科技", "第四范式", "小马智行"} <= orgs
    assert not {"政府", "企业", "高校"} & orgs
