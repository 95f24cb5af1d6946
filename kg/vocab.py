"""Rule vocabulary of the extractor and the linker, read from kg/data/rules/*.txt.

Every file is UTF-8 text, one entry a line, TAB-separated columns, ``#`` starts a comment.
The vocabulary is general Chinese public-life language (post titles, body-type suffixes,
event nouns, agreement types, units); it never names the people or bodies of an article.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

RULES = Path(__file__).resolve().parent / "data" / "rules"


def _rows(name: str) -> list[list[str]]:
    text = (RULES / name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append([c.strip() for c in line.split("\t")])
    return rows


@dataclass(frozen=True)
class OrgSuffix:
    suffix: str
    categories: frozenset[str]
    after: tuple[str, ...] = ()  # the suffix counts only after one of these strings
    #: a unit's suffix (司, 分会): it counts only after a body's name (教育部|高等教育司), and the
    #: unit takes that body's categories
    of_body: bool = False


@dataclass
class Vocab:
    titles: dict[str, set[str]] = field(default_factory=dict)  # title -> flags
    title_modifiers: tuple[str, ...] = ()  # words before a title (副, 常务, 联合), longest first
    org_suffixes: list[OrgSuffix] = field(default_factory=list)  # longest first
    org_words: dict[str, set[str]] = field(default_factory=dict)
    bodies: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    event_nouns: dict[str, str] = field(default_factory=dict)
    generic_event_words: set[str] = field(default_factory=set)
    agreement_types: list[str] = field(default_factory=list)  # longest first
    initiative_heads: dict[str, str] = field(default_factory=dict)
    counted_heads: dict[str, str] = field(default_factory=dict)  # heads of count-named names only
    titled_heads: dict[str, str] = field(default_factory=dict)  # heads of names in 《》 only
    role_verbs: list[tuple[str, str, str]] = field(default_factory=list)  # (verb, role, mode)
    units: list[str] = field(default_factory=list)  # longest first
    not_org: tuple[str, ...] = ()
    not_place: frozenset[str] = frozenset()  # words a tagger may call a place that name none
    place_suffixes: tuple[str, ...] = ()  # heads of a made place's name (新区, 码头), longest first
    natural_heads: tuple[str, ...] = ()  # of those, heads of natural regions (平原, 流域)
    provinces: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (abbr, level)

    def title_suffix(self, text: str) -> str | None:
        """The longest post title that ends ``text``."""
        for n in range(min(len(text), self._max_title), 0, -1):
            if text[-n:] in self.titles:
                return text[-n:]
        return None

    def title_prefix(self, text: str) -> str | None:
        """The longest post title that starts ``text``."""
        for n in range(min(len(text), self._max_title), 0, -1):
            if text[:n] in self.titles:
                return text[:n]
        return None

    def org_suffix(self, name: str) -> OrgSuffix | None:
        """The longest organization suffix that ends ``name`` (trailing "(…)" ignored)."""
        core = strip_paren(name)
        for s in self.org_suffixes:
            if core.endswith(s.suffix) and len(core) > len(s.suffix):
                head = core[: -len(s.suffix)]
                if s.after and not head.endswith(s.after):
                    continue
                if s.of_body and self.parent_body(head) is None:
                    continue
                return s
        return None

    def parent_body(self, head: str) -> str | None:
        """The longest body name that starts ``head`` and leaves a unit's own name (two characters
        or more) after it: 教育部 of 教育部高等教育; by a body's suffix or the table of bodies."""
        for i in range(len(head) - 2, 1, -1):
            body = head[:i]
            if body in self.bodies:
                return body
            suf = self.org_suffix(body)
            if suf is not None and len(body) - len(suf.suffix) >= 2:
                return body
        return None

    def unit_alternation(self) -> str:
        """The units as one regex alternation, longest first; a unit ending in a Latin letter
        is not followed by another (5GB, not 5G + B). Shared by the NUMBER mentions of
        kg.annotate and the indicators of kg.extract.numbers."""
        return "|".join(re.escape(u) + ("(?![A-Za-z])" if u[-1].isascii() and u[-1].isalpha() else "")
                        for u in self.units)

    def event_noun(self, name: str) -> str | None:
        for n in sorted(self.event_nouns, key=len, reverse=True):
            if name.endswith(n):
                return n
        return None

    @functools.cached_property
    def _max_title(self) -> int:
        return max(map(len, self.titles))


