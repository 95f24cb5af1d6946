"""A learned entity recognizer beside LAC: a linear-chain CRF (python-crfsuite) over characters.

    from kg.annotate.ner import tagger
    ents = tagger().tag(text, tokens, spans)   # [NerSpan(start, end, label, fine), ...]

Trained by ``scripts/train_ner.py`` (``make model``) on CLUENER2020 train; the model ships as
``kg/data/models/ner.crfsuite`` and is loaded once per process, on first use (``import kg``
never imports pycrfsuite). Features per character: the characters in a window of +-2 and
their bigrams, the character type, LAC's token around it (position B/I/E/S in the token,
LAC's POS, whose PER/ORG/LOC/TIME tags are LAC's entity tags, the word itself when short),
dictionary spans (domain lexicon, organization suffixes, the gazetteers of kg.gazetteer) with
the character's position in them, and whether LAC's token is a known company brand.
Training and tagging call the same ``features()``.

CLUENER labels map to mention labels: name -> PERSON; company, government, organization ->
ORG (categories Company, GovernmentBody, none); position -> POST; address, scene -> PLACE;
book, game, movie are tagged (they keep titles out of the other labels) but not reported.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MODEL", "LABEL_OF", "CATEGORY_OF", "NerSpan", "NerTagger", "tagger", "features",
           "dictionary_spans", "spans_of_tags", "tags_of_spans", "merge_entities", "KEEP_UNRECOGNIZED",
           "plausible_name"]

MODEL = Path(__file__).resolve().parent.parent / "data" / "models" / "ner.crfsuite"
LABEL_OF = {"name": "PERSON", "company": "ORG", "government": "ORG", "organization": "ORG",
            "position": "POST", "address": "PLACE", "scene": "PLACE"}
CATEGORY_OF = {"company": "Company", "government": "GovernmentBody"}


@dataclass(frozen=True)
class NerSpan:
    start: int  # local offsets into the tagged text, half-open
    end: int
    label: str  # PERSON, ORG, POST or PLACE
    fine: str  # the CLUENER label (name, company, government, organization, position, ...)

    @property
    def category(self) -> str:
        """The organization category the fine label implies ("" when none)."""
        return CATEGORY_OF.get(self.fine, "")


# ------------------------------------------------------------------ features
def _ctype(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff":
        return "h"
    if ch.isdigit():
        return "d"
    if ch.isascii() and ch.isalpha():
        return "a"
    if ch.isspace():
        return "s"
    return "p"


def _bies(n: int, spans) -> list[str]:
    """Per character: "" or "<B|I|E|S><value>" for the spans (start, end, value) covering it."""
    out = [""] * n
    for s, e, val in spans:
        if e - s == 1:
            out[s] = "S" + val
        elif e > s:
            out[s] = "B" + val
            for k in range(s + 1, e - 1):
                out[k] = "I" + val
            out[e - 1] = "E" + val
    return out


def features(text: str, tokens, spans=()) -> list[list[str]]:
    """CRF features of each character of ``text``.

    ``tokens``: LAC tokens (start, end, POS) in local offsets; ``spans``: dictionary spans
    (start, end, LABEL) from ``dictionary_spans``."""
    n = len(text)
    c = ["^", "^"] + list(text) + ["$", "$"]
    ty = "^^" + "".join(map(_ctype, text)) + "$$"
    tp = ["^"] + _bies(n, tokens) + ["$"]
    words = _bies(n, [(s, e, text[s:e]) for s, e, _ in tokens if e - s <= 4])
    lex = _bies(n, [x for x in spans if x[2][0] != "G"])
    gaz = _bies(n, [x for x in spans if x[2][0] == "G"])
    brand = _bies(n, [(s, e, "") for s, e, _ in tokens if text[s:e] in _brands()])
    out = []
    for i in range(n):
        j = i + 2
        f = ["b", "c0=" + c[j], "c-1=" + c[j - 1], "c1=" + c[j + 1], "c-2=" + c[j - 2], "c2=" + c[j + 2],
             "b-1=" + c[j - 1] + c[j], "b0=" + c[j] + c[j + 1], "b-2=" + c[j - 2] + c[j - 1],
             "b1=" + c[j + 1] + c[j + 2], "t=" + ty[j - 1:j + 2],
             "p=" + tp[i + 1], "p-1=" + tp[i], "p1=" + tp[i + 2]]
        if words[i]:
            f.append("w=" + words[i])
        if lex[i]:
            f.append("x=" + lex[i])
        if gaz[i]:
            f.append("g=" + gaz[i])
        if brand[i]:
            f.append("br=" + brand[i])
        out.append(f)
    return out


@functools.lru_cache(maxsize=1)
def _name_vocab() -> tuple[frozenset[str], frozenset[str]]:
    """(common surname characters, words that are no given name), kg/data/surnames.txt
    (derived from jieba's dictionary by ``scripts/train_ner.py --surnames``)."""
    lines = (MODEL.parent.parent / "surnames.txt").read_text(encoding="utf-8").splitlines()
    words = [x.strip() for x in lines if x.strip() and not x.startswith("#")]
    return frozenset(w for w in words if len(w) == 1), frozenset(w for w in words if len(w) > 1)


def plausible_name(name: str) -> bool:
    """A Chinese full name: three Chinese characters, a common surname first, and no common
    noun or transliteration part after it (李秋霞 yes; 张先生, 索维娅, 甘海子 no)."""
    surnames, not_given = _name_vocab()
    return (len(name) == 3 and all("\u4e00" <= ch <= "\u9fff" for ch in name)
            and name[0] in surnames and name[1:] not in not_given)


@functools.lru_cache(maxsize=1)
def _suffix_trie():
    from hanlp_trie import Trie

    from kg.vocab import vocab

    trie = Trie()
    for suf in vocab().org_suffixes:
        trie[suf.suffix] = "SUF"
    return trie


@functools.lru_cache(maxsize=1)
def _brands() -> frozenset[str]:
    from kg.gazetteer import brands

    return brands()


def dictionary_spans(text: str, lexicon_entries=None) -> list[tuple[int, int, str]]:
    """Dictionary spans of ``text`` as features see them: the domain lexicon's entries (post
    titles, bodies, event nouns, ...; pass ``lexicon_entries`` when already found),
    organization suffixes (…大学, …委员会) where no lexicon entry stands, and the gazetteers'
    places and bodies (kg.gazetteer.find; labels GPLACE, GORG)."""
    from kg.gazetteer import find
    if lexicon_entries is None:
        from kg.annotate.lexicon import Lexicon

        lexicon_entries = Lexicon.default().find(text)
    spans = [(x.start, x.end, x.label) for x in lexicon_entries]
    taken = set()
    for s, e, _ in spans:
        taken.update(range(s, e))
    for s, e, val in _suffix_trie().parse_longest(text):
        if taken.isdisjoint(range(s, e)):
            spans.append((s, e, val))
    spans += [(s, e, "G" + kind) for s, e, kind in find(text)]
    return spans


# ------------------------------------------------------------------ tags <-> spans
def tags_of_spans(n: int, spans) -> list[str]:
    """BIO tags of ``n`` characters for (start, end, fine) spans (half-open)."""
    tags = ["O"] * n
    for s, e, fine in spans:
        if all(t == "O" for t in tags[s:e]):
            tags[s] = "B-" + fine
            for k in range(s + 1, e):
                tags[k] = "I-" + fine
    return tags


def spans_of_tags(tags) -> list[tuple[int, int, str]]:
    """(start, end, fine) of BIO tags; an I- without its B- starts a span."""
    out, start, cur = [], None, None
    for i, t in enumerate(list(tags) + ["O"]):
        if t.startswith("I-") and cur == t[2:]:
            continue
        if cur is not None:
            out.append((start, i, cur))
            cur = None
        if t != "O":
            start, cur = i, t[2:]
    return out


# ------------------------------------------------------------------ the tagger
class NerTagger:
    """The CRF model of ``path``, opened once."""

    def __init__(self, path: Path = MODEL):
        from kg.errors import BackendError

        try:
            import pycrfsuite
        except ImportError as e:
            raise BackendError(f"the entity recognizer needs python-crfsuite ({e}); "
                               "install it with: pip install python-crfsuite") from None
        if not Path(path).is_file():
            raise BackendError(f"the entity recognizer's model {path} is missing; "
                               "make it with: make model")
        self.path = Path(path)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))

    def tag(self, text: str, tokens, spans=None) -> list[NerSpan]:
        """Entities of ``text`` (local offsets); ``spans`` as ``dictionary_spans`` gives them."""
        if not text:
            return []
        if spans is None:
            spans = dictionary_spans(text)
        tags = self._tagger.tag(features(text, tokens, spans))
        out = []
        for s, e, fine in spans_of_tags(tags):
            if fine in LABEL_OF:
                s, e = _trimmed(text, s, e)
                if e > s and _balanced(text[s:e]):
                    out.append(NerSpan(s, e, LABEL_OF[fine], fine))
        return out


