"""Posts over the whole range of titles, and the categories of the bodies they are held in.

Sentences are written for these tests (not taken from the seed or the dev articles); each
states one way Chinese news gives a person's post."""
from __future__ import annotations

import pytest

from kg.annotate import annotate, get_backend
from kg.extract import extract
from kg.extract.post_titles import title_categories, title_of
from kg.extract.view import org_categories
from kg.link import link
from kg.read import read_text
from kg.vocab import vocab


@pytest.fixture(scope="module")
def lac():
    return get_backend("lac")


def posts_of(text: str, lac) -> set[tuple[str, str, str | None]]:
    doc = link(extract(annotate(read_text(text, "case.txt"), lac)))
    return {(p.person, p.title, p.org) for p in doc.facts.posts}


@pytest.mark.parametrize("seg,title", [
    ("某某集团高级常务副总裁", "高级常务副总裁"),  # modifiers combine
    ("某某科技联合创始人", "联合创始人"),
    ("某某大学讲席教授", "讲席教授"),
    ("市委常委", "常委"),  # a title that begins with a body gives way to the bare title
    ("某某公司董事会主席", "董事会主席"),
    ("国务委员", "国务委员"),
])
def test_title_of_modifiers_and_bare_titles(seg, title):
    assert title_of(seg) == title


def test_titles_derived_from_public_list_are_loaded():
    v = vocab()
    assert {"总经理", "董事长", "首席执行官", "秘书长"} <= set(v.titles)
    assert "记者" in v.titles and "选手" not in v.titles  # occupations are no posts



def test_posts_apposition_is_not_the_next_names_title(lac):
    posts = posts_of("市政协主席刘芳，市委副书记、常务副市长张强出席。", lac)
    assert not any(p[0] == "刘芳" and p[1] == "副书记" for p in posts)
    assert ("张强", "常务副市长", None) in posts


def test_posts_shared_by_a_list_of_names(lac):
    posts = posts_of("副市长李华、赵刚出席。", lac)
    assert ("李华", "副市长", None) in posts and ("赵刚", "副市长", None) in posts



@pytest.mark.parametrize("name,parent,cats", [
    ("某某驻华大使馆", None, {"GovernmentBody"}),
    ("二十国集团", None, {"InternationalOrganization"}),  # a group of countries, no company
    ("美国集团", None, {"Company"}),  # no count before 国集团
    ("某国中央银行", None, {"GovernmentBody"}),  # a central bank is the state's
    ("某某农商银行", None, {"Company"}),
    ("某某科技有限公司", None, {"Company"}),
    ("中国数学会", None, {"Academy"}),
    ("某某大学交叉科学研究院", "某某大学", {"University", "ResearchInstitute"}),
    ("某某市发展和改革委员会", None, {"GovernmentBody"}),
    ("中共某某市委", None, {"PartyBody"}),
    ("东盟产业合作委员会", None, {"Committee"}),  # a committee of no state
    ("某某商会", None, {"Committee"}),
    ("新华网", None, {"Media"}),
    ("某某省政务数据中心", None, {"GovernmentBody"}),
    ("某某区融媒体中心", None, {"Media"}),
    ("某某人民广播电台", None, {"Media"}),
])
def test_org_categories_by_suffix_and_leading_words(name, parent, cats):
    assert cats <= org_categories(name, parent)


@pytest.mark.parametrize("name,not_cats", [
    ("东盟产业合作委员会", {"GovernmentBody"}),
    ("中共中央宣传局", {"GovernmentBody"}),  # a party body, led by 中共
    ("国家电网", {"Media"}),  # 网 of a grid is no news site
])
def test_org_categories_exclusions(name, not_cats):
    assert not org_categories(name) & not_cats



def test_posts_state_title_after_the_name(lac):
    posts = posts_of("赵明委员长主持会议。", lac)
    assert ("赵明", "委员长", None) in posts
    assert not any(p[1] == "主席" for p in posts_of("张明主席团成员出席。", lac))


def test_title_implies_company_for_an_untyped_body():
    assert title_categories("执行合伙人") == {"Company"}
    assert title_categories("首席执行官") == {"Company"}
    assert title_categories("副市长") == set()