def strip_paren(name: str) -> str:
    """``中央党校(国家行政学院)`` -> ``中央党校``; names without a trailing "(…)" unchanged."""
    for o, c in (("(", ")"), ("（", "）")):
        if name.endswith(c) and o in name:
            return name[: name.rindex(o)]
    return name


def paren_of(name: str) -> str:
    """What the trailing "(…)" of a name holds (``中央党校(国家行政学院)`` -> ``国家行政学院``); ""
    when there is none."""
    core = strip_paren(name)
    return name[len(core) + 1:-1] if core != name else ""


@functools.lru_cache(maxsize=1)
def vocab() -> Vocab:
    v = Vocab()
    v.titles = {r[0]: set() for r in _rows("titles_cluener.txt")}  # generated: scripts/titles.py
    v.titles.update({r[0]: set(r[1:]) for r in _rows("titles.txt")})
    v.title_modifiers = tuple(sorted((r[0] for r in _rows("title_modifiers.txt")), key=len, reverse=True))
    sufs = []
    for r in _rows("org_suffixes.txt"):
        after = ()
        if len(r) > 2 and r[2].startswith("after="):
            after = tuple(r[2][6:].split(","))
        of_body = r[1] == "parent"
        sufs.append(OrgSuffix(r[0], frozenset() if of_body else frozenset(r[1].split(",")), after, of_body))
    v.org_suffixes = sorted(sufs, key=lambda s: len(s.suffix), reverse=True)
    v.org_words = {r[0]: set(r[1].split(",")) for r in _rows("org_words.txt")}
    v.bodies = {r[0]: (r[1], set(r[2].split(","))) for r in _rows("bodies.txt")}
    v.abbreviations = {r[0]: r[1] for r in _rows("abbreviations.txt")}
    v.event_nouns = {r[0]: r[1] for r in _rows("event_nouns.txt")}
    v.generic_event_words = {r[0] for r in _rows("generic_event_words.txt")}
    v.agreement_types = sorted((r[0] for r in _rows("agreement_types.txt")), key=len, reverse=True)
    heads = _rows("initiative_suffixes.txt")
    v.initiative_heads = {r[0]: r[1] for r in heads if not {"counted", "titled"} & set(r[2:])}
    v.counted_heads = {r[0]: r[1] for r in heads if "counted" in r[2:]}
    v.titled_heads = {r[0]: r[1] for r in heads if "titled" in r[2:]}
    v.role_verbs = sorted(((r[0], r[1], r[2]) for r in _rows("role_verbs.txt")),
                          key=lambda r: len(r[0]), reverse=True)
    v.provinces = {r[0]: (r[1], r[2]) for r in _rows("provinces.txt")}
    v.not_org = tuple(r[0] for r in _rows("not_org.txt"))
    v.not_place = frozenset(r[0] for r in _rows("not_place.txt"))
    v.place_suffixes = tuple(sorted((r[0] for r in _rows("place_suffixes.txt")), key=len, reverse=True))
    v.natural_heads = tuple(r[0] for r in _rows("place_suffixes.txt") if "natural" in r[1:])
    units = {r[0] for r in _rows("units_jionlp.txt") + _rows("units.txt")}  # generated: scripts/units.py
    v.units = sorted(units, key=lambda u: (-len(u), u))
    return v


def abbreviates(short: str, long: str) -> bool:
    """信通院 abbreviates 中国信息通信研究院: its characters appear in order, and it is short;
    a Latin acronym (CCF) abbreviates any name."""
    if re.fullmatch(r"[A-Z][A-Za-z0-9&-]{1,9}", short):
        return True
    if len(short) > 5 or len(short) >= len(long):
        return False
    it = iter(long)
    return all(c in it for c in short)
