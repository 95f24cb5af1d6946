"""Agreement rules on hand-written sentences (not from the seed or the dev articles):
parties by their place in a list, elided subjects, several agreements per sentence,
signings named as nouns, and the event and date they belong to."""
from __future__ import annotations

import pytest

from kg.annotate import annotate, get_backend
from kg.extract import extract
from kg.link import link
from kg.read import read_text


@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def run(text: str, lac, date: str = "2024-05-20"):
    return link(extract(annotate(read_text(text, "case.txt", meta={"date": date}), lac)))


def agreements(doc):
    return [(a.type, frozenset(a.parties)) for a in doc.facts.agreements]


def test_agreement_party_named_only_by_its_place_in_the_list(lac):
    doc = run("会上，贵州大学与地方国有企业、中国版权协会等单位签署了数据流通合作协议。", lac)
    [a] = doc.facts.agreements
    assert set(a.parties) == {"贵州大学", "地方国有企业", "中国版权协会"}  # not "单位"
    assert a.title == "数据流通合作协议"


def test_agreement_collective_party_in_a_signing_ceremony_name(lac):
    doc = run("福建省与中央企业战略合作协议签约仪式在福州举行。", lac)
    [a] = doc.facts.agreements
    assert a.type == "战略合作协议"
    assert set(a.parties) == {"福建", "中央企业"}  # the province named as the place is
    assert a.event and a.event.endswith("战略合作协议签约仪式")


def test_agreement_bare_signing_ceremony_belongs_to_the_article_event(lac):
    text = "6月8日，2024智慧交通博览会在武汉开幕。会上，湖北交投集团与百度举行了战略合作签约仪式。"
    [a] = run(text, lac).facts.agreements
    assert (a.type, set(a.parties)) == ("战略合作协议", {"湖北交投集团", "百度"})
    assert a.event == "2024智慧交通博览会" and a.date == "2024-06-08"


def test_agreement_subject_elided_in_the_same_sentence(lac):
    doc = run("昆明市政府近日召开数字经济推进会，并与阿里巴巴集团签署战略合作协议。", lac)
    [a] = doc.facts.agreements
    assert len(a.parties) == 2 and "阿里巴巴集团" in a.parties
    assert any(p.startswith("昆明市") and p.endswith("政府") for p in a.parties)


def test_agreement_subject_from_the_previous_sentence(lac):
    doc = run("武汉大学今年加快推进校企合作。学校还与小米科技有限责任公司签订人才培养协议。", lac)
    assert agreements(doc) == [("协议", frozenset({"武汉大学", "小米科技有限责任公司"}))]


def test_agreement_both_sides_refer_to_the_last_pair(lac):
    doc = run("5月9日，厦门大学与海康威视数字技术股份有限公司举行工作会谈。双方签署了科研合作备忘录。", lac)
    [a] = doc.facts.agreements
    assert set(a.parties) == {"厦门大学", "海康威视数字技术股份有限公司"} and a.type == "合作备忘录"


def test_agreement_several_types_after_one_verb(lac):
    doc = run("会上，天津大学与南开大学签署了人才培养合作协议和科研合作备忘录。", lac)
    pair = frozenset({"天津大学", "南开大学"})
    assert sorted(agreements(doc)) == sorted([("合作协议", pair), ("合作备忘录", pair)])


def test_agreement_each_of_a_list_with_one_body(lac):
    doc = run("天津大学、南开大学与天津市人民政府分别签署合作协议。", lac)
    assert {p for _, p in agreements(doc)} == {frozenset({"天津大学", "天津市人民政府"}),
                                              frozenset({"南开大学", "天津市人民政府"})}


def test_agreement_place_and_date_before_the_verb_are_no_parties(lac):
    doc = run("吉林大学与长春理工大学昨天（4月2日）在长春正式签订合作备忘录。", lac)
    [a] = doc.facts.agreements
    assert set(a.parties) == {"吉林大学", "长春理工大学"} and a.date == "2024-04-02"


def test_agreement_body_the_tagger_takes_for_a_person(lac):
    doc = run("8月3日，万孚与腾讯签署合作协议。", lac)
    [a] = doc.facts.agreements
    assert set(a.parties) == {"万孚", "腾讯"}


def test_agreement_persons_sign_for_bodies_named_in_the_title(lac):
    doc = run("会谈后，王刚与李明共同签署了浙江省人大与福建省人大合作协议。", lac)
    [a] = doc.facts.agreements
    assert set(a.parties) == {"浙江省人大", "福建省人大"}


def test_agreement_restated_after_a_headline_is_one_agreement(lac):
    text = "总台与西泠印社签署战略合作框架协议。中央广播电视总台与西泠印社昨天（3月1日）签署战略合作框架协议。"
    [a] = run(text, lac).facts.agreements
    assert "中央广播电视总台" in a.parties and a.date == "2024-03-01"


