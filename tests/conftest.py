"""Shared fixtures: small Documents built by hand (no NLP models)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kg.document import (AgreementFact, Article, Document, Entity, Facts, IndicatorFact,
                         PostFact, RoleFact, Sentence, Span, key_of)

ROOT = Path(__file__).resolve().parent.parent

SMALL_TEXT = (
    "数字重庆建设推进会召开\n"
    "10月29日，数字重庆建设推进会在重庆召开。"
    "市委书记袁家军出席会议并讲话。"
    "市长胡衡华主持会议，王炯出席。"
    "会上，重庆邮电大学与三未信安签署“重庆市高校重点实验室”合作协议。"
    "全市建成“六大应用系统”，包括数字党建、数字政务。"
    "共有17个一级指标，超500万元。\n"
    "重庆日报记者 卢志民"
)


def span_of(text: str, needle: str) -> Span:
    """The span of the sentence (ending in 。 or a line end) that holds ``needle``."""
    i = text.index(needle)
    start = max(text.rfind("。", 0, i), text.rfind("\n", 0, i)) + 1
    ends = [j for j in (text.find("。", i), text.find("\n", i)) if j >= 0]
    end = min(ends) + 1 if ends else len(text)
    if text[end - 1] == "\n":
        end -= 1
    return Span(start, end)


def _entity(kind, name, ev, **kw) -> Entity:
    return Entity(kind=kind, key=key_of(name), name=name, evidence=list(ev), **kw)


def make_small_document() -> Document:
    """A one-article document with every kind of entity and fact."""
    t = SMALL_TEXT
    s = {k: span_of(t, k) for k in ("推进会在", "袁家军", "胡衡华", "签署", "六大", "一级指标", "卢志民")}
    title = Span(0, t.index("\n"))
    entities = [
        _entity("person", "袁家军", [s["袁家军"]]),
        _entity("person", "胡衡华", [s["胡衡华"]]),
        _entity("person", "卢志民", [s["卢志民"]]),
        _entity("organization", "中共重庆市委", [s["袁家军"]], aliases={"市委"}, categories={"PartyBody"}),
        _entity("organization", "重庆邮电大学", [s["签署"]], categories={"University"}),
        _entity("organization", "重庆三未信安信息科技有限公司", [s["签署"]], aliases={"三未信安"},
                categories={"Company"}),
        _entity("organization", "重庆日报", [s["卢志民"]], categories={"Media"}),
        _entity("place", "重庆", [s["推进会在"]]),
        _entity("event", "数字重庆建设推进会", [s["推进会在"]], categories={"Meeting"},
                date="2025-10-29", place=key_of("重庆")),
        _entity("initiative", "六大应用系统", [s["六大"]], categories={"System"}, count=6,
                components=[key_of("数字党建"), key_of("数字政务")]),
        _entity("initiative", "数字党建", [s["六大"]], part_of=key_of("六大应用系统")),
        _entity("initiative", "数字政务", [s["六大"]], part_of=key_of("六大应用系统")),
    ]
    ev = "数字重庆建设推进会"
    facts = Facts(
        posts=[PostFact("袁家军", "书记", "中共重庆市委", s["袁家军"]),
               PostFact("胡衡华", "市长", None, s["胡衡华"])],
        roles=[RoleFact(ev, "袁家军", "person", "attendee", s["袁家军"]),
               RoleFact(ev, "袁家军", "person", "speaker", s["袁家军"]),
               RoleFact(ev, "胡衡华", "person", "chair", s["胡衡华"]),
               RoleFact(ev, "王炯", "person", "attendee", s["胡衡华"])],  # 王炯: no entity, minted
        agreements=[AgreementFact("合作协议", ["重庆邮电大学", "重庆三未信安信息科技有限公司"], s["签署"],
                                  title="“重庆市高校重点实验室”合作协议", date="2025-10-29", event=ev)],
        indicators=[IndicatorFact(17, "个", "一级指标", s["一级指标"], surface="17个", target_year=2027),
                    IndicatorFact(5000000.0, "元", "", s["一级指标"], surface="超500万元",
                                  approx="more-than")],
    )
    sentences = [Sentence(sp.start, sp.end, t[sp.start:sp.end]) for sp in sorted(set(s.values()))]
    article = Article(0, len(t), title=t[:title.end], media="重庆日报", reporter="卢志民",
                      date=dt.date(2025, 10, 29), title_span=title, byline_span=s["卢志民"],
                      sentences=sentences)
    return Document(path="tests/small.txt", id="small.txt", text=t,
                    meta={"title": "数字重庆建设推进会召开", "date": "2025-10-29", "source": "https://example.org/a"},
                    date=dt.date(2025, 10, 29), articles=[article], facts=facts,
                    entities={(e.kind, e.key): e for e in entities})


@pytest.fixture
def small_doc() -> Document:
    return make_small_document()


@pytest.fixture
def make_doc():
    """The factory itself, for tests that need several fresh copies."""
    return make_small_document


@pytest.fixture
def small_dataset(small_doc):
    from kg.map import document_dataset

    return document_dataset(small_doc)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