_OPEN, _CLOSE = "(（“《【[", ")）”》】]"


def _trimmed(text: str, s: int, e: int) -> tuple[int, int]:
    """The span without surrounding blanks, a leading closing or a trailing opening bracket."""
    while s < e and (text[s].isspace() or text[s] in _CLOSE):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in _OPEN):
        e -= 1
    return s, e


def _balanced(name: str) -> bool:
    """Brackets in pairs: 西部（重庆 is no name (the CRF stopped inside the brackets)."""
    return all(name.count(o) == name.count(c) for o, c in zip(_OPEN, _CLOSE) if o != c)


@functools.lru_cache(maxsize=1)
def tagger() -> NerTagger:
    """The shipped model, loaded once per process."""
    return NerTagger()


# ------------------------------------------------------------------ merge with LAC and the lexicon
#: labels the recognizer decides; the others (TIME, EVENT, INITIATIVE, ...) pass untouched
ENTITY_LABELS = ("PERSON", "ORG", "POST", "PLACE")
#: backend or lexicon entities that no recognized entity overlaps: kept from this length on, per
#: label, None: dropped (measured on held-out CLUENER and the dev articles: LAC's extra two-
#: character persons (旷视, 小巴) and the lexicon's bare titles cost more precision than they add
#: recall; LAC's full names (习近平 inside 习近平新时代…), extra bodies and places pay)
KEEP_UNRECOGNIZED = {"PERSON": 3, "ORG": 1, "POST": None, "PLACE": 1}
#: recognized labels that only fill gaps: dropped where a backend entity overlaps them
#: (CLUENER's addresses run long: 青岛市…服务中心/address over LAC's ORG)
WEAK = {"PLACE"}