#: (what the case shows, sentence, posts that must be found as (person, title, body))
POST_CASES = [
    ('company_named_by_brand_with_shared_body', '云途科技联合创始人、首席执行官王立新与会。',
     [("王立新", "联合创始人", "云途科技"), ("王立新", "首席执行官", "云途科技")]),
    ('body_only_the_recognizer_tags_takes_both_titles', '蓝鲸网络联合创始人、首席执行官王立新与会。',
     [("王立新", "联合创始人", "蓝鲸网络"), ("王立新", "首席执行官", "蓝鲸网络")]),
    ('joined_by_jian_share_their_body', '会上，东方海运集团董事长兼总裁李海峰作报告。',
     [("李海峰", "董事长", "东方海运集团"), ("李海峰", "总裁", "东方海运集团")]),
    ('jian_with_a_body_of_its_own', '华信控股有限公司执行总裁兼华信西南总部总裁赵明出席。',
     [("赵明", "执行总裁", "华信控股有限公司"), ("赵明", "总裁", "华信西南总部")]),
    ('academic_titles_with_university_and_academy', '中国科学院院士、浙江大学讲席教授周文华作主旨报告。',
     [("周文华", "院士", "中国科学院"), ("周文华", "讲席教授", "浙江大学")]),
    ('government_title_never_inherits_a_party_body', '县委副书记、县长孙海波主持会议。',
     [("孙海波", "县长", None)]),
    ('listed_body_keeps_its_verbs', '国务院副总理、推动东北全面振兴领导小组组长刘振国出席。',
     [("刘振国", "副总理", "国务院"), ("刘振国", "组长", "推动东北全面振兴领导小组")]),
    ('in_apposition_after_the_name', '王明，清华大学教授、博士生导师，出席论坛。',
     [("王明", "教授", "清华大学"), ("王明", "博士生导师", "清华大学")]),
    ('body_whose_last_character_starts_the_title', '俄罗斯国防部长谢尔盖表示。',
     [("谢尔盖", "部长", "俄罗斯国防部")]),
    ('field_between_body_and_title', '云海科技数据平台事业部产品研发副总裁周敏表示，将扩大测试。',
     [("周敏", "产品研发副总裁", "云海科技数据平台事业部")]),
    ('after_party_committee_of_a_company', '东方海运集团有限公司党委书记、董事长陈建华出席。',
     [("陈建华", "书记", "东方海运集团有限公司党委"), ("陈建华", "董事长", "东方海运集团有限公司")]),
    ('department_named_by_its_kind', '市委常委、组织部部长王红，办公厅主任李强出席。',
     [("王红", "部长", "组织部"), ("李强", "主任", "办公厅")]),
]


@pytest.mark.parametrize("case,text,want", POST_CASES, ids=[c[0] for c in POST_CASES])
def test_posts_found(case, text, want, lac):
    posts = posts_of(text, lac)
    missing = [w for w in want if w not in posts]
    assert not missing, f"{case}: missing {missing}; found {sorted(posts, key=str)}"


def test_academic_titles_may_follow_the_name(lac):
    posts = posts_of("北京大学人工智能研究院院长朱松纯教授作报告。李华教授和王明院士分别发言。", lac)
    assert {("朱松纯", "教授", None), ("朱松纯", "院长", "北京大学人工智能研究院"),
            ("李华", "教授", None), ("王明", "院士", None)} <= posts


def test_law_and_accounting_firms_are_companies():
    assert org_categories("北京天元律师事务所") == {"Company"}
    assert org_categories("普华永道会计师事务所") == {"Company"}


def test_a_head_after_the_party_unit_of_a_body_heads_that_body(lac):
    posts = posts_of("国家数据局党组书记、局长刘烈宏出席。省教育厅党组成员、副厅长李华出席。", lac)
    assert ("刘烈宏", "局长", "国家数据局") in posts and ("李华", "副厅长", "省教育厅") in posts
    # a governor heads the province's government, not its party committee: 省委副书记、省长
    assert ("王浩", "省长", "浙江省人民政府") in posts_of("浙江省委副书记、省长王浩参加。", lac)


