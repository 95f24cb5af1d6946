"""kg.read on small hand-written inputs (and the seed shipped in seeds/)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kg.errors import ReadError
from kg.read import decode, iter_sources, read_file, read_text, resolve_date, year_near
from kg.sentences import MAX_CHARS, split

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_e2ea4a6810521310.txt"
GOLD = ROOT.parent / "shared" / "eval" / "seed.gold.json"

TEXT = "市委书记出席会议并讲话。数字城市建设推进会召开。"


def check_offsets(doc):
    for s in doc.sentences:
        if s.offsets is None:
            assert doc.text[s.start:s.end] == s.text
        else:
            assert len(s.offsets) == len(s.text)
            assert all(doc.text[o] == c for o, c in zip(s.offsets, s.text))
            assert s.offsets[0] == s.start and s.offsets[-1] == s.end - 1
        assert s.text == s.text.strip()


# ------------------------------------------------------------------ encodings
@pytest.mark.parametrize("text,encoding,expected", [
    (TEXT, "utf-8", "utf-8"),
    (TEXT, "utf-8-sig", "utf-8-sig"),
    (TEXT, "gbk", "gb18030"),
    (TEXT, "gb18030", "gb18030"),
    ("這是一個關於數位城市的會議。", "big5", "big5"),
    ("會議", "big5", "big5"),
    ("市长", "gbk", "gb18030"),
])
def test_read_encodings(tmp_path, text, encoding, expected):
    p = tmp_path / "a.txt"
    p.write_bytes(text.encode(encoding))
    doc = read_file(p)
    assert doc.text == text  # no BOM in the text
    assert doc.encoding == expected
    assert doc.id == "a.txt"


@pytest.mark.parametrize("data,what", [
    (b"PK\x03\x04\x00\x00binary", "NUL"),
    (bytes(range(128, 256)) * 4, "encoding"),
    (b"\x01\x02\x03\x04\x05\x06\x07\x08abc", "control"),
])
def test_read_binary_refused_naming_the_file(tmp_path, data, what):
    p = tmp_path / "blob.txt"
    p.write_bytes(data)
    with pytest.raises(ReadError) as err:
        read_file(p)
    assert "blob.txt" in str(err.value) and what in str(err.value)


def test_read_missing_path_named(tmp_path):
    with pytest.raises(ReadError, match="nope.txt"):
        iter_sources([tmp_path / "nope.txt"])
    with pytest.raises(ReadError, match="nope.txt"):
        read_file(tmp_path / "nope.txt")


def test_iter_sources_expands_folders_sorted(tmp_path):
    for name in ["b.md", "a.txt", "c.html", "skip.json", "sub/d.htm"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_sources([tmp_path])]
    assert got == ["a.txt", "b.md", "c.html", "sub/d.htm"]


# ------------------------------------------------------------------ front matter, HTML
def test_read_front_matter(tmp_path):
    p = tmp_path / "n.md"
    p.write_text("---\ntitle: 某市召开数字政府推进会\ndate: 2021-07-09\nsource: http://x\nmedia: 某日报\n---\n"
                 "7月9日，某市召开数字政府推进会。市长张明主持。\n", encoding="utf-8")
    doc = read_file(p)
    assert doc.meta["title"] == "某市召开数字政府推进会" and doc.meta["source"] == "http://x"
    assert doc.date == dt.date(2021, 7, 9)
    [a] = doc.articles
    assert (a.title, a.media, a.reporter, a.date) == ("某市召开数字政府推进会", "某日报", "", dt.date(2021, 7, 9))
    assert doc.text.startswith("---\n")  # front matter stays in the text ...
    body = doc.text.index("7月9日")
    assert a.start == body and all(s.start >= body for s in doc.sentences)  # ... but not in sentences
    assert [s.text for s in doc.sentences] == ["7月9日，某市召开数字政府推进会。", "市长张明主持。"]


def test_read_bad_yaml_names_file_and_line(tmp_path):
    p = tmp_path / "bad.md"
    p.write_text("---\ntitle: ok\ndate: [2021\n---\n正文。\n", encoding="utf-8")
    with pytest.raises(ReadError) as err:
        read_file(p)
    assert "bad.md" in str(err.value) and "line" in str(err.value)


def test_read_html(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("<html><head><title>智慧城市论坛举行</title><style>p{}</style></head><body>"
                 "<h1>智慧城市论坛举行</h1><p>10月29日，智慧城市论坛在某市举行。</p>"
                 "<p>教授王力作主旨演讲。</p><script>var x;</script></body></html>", encoding="utf-8")
    doc = read_file(p)
    assert "<p>" not in doc.text and "var x" not in doc.text and "p{}" not in doc.text
    [a] = doc.articles
    assert a.title == "智慧城市论坛举行" and doc.quote(a.title_span) == a.title
    assert [s.text for s in a.sentences][1:] == ["10月29日，智慧城市论坛在某市举行。", "教授王力作主旨演讲。"]
    check_offsets(doc)


# ------------------------------------------------------------------ layout breaks, sentences
BROKEN = ("标题行\n\n"
          "第一段。\n\n"
          "会议指出，要加快推进城市治理数字化转型，持续完善基层治理体系，一批重点领域典型应用上线\n\n"
          "运行，群众满意度明显提高。下一步要不断增强中心城区多跨协同水\n\n\n"
          "平。会议要求！\n\n"
          "短行\n\n"
          "另一段。")


def test_read_layout_break_joined_with_offsets():
    doc = read_text(BROKEN)
    check_offsets(doc)
    texts = [s.text for s in doc.sentences]
    assert "会议指出，要加快推进城市治理数字化转型，持续完善基层治理体系，一批重点领域典型应用上线运行，群众满意度明显提高。" in texts
    assert "下一步要不断增强中心城区多跨协同水平。" in texts
    assert "会议要求！" in texts and "另一段。" in texts
    joined = [s for s in doc.sentences if s.offsets is not None]
    assert len(joined) == 2
    s = joined[0]
    assert doc.text[s.start:s.end].endswith("典型应用上线\n\n运行，群众满意度明显提高。")
    assert s.doc_offset(s.text.index("运行")) == doc.text.index("运行")
    assert doc.text == BROKEN  # joining never changes the text


def test_read_titles_and_short_lines_never_joined():
    doc = read_text("数字城市建设推进会在某市召开 市长出席\n\n市长李明主持会议。")
    texts = [s.text for s in doc.sentences]
    assert texts == ["数字城市建设推进会在某市召开 市长出席", "市长李明主持会议。"]
    assert doc.articles[0].title == "数字城市建设推进会在某市召开 市长出席"


def test_read_sentences_split_at_punctuation():
    doc = read_text("他说：“要抓落实。”会议强调；要强化保障！是否可行？ 可以!  好?\n\n第二段")
    assert [s.text for s in doc.sentences] == [
        "他说：“要抓落实。”", "会议强调；", "要强化保障！", "是否可行？", "可以!", "好?", "第二段"]
    check_offsets(doc)


def test_read_lines_mode_one_sentence_per_line():
    doc = read_text("第一行没有句号\n第二行。第二句。\n\n  第三行  \n", lines=True)
    assert [s.text for s in doc.sentences] == ["第一行没有句号", "第二行。第二句。", "第三行"]
    check_offsets(doc)


# ------------------------------------------------------------------ articles and bylines
TWO = ("要闻\n\n"
       "某市召开智慧城市建设推进大会 部署下一阶段工作\n\n\n\n"
       "推进大会会场一角\n\n"
       "3月5日，某市召开智慧城市建设推进大会。市长王海主持会议。\n\n"
       "会议要求，加快建设城市大脑。\n\n"
       "本报记者 李明 摄影报道\n\n"
       "数字经济论坛在某市举行\n\n"
       "2024年6月1日，数字经济论坛举行。教授赵刚作报告。（张三 摄）\n\n"
       "某某晚报记者 周洁 吴敏\n\n"
       "责任编辑：钱七\n")


def test_read_two_articles_split_at_bylines():
    doc = read_text(TWO)
    a, b = doc.articles
    assert (a.title, a.media, a.reporter) == ("某市召开智慧城市建设推进大会 部署下一阶段工作", "", "李明")
    assert (b.title, b.media, b.reporter) == ("数字经济论坛在某市举行", "某某晚报", "周洁、吴敏")
    assert doc.quote(a.byline_span) == "本报记者 李明 摄影报道"
    assert doc.quote(b.byline_span) == "某某晚报记者 周洁 吴敏"
    assert a.end == a.byline_span.end and b.start > a.end
    assert "钱七" not in b.reporter and "张三" not in b.reporter
    assert a.date is None and b.date == dt.date(2024, 6, 1)
    assert [s.text for s in a.sentences][:2] == [a.title, "推进大会会场一角"]  # "要闻" (a column name) is no sentence
    assert any(s.text == "责任编辑：钱七" for s in b.sentences)
    check_offsets(doc)


def test_read_no_byline_is_one_article():
    doc = read_text("省委副书记、省长王建国主持会议。浙江大学副校长李明出席。")
    [a] = doc.articles
    assert a.title == "" and a.reporter == "" and len(a.sentences) == 2


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize("text,hint,expected", [
    ("10月29日", 2025, "2025-10-29"),
    ("10月29日上午", 2025, "2025-10-29"),
    ("10月29日上午", None, "--10-29"),
    ("2025年10月29日", None, "2025-10-29"),
    ("2021年10月16日", 2025, "2021-10-16"),
    ("12月24日", None, "--12-24"),
    ("2021-07-09", None, "2021-07-09"),
    ("2月30日", 2024, None),
    ("没有日期", 2025, None),
])
def test_resolve_date(text, hint, expected):
    assert resolve_date(text, year_hint=hint) == expected


def test_year_near_from_front_matter_then_article_then_none():
    doc = read_text("10月29日，论坛举行。", meta={"date": "2023-01-02"})
    assert year_near(doc, 0) == 2023
    doc = read_text("作为2025世界城市日的活动之一，10月29日，论坛举行。有2000余名代表参加。")
    assert year_near(doc, doc.text.index("10月")) == 2025
    doc = read_text("10月29日，论坛举行。有2000余名代表参加。")
    assert year_near(doc, 0) is None
    assert resolve_date("10月29日", year_hint=year_near(doc, 0)) == "--10-29"


# ------------------------------------------------------------------ the seed
def test_read_seed_five_articles():
    doc = read_file(SEED)
    got = [{"title": a.title, "reporter": a.reporter, "media": a.media} for a in doc.articles]
    assert len(got) == 5
    assert [g["reporter"] for g in got] == ["卢志民"] + ["陈军"] * 4
    assert got[0]["media"] == "新重庆-重庆日报" and {g["media"] for g in got[1:]} == {"上游财经-重庆晨报"}
    if GOLD.is_file():
        assert got == json.loads(GOLD.read_text(encoding="utf-8"))["articles"]
    joined = [s.text for s in doc.sentences if s.offsets is not None]
    assert len(joined) == 2 and any("上线运行" in t for t in joined) and any("协同水平" in t for t in joined)
    check_offsets(doc)


def test_decode_prefers_utf8():
    assert decode("数字".encode("utf-8")) == ("数字", "utf-8")


def test_read_leading_byline_names_the_reporters():
    doc = read_text("标题在此\n\n本报讯（记者 周婷 李强 通讯员 王磊）3月28日，会议召开。\n", "x.txt")
    [a] = doc.articles
    assert a.reporter == "周婷、李强"


# ------------------------------------------------------------------ issue 10, point 6: no text silently lost
FIXTURES = ROOT / "tests" / "fixtures" / "read"


def test_read_html5_news_page_without_head_end(tmp_path):
    """A real-world-like page: no </head>, navigation, sidebar, footer, scripts, a comment,
    <br> and entities. The article body is read, the boilerplate is not."""
    doc = read_file(FIXTURES / "news_page.html")
    text = doc.text
    for body in ("5月17日，某市召开城市治理数字化推进会", "市长李志强主持会议。",
                 "要以“一网统管”为牵引",  # &ldquo; &rdquo;
                 "全市已建成区县治理中心 12 个",  # &nbsp; and the line after <br>
                 "签署《城市数字化转型战略合作协议》。"):
        assert body in text
    for boilerplate in ("首页", "登录", "搜索站内新闻", "热点新闻", "广告", "版权所有", "分享到",
                        "脚本里的文字", "页脚脚本", "注释里的文字", "display:flex"):
        assert boilerplate not in text
    assert doc.meta["title"] == "某市召开城市治理数字化推进会" and doc.date == dt.date(2023, 5, 18)
    [a] = doc.articles
    assert a.title == "某市召开城市治理数字化推进会" and doc.quote(a.title_span) == a.title
    texts = [s.text for s in a.sentences]
    assert "会议指出，要以“一网统管”为牵引，加快建设城市运行管理服务平台，推动基层治理体系和治理能力现代化。" in texts
    assert "全市已建成区县治理中心 12 个、镇街治理中心 186 个，覆盖率达到 100%。" in texts  # <br>: own line
    check_offsets(doc)


@pytest.mark.parametrize("html,sentences", [
    ("<p>只有一段，没有别的标签。</p>", ["只有一段，没有别的标签。"]),
    ("<html><head><title>标题</title><body><p>没有结束的head。</p><p>第二段。</p>",
     ["没有结束的head。", "第二段。"]),
    ("<div>城市大脑上线运行。<br>市民办事更方便。</div><!-- 注释 --><script>var x = '不要';</script>",
     ["城市大脑上线运行。", "市民办事更方便。"]),
    ("纯文本，没有标签。", ["纯文本，没有标签。"]),
])
def test_read_html_small_pages_keep_their_text(tmp_path, html, sentences):
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    doc = read_file(p)
    assert [s.text for s in doc.sentences][-len(sentences):] == sentences
    assert not doc.warnings
    check_offsets(doc)


def test_read_long_line_cut_into_bounded_sentences():
    """A line of 220,000 characters without a sentence end: pieces of at most MAX_CHARS, cut
    after a clause mark, covering every character once."""
    text = "数字城市建设持续推进，基层治理体系不断完善、" * 10_000
    doc = read_text(text)
    got = list(doc.sentences)
    assert len(got) > 400 and max(len(s.text) for s in got) <= MAX_CHARS
    assert all(s.text.endswith(("，", "、")) for s in got[:-1])
    assert "".join(s.text for s in got) == text
    assert [s.start for s in got[1:]] == [s.end for s in got[:-1]]
    check_offsets(doc)


@pytest.mark.parametrize("limit,text,expected", [
    (500, "The plan works. It is 3.5 times faster than in the U.S. now. Dr. Wang agrees.",
     ["The plan works.", "It is 3.5 times faster than in the U.S. now.", "Dr. Wang agrees."]),
    (500, "会议强调. 要抓落实.\"好\"", ["会议强调.", "要抓落实.\"好\""]),
    (500, "版本2.0发布.下一步", ["版本2.0发布.下一步"]),  # no space after the stop: no end
    (500, "Wait... what? Yes!", ["Wait...", "what?", "Yes!"]),
    (10, "一二三四五六七八，九十一二三四五", ["一二三四五六七八，", "九十一二三四五"]),
    (10, "一二，三四五六七八九十一二", ["一二，三四五六七八九", "十一二"]),  # a cut in the first half: hard cut
    (10, "甲乙、丙丁、戊己庚辛壬癸子丑", ["甲乙、丙丁、", "戊己庚辛壬癸子丑"]),
    (10, "ab cd ef gh ij kl", ["ab cd ef", "gh ij kl"]),
])
def test_sentences_split(limit, text, expected):
    assert [text[a:b] for a, b in split(text, limit)] == expected


def test_read_lines_mode_cuts_long_lines():
    doc = read_text("短行\n" + "很长的一行，" * 200 + "\n", lines=True)
    got = list(doc.sentences)
    assert got[0].text == "短行" and len(got) == 4 and max(len(s.text) for s in got) <= MAX_CHARS
    check_offsets(doc)


def _damaged(text: str, where: int, bad: bytes = b"\xff", prefix: bytes = b"") -> tuple[bytes, int]:
    data = text.encode("utf-8")
    cut = len(text[:where].encode("utf-8"))
    return prefix + data[:cut] + bad + data[cut:], len(prefix) + cut


@pytest.mark.parametrize("bad,prefix", [
    (b"\xff", b""),                 # a byte that is never UTF-8
    (b"\xe5\x9f", b""),             # a character cut short (2 of its 3 bytes)
    (b"\x80", b"\xef\xbb\xbf"),     # a stray continuation byte, after a BOM
])
def test_read_damaged_utf8_decoded_with_a_warning(tmp_path, bad, prefix):
    text = TEXT * 20
    data, offset = _damaged(text, len(TEXT) * 7, bad, prefix)
    p = tmp_path / "damaged.txt"
    p.write_bytes(data)
    doc = read_file(p)
    assert doc.encoding == ("utf-8-sig" if prefix else "utf-8")
    assert doc.text.replace("\ufffd", "") == text and doc.text.count("\ufffd") == 1
    [w] = doc.warnings
    assert w.startswith(f"{p}: ") and f"byte offset {offset}" in w and "UTF-8" in w
    assert sum(s.text.count("出席会议") for s in doc.sentences) == 20  # no sentence lost


def test_read_damaged_utf8_names_the_first_offsets(tmp_path):
    data = bytearray((TEXT * 40).encode("utf-8"))
    for pos in (30, 300, 600, 900, 1200, 1500, 1800):
        data[pos] = 0xFF
    p = tmp_path / "many.txt"
    p.write_bytes(bytes(data))
    [w] = read_file(p).warnings
    assert "21 byte(s)" in w and "7 place(s)" in w  # each 0xFF cuts a 3-byte character
    assert "byte offset 30, 300, 600, 900, 1200, …" in w


@pytest.mark.parametrize("data,what", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06", "NUL byte at offset 8"),
    (b"\xef\xbb\xbf" + bytes(range(128, 256)) * 4, "BOM but is not UTF-8"),
    ("数字城市".encode("utf-8") + bytes(range(160, 250)), "encoding"),  # mostly not UTF-8: refused
])
def test_read_binary_still_refused(tmp_path, data, what):
    p = tmp_path / "blob.txt"
    p.write_bytes(data)
    with pytest.raises(ReadError) as err:
        read_file(p)
    assert what in str(err.value) and str(err.value).count(str(p)) == 1  # the path once


@pytest.mark.parametrize("name,data,what", [
    ("empty.txt", b"", "empty file, nothing to build"),
    ("blank.txt", b"  \n\n\t\n", "empty file, nothing to build"),
    ("bom.txt", b"\xef\xbb\xbf", "empty file, nothing to build"),
    ("only.md", b"---\ntitle: x\n---\n\n", "no text outside the front matter or markup, nothing to build"),
    ("only.html", b"<html><head><title>x</title></head><body></body></html>",
     "no text outside the front matter or markup, nothing to build"),
])
def test_read_empty_file_warns(tmp_path, capsys, name, data, what):
    p = tmp_path / name
    p.write_bytes(data)
    doc = read_file(p)
    assert doc.warnings == [f"{p}: {what}"]
    assert not list(doc.sentences)
    assert capsys.readouterr().err == ""  # the library says it in Document.warnings, never prints


def test_iter_sources_skips_build_and_hidden_folders(tmp_path):
    src = tmp_path / "src"
    files = {
        "a.txt": "x", "sub/c.md": "x", "sub/shards/keep.txt": "x",  # a folder named shards alone is a source
        ".git/notes.txt": "x", "sub/.cache/d.txt": "x",  # hidden
        "build/stats.json": "{}", "build/report.txt": "x", "build/shards/a.txt.nq": "",  # a build folder
        "old/stats.json": "{}", "old/store/x.txt": "x", "old/report.txt": "x",
        "gen/current/report.txt": "x", "gen/shards/r.txt": "x", "gen/.builds/1/report.txt": "x",
        "marked/.kg-build": "", "marked/report.txt": "x", "marked/deep/e.txt": "x",
    }
    for name, text in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    got = [p.relative_to(src).as_posix() for p in iter_sources([src])]
    assert got == ["a.txt", "sub/c.md", "sub/shards/keep.txt"]
    assert iter_sources([src / "build"]) == []  # a build folder given by name
    assert iter_sources([src / "build" / "report.txt"]) == [src / "build" / "report.txt"]  # a file: read


@pytest.mark.parametrize("front,line", [
    ("date: 2023-02-30\n", 2),
    ("title: 标题\ndate: 2023-13-01\n", 3),
    ("title: 标题\nmedia: 某报\ndate: 2023-02-03 25:00:00\n", 4),
    ("title: 标题\ndate: 不是日期\n", 3),
    ("title: 标题\ndate: \"2023-02-30\"\n", 3),
    ("title: 标题\ndate: 10月29日\n", 3),  # no year
])
def test_read_bad_front_matter_date_names_file_and_line(tmp_path, front, line):
    p = tmp_path / "bad-date.md"
    p.write_text(f"---\n{front}---\n正文。\n", encoding="utf-8")
    with pytest.raises(ReadError) as err:
        read_file(p)
    msg = str(err.value)
    assert msg.startswith(f"{p}: line {line}: ") and "date" in msg and msg.count(str(p)) == 1


def test_year_near_stays_inside_the_article_of_the_offset():
    doc = read_text("甲文标题\n\n2021年，某市召开会议。10月9日，会议闭幕。\n\n本报记者 李明\n\n"
                    "乙文标题\n\n10月29日，论坛举行。2025年的计划发布。\n\n某某晚报记者 周洁\n")
    assert len(doc.articles) == 2
    assert year_near(doc, doc.text.index("10月9日")) == 2021
    assert year_near(doc, doc.text.index("10月29日")) == 2025  # 2021 is nearer, but in the other article
    doc.articles.reverse()  # out of text order: still the article that holds the offset
    assert year_near(doc, doc.text.index("10月29日")) == 2025


def test_read_4mb_file_keeps_every_character_in_bounded_sentences(tmp_path):
    """A 4 MB file (paragraphs, some of them one long line, dates without a year): read whole,
    every sentence within MAX_CHARS, sentences covering the text in order."""
    para = ("3月5日，全市召开基层治理工作会议，部署数字化改革重点任务。"
            + "会议要求各区县加快推进平台建设、数据共享和应用场景落地，" * 40 + "\n\n")
    text = "2023年工作综述\n\n" + para * (4_000_000 // len(para.encode("utf-8")) + 1)
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size >= 4_000_000
    doc = read_file(path)
    got = list(doc.sentences)
    assert max(len(s.text) for s in got) <= MAX_CHARS
    assert all(a.end <= b.start for a, b in zip(got, got[1:]))
    assert sum(len(s.text) for s in got) >= 0.99 * len(text.replace("\n", ""))
    assert not doc.warnings
