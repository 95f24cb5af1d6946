"""Gazetteers: China's administrative divisions, foreign places, organizations, brands.

The lists live in ``kg/data/gazetteer/*.tsv``, generated from maintained packages by
``scripts/gazetteers.py`` (``make gazetteers``; each file's header names its source and
version). They are read once per process; nothing here imports the source packages.

- ``places()``: surface (full name or short form) -> the most prominent ``Place`` of that
  surface (province > prefecture > county; country > foreign city); ``candidates()`` gives all.
- ``orgs()``: organization name -> categories (CONTRACT.md); ``brands()``: company brands.
- ``find(text)``: non-overlapping longest matches of places and organizations.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Place", "places", "candidates", "division", "place_of", "inside", "orgs", "brands", "find",
           "GAZETTEER"]

GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer"
_RANK = {"province": 0, "country": 0, "prefecture": 1, "county": 2, "foreign-city": 2}


@dataclass(frozen=True)
class Place:
    name: str  # full official name: 重庆市, 江北区, 日本国
    level: str  # province | prefecture | county | country | foreign-city
    parent: str | None  # full name of the parent division or country
    code: str | None  # admin code (None abroad, "was:<name>" for a former name)
    short: str  # the short form: 重庆, 江北, 日本

    @property
    def municipality(self) -> bool:
        """北京市, 天津市, 上海市, 重庆市: a province-level city."""
        return self.level == "province" and self.name.endswith("市")


def _rows(name: str):
    for line in (GAZETTEER / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


@functools.lru_cache(maxsize=1)
def _places() -> tuple[dict[str, tuple[Place, ...]], frozenset[str]]:
    """surface -> all places of that surface; and the surfaces matched in free text (the
    file's last column; every foreign place)."""
    by: dict[str, list[Place]] = {}
    free: set[str] = set()
    shared: dict[str, int] = {}

    def add(surface: str, p: Place) -> None:
        if surface and p not in by.setdefault(surface, []):
            by[surface].append(p)

    for name, shorts, level, parent, code, free_shorts in _rows("china_divisions.tsv"):
        forms = [s for s in shorts.split("/") if s]
        p = Place(name, level, parent or None, code or None, forms[0] if forms else name)
        add(name, p)
        for s in forms:
            add(s, p)
            shared[s] = shared.get(s, 0) + 1
        free |= {s for s in free_shorts.split("/") if s}
    for name, short, level, parent in _rows("world.tsv"):
        p = Place(name, level, parent or None, None, short)
        for s in (name, short):
            add(s, p)
            free.add(s)
    out = {}
    for s, ps in by.items():
        if shared.get(s, 0) >= 3 and s not in {p.name for p in ps}:
            continue  # 高新区, 市中: a short form of many divisions names none of them
        out[s] = tuple(sorted(ps, key=lambda p: (_RANK[p.level], p.code or "~")))
    return out, frozenset(s for s in free if s in out and len(s) >= 2)


@functools.lru_cache(maxsize=1)
def country_initials() -> frozenset[str]:
    """First characters of the countries' short names (world.tsv): what a two-country
    compound is made of (中美, 中塔, 美墨: 中国 and 美国, 塔吉克斯坦, 墨西哥)."""
    return frozenset(short[0] for _, short, level, _ in _rows("world.tsv") if level == "country" and short)


def places() -> dict[str, Place]:
    """Surface -> the most prominent place of that name (江北 -> the first 江北区)."""
    return _prominent()


@functools.lru_cache(maxsize=1)
def _prominent() -> dict[str, Place]:
    return {s: ps[0] for s, ps in _places()[0].items()}


def candidates(surface: str) -> tuple[Place, ...]:
    """Every place a surface may name (江北 -> 重庆市江北区, 宁波市江北区)."""
    return _places()[0].get(surface, ())


def division(full_name: str, parent: str | None = None) -> Place | None:
    """The division of that full name (under ``parent`` when several share it)."""
    ps = [p for p in candidates(full_name) if p.name == full_name]
    if parent:
        ps = [p for p in ps if p.parent == parent] or ps
    return ps[0] if ps else None


@functools.lru_cache(maxsize=1)
def orgs() -> dict[str, frozenset[str]]:
    """Organization name -> categories (GovernmentBody, University, Media …)."""
    return {name: frozenset(cats.split(",")) for name, cats in _rows("orgs.tsv")}


@functools.lru_cache(maxsize=1)
def brands() -> frozenset[str]:
    """Company brands (华为, 腾讯): a name to type Company, not a list to find in free text."""
    return frozenset(r[0] for r in _rows("brands.tsv"))


#: jieba's tags of general words (nouns, verbs, adjectives …), not of names (nr, ns, nz, nt …)
_WORD_TAGS = frozenset("n v a vn an ad d r c f o mq b z s".split())


@functools.lru_cache(maxsize=1)
def _word_brands() -> frozenset[str]:
    return frozenset(r[0] for r in _rows("brands.tsv") if len(r) > 1 and r[1] in _WORD_TAGS)


def brand_is_word(name: str) -> bool:
    """A brand that jieba's dictionary (brands.tsv's second column) also knows as a general
    word (好帮手/n, 七彩/nz no, 一乐/a): on its own, no evidence of a company."""
    return name in _word_brands()


@functools.lru_cache(maxsize=1)
def _trie():
    """Trie of the surfaces find() matches: value (kind, short) where ``short`` marks a short
    place form (温州, 鹿城), the only place surfaces the boundary words may cut."""
    from hanlp_trie import Trie

    trie = Trie()
    full = {n for ps in _places()[0].values() for p in ps for n in (p.name,)}
    for s in _places()[1]:
        trie[s] = ("PLACE", s not in full)
    for s in orgs():
        trie[s] = ("ORG", False)  # an organization named like a place (中国, 新华) is one
    return trie


@functools.lru_cache(maxsize=1)
def _boundary() -> tuple[frozenset[str], frozenset[str]]:
    rows = list(_rows("boundary.tsv"))
    return (frozenset(w for w, side in rows if side == "L"),
            frozenset(w for w, side in rows if side == "R"))


def _cut(text: str, i: int, j: int, kind: str, short: bool) -> bool:
    """A match text[i:j] that a common word crosses (国内部|分, 共|同心|愿) is no name."""
    left, right = _boundary()
    if (kind == "ORG" or short) and text[j - 1:j + 1] in right:
        return True
    return short and i > 0 and text[i - 1:i + 1] in left


def find(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of places and organizations in ``text``, kind "PLACE" or "ORG":
    longest matches first, left to right, never overlapping. An organization or a short place
    form that a common word crosses (北京大学|生, 国内部|分, 共|同心|愿) is not taken; a full
    place name is (上海市|长宁区 even though 市长 is a word)."""
    trie = _trie()
    out, i, n = [], 0, len(text)
    while i < n:
        node, best, j = trie, None, i
        while j < n:
            node = node.transit(text[j])
            if node is None:
                break
            j += 1
            value = node._value  # the trie's value at this node (hanlp_trie has no getter)
            if value is not None and not _cut(text, i, j, *value):
                best = (i, j, value[0])
        if best:
            out.append(best)
            i = best[1]
        else:
            i += 1
    return out


def place_of(name: str) -> Place | None:
    """The division or foreign place a name designates: a surface (长宁区, 长宁, 日本), or a
    division named after its parent (上海市长宁区, 上海长宁, 浙江省杭州市)."""
    p = places().get(name)
    if p:
        return p
    for i in range(2, len(name) - 1):
        head = places().get(name[:i])
        if head is None or head.level in ("county", "foreign-city"):
            continue
        for child in candidates(name[i:]):
            if child.parent == head.name or _grandparent(child) == head.name:
                return child
    return None


def _grandparent(p: Place) -> str | None:
    parent = division(p.parent) if p.parent else None
    return parent.parent if parent and parent.level != "country" else None


def inside(p: Place, area: Place) -> bool:
    """A division is inside another one (长宁区 in 上海市; 江北区 of 重庆 not in 宁波市)."""
    return p.parent == area.name or _grandparent(p) == area.name