def test_a_bare_head_title_takes_the_one_body_named_before_it_that_it_can_head(lac):
    assert ("刘烈宏", "局长", "国家数据局") in posts_of("近日，国家数据局在北京举办新闻发布会，局长刘烈宏介绍有关情况。", lac)
    # 市长 names its own government; two bodies it could head leave it bare
    assert ("王明", "市长", None) in posts_of("北京市与上海市签署协议，市长王明出席。", lac)
    assert ("王明", "局长", None) in posts_of("市公安局与市交通局联合发布通告，局长王明介绍情况。", lac)


def test_latin_corporate_titles_and_a_note_before_the_name(lac):
    assert ("雷军", "CEO", "小米集团") in posts_of("小米集团创始人、董事长兼CEO雷军表示，将加大投入。", lac)
    posts = posts_of("浙江大学党委副书记、副校长（主持行政工作）王立忠出席。", lac)
    assert ("王立忠", "副校长", "浙江大学") in posts


def test_a_title_after_the_name_takes_the_body_named_with_de_before_it(lac):
    posts = posts_of("来自清华大学的李明教授和北京大学的王强研究员作了报告。", lac)
    assert {("李明", "教授", "清华大学"), ("王强", "研究员", "北京大学")} <= posts  # not "和北京大学"


def test_a_mayor_or_governor_heads_the_peoples_government_of_the_division(lac):
    posts = posts_of("临江市委副书记、市长张强主持会议。江苏省副省长马骏致辞。纽约市长亚当斯表示欢迎。", lac)
    assert ("张强", "市长", "临江市人民政府") in posts  # the division of the person's party committee
    assert ("马骏", "江苏省副省长", "江苏省人民政府") in posts  # the division the title starts with
    assert any(p[0] == "亚当斯" and p[2] is None for p in posts)  # a foreign city has no 人民政府


def test_the_city_government_of_a_county_level_city_is_its_own(lac):
    posts = posts_of("临江市召开大会。市政府秘书长刘伟作工作报告。", lac)
    assert ("刘伟", "秘书长", "临江市人民政府") in posts  # not the government of the prefecture around it


def test_a_bare_kind_before_a_title_refers_back_to_the_body_named_before(lac):
    """学会理事长 after 中国化学会 is named: the society's president; a kind the article names
    no body of (协会秘书长) keeps no body, and an ordinal before the society is no part of it."""
    got = posts_of("第十届中国化学会年会在杭州开幕。学会理事长、南开大学副校长王立新院士致辞，"
                   "协会秘书长李红梅主持。", lac)
    assert ("王立新", "理事长", "中国化学会") in got and ("王立新", "副校长", "南开大学") in got
    assert [org for person, _, org in got if person == "李红梅"] == [None]


def test_a_bare_kind_refers_to_the_article_s_own_body_not_one_named_in_passing(lac):
    """The article is about 中国化学会; 中国数学会 is named in passing: 学会秘书长 is the first's."""
    got = posts_of("中国化学会年会在杭州开幕。中国数学会理事长赵明远等出席。学会秘书长李红梅研究员主持开幕式。", lac)
    assert ("李红梅", "秘书长", "中国化学会") in got


def test_a_bare_kind_refers_to_the_body_that_names_the_event(lac):
    """"某某学会|青年科学家论坛在…开幕": the society is named only inside its event's name, yet
    学会秘书长 right after is its post."""
    got = posts_of("中国化学会青年化学家论坛在杭州开幕。学会秘书长李红梅研究员主持开幕式。", lac)
    assert ("李红梅", "秘书长", "中国化学会") in got


def test_a_title_after_a_body_and_de_is_in_that_body(lac):
    """"来自某某中心的专家代表王立新": the representative's post is in that centre; a title with
    no body before it (学生代表) keeps none."""
    got = posts_of("会上，来自浙江省数据管理中心的专家代表王立新、杭州城市大脑有限公司的企业代表李红梅、"
                   "学生代表赵明远上台发言。", lac)
    assert ("王立新", "专家代表", "浙江省数据管理中心") in got
    assert ("李红梅", "企业代表", "杭州城市大脑有限公司") in got
    assert ("赵明远", "学生代表", None) in got