def test_agreement_on_its_own_day_is_not_at_the_article_event(lac):
    text = "5月12日，2024数字城市峰会在成都举行。5月15日，四川大学与腾讯云计算有限公司签订合作协议。"
    [a] = run(text, lac).facts.agreements
    assert a.event is None and a.date == "2024-05-15"


@pytest.mark.parametrize("text", [
    "农业、能源、服务贸易等领域的签约和对接项目增长较快。",
    "两国元首共同签署了联合声明。",
    "雄安新区与150所高校签订共建引才工作站合作意向书。",
    "自协定签署以来，双边贸易快速增长。",
])
def test_agreement_not_without_two_parties(lac, text):
    assert run(text, lac).facts.agreements == []


def test_agreement_srl_frame_reads_its_party_list_like_the_rules(lac):
    text = "今天签署合作协议的是南京大学和中央企业。"
    doc = annotate(read_text(text, "case.txt"), lac)
    sent = next(doc.sentences)

    def span(s):
        i = doc.text.index(s)
        return (i, i + len(s))
    sent.srl = [{"predicate": span("签署"), "ARG0": span("南京大学和中央企业"), "ARG1": span("合作协议")}]
    [a] = link(extract(doc)).facts.agreements
    assert set(a.parties) == {"南京大学", "中央企业"}


@pytest.mark.parametrize("text", [
    "会上，总台与希腊多家机构签署合作协议。",  # a counted collective after the name
    "会上，18家民营企业与金融机构签署合作协议。",
    "27日，叙利亚和黎巴嫩四国农业部长签署了谅解备忘录。",
])
def test_agreement_counted_or_titled_members_are_no_parties(lac, text):
    assert all(len(a.parties) >= 2 and not any(p.endswith(("部长", "机构", "民营企业")) for p in a.parties)
               for a in run(text, lac).facts.agreements)


@pytest.mark.parametrize("text", ["8月3日，万孚宣布与腾讯签署合作协议。", "8月3日，万孚携手腾讯签署合作协议。"])
def test_agreement_first_party_before_an_announcing_verb_or_xieshou(lac, text):
    [a] = run(text, lac).facts.agreements
    assert set(a.parties) == {"万孚", "腾讯"}


def test_agreement_party_cut_by_the_tagger_takes_the_article_s_full_name(lac):
    # the tagger reads "泛海控股" as a verb in the second sentence only
    text = "泛海控股华南总部主办本次论坛。此外，泛海控股华南总部与深圳会展中心举行了战略合作签署仪式。"
    [a] = run(text, lac).facts.agreements
    assert "泛海控股华南总部" in a.parties and "华南总部" not in a.parties


def test_agreement_intent_reached_with_a_list_after_an_elided_subject(lac):
    text = "位于贵州贵安的星河云计算中心投运以来，已与北京、成都超算中心就数据调度达成合作意向。"
    [a] = run(text, lac).facts.agreements
    assert a.type == "合作意向"
    assert set(a.parties) == {"星河云计算中心", "北京超算中心", "成都超算中心"}  # the head is shared


def test_agreement_a_government_head_is_not_shared_by_a_listed_place(lac):
    text = "星河云计算中心投运以来，已与北京、成都市政府就数据调度达成合作意向。"
    [a] = run(text, lac).facts.agreements
    assert "星河云计算中心" in a.parties and not any(p.startswith("北京") and p != "北京" for p in a.parties)


def test_agreement_attribute_before_the_subject_is_not_the_subject(lac):
    text = "位于江苏苏州的华星数据公司成立以来，已与南京大学、东南大学签署合作协议。"
    [a] = run(text, lac).facts.agreements
    assert set(a.parties) == {"华星数据公司", "南京大学", "东南大学"}


def test_agreement_parties_named_in_the_title_outrank_the_signing_persons(lac):
    # the tagger reads the second signer as a body, so the verb's list is not two persons
    text = "会谈后，王刚与欧舒米共同签署了浙江省人大与阿拉伯议会交流合作的谅解备忘录。"
    [a] = run(text, lac).facts.agreements
    assert set(a.parties) == {"浙江省人大", "阿拉伯议会"}


def test_agreement_collective_word_after_a_member_is_not_part_of_it(lac):
    [a] = run("今天，湖南省和智利双方通过视频正式签署经贸合作备忘录。", lac).facts.agreements
    assert "智利" in a.parties and not any(p.endswith("双方") for p in a.parties)


def test_agreement_counted_countries_and_regions_are_no_party(lac):
    doc = run("目前，海关总署已与40多个国家和地区签署了通关便利合作协定。", lac)
    assert all("地区" not in a.parties for a in doc.facts.agreements)


