"""Read source files into a ``Document``: decode, front matter, HTML to text, articles, sentences.

``Document.text`` is the decoded text of the file (a UTF-8 BOM dropped, recorded as
``encoding="utf-8-sig"``); for ``.html`` it is the text extracted from the markup, so
offsets of an HTML source refer to that extracted text, not to the markup. Front matter
stays in ``text`` but belongs to no article and no sentence.

Layout breaks inside a paragraph ("上线\\n\\n运行") are joined only in ``Sentence.text``;
``Sentence.offsets`` maps every character back to ``Document.text``.
"""
from __future__ import annotations

import datetime as _dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kg.dates import FULL_DATE, resolve_date, year_near
from kg.document import Article, Document, Sentence, Span
from kg.errors import ReadError

__all__ = ["read_file", "read_text", "iter_sources", "decode", "resolve_date", "year_near", "SUFFIXES"]

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_MD = (".md", ".markdown")
_HTML = (".html", ".htm")

# ------------------------------------------------------------------ decoding
# The most frequent Chinese characters, simplified and traditional: a right decoding of a
# short Chinese text is full of them, a wrong one (Big5 read as GBK or back) is not.
_COMMON = set(
    "的一是不了在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对"
    "可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三"
    "已老从动两长知民样现分将外但身些与高意进把法此实二理美点月明其种声全工己话儿者向情部正名定女问"
    "力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却"
    "代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期"
    "死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉"
    "望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条"
    "院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区发展城市治理数字设会议"
    "這們個來國說時為對過還發後從實現學經動點與開關體長問機當間見義產種頭將進麼樣車書東員總邊電區"
    "陽務條熱會議數設發展處應該際級線場報導歲萬億內網統團參選舉辦區縣鄉鎮協議記者"
)


def _cjk_score(text: str) -> int:
    return sum(1 for c in text if c in _COMMON)


