"""Articles and sentences of a decoded text: lines, bylines, titles, layout breaks, dates.

A file may hold several articles, each closed by a byline ("上游财经-重庆晨报记者 陈军");
layout breaks inside a paragraph ("上线\\n\\n运行") are joined only in ``Sentence.text``,
``Sentence.offsets`` maps every character back to ``Document.text``. Sentences are split by
``kg.sentences`` (linear time, long sentences cut).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from kg.dates import FULL_DATE, resolve_date
from kg.document import Article, Document, Sentence, Span
from kg.sentences import pieces, split

__all__ = ["articles", "line_article"]


# ------------------------------------------------------------------ lines and bylines
@dataclass
class _Line:
    start: int  # content without surrounding whitespace
    end: int
    text: str
    gap: int  # blank lines between this line and the previous non-blank one


def _lines(text: str, begin: int) -> list[_Line]:
    out, gap, pos = [], 0, begin
    for raw in text[begin:].split("\n"):
        s = raw.strip()
        if s:
            start = pos + raw.index(s[0])
            out.append(_Line(start, start + len(s), s, gap))
            gap = 0
        else:
            gap += 1
        pos += len(raw) + 1
    return out


_BYLINE = re.compile(
    r"^[（(]?(?P<media>[^\s，。：:、]{0,24}?)\s*记者\s*"
    r"(?P<names>[\u4e00-\u9fff·]{2,5}(?:[ \u3000、，,]+[\u4e00-\u9fff·]{2,5})*)[）)]?$")
_LEAD_BYLINE = re.compile(
    r"^(?:[^\s，。（(]{0,8}讯)?[（(]\s*记者\s*(?P<names>[\u4e00-\u9fff·]{2,5}(?:[ \u3000、，,]+(?!通讯员)[\u4e00-\u9fff·]{2,5})*)"
    r"(?:\s*通讯员[^）)]*)?[）)]")
_CREDIT = re.compile(r"[ \u3000]*(?:摄影报道|摄影|报道|摄|文/图|图/文)([）)]?)$")
_OWN = {"本报", "本台", "本网", "本刊"}


def _byline(line: _Line) -> tuple[str, str] | None:
    """(media, reporter) of a byline such as "上游财经-重庆晨报记者 陈军 摄影报道"."""
    if len(line.text) > 40:
        return None
    m = _BYLINE.match(_CREDIT.sub(r"\1", line.text))
    if not m:
        return None
    names = [n for n in re.split(r"[ \u3000、，,]+", m.group("names")) if n]
    media = m.group("media").strip("-—·:： ")
    return ("" if media in _OWN else media), "、".join(names)


# ------------------------------------------------------------------ articles
_FINAL = re.compile(r"[。！？；!?…][”’」』）)\"']*$")
_CLAUSE = re.compile(r"[，,。；;、：]")
_JOIN_END = "。！？；…”』)）!?;:："
_CJK_START = re.compile(r"^[\u3400-\u9fff]")


def _is_body(line: _Line) -> bool:
    """Body text, not a title or caption: ends a sentence, holds one, or is long with clauses."""
    t = line.text
    return bool(_FINAL.search(t)) or "。" in t or (len(t) >= 50 and bool(_CLAUSE.search(t)))


def articles(doc: Document, begin: int) -> list[Article]:
    """Split at bylines: each article runs up to and including its closing byline."""
    groups: list[list] = []  # [lines, byline line, (media, reporter), trailing lines]
    cur: list[_Line] = []
    for line in _lines(doc.text, begin):
        by = _byline(line)
        if by:
            groups.append([cur, line, by, []])
            cur = []
        else:
            cur.append(line)
    if any(_is_body(l) for l in cur) or not groups:
        groups.append([cur, None, None, []])
    else:  # lines after the last byline without body text (责任编辑：…) stay with that article
        groups[-1][3] = cur
    out: list[list] = []
    for g in groups:  # a byline before any body text ("标题 / 记者 张三 / 正文") opens the next article
        if out and out[-1][1] is not None and not any(_is_body(l) for l in out[-1][0]):
            lines, bl, by, _ = out.pop()
            g = [lines + [bl] + g[0], g[1], g[2], g[3]] if g[1] else [lines + g[0], bl, by, g[3]]
        out.append(g)
    single = len(out) == 1
    return [_article(doc, *g, single=single) for g in out]


def line_article(doc: Document, begin: int) -> list[Article]:
    """One article from ``begin``, each non-blank line a sentence (long lines cut)."""
    ls = _lines(doc.text, begin)
    a = Article(start=ls[0].start if ls else begin, end=ls[-1].end if ls else begin)
    a.sentences = [Sentence(s, e, doc.text[s:e]) for l in ls for s, e in pieces(doc.text, l.start, l.end)]
    return [a]


def _article(doc: Document, lines: list[_Line], byline: _Line | None, by, tail: list[_Line],
             *, single: bool) -> Article:
    first = next((i for i, l in enumerate(lines) if _is_body(l)), len(lines))
    header, body = lines[:first], lines[first:]
    every = lines + tail + ([byline] if byline else [])
    a = Article(start=min((l.start for l in every), default=len(doc.text)),
                end=max((l.end for l in every), default=len(doc.text)))
    if by:
        a.media, a.reporter = by
        a.byline_span = Span(byline.start, byline.end)
    if not by and body:  # a leading byline: "本报讯（记者 周婷 通讯员 王磊）3月28日，…"
        lead = _LEAD_BYLINE.match(body[0].text)
        if lead:
            a.reporter = "、".join(n for n in re.split(r"[ \u3000、，,]+", lead.group("names")) if n)
            a.byline_span = Span(body[0].start + lead.start(), body[0].start + lead.end())
    if not a.media and doc.meta.get("media"):
        a.media = str(doc.meta["media"])
    title = _title(header)
    units = [[(l.start, l.end)] for l in header if l is title or len(l.text) > 6]
    if title is not None:
        m = re.match(r"^原标题[:：]\s*", title.text)
        cut = m.end() if m else 0
        a.title, a.title_span = title.text[cut:], Span(title.start + cut, title.end)
    if doc.meta.get("title") and single:
        a.title = " ".join(str(doc.meta["title"]).split())
        pos = doc.text.find(a.title, a.start, a.end)
        a.title_span = Span(pos, pos + len(a.title)) if pos >= 0 else None
    units += _join(doc.text, body)
    units += [[(l.start, l.end)] for l in ([byline] if byline else []) + tail]
    a.sentences = sorted((s for u in units for s in _sentences(doc.text, u)), key=lambda s: s.start)
    a.date = _article_date(doc, a)
    return a


def _title(header: list[_Line]) -> _Line | None:
    """The longest header line before a gap of 2+ blank lines; 2-6 char lines are column names."""
    if not header:
        return None
    cands = [header[0]]
    for l in header[1:]:
        if l.gap >= 2:
            break
        cands.append(l)
    longer = [l for l in cands if len(l.text) > 6] or cands
    return max(longer, key=lambda l: len(l.text))


def _joinable(prev: _Line, nxt: _Line) -> bool:
    """A page-layout break inside a paragraph: long body text cut before its sentence ends."""
    t = prev.text
    return (len(t) >= 30 and t[-1] not in _JOIN_END and bool(_CJK_START.match(nxt.text))
            and (bool(re.search(r"[。！？；]", t)) or (len(t) >= 40 and bool(_CLAUSE.search(t))))
            and _byline(nxt) is None)


def _join(text: str, body: list[_Line]) -> list[list[tuple[int, int]]]:
    units: list[list[tuple[int, int]]] = []
    prev = None
    for l in body:
        if prev is not None and _joinable(prev, l):
            units[-1].append((l.start, l.end))
        else:
            units.append([(l.start, l.end)])
        prev = l
    return units


# ------------------------------------------------------------------ sentences
def _sentences(text: str, spans: list[tuple[int, int]]) -> list[Sentence]:
    """Split one paragraph (its line spans) into sentences (kg.sentences.split)."""
    if len(spans) == 1:  # the paragraph is one slice of the text: offsets are start + i
        s, e = spans[0]
        return [Sentence(s + a, s + b, text[s + a:s + b]) for a, b in split(text[s:e])]
    nlp = "".join(text[s:e] for s, e in spans)
    offs = [i for s, e in spans for i in range(s, e)]
    out = []
    for a, b in split(nlp):
        start, end = offs[a], offs[b - 1] + 1
        sub = nlp[a:b]
        out.append(Sentence(start, end, sub, None if text[start:end] == sub else offs[a:b]))
    return out


# ------------------------------------------------------------------ dates
def _article_date(doc: Document, a: Article) -> _dt.date | None:
    if doc.meta.get("date"):
        return _dt.date.fromisoformat(doc.meta["date"])
    m = FULL_DATE.search(doc.text, a.start, a.end)
    iso = resolve_date(m.group(), year_hint=None) if m else None
    return _dt.date.fromisoformat(iso) if iso else None