def merge_entities(local: list[tuple], recognized: list[tuple], text: str | None = None) -> list[tuple]:
    """One label per span: a recognized entity replaces every backend or lexicon entity it
    overlaps (LAC's 王晓/PERSON under the recognizer's 王晓刚/PERSON, LAC's 李宁/PERSON under
    李宁/ORG, the lexicon's 主任 under 研究部主任/POST); the others stay as KEEP_UNRECOGNIZED says.
    A WEAK recognized label yields to the backend's entities instead. A backend entity kept
    without the recognizer's say gets the source "<backend>-only" ("lac-only"), so rules can
    weigh it. Of backend and lexicon entities that overlap, the backend's stays. Tuples are
    (start, end, label, source, category) in local offsets. With the sentence's ``text``, an
    unrecognized backend PERSON stays only when it is a plausible Chinese full name
    (``plausible_name``: held-out CLUENER, 8 of 40 kept LAC-only persons were right, mostly
    张先生-style mentions, transliterated places and titles)."""
    entities = sorted((m[0], m[1]) for m in local if m[2] in ENTITY_LABELS and m[3] != "lexicon")
    recognized = [r for r in recognized if not (r[2] in WEAK and _overlaps(entities, r[0], r[1]))
                  and not _runs_across(entities, r[0], r[1])]
    spans = sorted((s, e) for s, e, *_ in recognized)
    out, kept = list(recognized), []
    for m in sorted(local, key=lambda m: m[3] == "lexicon"):  # the backend's before the lexicon's
        s, e, label = m[:3]
        if label not in ENTITY_LABELS:
            out.append(m)
        elif not _overlaps(spans, s, e) and KEEP_UNRECOGNIZED[label] is not None \
                and e - s >= KEEP_UNRECOGNIZED[label] and not any(a < e and s < b for a, b in kept) \
                and (label != "PERSON" or text is None or m[3] == "lexicon" or plausible_name(text[s:e])):
            kept.append((s, e))
            out.append(m if m[3] == "lexicon" else (s, e, label, m[3] + "-only", m[4]))
    return out


def _runs_across(entities: list[tuple[int, int]], s: int, e: int) -> bool:
    """The recognized span [s, e) holds two backend entities with words between them
    (唐仁健/PER 为 农业农村部/ORG as one ORG): it ran across names; adjacent ones (浙江省杭州市)
    may form one name."""
    inside = [(a, b) for a, b in entities[bisect.bisect_left(entities, (s, s)):] if a < e and b <= e]
    return any(b1 < a2 for (_, b1), (a2, _) in zip(inside, inside[1:]))


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """Does [s, e) overlap one of ``spans`` (sorted by start)?"""
    k = bisect.bisect_left(spans, (e, e))
    return any(b > s for _, b in spans[max(0, k - 4):k])  # spans nest only a few deep