def decode(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``. Refuses binary or undecodable input."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _check_text(data[3:].decode("utf-8"), path), "utf-8-sig"
        except UnicodeDecodeError as e:
            raise ReadError(f"{path}: starts with a UTF-8 BOM but byte {e.start + 3} is not UTF-8",
                            path=path) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ReadError(f"{path}: binary file (NUL byte at offset {nul}), not text; "
                        "save it as UTF-8 text (UTF-16 is not read)", path=path)
    try:
        return _check_text(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    found = {}
    for enc in ("gb18030", "big5"):
        try:
            found[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    if found:
        enc = max(found, key=lambda e: (_cjk_score(found[e]), e == "gb18030"))
        if _cjk_score(found[enc]) > 0:
            return _check_text(found[enc], path), enc
    return _normalizer(data, path)


def _normalizer(data: bytes, path: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        raise ReadError(f"{path}: cannot detect the text encoding (not UTF-8, GB18030/GBK or Big5); "
                        "the file may be binary", path=path)
    return _check_text(str(best), path), best.encoding


def _check_text(text: str, path: str) -> str:
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(2, len(text) // 100):
        raise ReadError(f"{path}: binary file ({controls} control characters), not text", path=path)
    return text


# ------------------------------------------------------------------ sources
def iter_sources(paths) -> list[Path]:
    """Expand folders to their .txt/.md/.markdown/.html/.htm files (recursively), sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif p.is_file():
            out.append(p)
        else:
            raise ReadError(f"{p}: no such file or folder", path=str(p))
    return out


def read_file(path, *, lines: bool = False) -> Document:
    """Read one source file (.txt, .md with front matter, .html) into a ``Document``.

    ``lines=True``: one article, each non-blank line one sentence (line-per-sentence corpora).
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReadError(f"{path}: cannot read ({e.strerror or e})", path=str(path)) from None
    text, encoding = decode(data, str(path))
    doc = read_text(text, str(path), lines=lines)
    doc.encoding = encoding
    if next(iter(doc.sentences), None) is None:
        # built (it adds nothing), but said: an empty file is usually a mistake
        print(f"warning: {path}: no text (empty file), nothing to extract", file=sys.stderr)
    return doc


def read_text(text: str, path: str = "<string>", *, meta: dict | None = None,
              lines: bool = False) -> Document:
    """Build a ``Document`` from decoded text; ``path``'s suffix says .md or .html.

    ``meta`` (title, date, source, media) overrides front matter; ``lines`` as in ``read_file``.
    """
    suffix = Path(path).suffix.lower()
    fm: dict = {}
    body = 0
    if suffix in _HTML:
        text, fm = _html_to_text(text)
    elif suffix in _MD:
        fm, body = _front_matter(text, path)
    elif text.startswith("---"):  # front matter in a .txt or a string: only when it parses
        try:
            fm, body = _front_matter(text, path)
        except ReadError:
            fm, body = {}, 0
    fm.update(meta or {})
    if "date" in fm and fm["date"] is not None:
        fm["date"] = _meta_date(fm["date"], path)
    doc = Document(path=str(path), id=Path(path).name, text=text, meta=fm)
    doc.date = _dt.date.fromisoformat(fm["date"]) if fm.get("date") else None
    doc.articles = _line_article(doc, body) if lines else _articles(doc, body)
    if doc.date is None and len(doc.articles) == 1:
        doc.date = doc.articles[0].date
    return doc


# ------------------------------------------------------------------ front matter, HTML
_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def _front_matter(text: str, path: str) -> tuple[dict, int]:
    """Parse a leading ``---`` YAML block; return (mapping, offset where the body starts)."""
    first = text.split("\n", 1)[0].rstrip()
    if first != "---":
        return {}, 0
    close = _FENCE.search(text, len(first) + 1)
    if close is None:
        raise ReadError(f"{path}: line 1: front matter opened with '---' is never closed", path=path)
    import yaml

    try:
        data = yaml.safe_load(text[len(first) + 1:close.start()])
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        why = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ReadError(f"{path}: line {line}: bad YAML front matter ({why})", path=path) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ReadError(f"{path}: line 2: front matter is not a mapping of keys to values", path=path)
    end = text.find("\n", close.end())
    return {str(k): v for k, v in data.items()}, len(text) if end < 0 else end + 1


def _meta_date(value, path: str) -> str:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    iso = resolve_date(str(value), year_hint=None)
    if not iso or iso.startswith("--"):
        raise ReadError(f"{path}: front matter date {value!r} is not a date with a year", path=path)
    return iso


_BLOCK = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
          "header", "footer", "blockquote", "pre", "table", "ul", "ol", "figcaption", "figure")


def _html_to_text(html: str) -> tuple[str, dict]:
    """Text of an HTML page, one block element a paragraph; title from <title> or <h1>."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    meta: dict = {}
    for tag in ("title", "h1"):
        el = soup.find(tag)
        if el and el.get_text(strip=True):
            meta["title"] = " ".join(el.get_text(" ", strip=True).split())
            break
    for el in soup(["script", "style", "noscript", "template", "head"]):
        el.decompose()
    for el in soup.find_all(_BLOCK):
        el.insert_before("\n\n")
        el.insert_after("\n\n")
    lines = [" ".join(line.split()) for line in soup.get_text().split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n" if text else "", meta


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


def _articles(doc: Document, begin: int) -> list[Article]:
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


def _line_article(doc: Document, begin: int) -> list[Article]:
    ls = _lines(doc.text, begin)
    a = Article(start=ls[0].start if ls else begin, end=ls[-1].end if ls else begin)
    a.sentences = [Sentence(l.start, l.end, l.text) for l in ls]
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
_TERM = "。！？；!?;"
_CLOSE = "”’」』）)\"'"
_SPACE = " \t\r\n\u3000\xa0"


def _sentences(text: str, spans: list[tuple[int, int]]) -> list[Sentence]:
    """Split one paragraph (its line spans) at 。！？；!? and return sentences."""
    nlp = "".join(text[s:e] for s, e in spans)
    offs = [i for s, e in spans for i in range(s, e)]
    out, i, n = [], 0, len(nlp)
    while i < n:
        j = i
        while j < n and nlp[j] not in _TERM:
            j += 1
        while j < n and nlp[j] in _TERM:
            j += 1
        while j < n and nlp[j] in _CLOSE:
            j += 1
        a, b = i, j
        while a < b and nlp[a] in _SPACE:
            a += 1
        while b > a and nlp[b - 1] in _SPACE:
            b -= 1
        if b > a:
            start, end = offs[a], offs[b - 1] + 1
            sub = nlp[a:b]
            out.append(Sentence(start, end, sub, None if text[start:end] == sub else offs[a:b]))
        i = j
    return out


# ------------------------------------------------------------------ dates
def _article_date(doc: Document, a: Article) -> _dt.date | None:
    if doc.meta.get("date"):
        return _dt.date.fromisoformat(doc.meta["date"])
    m = FULL_DATE.search(doc.text, a.start, a.end)
    iso = resolve_date(m.group(), year_hint=None) if m else None
    return _dt.date.fromisoformat(iso) if iso else None