def test_agreement_connective_glued_to_an_adverb_by_the_tagger(lac):
    # the tagger reads "还同" as one verb
    [a] = run("其间，陕西省还同智利签署了旅游合作协定。", lac).facts.agreements
    assert set(a.parties) == {"陕西", "智利"} or set(a.parties) == {"陕西省", "智利"}


def test_agreement_listed_fields_are_no_parties(lac):
    # the tagger takes 交通 for a body here; "…等领域" says the list names fields
    text = "不久前，浙江经贸团前往越南、老挝等国，与当地政企对接交流，进一步提速合作区建设，并在能源、交通等领域达成20多项合作意向。"
    assert not any({"能源", "交通"} & set(a.parties) for a in run(text, lac).facts.agreements)


def test_agreement_parties_the_tagger_glued_into_one_token(lac):
    # 东湖区政府同远航集团/ORG is one token: two bodies by their suffixes, joined by 同
    doc = run("东湖区政府同远航集团签订了合作协议。", lac)
    assert ("合作协议", frozenset({"东湖区人民政府", "远航集团"})) in agreements(doc)


def test_agreement_signed_by_representatives_of_each_side(lac):
    doc = run("在王海的见证下，江城市市长张平与远航集团董事长李东代表双方签署合作协议。", lac)
    assert agreements(doc) == [("合作协议", frozenset({"江城市", "远航集团"}))]


def test_agreement_with_a_count_of_parties_before_the_verb(lac):
    doc = run("江城市政府与远航集团、星云科技有限公司三方签署合作协议。", lac)
    assert agreements(doc) == [("合作协议", frozenset({"江城市政府", "远航集团", "星云科技有限公司"}))]


def test_agreement_both_sides_of_a_meeting(lac):
    doc = run("江城市委书记王海会见了远航集团董事长李东一行。会后，双方签署了《数字经济战略合作框架协议》。", lac)
    [(kind, parties)] = agreements(doc)
    assert kind == "战略合作框架协议" and "远航集团" in parties and len(parties) == 2
    assert any("江城市" in p for p in parties)


def test_agreement_with_a_topic_between_the_parties(lac):
    # 就…与: the topic is neither a party nor the first half of a body's name
    [a] = run("宁波市人民政府就港口数字化转型与招商局集团签署战略合作协议。", lac).facts.agreements
    assert set(a.parties) == {"宁波市人民政府", "招商局集团"}


def test_agreement_second_clause_takes_the_first_party_of_the_one_before(lac):
    # ...，与B签订了…: no subject of the sentence is a body (the first party is a district)
    doc = run("此次活动中，苏州市相城区与京东签订了智慧物流合作协议，与美团签订了即时配送合作协议。", lac)
    parties = {frozenset(a.parties) for a in doc.facts.agreements}
    assert frozenset({"苏州市相城区", "京东"}) in parties
    # 美团/ORG is only LAC's: signing is what confirms it as a body
    assert frozenset({"苏州市相城区", "美团"}) in parties
    assert "美团" in {e.name for (k, _), e in doc.entities.items() if k == "organization"}


def test_agreement_partner_no_tagger_names_is_the_words_between_with_and_the_verb(lac):
    doc = run("杭州市与字节跳动签署战略合作备忘录，共同推进数字经济发展。", lac)
    assert [frozenset({"杭州市", "字节跳动"})] == [frozenset(a.parties) for a in doc.facts.agreements]
    # a reference to bodies of a kind, or a bare kind, is no partner
    assert not run("市政府与相关企业签署合作协议。", lac).facts.agreements
    assert not run("学校与企业签署合作协议。", lac).facts.agreements


def test_a_project_signing_whose_name_holds_latin_letters(lac):
    """签约“5G+智慧城市”项目: a project signing, its title as quoted with its letters and plus."""
    doc = run("活动现场，成都市政府与中国移动通信集团四川有限公司签约“5G+智慧城市”项目。", lac)
    [a] = doc.facts.agreements
    assert a.type == "项目签约" and "5G+智慧城市" in a.title and len(a.parties) == 2


def test_a_city_and_a_company_joined_by_and_stay_two_bodies(lac):
    """深圳市与华为公司签约: the city before 与 is no first half of one body's name."""
    doc = run("深圳市与华为公司签约共建鹏城实验室。", lac)
    orgs = {e.name for (k, _), e in doc.entities.items() if k == "organization"}
    assert "华为公司" in orgs and not any(o.startswith("深圳市与") for o in orgs)


def test_who_witnesses_a_signing_is_no_party(lac):
    """"A主任甲、B副厅长乙等一行人出席仪式并见证签约": witnesses, not the parties of an agreement."""
    doc = run("南京市发展和改革委员会主任王建华、江苏省工业和信息化厅副厅长刘晓峰等一行人出席仪式并见证签约。", lac)
    assert doc.facts.agreements == []
